package encounter

import (
	"testing"
	"time"

	"github.com/google/uuid"
)

var at = time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC)

func TestDecide(t *testing.T) {
	by := ExplainedNow(Officer{Name: "A Example", Number: "PC 101"}, at)
	p := Person{ID: uuid.New(), AgeYears: 30}
	if p.Route() != RouteNone {
		t.Fatal("a new person has a route")
	}
	p.Decide(RouteNRM, by)
	p.Referral.NRM.Identity.Name = "A Synthetic Person"
	p.Referral.NRM.Account = "Passport held."
	if p.Route() != RouteNRM || !p.Referral.NRM.Consent || p.Referral.NRM.Explained.By != "PC 101 A Example" {
		t.Fatalf("NRM %+v", p.Referral.NRM)
	}
	later := ExplainedNow(Officer{Number: "PC 202"}, at.Add(time.Hour))
	p.Decide(RouteDutyToNotify, later)
	d := p.Referral.DutyToNotify
	if p.Referral.NRM != nil || d == nil || d.Explained.By != "PC 101 A Example" || d.Account != "Passport held." {
		t.Fatalf("Duty to Notify %+v: want the first explanation and the account, nothing identifying", p.Referral)
	}
	p.Decide(RouteDutyToNotify, later) // the same again changes nothing
	if p.Referral.DutyToNotify != d {
		t.Error("deciding the same route again replaced the referral")
	}
	p.Decide(RouteNone, later)
	if p.Referral != nil {
		t.Errorf("no referral: %+v", p.Referral)
	}
}

func TestReferChildren(t *testing.T) {
	child, adult, corrected, named := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	r := Record{People: []Person{
		{ID: child, AgeYears: 15, Referral: &Referral{DutyToNotify: &DutyToNotify{Account: "Seen at the back."}}},
		{ID: adult, AgeYears: 30},
		{ID: corrected, AgeYears: 30, Referral: &Referral{NRM: &NRM{}}},
		{ID: named, AgeYears: 30, Referral: &Referral{NRM: &NRM{Identity: Identity{Name: "A Synthetic Person"}}}},
	}}
	if !r.ReferChildren() {
		t.Fatal("nothing changed")
	}
	if p, _ := r.Person(child); p.Route() != RouteNRM || p.Referral.NRM.Account != "Seen at the back." || p.Referral.NRM.Consent {
		t.Errorf("child %+v", p.Referral)
	}
	if p, _ := r.Person(adult); p.Referral != nil {
		t.Errorf("adult %+v", p.Referral)
	}
	if p, _ := r.Person(corrected); p.Referral != nil {
		t.Errorf("an untouched referral stayed on an adult: %+v", p.Referral)
	}
	if p, _ := r.Person(named); p.Route() != RouteNRM {
		t.Error("a referral with details was dropped")
	}
	if r.ReferChildren() {
		t.Error("a second pass changed something")
	}
}

func TestChildReferrals(t *testing.T) {
	id := uuid.New()
	r := Record{ID: uuid.New(), People: []Person{{ID: id, AgeYears: 30, Referral: &Referral{DutyToNotify: &DutyToNotify{Explained: Explained{By: "PC 1", At: at}}}}}}
	a := Amendment{ID: uuid.New(), Schema: Schema, Encounter: r.ID, Author: Officer{Number: "PC 1"}, At: at.Add(time.Hour), Reason: "Birth certificate",
		Changes: []Change{{Field: PersonField(id, "age_years"), From: "30", To: "16"}}}
	lr := r.ChildReferrals(a)
	if len(lr) != 1 || lr[0].Person != id || !lr[0].NRM.ReferredAt.Equal(a.At) {
		t.Fatalf("late referrals %+v", lr)
	}
	if err := r.CheckAmendment(a); err == nil {
		t.Error("the bare change was accepted")
	}
	a.Referrals = lr
	if err := r.CheckAmendment(a); err != nil {
		t.Errorf("with the referral: %v", err)
	}
	a.Changes = []Change{{Field: PersonField(id, "nationality"), To: "Albanian"}}
	if lr := r.ChildReferrals(a); len(lr) != 0 {
		t.Errorf("a change that makes no child: %+v", lr)
	}
}

// TestAmendSignsAndAnswers: an amendment may correct the signs seen and
// the officer's answers, and the amended record shows them.
func TestAmendSignsAndAnswers(t *testing.T) {
	id := uuid.New()
	r := Record{ID: uuid.New(), Indicators: []string{"ind.a"}, People: []Person{{ID: id, Indicators: []string{"ind.p"}, Answers: map[string]string{"q.x": "no"}}}}
	a := Amendment{ID: uuid.New(), Schema: Schema, Encounter: r.ID, Author: Officer{Number: "PC 1"}, At: at, Reason: "Seen on video",
		Changes: []Change{
			{Field: FieldIndicators, From: r.Value(FieldIndicators), To: "ind.a,ind.b"},
			{Field: PersonField(id, "indicators"), From: "ind.p", To: ""},
			{Field: PersonField(id, AnswerField("q.x")), From: "no", To: "yes"},
			{Field: PersonField(id, AnswerField("q.y")), To: "not_known"},
		}}
	if err := a.Check(); err != nil {
		t.Fatal(err)
	}
	got := r.WithAmendments([]Amendment{a})
	p := got.People[0]
	if len(got.Indicators) != 2 || len(p.Indicators) != 0 || p.Answers["q.x"] != "yes" || p.Answers["q.y"] != "not_known" {
		t.Fatalf("amended %+v %+v", got.Indicators, p)
	}
	if got.Value(PersonField(id, AnswerField("q.x"))) != "yes" || got.Value(FieldIndicators) != "ind.a,ind.b" {
		t.Error("Value does not read the amended fields")
	}
	bad := a
	bad.Changes = []Change{{Field: PersonField(id, "answer:"), To: "yes"}}
	if bad.Check() == nil {
		t.Error("an answer to no question accepted")
	}
}
