package encounter

import (
	"strings"
	"time"
)

// Route is how a person's referral stands: an NRM referral, a Duty to
// Notify, or nothing decided yet.
type Route string

// The routes of a referral.
const (
	// RouteNone: no referral recorded (not decided, or none made).
	RouteNone Route = ""
	// RouteNRM: an NRM referral, with an adult's consent or for a child.
	RouteNRM Route = "nrm"
	// RouteDutyToNotify: an adult did not consent; the Home Office is
	// notified anonymously.
	RouteDutyToNotify Route = "dtn"
)

// Route returns how p's referral stands.
func (p Person) Route() Route {
	switch {
	case p.Referral == nil:
		return RouteNone
	case p.Referral.NRM != nil:
		return RouteNRM
	case p.Referral.DutyToNotify != nil:
		return RouteDutyToNotify
	}
	return RouteNone
}

// Explanation returns who explained the NRM to p, and when, if a
// referral records it.
func (p Person) Explanation() (Explained, bool) {
	if r := p.Referral; r != nil {
		if r.NRM != nil && r.NRM.Explained != nil && r.NRM.Explained.By != "" {
			return *r.NRM.Explained, true
		}
		if r.DutyToNotify != nil && r.DutyToNotify.Explained.By != "" {
			return r.DutyToNotify.Explained, true
		}
	}
	return Explained{}, false
}

// Decide records an adult's decision after the NRM was explained: an
// NRM referral with their consent, a Duty to Notify without it, or none.
// The explanation already recorded is kept; otherwise explained is
// recorded. Nothing identifying crosses from an NRM referral to a Duty to
// Notify: only the account of what happened does, and the officer is
// warned to check it. Deciding the route a person already has changes
// nothing. A child's referral is not decided: see ReferChildren.
func (p *Person) Decide(route Route, explained Explained) {
	if p.Route() == route {
		return
	}
	if e, ok := p.Explanation(); ok {
		explained = e
	}
	account := ""
	if p.Referral != nil && p.Referral.NRM != nil {
		account = p.Referral.NRM.Account
	}
	if p.Referral != nil && p.Referral.DutyToNotify != nil {
		account = p.Referral.DutyToNotify.Account
	}
	switch route {
	case RouteNRM:
		p.Referral = &Referral{NRM: &NRM{Consent: true, Explained: &explained, Account: account}}
	case RouteDutyToNotify:
		p.Referral = &Referral{DutyToNotify: &DutyToNotify{Explained: explained, Account: account}}
	default:
		p.Referral = nil
	}
}

// ReferChildren applies the rule that a child is always referred to the
// NRM, without consent: every person treated as a child who has no NRM
// referral gets one (a Duty to Notify made for them turns into one,
// keeping its account). An NRM referral made that way for someone no
// longer treated as a child (the age was corrected) is removed if nothing
// was entered in it; one with details stays, for the officer to decide.
// It reports whether anything changed. The encounter flow calls it after
// every edit, never while drawing a screen.
func (r *Record) ReferChildren() bool {
	changed := false
	for i := range r.People {
		p := &r.People[i]
		switch {
		case p.Child() && p.Route() != RouteNRM:
			nrm := &NRM{}
			if p.Referral != nil && p.Referral.DutyToNotify != nil {
				nrm.Account = p.Referral.DutyToNotify.Account
			}
			p.Referral = &Referral{NRM: nrm}
			changed = true
		case !p.Child() && p.Route() == RouteNRM && untouched(p.Referral.NRM):
			p.Referral = nil
			changed = true
		}
	}
	return changed
}

// untouched reports whether n is an NRM referral made for a child with
// nothing entered in it.
func untouched(n *NRM) bool {
	return !n.Consent && n.Explained == nil && strings.TrimSpace(n.Account) == "" &&
		n.Identity.Name == "" && len(n.Identity.Aliases) == 0 && n.Identity.DateOfBirth == "" &&
		len(n.Identity.OtherReferences) == 0 && n.ReferredAt.IsZero()
}

// ExplainedNow is the explanation an officer records by making a
// decision at now.
func ExplainedNow(by Officer, now time.Time) Explained {
	return Explained{By: by.String(), At: now.UTC()}
}

// ChildReferrals returns the referrals made after the event that
// amendment a needs on r, the record as it now stands: everyone a makes
// a child (an age under 18, age in doubt, a sign that they are under 18)
// who has no NRM referral gets one, made at a.At, without consent. Each
// is its own entry in the amendment, never a silent change; the officer
// is told before it is saved.
func (r Record) ChildReferrals(a Amendment) []LateReferral {
	after := r.clone()
	after.apply(a)
	var out []LateReferral
	for _, p := range after.People {
		before, _ := r.Person(p.ID)
		already := before != nil && before.Child() && before.Route() != RouteNRM
		if p.Child() && p.Route() != RouteNRM && !already {
			out = append(out, LateReferral{Person: p.ID, NRM: NRM{ReferredAt: a.At}})
		}
	}
	return out
}
