package model

import (
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/assess"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
)

// Plan is what finalising the encounter would do, for the officer to
// confirm: what will be locked, what is missing but may be left, and
// what must be fixed first.
type Plan struct {
	// Level and LevelText are the assessment to be locked in.
	Level     string
	LevelText string
	// Locks lists what will be locked for good, in words.
	Locks []string
	// Missing lists what is not recorded but need not be.
	Missing []string
	// Blocking lists what must be fixed before finalising; Ready is
	// true when it is empty.
	Blocking []string
	Ready    bool
	// Identifiers is set when nothing but the identifier check stands in
	// the way (Flow.Identifiers): its screen, not a list, is what the
	// officer needs.
	Identifiers bool
}

// Plan works out what finalising now would do.
func (f *Flow) Plan() Plan {
	p, r := f.p, f.rec
	pl := Plan{Level: f.result.Level.String(), LevelText: p.T("rag." + f.result.Level.String())}

	others := 0 // blockers that are not the identifier check's
	var ve *encounter.ValidationError
	if err := r.Validate(f.d.Now()); errors.As(err, &ve) {
		for _, pr := range ve.Problems {
			pl.Blocking = append(pl.Blocking, ProblemText(p, r, pr))
			if pr.Key() != encounter.DtNIdentifier.Key() {
				others++
			}
		}
	}
	for _, id := range f.result.Undecided(r) {
		pl.Blocking = append(pl.Blocking, p.T("flow.referral_needed", f.personTitle(id)))
		others++
	}
	pl.Blocking = append(pl.Blocking, f.identifierBlocking()...)
	pl.Identifiers = others == 0 && !f.IdentifiersChecked()

	if strings.TrimSpace(r.Premises.Address) == "" {
		pl.Missing = append(pl.Missing, p.T("finalise.no_address"))
	}
	if strings.TrimSpace(r.Premises.Name) == "" && strings.TrimSpace(r.Premises.Address) != "" {
		pl.Missing = append(pl.Missing, p.T("finalise.no_name"))
	}
	for _, ps := range r.People {
		if f.result.ReferralNeed(ps) == assess.OfferNRM && ps.Route() == encounter.RouteNone {
			pl.Missing = append(pl.Missing, p.T("finalise.no_referral", f.personTitle(ps.ID)))
		}
	}
	ticked := 0
	for _, a := range f.result.Actions {
		if _, ok := r.Ticked(a); ok {
			ticked++
		}
	}
	if n := len(f.result.Actions) - ticked; n > 0 {
		pl.Missing = append(pl.Missing, p.T("finalise.unticked", n))
	}

	pl.Locks = append(pl.Locks, p.T("finalise.lock.premises"))
	if len(r.People) > 0 {
		pl.Locks = append(pl.Locks, p.T("finalise.lock.people", len(r.People)))
	}
	pl.Locks = append(pl.Locks,
		// The count comes first: the plural form is chosen by it.
		p.T("finalise.lock.assessment", len(f.result.Reasons), LevelWord(p, f.result.Level)),
		p.T("finalise.lock.checklist", ticked, len(f.result.Actions)))
	pl.Ready = len(pl.Blocking) == 0
	return pl
}

// Finalise saves the encounter for good, once the officer confirmed the
// plan: it is queued to send and can no longer change, only be amended.
// then gets "" when it is done, or what stopped it in words.
func (f *Flow) Finalise(then func(problem string)) {
	if pl := f.Plan(); !pl.Ready {
		then(strings.Join(pl.Blocking, "\n"))
		return
	}
	f.known = true // the plan showed the level: it is locked in with the record
	f.save()       // the latest draft goes first
	id := f.rec.ID
	f.d.Saver.Finalise(id, func(r encounter.Record, err error) {
		var ve *encounter.ValidationError
		switch {
		case errors.As(err, &ve):
			var lines []string
			for _, pr := range ve.Problems {
				lines = append(lines, ProblemText(f.p, f.rec, pr))
			}
			then(strings.Join(lines, "\n"))
		case err != nil:
			then(f.saveProblem(err))
		default:
			f.done = true
			f.d.Saver.ForgetDraft(id)
			if f.d.Finalised != nil {
				f.d.Finalised(r)
			}
			then("")
		}
	})
}

// ProblemText says what a validation problem of r means, naming the
// person.
func ProblemText(p *i18n.Printer, r encounter.Record, pr encounter.Problem) string {
	if pr.Person == uuid.Nil {
		return p.T(pr.Key())
	}
	return p.T(pr.Key(), personTitleOf(p, r, pr.Person))
}
