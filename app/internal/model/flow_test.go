package model

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/app/privacy"
	"github.com/waymark-app/waymark/assess"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/screening"
)

// TestStepsAndResume: the steps follow the people on the record, a step
// is remembered for the draft, and the draft opens there again.
func TestStepsAndResume(t *testing.T) {
	e := newEnv(t)
	f := e.flow(nil)
	if got := f.Steps(); !slices.Equal(got, []Step{StepPremises, StepPeople, StepObserve, StepAssess}) {
		t.Fatalf("steps without people %v", got)
	}
	f.SetName("Example Nails")
	f.GoTo(StepPeople)
	f.AddPerson()
	if len(f.Steps()) != 6 || f.NextLabel() != "Next: What you see" {
		t.Fatalf("steps with a person %v, next %q", f.Steps(), f.NextLabel())
	}
	f.GoTo(StepQuestions)
	if f.StepTitle() != "Step 4 of 6 · About each person" {
		t.Errorf("title %q", f.StepTitle())
	}
	r := e.stored(f)
	again := e.flow(&r)
	if again.Step() != StepQuestions {
		t.Errorf("resumed at %v, want the questions", again.Step())
	}
	// The step is kept in the encrypted store, with the records: nothing
	// about the draft, not even its id, is in the preferences file.
	e.settle()
	if b, err := e.st.Setting(ctx, keptDraftStep+r.ID.String()); err != nil || string(b) != "questions" {
		t.Errorf("step in the store: %q, %v", b, err)
	}
	for k := range e.set.m {
		if strings.Contains(k, r.ID.String()) {
			t.Errorf("the preferences name the draft: %q", k)
		}
	}
	// A step the draft no longer has (its people removed) opens at the
	// start.
	again.RemovePerson(again.Record().People[0].ID)
	r = e.stored(again)
	if got := e.flow(&r).Step(); got != StepPremises {
		t.Errorf("resumed at %v without people", got)
	}
}

// TestBanner: nothing is assessed until the officer reaches what they
// see; then the level shows in words, Red with its first action, and a
// change of level says what it was.
func TestBanner(t *testing.T) {
	e := newEnv(t)
	f := e.flow(nil)
	f.SetName("Example Car Wash")
	f.SetBusiness(encounter.CarWash)
	if b := f.Banner(); b.Level != content.Unassessed || b.Title != "Not assessed yet" {
		t.Fatalf("banner before observing %+v", b)
	}
	f.GoTo(StepObserve)
	if b := f.Banner(); b.Level != content.Green || !strings.HasPrefix(b.Title, "GREEN") {
		t.Fatalf("banner on observing %+v", b)
	}
	f.TickPremises("ind.labour.no_ppe", true)
	f.TickPremises("ind.general.living_at_workplace", true)
	if b := f.Banner(); b.Level != content.Amber || b.Note != "was Green" {
		t.Errorf("after two signs %+v", b)
	}
	f.TickPremises("ind.general.living_at_workplace", false)
	if b := f.Banner(); b.Level != content.Green || b.Note != "was Amber" {
		t.Errorf("after untick %+v", b)
	}
	f.GoTo(StepPeople) // a new step clears the note
	if b := f.Banner(); b.Note != "" {
		t.Errorf("note kept across steps: %+v", b)
	}
	id := f.AddPerson()
	f.Answer(id, "q.documents", "yes")
	f.Answer(id, "q.free_to_leave", "no")
	if b := f.Banner(); b.Level != content.Red || b.Line != "First: Make the person safe now" {
		t.Errorf("Red banner %+v", b)
	}
	if r := e.stored(f); r.Assessment == nil || r.Assessment.Level != "red" || r.Content.ID != e.pack.ID {
		t.Errorf("saved %+v, content %+v", r.Assessment, r.Content)
	}
}

// TestChildReferral: a person treated as a child gets an NRM referral
// when the record changes (never when a screen is drawn); correcting the
// age takes back one nothing was entered in; a child's Duty to Notify
// becomes an NRM referral.
func TestChildReferral(t *testing.T) {
	e := newEnv(t)
	f := e.flow(nil)
	id := f.AddPerson()
	if ps := person(t, f, id); ps.Referral != nil {
		t.Fatalf("an adult got a referral: %+v", ps.Referral)
	}
	if problem := f.SetAge(id, "15"); problem != "" {
		t.Fatal(problem)
	}
	r := e.stored(f)
	if ps, _ := r.Person(id); ps.Route() != encounter.RouteNRM || ps.Referral.NRM.Consent {
		t.Fatalf("a child's referral as stored: %+v", ps.Referral)
	}
	v := f.Referrals()[0]
	if v.Need != assess.ChildNRM || len(v.Routes) != 0 || !strings.Contains(v.Intro, "always an NRM referral") {
		t.Errorf("child's card %+v", v)
	}
	f.SetAge(id, "30")
	if ps := person(t, f, id); ps.Referral != nil {
		t.Errorf("an untouched child referral stayed on an adult: %+v", ps.Referral)
	}
	f.GoTo(StepReferral)
	f.Answer(id, "q.documents", "yes")
	f.Answer(id, "q.free_to_leave", "no")
	f.Decide(id, encounter.RouteDutyToNotify)
	f.SetReferralField(id, FieldAccount, "Passport held by the manager.")
	f.SetAgeInDoubt(id, true)
	ps := person(t, f, id)
	if ps.Route() != encounter.RouteNRM || ps.Referral.NRM.Account != "Passport held by the manager." {
		t.Errorf("a child's Duty to Notify: %+v", ps.Referral)
	}
	if problem := f.SetAge(id, "200"); problem == "" {
		t.Error("an age of 200 taken")
	}
}

// TestRedAdultDecision: an adult the assessment puts at Red needs a
// decision before the record can be finalised; the officer's decision
// records who explained the NRM and when, and a Duty to Notify carries
// nothing identifying.
func TestRedAdultDecision(t *testing.T) {
	e := newEnv(t)
	f := e.flow(nil)
	f.SetName("Example Nails")
	f.SetBusiness(encounter.NailBar)
	id := f.AddPerson()
	f.SetAge(id, "30")
	f.Answer(id, "q.documents", "yes")
	f.Answer(id, "q.free_to_leave", "no")
	pl := f.Plan()
	if pl.Ready || len(pl.Blocking) != 1 || !strings.Contains(pl.Blocking[0], "Person 1: choose an NRM referral or a Duty to Notify") {
		t.Fatalf("plan %+v", pl)
	}
	if v := f.Referrals()[0]; v.Need != assess.Decide || len(v.Routes) != 3 {
		t.Errorf("card %+v", v)
	}
	f.Decide(id, encounter.RouteNRM)
	f.SetReferralField(id, FieldName, "A Synthetic Person")
	f.Decide(id, encounter.RouteDutyToNotify)
	ps := person(t, f, id)
	dtn := ps.Referral.DutyToNotify
	if dtn == nil || ps.Referral.NRM != nil || dtn.Explained.By != "PC 101 A Example" || !dtn.Explained.At.Equal(testNow) {
		t.Fatalf("decision %+v", ps.Referral)
	}
	if pl := f.Plan(); pl.Ready || len(pl.Blocking) != 1 || pl.Blocking[0] != e.p.T(privacy.MsgBlockedNames) {
		t.Errorf("plan after the decision, before confirming it names nobody: %+v", pl)
	}
	f.ConfirmNoNames(true)
	if pl := f.Plan(); !pl.Ready {
		t.Errorf("plan after the decision %+v", pl)
	}
	doc, _ := e.stored(f).Document()
	if strings.Contains(string(doc), "Synthetic") {
		t.Errorf("the name crossed to the Duty to Notify: %s", doc)
	}
}

// TestConsentAnswerReachesReferral: the person's own answer to the
// consent question shows on their referral card and points to a route;
// the decision stays the officer's.
func TestConsentAnswerReachesReferral(t *testing.T) {
	e := newEnv(t)
	f := e.flow(nil)
	id := f.AddPerson()
	for _, a := range []screening.Answer{
		{Question: "documents.kept", Choice: screening.Yes},
		{Question: "movement.free", Choice: screening.No},
		{Question: screening.ConsentQuestion, Choice: screening.No},
	} {
		a.Language, a.Mode, a.At, a.SetVersion = language.Albanian, screening.HandOverMode, testNow, e.pack.Screening.Version
		if err := f.RecordScreening(id, a); err != nil {
			t.Fatal(err)
		}
	}
	v := f.Referrals()[0]
	if v.Suggested != encounter.RouteDutyToNotify || v.Route != encounter.RouteNone ||
		!strings.Contains(v.TheirAnswer, "“No”") || !strings.Contains(v.TheirAnswer, "on the device alone") {
		t.Errorf("referral card %+v", v)
	}
	if f.Result().Level != content.Red || v.Need != assess.Decide {
		t.Errorf("screening answers did not count: %v, %v", f.Result().Level, v.Need)
	}
}

// TestScreeningFlowsThrough: the person's language preselects the
// screening language; their answers so far open with the screens; and
// the flow shows them in the officer's words with the person's own.
func TestScreeningFlowsThrough(t *testing.T) {
	e := newEnv(t)
	f := e.flow(nil)
	id := f.AddPerson()
	if got := f.Screening(id).Language; got != language.Und {
		t.Errorf("language before one is recorded: %v", got)
	}
	f.SetLanguage(id, language.Albanian)
	f.SetOtherLanguages(id, "Italian")
	if got := f.Screening(id).Language; got != language.Albanian {
		t.Errorf("screening opens in %v", got)
	}
	if v, _ := f.PersonView(id); v.Language != language.Albanian || v.OtherLanguages != "Italian" {
		t.Errorf("person %+v", v)
	}
	if sv := f.ScreeningAnswers(id); sv.Summary != "Not screened yet." || len(sv.Answers) != 0 {
		t.Errorf("before screening %+v", sv)
	}
	a := screening.Answer{Question: "documents.kept", Choice: screening.Yes, Language: language.Albanian,
		Mode: screening.InterpreterMode, Interpreter: "Example Interpreter", At: testNow, SetVersion: e.pack.Screening.Version}
	f.RecordScreening(id, a)
	w := screening.Answer{Question: "work.what", Text: "Lavazh makinash", Translation: "Car wash", Language: language.Albanian,
		Mode: screening.InterpreterMode, Interpreter: "Example Interpreter", At: testNow.Add(1), SetVersion: e.pack.Screening.Version}
	f.RecordScreening(id, w)
	if prev := f.Screening(id).Previous; len(prev) != 2 || prev["documents.kept"].Choice != screening.Yes {
		t.Errorf("previous answers %+v", prev)
	}
	sv := f.ScreeningAnswers(id)
	if !strings.HasPrefix(sv.Summary, "2 answers from the person, through an interpreter in Albanian") || len(sv.Answers) != 2 {
		t.Fatalf("screening shown %+v", sv)
	}
	kept := sv.Answers[0]
	if kept.Question != "Does someone else keep your passport or ID card?" || kept.Answer != "Yes" ||
		!strings.Contains(kept.Original, "A ua mban dikush tjetër") || !strings.Contains(kept.Note, "Example Interpreter") {
		t.Errorf("answer shown %+v", kept)
	}
	if got := sv.Answers[1]; got.Answer != "Car wash" || !strings.Contains(got.Original, "Lavazh makinash") {
		t.Errorf("free text shown %+v", got)
	}
	// In Welsh, the officer's words are Welsh.
	e.welsh()
	if got := ScreeningAnswersOf(e.p, e.pack.Screening, f.Record().People[0]).Answers[0]; got.Answer != "Ie" {
		t.Errorf("in Welsh %+v", got)
	}
	if ps := f.Record().People[0]; !slices.Equal(ps.Languages, []string{"sq", "Italian"}) {
		t.Errorf("languages %q", ps.Languages)
	}
}

// TestNoQuestionTwice: a sign that one of the officer's questions asks
// about is not offered again among the other signs.
func TestNoQuestionTwice(t *testing.T) {
	e := newEnv(t)
	f := e.flow(nil)
	id := f.AddPerson()
	var other []string
	for _, g := range f.OtherSigns(id) {
		for _, s := range g.Signs {
			other = append(other, s.ID)
		}
	}
	for _, asked := range []string{"ind.control.documents_withheld", "ind.control.restricted_movement", "ind.vulnerability.language"} {
		if slices.Contains(other, asked) {
			t.Errorf("%s offered as a sign and asked as a question", asked)
		}
	}
	if !slices.Contains(other, "ind.general.few_possessions") {
		t.Error("a sign no question covers is missing")
	}
	qs := f.Questions(id)
	if len(qs) == 0 || qs[0].Text != "Does someone else hold their passport or ID?" {
		t.Fatalf("questions %+v", qs)
	}
	f.Answer(id, qs[0].ID, "yes")
	f.Answer(id, qs[0].ID, "yes") // the same answer again clears it
	if got := f.Answered(id, qs[0].ID); got != "" {
		t.Errorf("answer after choosing it twice: %q", got)
	}
}

// TestFinalise: the plan lists what is locked and what is missing (the
// address, unticked actions); finalising queues the record, forgets the
// step and tells the app.
func TestFinalise(t *testing.T) {
	e := newEnv(t)
	f := e.flow(nil)
	f.SetName("Example Hand Car Wash")
	f.SetBusiness(encounter.CarWash)
	f.GoTo(StepObserve)
	f.GoTo(StepAssess)
	pl := f.Plan()
	if !pl.Ready || !slices.Contains(pl.Missing, "No address") || len(pl.Locks) < 3 || pl.Level != "green" {
		t.Fatalf("plan %+v", pl)
	}
	if !slices.ContainsFunc(pl.Missing, func(s string) bool { return strings.Contains(s, "not ticked") }) {
		t.Errorf("unticked actions not listed: %q", pl.Missing)
	}
	// One reason is one reason, in the officer's language.
	f.TickPremises("ind.general.living_at_workplace", true)
	if pl := f.Plan(); !slices.Contains(pl.Locks, "The assessment: Green, with 1 reason") {
		t.Errorf("locks %q", pl.Locks)
	}
	f.Tick(f.Checklist()[0].ID, true)
	if a := f.Checklist()[0]; !a.Done || a.State != "Done at "+TimeText(testNow)+" by PC 101 A Example" {
		t.Errorf("tick %+v", a)
	}
	var problem *string
	f.Finalise(func(p string) { problem = &p })
	e.settle()
	if problem == nil || *problem != "" {
		t.Fatalf("finalise: %v", problem)
	}
	r := e.stored(f)
	if r.State != encounter.Queued || len(e.final) != 1 || !f.Done() {
		t.Errorf("after finalising: %v, told %d", r.State, len(e.final))
	}
	if _, ok := e.saver.DraftStep(r.ID); ok {
		t.Error("the step of a finalised record is kept")
	}
	if _, err := e.st.Setting(ctx, keptDraftStep+r.ID.String()); err == nil {
		t.Error("the step of a finalised record is kept in the store")
	}
	// Nothing stops a record without a name or an address being
	// finalised but the rule: the plan says so.
	g := e.flow(nil)
	g.SetNotes("x")
	if pl := g.Plan(); pl.Ready || !slices.Contains(pl.Blocking, "Enter the premises name or the address.") {
		t.Errorf("incomplete plan %+v", pl)
	}
}

// TestLeaveAndDiscard: a draft left empty is removed; one with anything
// in it stays, until the officer discards it.
func TestLeaveAndDiscard(t *testing.T) {
	e := newEnv(t)
	f := e.flow(nil)
	f.SetName("a")
	f.SetName("")
	f.Leave()
	e.settle()
	if rs, _ := e.st.List(ctx); len(rs) != 0 {
		t.Fatalf("an emptied draft was kept: %d", len(rs))
	}
	g := e.flow(nil)
	g.SetName("Half done")
	g.Leave()
	r := e.stored(g)
	if r.State != encounter.Draft || r.Premises.Name != "Half done" {
		t.Fatalf("draft %+v", r)
	}
	h := e.flow(&r)
	var got error = errSentinel
	h.Discard(func(err error) { got = err })
	e.settle()
	if got != nil {
		t.Fatal(got)
	}
	if rs, _ := e.st.List(ctx); len(rs) != 0 {
		t.Errorf("discarded draft still there")
	}
}

var errSentinel = errorString("not called")

type errorString string

func (e errorString) Error() string { return string(e) }

// TestTimeAndCount: a time or count that does not read is not kept, and
// the problem is said.
func TestTimeAndCount(t *testing.T) {
	e := newEnv(t)
	f := e.flow(nil)
	if p := f.SetTime("2026-03-14 09:30"); p != "" {
		t.Fatal(p)
	}
	if p := f.SetTime("14/03/2026"); p == "" {
		t.Error("a bad time was taken")
	}
	if got := TimeText(f.Record().OccurredAt); got != "2026-03-14 09:30" {
		t.Errorf("time %s", got)
	}
	if p := f.SetPeoplePresent("many"); p == "" || f.Record().PeoplePresent != 0 {
		t.Error("a bad count was taken")
	}
	f.SetPeoplePresent("3")
	f.AddPerson()
	if f.PeoplePresent() != "3" {
		t.Errorf("count %s", f.PeoplePresent())
	}
	for range 3 {
		f.AddPerson()
	}
	if f.PeoplePresent() != "4" {
		t.Errorf("count after adding four people %s", f.PeoplePresent())
	}
	_ = uuid.Nil
}
