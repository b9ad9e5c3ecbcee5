package assess

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
)

// PersonLevel is the highest level of the reasons about person id;
// Unassessed if none is about them.
func (r Result) PersonLevel(id uuid.UUID) content.Level {
	l := content.Unassessed
	for _, rs := range r.Reasons {
		if rs.Person == id.String() {
			l = max(l, rs.Level)
		}
	}
	return l
}

// Need is what a person's referral needs before the record is finalised.
type Need int

// The needs of a person's referral.
const (
	// NoNeed: nothing points to a referral; one may still be made.
	NoNeed Need = iota
	// OfferNRM: indicators about them (Amber): offer the NRM; a decision
	// is not required.
	OfferNRM
	// Decide: the assessment puts them at Red: an adult needs a
	// decision, an NRM referral with consent or a Duty to Notify.
	Decide
	// ChildNRM: they are treated as a child: always an NRM referral,
	// without consent.
	ChildNRM
)

// ReferralNeed says what person ps's referral needs, given the
// assessment of the record they are on.
func (r Result) ReferralNeed(ps encounter.Person) Need {
	switch {
	case ps.Child():
		return ChildNRM
	case r.PersonLevel(ps.ID) == content.Red:
		return Decide
	case r.PersonLevel(ps.ID) == content.Amber:
		return OfferNRM
	}
	return NoNeed
}

// Undecided lists the people of rec who need a referral decision and
// have none: adults the assessment puts at Red with neither an NRM
// referral nor a Duty to Notify.
func (r Result) Undecided(rec encounter.Record) []uuid.UUID {
	var out []uuid.UUID
	for _, ps := range rec.People {
		if r.ReferralNeed(ps) == Decide && ps.Route() == encounter.RouteNone {
			out = append(out, ps.ID)
		}
	}
	return out
}

// Snapshot turns an assessment made at now into the form a record keeps.
func (r Result) Snapshot(now time.Time) *encounter.Assessment {
	a := &encounter.Assessment{
		Level:   r.Level.String(),
		Actions: slices.Clone(r.Actions),
		Pack:    encounter.PackRef{ID: r.Pack, Version: r.PackVersion},
		At:      now.UTC(),
	}
	for _, rs := range r.Reasons {
		id, _ := uuid.Parse(rs.Person)
		a.Reasons = append(a.Reasons, encounter.Reason{
			Rule: rs.Rule, Level: rs.Level.String(), Indicators: slices.Clone(rs.Indicators), Person: id,
		})
	}
	return a
}
