package model

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/app/privacy"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/screening"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

// dtnDraft is a draft with notes and one adult who declined the NRM: a
// Duty to Notify with account.
func dtnDraft(e *env, notes, account string) (*Flow, uuid.UUID) {
	f := e.flow(nil)
	f.SetName("Example Nails")
	f.SetAddress("12 Example Street, Manchester M1 1AE")
	f.SetBusiness(encounter.NailBar)
	f.SetNotes(notes)
	id := f.AddPerson()
	f.SetAge(id, "33")
	f.SetGender(id, "female")
	f.SetNationality(id, "Vietnamese")
	f.Decide(id, encounter.RouteDutyToNotify)
	f.SetReferralField(id, FieldAccount, account)
	return f, id
}

// byPath returns the finding of c in the field at path.
func byPath(t *testing.T, c IdentifierCheck, path string) FindingView {
	t.Helper()
	i := slices.IndexFunc(c.Findings, func(v FindingView) bool { return v.Path == path })
	if i < 0 {
		t.Fatalf("nothing at %s in %+v", path, c.Findings)
	}
	return c.Findings[i]
}

// TestIdentifierCheck: before finalising, what looks identifying is shown
// where it is; in a Duty to Notify it must go (removed in place, each
// piece marked), elsewhere the officer confirms it belongs; a Duty to
// Notify needs the officer's word that it names nobody; an edit asks
// again; and the record finalises once all is answered.
func TestIdentifierCheck(t *testing.T) {
	e := newEnv(t)
	f, id := dtnDraft(e, "Manager's phone 07700 900123.", "Seen at M1 1AE, long hours.")
	notes, account := "notes", "people["+id.String()+"].referral.duty_to_notify.account"

	c := f.Identifiers()
	if len(c.Findings) != 2 || c.Ready || !c.DutyToNotify || c.NamesConfirmed || c.None != "" {
		t.Fatalf("check %+v", c)
	}
	n := byPath(t, c, notes)
	if n.MustRemove || n.Step != StepPremises || n.Where != "Officer notes" ||
		n.Advice != "Highlighted: phone number. Keep it only if it belongs in the record." {
		t.Errorf("notes %+v", n)
	}
	if got := n.Segments; len(got) != 3 || got[1].Text != "07700 900123" || got[1].Kind != encounter.PhoneNumber {
		t.Errorf("segments %+v", got)
	}
	a := byPath(t, c, account)
	if !a.MustRemove || a.Step != StepReferral || a.Where != "Person 1 · Account" || a.Advice != e.p.T(privacy.MsgRemove) || a.Person != id || !a.Editable {
		t.Errorf("account %+v", a)
	}
	if pl := f.Plan(); !pl.Identifiers {
		t.Error("the plan does not send the officer to the identifier check")
	}
	for _, want := range []string{privacy.MsgBlockedRemove, privacy.MsgBlockedConf, privacy.MsgBlockedNames} {
		if !slices.Contains(c.Blocking, e.p.T(want)) {
			t.Errorf("blocking %q lacks %q", c.Blocking, e.p.T(want))
		}
	}
	if pl := f.Plan(); pl.Ready || len(pl.Blocking) != 3 {
		// The record's own rule names the person; the check adds the
		// confirmations.
		t.Errorf("plan %q", pl.Blocking)
	}

	f.ConfirmFinding(account, true) // a Duty to Notify's cannot be kept
	f.ConfirmFinding(notes, true)
	f.ConfirmNoNames(true)
	f.RemoveFinding(account) // adds no name: the confirmation stands
	c = f.Identifiers(notes, account)
	if !c.Ready || !byPath(t, c, notes).Confirmed || !c.NamesConfirmed {
		t.Fatalf("after the answers: %+v", c)
	}
	if r := byPath(t, c, account); !r.Resolved || r.Segments[0].Text != "Seen at [removed], long hours." {
		t.Errorf("removed: %+v", r)
	}
	if got := person(t, f, id).Referral.DutyToNotify.Account; got != "Seen at [removed], long hours." {
		t.Errorf("account after the removal %q", got)
	}

	// The officer edits the notes: confirm again. The Duty to Notify did
	// not change: its confirmation stands.
	f.SetNotes("Manager's phone 07700 900124.")
	if c := f.Identifiers(); c.Ready || byPath(t, c, notes).Confirmed || !c.NamesConfirmed {
		t.Errorf("after an edit of the notes: %+v", c)
	}
	f.ConfirmFinding(notes, true)
	f.SetReferralField(id, FieldAccount, "Seen at [removed], long hours; kept inside.")
	if c := f.Identifiers(); c.Ready || c.NamesConfirmed {
		t.Errorf("after an edit of the Duty to Notify: %+v", c)
	}
	f.ConfirmNoNames(true)
	var problem string
	f.Finalise(func(p string) { problem = p })
	e.settle()
	if problem != "" {
		t.Fatal(problem)
	}
	if r := e.stored(f); r.State != encounter.Queued || r.Notes != "Manager's phone 07700 900124." {
		t.Errorf("stored %v %q", r.State, r.Notes)
	}
}

// TestIdentifierInWhoExplained: who explained the NRM goes out with a
// Duty to Notify: something identifying in it is found, must be
// removed, is named as that field and goes to its entry; the hint under
// it says so as it is written.
func TestIdentifierInWhoExplained(t *testing.T) {
	e := newEnv(t)
	f, id := dtnDraft(e, "", "Long hours.")
	f.SetExplainedBy(id, "PC 101, on 07700 900123")
	v := byPath(t, f.Identifiers(), "people["+id.String()+"].referral.duty_to_notify.explained.by")
	if !v.MustRemove || v.Where != "Person 1 · NRM explained by" || v.Entry != "explained" || !v.Editable || v.Step != StepReferral {
		t.Errorf("finding %+v", v)
	}
	if n := f.IdentifierHint(id, "PC 101, on 07700 900123"); n.Kind != NoticeDanger {
		t.Errorf("hint %+v", n)
	}
	f.RemoveFinding(v.Path)
	if got := person(t, f, id).Referral.DutyToNotify.Explained.By; got != "PC 101, on [removed]" {
		t.Errorf("after the removal %q", got)
	}
}

// TestIdentifierInTheirOwnWords: an identifier in a person's own
// screening answer, which the officer cannot otherwise edit, can be
// removed from a Duty to Notify in place; it is named by its question.
func TestIdentifierInTheirOwnWords(t *testing.T) {
	e := newEnv(t)
	f, id := dtnDraft(e, "", "Long hours.")
	a := screening.Answer{Question: "work.what", Text: "Pastrim, 07700 900123", Translation: "Cleaning, call 07700 900123",
		Language: language.Albanian, Mode: screening.InterpreterMode, At: testNow, SetVersion: e.pack.Screening.Version, Interpreter: "Example Interpreter"}
	if err := f.RecordScreening(id, a); err != nil {
		t.Fatal(err)
	}
	c := f.Identifiers()
	text, tr := "people["+id.String()+"].screening[0].text", "people["+id.String()+"].screening[0].translation"
	v := byPath(t, c, text)
	if !v.MustRemove || v.Step != StepQuestions || !strings.HasPrefix(v.Where, "Person 1 · Their answer to “") || v.Editable {
		t.Errorf("their answer %+v", v)
	}
	if w := byPath(t, c, tr).Where; !strings.HasPrefix(w, "Person 1 · The translation of their answer to “") {
		t.Errorf("translation named %q", w)
	}
	f.SetLabel(id, "woman at the till")
	if w := byPath(t, f.Identifiers(), text).Where; !strings.HasPrefix(w, "woman at the till · Their answer") {
		t.Errorf("named %q, not by the label", w)
	}
	f.SetLabel(id, "woman at the till, M1 1AE")
	if w := byPath(t, f.Identifiers(), "people["+id.String()+"].label").Where; w != "Person 1 · Label" {
		t.Errorf("a label to check is repeated in the heading: %q", w)
	}
	f.SetLabel(id, "")
	f.RemoveFinding(text)
	f.RemoveFinding(tr)
	got := person(t, f, id).Screening[0]
	if got.Text != "Pastrim, [removed]" || got.Translation != "Cleaning, call [removed]" {
		t.Errorf("after removing: %+v", got)
	}
	if c := f.Identifiers(); len(c.Findings) != 0 || c.None == "" {
		t.Errorf("left %+v", c.Findings)
	}
}

// TestIdentifierHint: under a field, as the officer writes, what looks
// identifying and what to do with it: remove it from a Duty to Notify,
// keep it elsewhere only if it belongs.
func TestIdentifierHint(t *testing.T) {
	e := newEnv(t)
	f, id := dtnDraft(e, "", "")
	tests := []struct {
		person uuid.UUID
		text   string
		want   string
	}{
		{uuid.Nil, "Four workers, cash only.", ""},
		{uuid.Nil, "Manager 07700 900123", "Keep it only if it belongs in the record: phone number “07700 900123”"},
		{id, "Lives at M1 1AE, email a@example.com", "Remove it, a Duty to Notify is anonymous: postcode “M1 1AE”; e-mail address “a@example.com”"},
	}
	for _, tt := range tests {
		got := f.IdentifierHint(tt.person, tt.text)
		kind := NoticeWarning
		if tt.person != uuid.Nil {
			kind = NoticeDanger
		}
		if got.Text != tt.want || (got.Text != "" && got.Kind != kind) {
			t.Errorf("%q: %+v, want %q", tt.text, got, tt.want)
		}
	}
	e.welsh()
	w := e.flow(nil)
	if got := w.IdentifierHint(uuid.Nil, "07700 900123").Text; got != "Cadwch ef dim ond os yw'n perthyn i'r cofnod: rhif ffôn “07700 900123”" {
		t.Errorf("in Welsh: %q", got)
	}
}

// TestDutyToNotifySheet: the copy sheet of a Duty to Notify follows the
// rule of encounter.Record.DutyToNotifySheet: no premises name, address,
// full postcode, time or exact age, and with fewer than three people
// present no sex, nationality or languages; an NRM referral's sheet has
// them all.
func TestDutyToNotifySheet(t *testing.T) {
	e := newEnv(t)
	f, id := dtnDraft(e, "", "Long hours, no pay.")
	r := f.Record()
	r.PeoplePresent = 1
	f = e.flow(&r)
	s := f.Sheet(id)
	if s.Title != "Duty to Notify form answers" || !strings.Contains(s.Intro, "anonymous") {
		t.Errorf("title %q, intro %q", s.Title, s.Intro)
	}
	for _, want := range []string{
		"Referral type: Adult, Duty to Notify", "Consent: Not given, after the NRM was explained by PC 101 A Example on " + DateText(testNow),
		"Age: 25–34", "Sex, nationality, languages, interpreter: Left out: fewer than 3 people were present",
		"Where: Nail bar, postcode district M1", "Date: " + DateText(testNow), "Officer: PC 101", "Account: Long hours, no pay.",
	} {
		if !strings.Contains(s.Text, want) {
			t.Errorf("the sheet lacks %q:\n%s", want, s.Text)
		}
	}
	for _, leak := range []string{"Example Nails", "Example Street", "1AE", "33", TimeText(testNow)[11:], "Vietnamese", "Female"} {
		if strings.Contains(s.Text, leak) {
			t.Errorf("the sheet shows %q:\n%s", leak, s.Text)
		}
	}
	// Copied before the check: the account's identifiers stay behind.
	f.SetReferralField(id, FieldAccount, "Long hours, no pay; her phone 07700 900123.")
	if s := f.Sheet(id); strings.Contains(s.Text, "900123") || !strings.Contains(s.Text, "Account: Long hours, no pay; her phone [removed].") {
		t.Errorf("an identifier in the account reached the sheet:\n%s", s.Text)
	}
	f.SetExplainedBy(id, "PC 101, on 07700 900124")
	if s := f.Sheet(id); strings.Contains(s.Text, "900124") || !strings.Contains(s.Text, "explained by PC 101, on [removed] on") {
		t.Errorf("an identifier in who explained it reached the sheet:\n%s", s.Text)
	}
	r.PeoplePresent = 4
	if s := e.flow(&r).Sheet(id); !strings.Contains(s.Text, "Sex: Female") || !strings.Contains(s.Text, "Nationality: Vietnamese") || strings.Contains(s.Text, "Example Street") {
		t.Errorf("four present:\n%s", s.Text)
	}
	nrm := e.flow(&r)
	nrm.Decide(id, encounter.RouteNRM)
	if s := nrm.Sheet(id); s.Title != "NRM form answers" || !strings.Contains(s.Text, "Age: 33") || !strings.Contains(s.Text, "Example Street") {
		t.Errorf("an NRM referral's sheet %q:\n%s", s.Title, s.Text)
	}
}

// TestSealText: each verdict on a signature in words, coloured by what it
// means; and a record whose signatures could not be read says so.
func TestSealText(t *testing.T) {
	e := newEnv(t)
	dev, other := uuid.MustParse("0192f1a0-0000-4000-8000-000000000001"), uuid.MustParse("7c3e9d21-0000-4000-8000-000000000002")
	pc := encounter.Officer{Name: "A Example", Number: "PC 101"}
	tests := []struct {
		v    evidence.Verdict
		want string
		kind NoticeKind
	}{
		{evidence.Verdict{State: evidence.Verified, Device: dev, By: pc}, "Signed by device 0192f1a0 of PC 101, verified: not changed since it was signed.", NoticeSuccess},
		{evidence.Verdict{State: evidence.Verified, Device: dev}, "Signed by device 0192f1a0, verified: not changed since it was signed. It names no officer.", NoticeSuccess},
		{evidence.Verdict{}, e.p.T("evidence.unsigned"), NoticeWarning},
		{evidence.Verdict{State: evidence.Broken, Device: dev, By: pc}, "The signature of device 0192f1a0 does NOT match: this has changed since it was signed, or the signature is damaged. Do not rely on it; tell your supervisor.", NoticeDanger},
		{evidence.Verdict{State: evidence.KeyUnknown, Device: dev}, "Signed as device 0192f1a0, but with a key not known for that device: who signed it cannot be confirmed. Tell your supervisor.", NoticeDanger},
		{evidence.Verdict{State: evidence.OtherDevice, Device: other, Made: dev}, "Signed by device 7c3e9d21, not by device 0192f1a0 that made it: who made it cannot be confirmed. Tell your supervisor.", NoticeDanger},
	}
	for _, tt := range tests {
		if got := SealText(e.p, tt.v); got.Text != tt.want || got.Kind != tt.kind {
			t.Errorf("%v: %+v, want %q (%v)", tt.v.State, got, tt.want, tt.kind)
		}
	}
	r := finalised(t, e)
	d := NewDetail(e.p, e.pack, r, testNow, Seals{Err: store.ErrClosed})
	if d.Seal.Text != e.p.T("evidence.unreadable") || d.Seal.Kind != NoticeWarning {
		t.Errorf("unreadable: %+v", d.Seal)
	}
}

// TestStatusServerLimits: entries kept aside to the device's quota have a
// sentence of their own (a supervisor must resolve them; the records are
// safe); the server asking the device to slow down is honoured quietly,
// and a long wait is said calmly, with when Waymark sends again.
func TestStatusServerLimits(t *testing.T) {
	e := newEnv(t)
	m := NewStatus(e.p)
	aside := &client.Error{Kind: client.ServerFault, Err: &wire.Error{Code: wire.CodeAsideFull}, RetryAfter: 10 * time.Minute}
	m.Set(client.Status{Queued: 3, LastSuccess: testNow, LastError: aside})
	if d, bad := m.Detail(); !bad || d != e.p.T("sync.err.aside_full") || !strings.Contains(d, "safe on this device") {
		t.Errorf("aside full: %q %v", d, bad)
	}
	short := &client.Error{Kind: client.Unreachable, Err: &wire.Error{Code: wire.CodeRateLimited}, RetryAfter: time.Second}
	m.Set(client.Status{Queued: 3, LastSuccess: testNow, LastError: short, NextAttempt: testNow.Add(time.Second)})
	if d, bad := m.Detail(); bad || d != "Last sync "+TimeText(testNow) {
		t.Errorf("a short wait: %q %v", d, bad)
	}
	m.Set(client.Status{Queued: 3, LastError: short})
	if d, bad := m.Detail(); bad || d != e.p.T("sync.never") {
		t.Errorf("a short wait before any sync: %q %v", d, bad)
	}
	long := &client.Error{Kind: client.Unreachable, Err: &wire.Error{Code: wire.CodeRateLimited}, RetryAfter: 10 * time.Minute}
	next := testNow.Add(10 * time.Minute)
	m.Set(client.Status{Queued: 3, LastSuccess: testNow, LastError: long, NextAttempt: next})
	if d, bad := m.Detail(); bad || d != "The server is busy. Waymark will send again at "+TimeText(next)+"; records are safe on this device." {
		t.Errorf("a long wait: %q %v", d, bad)
	}
	if got := m.ErrorText(errors.New("some other failure")); got != e.p.T("sync.err.server") {
		t.Errorf("another failure: %q", got)
	}
}

// TestAmendHint: an amendment's free text (the notes, an addendum, a
// label) is checked as it is written, as a draft's is; a label of a
// person with a Duty to Notify must lose what looks identifying.
func TestAmendHint(t *testing.T) {
	e := newEnv(t)
	r := finalised(t, e) // Person 1 has a Duty to Notify, Person 2 an NRM referral
	byField := map[string]AmendField{}
	for _, f := range AmendFields(e.p, e.pack, r) {
		byField[f.Field] = f
	}
	const phone = "07700 900123"
	tests := []struct {
		field string
		kind  NoticeKind
	}{
		{encounter.FieldNotes, NoticeWarning},
		{encounter.FieldAddendum, NoticeWarning},
		{encounter.PersonField(r.People[0].ID, "label"), NoticeDanger},
		{encounter.PersonField(r.People[1].ID, "label"), NoticeWarning},
		{encounter.FieldPremisesName, NoticeInfo},
		{encounter.PersonField(r.People[0].ID, "nationality"), NoticeInfo},
	}
	for _, tt := range tests {
		f, ok := byField[tt.field]
		if !ok {
			t.Fatalf("no field %s", tt.field)
		}
		n := AmendHint(e.p, r, f, "call "+phone)
		if n.Kind != tt.kind || (tt.kind == NoticeInfo) != (n.Text == "") {
			t.Errorf("%s: %+v", tt.field, n)
		}
	}
}

// TestPlanSendsToTheCheck: Finalise… goes to the identifier check only
// when nothing else stands in the way; with another problem the plan's
// list says everything, the check's conditions among it.
func TestPlanSendsToTheCheck(t *testing.T) {
	e := newEnv(t)
	f := e.flow(nil)
	f.SetName("Example Nails")
	f.SetBusiness(encounter.NailBar)
	f.SetNotes("Manager 07700 900123")
	id := f.AddPerson()
	f.SetAge(id, "30")
	f.Answer(id, "q.documents", "yes")
	f.Answer(id, "q.free_to_leave", "no") // Red: a decision is needed
	pl := f.Plan()
	if pl.Identifiers || !slices.Contains(pl.Blocking, e.p.T(privacy.MsgBlockedConf)) || len(pl.Blocking) != 2 {
		t.Errorf("with a decision to make: %+v", pl)
	}
	f.Decide(id, encounter.RouteNRM)
	f.SetExplainedBy(id, "PC 101 A Example")
	if pl := f.Plan(); !pl.Identifiers {
		t.Errorf("with only the notes to confirm: %+v", pl)
	}
	f.ConfirmFinding("notes", true)
	if pl := f.Plan(); pl.Identifiers || !pl.Ready {
		t.Errorf("after confirming: %+v", pl)
	}
}
