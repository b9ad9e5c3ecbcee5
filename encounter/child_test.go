package encounter

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
)

func ageAnswer(choice string, at time.Time) ScreeningAnswer {
	return ScreeningAnswer{Question: AgeQuestion, Choice: choice, Lang: "ur", Mode: "handover", At: at}
}

// TestChild walks every path of the one child rule.
func TestChild(t *testing.T) {
	tests := []struct {
		name  string
		signs AgeSigns
		want  ChildBasis
	}{
		{"nothing known", AgeSigns{}, NotChild},
		{"adult estimate", AgeSigns{Years: 20}, NotChild},
		{"exactly 18", AgeSigns{Years: 18}, NotChild},
		{"estimated 17", AgeSigns{Years: 17}, ByAge},
		{"estimated 1", AgeSigns{Years: 1}, ByAge},
		{"age in doubt, no estimate", AgeSigns{InDoubt: true}, ByDoubt},
		{"age in doubt beats an adult estimate", AgeSigns{Years: 25, InDoubt: true}, ByDoubt},
		{"officer ticked 'says under 18'", AgeSigns{Years: 22, Indicators: []string{"ind.x.y", IndSaysUnder18}}, BySaying},
		{"officer ticked 'does not know their age'", AgeSigns{Years: 30, Indicators: []string{IndAgeUnclear}}, ByNotKnowing},
		{"answered under 14", AgeSigns{Years: 20, Screening: []ScreeningAnswer{ageAnswer(AgeUnder14, t0)}}, BySaying},
		{"answered 14 to 17, estimated 20", AgeSigns{Years: 20, Screening: []ScreeningAnswer{ageAnswer(Age14To17, t0)}}, BySaying},
		{"answered I don't know", AgeSigns{Years: 20, Screening: []ScreeningAnswer{ageAnswer(AgeDontKnow, t0)}}, ByNotKnowing},
		{"answered 18 to 24", AgeSigns{Screening: []ScreeningAnswer{ageAnswer(Age18To24, t0)}}, NotChild},
		{"answered 25 or older", AgeSigns{Screening: []ScreeningAnswer{ageAnswer(Age25Plus, t0)}}, NotChild},
		{"prefer not to say is left to the officer", AgeSigns{Screening: []ScreeningAnswer{ageAnswer("prefer_not", t0)}}, NotChild},
		{"under 18 is never taken back", AgeSigns{Screening: []ScreeningAnswer{
			ageAnswer(Age25Plus, t0.Add(time.Hour)), ageAnswer(Age14To17, t0)}}, BySaying},
		{"a later adult answer replaces I don't know", AgeSigns{Screening: []ScreeningAnswer{
			ageAnswer(AgeDontKnow, t0), ageAnswer(Age18To24, t0.Add(time.Minute))}}, NotChild},
		{"a later I don't know replaces an adult answer, in any order", AgeSigns{Screening: []ScreeningAnswer{
			ageAnswer(AgeDontKnow, t0.Add(time.Minute)), ageAnswer(Age18To24, t0)}}, ByNotKnowing},
		{"other questions do not count", AgeSigns{Screening: []ScreeningAnswer{{Question: "help.want", Choice: AgeDontKnow}}}, NotChild},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Child(tt.signs); got != tt.want {
				t.Errorf("Child = %q, want %q", got, tt.want)
			}
			p := Person{AgeYears: tt.signs.Years, AgeInDoubt: tt.signs.InDoubt, Indicators: tt.signs.Indicators, Screening: tt.signs.Screening}
			if p.Child() != (tt.want != NotChild) {
				t.Errorf("Person.Child = %v, want %v", p.Child(), tt.want != NotChild)
			}
		})
	}
}

func TestChildAnswer(t *testing.T) {
	for choice, want := range map[string]string{
		AgeUnder14: IndSaysUnder18, Age14To17: IndSaysUnder18, AgeDontKnow: IndAgeUnclear,
		Age18To24: "", Age25Plus: "", "prefer_not": "", "": "",
	} {
		if got := ChildAnswer(choice); got != want {
			t.Errorf("ChildAnswer(%q) = %q, want %q", choice, got, want)
		}
	}
}

// TestCheckRefusesDutyToNotifyForScreenedChild is the case the issue
// found: estimated at 20, answered "14 to 17", given a Duty to Notify.
func TestCheckRefusesDutyToNotifyForScreenedChild(t *testing.T) {
	r := complete(t)
	p := person(20, false, &Referral{DutyToNotify: &DutyToNotify{Explained: *explained}})
	p.Screening = []ScreeningAnswer{ageAnswer(Age14To17, t0)}
	r.People = []Person{p}
	if err := r.Seal(t0); !hasProblem(err, ChildNeedsNRM) {
		t.Fatalf("sealed a child with a Duty to Notify: %v", err)
	}
	r.FinalisedAt = t0
	if err := r.Check(); !hasProblem(err, ChildNeedsNRM) {
		t.Errorf("Check accepted a child with a Duty to Notify: %v", err)
	}
	r.People[0].Referral = &Referral{NRM: &NRM{}}
	if err := r.Seal(t0); err != nil {
		t.Errorf("a child's NRM referral without consent refused: %v", err)
	}
}

// sealedWithDtN returns a finalised record of an adult given a Duty to
// Notify.
func sealedWithDtN(t *testing.T) (Record, Person) {
	t.Helper()
	r := complete(t)
	p := person(20, false, &Referral{DutyToNotify: &DutyToNotify{Explained: *explained}})
	r.People = []Person{p}
	if err := r.Seal(t0); err != nil {
		t.Fatal(err)
	}
	return r, p
}

func TestCheckAmendmentChildNeedsLateReferral(t *testing.T) {
	author := Officer{Name: "A Example", Number: "PC 1"}
	amend := func(r Record, changes []Change, refs []LateReferral) Amendment {
		a, _ := NewAmendment(r.ID, device, author, t0.Add(time.Hour))
		a.Reason = "Age established after the visit"
		a.Changes, a.Referrals = changes, refs
		return a
	}
	late := func(p Person) []LateReferral {
		return []LateReferral{{Person: p.ID, NRM: NRM{ReferredAt: t0.Add(time.Hour), Account: "Synthetic account"}}}
	}
	tests := []struct {
		name    string
		changes func(Person) []Change
		refer   bool
		ok      bool
	}{
		{"age in doubt ticked, no referral", func(p Person) []Change {
			return []Change{{Field: PersonField(p.ID, "age_in_doubt"), From: "false", To: "true"}}
		}, false, false},
		{"age made 16, no referral", func(p Person) []Change {
			return []Change{{Field: PersonField(p.ID, "age_years"), From: "20", To: "16"}}
		}, false, false},
		{"age in doubt ticked with a referral made after the event", func(p Person) []Change {
			return []Change{{Field: PersonField(p.ID, "age_in_doubt"), From: "false", To: "true"}}
		}, true, true},
		{"a referral made after the event on its own: an adult without consent", func(Person) []Change { return nil }, true, false},
		{"age made 25: still an adult", func(p Person) []Change {
			return []Change{{Field: PersonField(p.ID, "age_years"), From: "20", To: "25"}}
		}, false, true},
		{"a change that does not touch age", func(Person) []Change {
			return []Change{{Field: FieldPremisesName, To: "Example Nails Ltd"}}
		}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, p := sealedWithDtN(t)
			var refs []LateReferral
			if tt.refer {
				refs = late(p)
			}
			a := amend(r, tt.changes(p), refs)
			err := r.CheckAmendment(a)
			if tt.ok != (err == nil) {
				t.Fatalf("CheckAmendment = %v, want ok %v", err, tt.ok)
			}
			if !tt.ok {
				if !errors.Is(err, ErrInvalid) || len(problemsOf(err)) == 0 || problemsOf(err)[0].Person != p.ID {
					t.Errorf("refusal does not name the child and the rule: %v", err)
				}
				return
			}
			v := r.WithAmendments([]Amendment{a})
			if tt.refer {
				if got := v.People[0].Referral; got == nil || got.NRM == nil || got.DutyToNotify != nil {
					t.Errorf("late referral not applied: %+v", got)
				}
				if v.Crime == nil || !v.Crime.Due.Equal(t0.Add(time.Hour+CrimeWindow)) {
					t.Errorf("crime clock from the late referral: %+v", v.Crime)
				}
				if v.Original.People[0].Referral.DutyToNotify == nil {
					t.Error("the original Duty to Notify is gone from the history")
				}
			}
			if err := v.Check(); err != nil {
				t.Errorf("the amended record breaks the rules: %v", err)
			}
			doc, _ := a.Document()
			back, err := ParseAmendment(doc)
			if err != nil || len(back.Referrals) != len(a.Referrals) {
				t.Errorf("round trip: %+v %v", back, err)
			}
		})
	}
}

// TestCheckAmendmentCountsEarlierAmendments: a record amended once to
// refer a child late accepts a later amendment of the same person; one
// amended to an adult age refuses a later age in doubt without referral.
func TestCheckAmendmentCountsEarlierAmendments(t *testing.T) {
	r, p := sealedWithDtN(t)
	a1, _ := NewAmendment(r.ID, device, Officer{Number: "PC 1"}, t0.Add(time.Hour))
	a1.Reason = "Found to be 16"
	a1.Changes = []Change{{Field: PersonField(p.ID, "age_years"), From: "20", To: "16"}}
	a1.Referrals = []LateReferral{{Person: p.ID, NRM: NRM{ReferredAt: t0.Add(time.Hour)}}}
	if err := r.CheckAmendment(a1); err != nil {
		t.Fatal(err)
	}
	v := r.WithAmendments([]Amendment{a1})
	a2, _ := NewAmendment(r.ID, device, Officer{Number: "PC 1"}, t0.Add(2*time.Hour))
	a2.Reason = "Age in doubt as well"
	a2.Changes = []Change{{Field: PersonField(p.ID, "age_in_doubt"), From: "false", To: "true"}}
	if err := v.CheckAmendment(a2); err != nil {
		t.Errorf("a child already referred: %v", err)
	}
	if err := r.CheckAmendment(a2); !hasProblem(err, ChildNeedsNRM) {
		t.Errorf("without the earlier referral the bare tick must be refused: %v", err)
	}
}

func TestLateReferralCheck(t *testing.T) {
	r, p := sealedWithDtN(t)
	base := func() Amendment {
		a, _ := NewAmendment(r.ID, device, Officer{Number: "PC 1"}, t0.Add(time.Hour))
		a.Reason = "late referral"
		a.Referrals = []LateReferral{{Person: p.ID, NRM: NRM{ReferredAt: t0.Add(time.Hour)}}}
		return a
	}
	for name, edit := range map[string]func(*Amendment){
		"no person":      func(a *Amendment) { a.Referrals[0].Person = uuid.Nil },
		"no time":        func(a *Amendment) { a.Referrals[0].NRM.ReferredAt = time.Time{} },
		"twice":          func(a *Amendment) { a.Referrals = append(a.Referrals, a.Referrals[0]) },
		"old schema":     func(a *Amendment) { a.Schema = 2 },
		"unknown person": func(a *Amendment) { a.Referrals[0].Person = uuid.New() },
		"another record": func(a *Amendment) { a.Encounter = uuid.New() },
	} {
		a := base()
		edit(&a)
		if err := r.CheckAmendment(a); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
	a := base()
	a.Changes = []Change{{Field: PersonField(p.ID, "age_in_doubt"), From: "false", To: "true"}}
	if err := r.CheckAmendment(a); err != nil {
		t.Errorf("valid late referral refused: %v", err)
	}
	adult := base()
	adult.Referrals[0].NRM.Consent = true
	adult.Referrals[0].NRM.Explained = &Explained{By: "PC 1", At: t0.Add(time.Hour)}
	if err := r.CheckAmendment(adult); err != nil {
		t.Errorf("an adult who now consents: %v", err)
	}
}
