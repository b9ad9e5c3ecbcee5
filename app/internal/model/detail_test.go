package model

import (
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/screening"
)

// finalised records a Red encounter through the flow: an adult screened
// in Albanian who declined the NRM, a child referred, a tick, an
// operation; and finalises it.
func finalised(t *testing.T, e *env) encounter.Record {
	t.Helper()
	f := e.flow(nil)
	f.SetName("Example Nails")
	f.SetAddress("3 Example Row")
	f.SetBusiness(encounter.NailBar)
	f.SetOperation("Op Aurora")
	f.SetNotes("Rear door padlocked.")
	f.TickPremises("ind.labour.no_ppe", true)
	adult := f.AddPerson()
	f.SetAge(adult, "30")
	f.SetLanguage(adult, language.Albanian)
	f.SetInterpreterUsed(adult, true)
	f.Answer(adult, "q.documents", "yes")
	for _, a := range []screening.Answer{
		{Question: "movement.free", Choice: screening.No},
		{Question: "work.what", Text: "Lavazh makinash", Translation: "Car wash"},
		{Question: screening.ConsentQuestion, Choice: screening.No},
	} {
		a.Language, a.Mode, a.At, a.SetVersion, a.Interpreter = language.Albanian, screening.InterpreterMode, testNow, e.pack.Screening.Version, "Example Interpreter"
		f.RecordScreening(adult, a)
	}
	f.Decide(adult, encounter.RouteDutyToNotify)
	f.SetReferralField(adult, FieldAccount, "Passport held by the manager.")
	child := f.AddPerson()
	f.SetAge(child, "15")
	f.SetReferralField(child, FieldName, "A Synthetic Child")
	f.Tick(f.Result().Actions[0], true)
	f.ConfirmNoNames(true) // the Duty to Notify names nobody
	var problem string
	f.Finalise(func(p string) { problem = p })
	e.settle()
	if problem != "" {
		t.Fatal(problem)
	}
	return e.stored(f)
}

// TestDetailReadsEverythingBack: the detail shows everything recorded.
func TestDetailReadsEverythingBack(t *testing.T) {
	e := newEnv(t)
	r := finalised(t, e)
	d := NewDetail(e.p, e.pack, r, testNow.Add(time.Hour), e.seals(r.ID))
	if d.Level != content.Red || d.LevelWord != "Red" || d.StateText != "Queued" || !d.NeedsCrimeRef || !strings.HasPrefix(d.Crime, "Crime record due in 23 hours") {
		t.Fatalf("head %+v", d)
	}
	var all []string
	for _, s := range d.Sections {
		all = append(all, "## "+s.Title)
		for _, it := range s.Items {
			all = append(all, it.Label+" | "+it.Value+" | "+it.Note+" | "+it.Badge)
		}
	}
	text := strings.Join(all, "\n")
	for _, want := range []string{
		"Premises name | Example Nails", "Address | 3 Example Row", "Business type | Nail bar",
		"Operation | Op Aurora", "Officer | PC 101 A Example", "Officer notes | Rear door padlocked.",
		"Level when finalised | RED · Act now", "| Red",
		"## What to do now", "Done at " + TimeText(testNow) + " by PC 101 A Example",
		"## Seen at the premises", "| No protective equipment |",
		"## Person 1", "Approximate age | 30", "Languages | Albanian", "Interpreter used | Yes",
		"Does someone else hold their passport or ID? | Yes",
		"## Person 1: their own answers", "3 answers from the person, through an interpreter in Albanian",
		"Can you leave your work or home when you want to? | No",
		"| Car wash | ", "Lavazh makinash", "Example Interpreter",
		"## Person 1: referral", "Referral type | Duty to Notify", "NRM explained by | PC 101 A Example",
		"Account | Passport held by the manager.", "Notified at | " + TimeText(testNow),
		"## Person 2: referral", "Referral type | NRM referral", "Consent | Not needed: child", "Name | A Synthetic Child",
		"## Crime record",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the detail lacks %q", want)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}

// TestAmendSignsAndAnswers: an amendment can correct the signs seen and
// the officer's answers; the detail then shows the assessment as it now
// stands beside the one finalised, and the change in the history.
func TestAmendSignsAndAnswers(t *testing.T) {
	e := newEnv(t)
	f := e.flow(nil)
	f.SetName("Example Farm")
	f.SetBusiness(encounter.Farm)
	id := f.AddPerson()
	f.SetAge(id, "40")
	f.Finalise(func(p string) {
		if p != "" {
			t.Fatal(p)
		}
	})
	r := e.stored(f)
	fields := AmendFields(e.p, e.pack, r)
	var signs, answer AmendField
	for _, fl := range fields {
		switch fl.Field {
		case encounter.FieldIndicators:
			signs = fl
		case encounter.PersonField(id, encounter.AnswerField("q.documents")):
			answer = fl
		}
	}
	if signs.Kind != KindSigns || answer.Kind != KindChoice || answer.Label != "Person 1: Does someone else hold their passport or ID?" {
		t.Fatalf("fields %+v %+v", signs, answer)
	}
	if _, problem := MakeChange(e.p, r, answer, ""); problem != e.p.T("amend.no_change") {
		t.Errorf("no change: %q", problem)
	}
	c1, problem := MakeChange(e.p, r, answer, "yes")
	if problem != "" {
		t.Fatal(problem)
	}
	c2, _ := MakeChange(e.p, r, signs, "ind.control.locked_in")
	if _, problem := NewAmendment(e.p, e.pack, r, e.st.DeviceID(), testOfficer, testNow, " ", c1); problem != "Give the reason for the amendment." {
		t.Errorf("no reason: %q", problem)
	}
	a, problem := NewAmendment(e.p, e.pack, r, e.st.DeviceID(), testOfficer, testNow.Add(time.Hour), "Seen on the body-worn video", c1, c2)
	if problem != "" {
		t.Fatal(problem)
	}
	var amended encounter.Record
	e.saver.Amend(a.Amendment, func(got encounter.Record, err error) {
		if err != nil {
			t.Fatal(err)
		}
		amended = got
	})
	e.settle()
	d := NewDetail(e.p, e.pack, amended, testNow.Add(2*time.Hour), e.seals(amended.ID))
	var text []string
	for _, s := range d.Sections {
		for _, it := range s.Items {
			text = append(text, it.Label+" | "+it.Value+" | "+it.Badge+" | "+it.Note)
		}
	}
	seal := "Signed by device " + e.st.DeviceID().String()[:8] + " of PC 101, verified: not changed since it was signed."
	if d.Seal.Text != seal || d.Seal.Kind != NoticeSuccess {
		t.Errorf("the record's signature: %+v", d.Seal)
	}
	all := strings.Join(text, "\n")
	for _, want := range []string{
		"Level when finalised | GREEN",
		"Level with the amendments | RED",
		"Person 1: Does someone else hold their passport or ID? set to “Yes”",
		"Signs seen at the premises set to “People locked in”",
		"Reason: Seen on the body-worn video",
		"| Queued | " + seal,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("detail lacks %q:\n%s", want, all)
		}
	}
	if d.Level != content.Red {
		t.Errorf("level %v", d.Level)
	}
}

// TestAmendCheck: an amendment writing a phone number into the label of
// a person with a Duty to Notify goes through the same check as
// finalising: it is highlighted where it is, must be removed (it cannot
// be kept), and the label written anew needs the officer's word that it
// names nobody; only then is it saved, and the store takes it. The same
// number added to the notes is the officer's to confirm.
func TestAmendCheck(t *testing.T) {
	e := newEnv(t)
	r := finalised(t, e)
	adult := r.People[0].ID
	label := AmendField{Field: encounter.PersonField(adult, "label"), Kind: KindText, FreeText: true, Person: adult}
	c, problem := MakeChange(e.p, r, label, "woman at the till, 07700 900123")
	if problem != "" {
		t.Fatal(problem)
	}
	a, problem := NewAmendment(e.p, e.pack, r, e.st.DeviceID(), testOfficer, testNow.Add(time.Hour), "Label corrected", c)
	if problem != "" || a.Check == nil {
		t.Fatalf("no check: %q %+v", problem, a)
	}
	chk := a.Check
	ic := chk.Identifiers()
	if len(ic.Findings) != 1 || !ic.DutyToNotify || ic.Ready {
		t.Fatalf("check %+v", ic)
	}
	v := ic.Findings[0]
	if v.Path != label.Field || !v.MustRemove || v.Where != "Person 1: Label" || v.Entry != "amend" || len(v.Segments) != 2 || v.Segments[1].Text != "07700 900123" {
		t.Errorf("finding %+v", v)
	}
	want := []string{"Remove what is highlighted in the Duty to Notify to save the amendment.", "Confirm that the Duty to Notify names nobody to save the amendment."}
	if strings.Join(ic.Blocking, "|") != strings.Join(want, "|") {
		t.Errorf("blocking %q", ic.Blocking)
	}
	if _, problem := chk.Amending(); problem != want[0] {
		t.Errorf("saved before the check: %q", problem)
	}
	chk.ConfirmFinding(v.Path, true) // cannot be kept
	chk.ConfirmNoNames(true)
	chk.RemoveFinding(v.Path)
	ic = chk.Identifiers(v.Path)
	if !ic.Ready || !ic.Findings[0].Resolved || chk.Written(v.Path) != "woman at the till, [removed]" {
		t.Fatalf("after the removal: %+v, written %q", ic, chk.Written(v.Path))
	}
	done, problem := chk.Amending()
	if problem != "" {
		t.Fatal(problem)
	}
	var amended encounter.Record
	e.saver.Amend(done.Amendment, func(got encounter.Record, err error) {
		if err != nil {
			t.Fatal(err)
		}
		amended = got
	})
	e.settle()
	if got := amended.People[0].Label; got != "woman at the till, [removed]" {
		t.Errorf("label saved %q", got)
	}

	notes := AmendField{Field: encounter.FieldAddendum, Kind: KindLong, FreeText: true}
	c, _ = MakeChange(e.p, amended, notes, "Manager called from 07700 900124.")
	a, problem = NewAmendment(e.p, e.pack, amended, e.st.DeviceID(), testOfficer, testNow.Add(2*time.Hour), "Added later", c)
	if problem != "" || a.Check == nil {
		t.Fatalf("no check of the addendum: %q", problem)
	}
	if ic := a.Check.Identifiers(); ic.DutyToNotify || len(ic.Findings) != 1 || ic.Findings[0].MustRemove || ic.Findings[0].Where != "Notes (add to them)" {
		t.Errorf("addendum check %+v", ic)
	}
	a.Check.ConfirmFinding(encounter.FieldAddendum, true)
	if _, problem := a.Check.Amending(); problem != "" {
		t.Errorf("confirmed, still refused: %q", problem)
	}
	clean, _ := MakeChange(e.p, amended, notes, "Interpreter attended at 11:00.")
	if a, problem := NewAmendment(e.p, e.pack, amended, e.st.DeviceID(), testOfficer, testNow.Add(2*time.Hour), "Added later", clean); problem != "" || a.Check != nil {
		t.Errorf("a clean addendum: check %v, problem %q", a.Check != nil, problem)
	}
}

// TestLateAdultReferral: an adult given a Duty to Notify who consents
// later is referred to the NRM after the event: only with their consent
// and who explained it, as its own entry in the history; the record as
// finalised keeps the Duty to Notify.
func TestLateAdultReferral(t *testing.T) {
	e := newEnv(t)
	r := finalised(t, e)
	adult := r.People[0].ID
	if d := NewDetail(e.p, e.pack, r, testNow, Seals{}); !d.ReferLate {
		t.Error("the detail offers no referral for the adult")
	}
	if got := LateAdults(e.p, r); len(got) != 1 || got[0].Value != adult.String() || got[0].Label != "Person 1" {
		t.Fatalf("late adults %+v (the child is referred already)", got)
	}
	in := NewLateNRM(r, adult, testOfficer)
	if in.ExplainedBy != "PC 101 A Example" || in.Account != "Passport held by the manager." {
		t.Errorf("form starts as %+v", in)
	}
	at := testNow.Add(3 * time.Hour)
	reason := e.p.T("amend.late_nrm.reason")
	if _, problem := NewLateReferral(e.p, r, e.st.DeviceID(), testOfficer, at, reason, in); problem != e.p.T("amend.late_nrm.no_consent") {
		t.Errorf("without consent: %q", problem)
	}
	in.Consent, in.Name, in.DateOfBirth = true, "A Synthetic Person", "1990-01-01"
	a, problem := NewLateReferral(e.p, r, e.st.DeviceID(), testOfficer, at, reason, in)
	if problem != "" {
		t.Fatal(problem)
	}
	if !strings.Contains(a.Referrals, "Refer Person 1 to the NRM now?") || len(a.Amendment.Changes) != 0 {
		t.Errorf("amending %+v", a)
	}
	var amended encounter.Record
	e.saver.Amend(a.Amendment, func(got encounter.Record, err error) {
		if err != nil {
			t.Fatal(err)
		}
		amended = got
	})
	e.settle()
	nrm := amended.People[0].Referral.NRM
	if nrm == nil || !nrm.Consent || nrm.Explained.By != "PC 101 A Example" || nrm.Identity.Name != "A Synthetic Person" || !nrm.ReferredAt.Equal(at) {
		t.Fatalf("referral %+v", amended.People[0].Referral)
	}
	if amended.Original.People[0].Referral.DutyToNotify == nil {
		t.Error("the Duty to Notify is gone from the record as finalised")
	}
	d := NewDetail(e.p, e.pack, amended, at, e.seals(amended.ID))
	if d.ReferLate {
		t.Error("still offered once referred")
	}
	var history []string
	for _, s := range d.Sections {
		for _, it := range s.Items {
			history = append(history, it.Value)
		}
	}
	if all := strings.Join(history, "\n"); !strings.Contains(all, "Person 1 referred to the NRM after the event") {
		t.Errorf("the history does not show the referral:\n%s", all)
	}
}
