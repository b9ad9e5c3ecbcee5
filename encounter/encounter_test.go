package encounter

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

var (
	t0     = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)
	device = uuid.MustParse("0192f1a0-0000-7000-8000-00000000d001")
)

func complete(t *testing.T) Record {
	t.Helper()
	r, err := New(device, t0)
	if err != nil {
		t.Fatal(err)
	}
	r.Premises = Premises{Name: "Example Nails", Address: "1 Example Road", Business: NailBar}
	r.PeoplePresent = 2
	return r
}

func person(age int, doubt bool, ref *Referral) Person {
	return Person{ID: uuid.New(), Label: "Person", AgeYears: age, AgeInDoubt: doubt, Referral: ref}
}

var explained = &Explained{By: "PC 1 Example", At: t0}

func problemsOf(err error) []Problem {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Problems
	}
	return nil
}

func hasProblem(err error, want Problem) bool {
	for _, p := range problemsOf(err) {
		if p.Field == want.Field && p.Code == want.Code {
			return true
		}
	}
	return false
}

func TestValidateReferrals(t *testing.T) {
	tests := []struct {
		name   string
		people []Person
		want   []Problem // empty: valid
	}{
		{"adult, no referral", []Person{person(30, false, nil)}, nil},
		{"adult NRM with consent", []Person{person(30, false, &Referral{NRM: &NRM{Explained: explained, Consent: true, Identity: Identity{Name: "A Synthetic"}}})}, nil},
		{"adult NRM without consent", []Person{person(30, false, &Referral{NRM: &NRM{Explained: explained}})}, []Problem{NRMNoConsent}},
		{"adult NRM not explained", []Person{person(30, false, &Referral{NRM: &NRM{Consent: true}})}, []Problem{NRMNotExplained}},
		{"adult duty to notify", []Person{person(30, false, &Referral{DutyToNotify: &DutyToNotify{Explained: *explained}})}, nil},
		{"duty to notify not explained", []Person{person(30, false, &Referral{DutyToNotify: &DutyToNotify{}})}, []Problem{DtNNotExplained}},
		{"child without referral", []Person{person(15, false, nil)}, []Problem{ChildNeedsNRM}},
		{"age in doubt without referral", []Person{person(0, true, nil)}, []Problem{ChildNeedsNRM}},
		{"child with duty to notify", []Person{person(16, false, &Referral{DutyToNotify: &DutyToNotify{Explained: *explained}})}, []Problem{ChildNeedsNRM}},
		{"child NRM needs no consent", []Person{person(16, false, &Referral{NRM: &NRM{}})}, nil},
		{"both routes", []Person{person(30, false, &Referral{NRM: &NRM{Explained: explained, Consent: true}, DutyToNotify: &DutyToNotify{Explained: *explained}})}, []Problem{ReferralBoth}},
		{"empty referral", []Person{person(30, false, &Referral{})}, []Problem{ReferralEmpty}},
		{"age out of range", []Person{person(130, false, nil)}, []Problem{PersonAgeInvalid}},
		{"no person id", []Person{{Label: "x"}}, []Problem{PersonNoID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := complete(t)
			r.People = tt.people
			err := r.Validate(t0)
			if len(tt.want) == 0 {
				if err != nil {
					t.Errorf("want valid, got %v", err)
				}
				return
			}
			for _, w := range tt.want {
				if !hasProblem(err, w) {
					t.Errorf("want %s %s, got %v", w.Field, w.Code, err)
				}
			}
			if ps := problemsOf(err); len(ps) > 0 && ps[0].Field != "person" && ps[0].Person != tt.people[0].ID {
				t.Errorf("problem does not name the person: %+v", ps[0])
			}
		})
	}
}

func TestValidateBasics(t *testing.T) {
	r, _ := New(device, t0)
	err := r.Validate(t0)
	for _, w := range []Problem{PremisesMissing, BusinessMissing} {
		if !hasProblem(err, w) {
			t.Errorf("empty record: want %v in %v", w, err)
		}
	}
	r = complete(t)
	r.OccurredAt = t0.Add(time.Hour)
	if !hasProblem(r.Validate(t0), OccurredAtInFuture) {
		t.Error("time an hour ahead accepted")
	}
	r.OccurredAt = t0.Add(10 * time.Minute)
	if err := r.Validate(t0); err != nil {
		t.Errorf("10 minutes of clock skew refused: %v", err)
	}
	r.Premises.Business = "spaceport"
	if !hasProblem(r.Validate(t0), BusinessInvalid) {
		t.Error("unknown business accepted")
	}
	for _, p := range AllProblems {
		if !strings.HasPrefix(p.Key(), "problem.") {
			t.Errorf("key %q", p.Key())
		}
	}
}

func TestSealStartsCrimeClock(t *testing.T) {
	r := complete(t)
	referred := t0.Add(-2 * time.Hour)
	r.People = []Person{
		person(30, false, &Referral{NRM: &NRM{Explained: explained, Consent: true, ReferredAt: referred}}),
		person(25, false, &Referral{DutyToNotify: &DutyToNotify{Explained: *explained}}),
	}
	if err := r.Seal(t0); err != nil {
		t.Fatal(err)
	}
	if r.FinalisedAt != t0 || r.Crime == nil || !r.Crime.Due.Equal(referred.Add(CrimeWindow)) {
		t.Fatalf("sealed: finalised %v crime %+v", r.FinalisedAt, r.Crime)
	}
	if r.People[1].Referral.DutyToNotify.NotifiedAt != t0 {
		t.Errorf("duty to notify time not stamped")
	}
	if err := r.Check(); err != nil {
		t.Errorf("sealed record fails Check: %v", err)
	}
	for now, want := range map[time.Time]CrimeStatus{
		t0:                                    CrimeDue,
		referred.Add(CrimeWindow - time.Hour): CrimeDueSoon,
		referred.Add(CrimeWindow):             CrimeOverdue,
	} {
		if got := r.CrimeStatus(now); got != want {
			t.Errorf("CrimeStatus(%v) = %v, want %v", now, got, want)
		}
	}

	// A partner agency's referral starts no police clock.
	p := complete(t)
	p.Officer.Agency = "GLAA"
	p.People = []Person{person(30, false, &Referral{NRM: &NRM{Explained: explained, Consent: true}})}
	if err := p.Seal(t0); err != nil || p.Crime != nil {
		t.Errorf("partner referral: crime %+v, %v", p.Crime, err)
	}
	if p.People[0].Referral.NRM.ReferredAt != t0 {
		t.Error("referral time not stamped")
	}

	// A record without the clock its referral needs fails Check.
	r.Crime = nil
	if !hasProblem(r.Check(), CrimeClockMissing) {
		t.Error("police NRM without a crime clock passes Check")
	}
	r.FinalisedAt = time.Time{}
	if !hasProblem(r.Check(), NotFinalised) {
		t.Error("draft passes Check")
	}
}

func TestSealRefusesIncomplete(t *testing.T) {
	r, _ := New(device, t0)
	if err := r.Seal(t0); !errors.Is(err, ErrInvalid) || !r.FinalisedAt.IsZero() {
		t.Errorf("seal of an empty record: %v, finalised %v", err, r.FinalisedAt)
	}
}

// TestDocumentHasNoPlaceForIdentity shows a Duty to Notify cannot carry a
// name: the document decoder refuses fields the model does not have.
func TestDocumentHasNoPlaceForIdentity(t *testing.T) {
	r := complete(t)
	r.People = []Person{person(30, false, &Referral{DutyToNotify: &DutyToNotify{Explained: *explained}})}
	if err := r.Seal(t0); err != nil {
		t.Fatal(err)
	}
	doc, err := r.Document()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseDocument(doc)
	if err != nil || back.ID != r.ID || back.State != Synced {
		t.Fatalf("round trip: %+v, %v", back.ID, err)
	}
	smuggled := strings.Replace(string(doc), `"duty_to_notify":{`, `"duty_to_notify":{"name":"A Synthetic Person",`, 1)
	if smuggled == string(doc) {
		t.Fatal("test did not alter the document")
	}
	if _, err := ParseDocument([]byte(smuggled)); err == nil {
		t.Error("a Duty to Notify carrying a name was accepted")
	}
	if _, err := ParseDocument([]byte(strings.Replace(string(doc), fmt.Sprintf(`"schema":%d`, Schema), `"schema":9`, 1))); err == nil {
		t.Error("an unknown schema was accepted")
	}
}

func TestAmendments(t *testing.T) {
	r := complete(t)
	p := person(30, false, nil)
	r.People = []Person{p}
	r.Premises.Postcode = "EX1 1AA" // given apart, as an operation's premises
	if err := r.Seal(t0); err != nil {
		t.Fatal(err)
	}
	author := Officer{Name: "A Example", Number: "PC 1"}
	a1, _ := NewAmendment(r.ID, device, author, t0.Add(time.Hour))
	a1.Reason = "Address misheard"
	a1.Changes = []Change{{Field: FieldPremisesAddress, From: r.Value(FieldPremisesAddress), To: "11 Example Road"}}
	a2, _ := NewAmendment(r.ID, device, author, t0.Add(2*time.Hour))
	a2.Reason = "Crime recorded"
	a2.Changes = []Change{
		{Field: FieldCrimeReference, To: "CR/0001/26"},
		{Field: PersonField(p.ID, "age_years"), From: "30", To: "17"},
		{Field: FieldAddendum, To: "A second van arrived as we left."},
	}
	for _, a := range []Amendment{a1, a2} {
		if err := a.Check(); err != nil {
			t.Fatal(err)
		}
	}
	// Applied in time order whatever the order given.
	v := r.WithAmendments([]Amendment{a2, a1})
	if v.Premises.Address != "11 Example Road" || v.Premises.FullAddress() != "11 Example Road" || v.Crime == nil || v.Crime.Reference != "CR/0001/26" || !v.Crime.RecordedAt.Equal(a2.At) {
		t.Errorf("view: %+v %+v", v.Premises, v.Crime)
	}
	if v.People[0].AgeYears != 17 || !v.People[0].Child() {
		t.Errorf("person after amendment: %+v", v.People[0])
	}
	if !strings.Contains(v.Notes, "A second van arrived") || !strings.Contains(v.Notes, "PC 1") {
		t.Errorf("addendum not shown with its author: %q", v.Notes)
	}
	if v.Original == nil || v.Original.Premises.Address != "1 Example Road" || v.Original.Premises.Postcode != "EX1 1AA" || v.Original.People[0].AgeYears != 30 {
		t.Errorf("original not kept: %+v", v.Original)
	}
	if len(v.Amendments) != 2 || v.Amendments[0].ID != a1.ID {
		t.Errorf("history order: %v", v.Amendments)
	}
	if r.Premises.Address != "1 Example Road" || r.People[0].AgeYears != 30 {
		t.Error("WithAmendments changed the record it was given")
	}
	doc, _ := a2.Document()
	back, err := ParseAmendment(doc)
	if err != nil || back.ID != a2.ID || len(back.Changes) != 3 {
		t.Errorf("amendment round trip: %+v, %v", back, err)
	}
}

func TestAmendmentCheck(t *testing.T) {
	ok := func() Amendment {
		a, _ := NewAmendment(uuid.New(), device, Officer{Number: "PC 1"}, t0)
		a.Reason = "typo"
		a.Changes = []Change{{Field: FieldPremisesName, To: "Example"}}
		return a
	}
	tests := []struct {
		name   string
		change func(*Amendment)
	}{
		{"no reason", func(a *Amendment) { a.Reason = " " }},
		{"no changes", func(a *Amendment) { a.Changes = nil }},
		{"no author", func(a *Amendment) { a.Author = Officer{} }},
		{"no encounter", func(a *Amendment) { a.Encounter = uuid.Nil }},
		{"unknown field", func(a *Amendment) { a.Changes[0].Field = "finalised_at" }},
		{"identity field", func(a *Amendment) { a.Changes[0].Field = PersonField(uuid.New(), "name") }},
		{"bad business", func(a *Amendment) { a.Changes[0] = Change{Field: FieldBusiness, To: "moon"} }},
		{"bad time", func(a *Amendment) { a.Changes[0] = Change{Field: FieldOccurredAt, To: "yesterday"} }},
		{"bad age", func(a *Amendment) { a.Changes[0] = Change{Field: PersonField(uuid.New(), "age_years"), To: "-3"} }},
		{"empty crime reference", func(a *Amendment) { a.Changes[0] = Change{Field: FieldCrimeReference, To: ""} }},
	}
	if err := ok().Check(); err != nil {
		t.Fatalf("valid amendment refused: %v", err)
	}
	for _, tt := range tests {
		a := ok()
		tt.change(&a)
		if err := a.Check(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: accepted (%v)", tt.name, err)
		}
	}
}

// TestOpen is the rule retention follows: a record with a crime to
// record or a referral not made is kept; one closed is not.
func TestOpen(t *testing.T) {
	sealed := func(people ...Person) Record {
		t.Helper()
		r := complete(t)
		r.People = people
		if err := r.Seal(t0); err != nil {
			t.Fatal(err)
		}
		return r
	}
	crimeRef := func(r Record) Record {
		a, _ := NewAmendment(r.ID, device, Officer{Name: "A Example", Number: "PC 1"}, t0.Add(3*time.Hour))
		a.Reason = "Crime recorded"
		a.Changes = []Change{{Field: FieldCrimeReference, To: "CR/0002/26"}}
		return r.WithAmendments([]Amendment{a})
	}
	nrm := func() *Referral { return &Referral{NRM: &NRM{Explained: explained, Consent: true}} }
	dtn := &Referral{DutyToNotify: &DutyToNotify{Explained: *explained}}
	draftNRM := person(30, false, nrm())
	later := t0.Add(40 * 24 * time.Hour)
	for _, c := range []struct {
		name string
		r    Record
		now  time.Time
		want bool
	}{
		{"no referral", sealed(person(30, false, nil)), later, false},
		{"police NRM, crime due", sealed(person(30, false, nrm())), t0.Add(time.Hour), true},
		{"police NRM, crime overdue", sealed(person(30, false, nrm())), later, true},
		{"police NRM, crime recorded", crimeRef(sealed(person(30, false, nrm()))), later, false},
		{"duty to notify made", sealed(person(30, false, dtn)), later, false},
		{"NRM not yet referred (a draft)", Record{People: []Person{draftNRM}}, later, true},
		{"duty to notify not yet made (a draft)", Record{People: []Person{person(30, false, &Referral{DutyToNotify: &DutyToNotify{}})}}, later, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.r.Open(c.now); got != c.want {
				t.Errorf("Open = %v, want %v", got, c.want)
			}
		})
	}
	r := crimeRef(sealed(person(30, false, nrm())))
	if got := r.LastChange(); !got.Equal(t0.Add(3 * time.Hour)) {
		t.Errorf("LastChange = %v, want the amendment's time", got)
	}
	if got := sealed().LastChange(); !got.Equal(t0) {
		t.Errorf("LastChange = %v, want the finalising time", got)
	}
}
