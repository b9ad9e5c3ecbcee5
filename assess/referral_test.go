package assess

import (
	"testing"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
)

// TestReferralNeed: a child always needs an NRM referral; an adult the
// assessment puts at Red needs a decision; at Amber, the NRM is offered.
func TestReferralNeed(t *testing.T) {
	child, red, amber, none := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	res := Result{Reasons: []Reason{
		{Rule: "r1", Level: content.Red, Person: red.String()},
		{Rule: "r2", Level: content.Amber, Person: red.String()},
		{Rule: "r3", Level: content.Amber, Person: amber.String()},
	}}
	rec := encounter.Record{People: []encounter.Person{
		{ID: child, AgeYears: 12}, {ID: red, AgeYears: 30}, {ID: amber, AgeYears: 40}, {ID: none},
	}}
	for _, c := range []struct {
		id   uuid.UUID
		want Need
	}{{child, ChildNRM}, {red, Decide}, {amber, OfferNRM}, {none, NoNeed}} {
		ps, _ := rec.Person(c.id)
		if got := res.ReferralNeed(*ps); got != c.want {
			t.Errorf("person %v: need %v, want %v", ps.AgeYears, got, c.want)
		}
	}
	if got := res.Undecided(rec); len(got) != 1 || got[0] != red {
		t.Errorf("undecided %v", got)
	}
	ps, _ := rec.Person(red)
	ps.Decide(encounter.RouteDutyToNotify, encounter.Explained{By: "PC 1"})
	if got := res.Undecided(rec); len(got) != 0 {
		t.Errorf("undecided after the decision %v", got)
	}
}
