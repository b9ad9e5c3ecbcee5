package encounter

import (
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Problem is one reason a record cannot be finalised or accepted. Field
// and Code are stable identifiers the interface turns into words; Person
// names the person concerned, if any.
type Problem struct {
	Field  string    // "premises", "business", "referral", ...
	Code   string    // "missing", "invalid", "future", ...
	Person uuid.UUID // zero unless the problem is about one person
}

// Key is the problem's message key: "problem.<field>.<code>".
func (p Problem) Key() string { return "problem." + p.Field + "." + p.Code }

// Is reports whether p is the problem q, whoever it is about.
func (p Problem) Is(q Problem) bool { return p.Field == q.Field && p.Code == q.Code }

// The problems validation reports.
var (
	PremisesMissing    = Problem{Field: "premises", Code: "missing"}
	BusinessMissing    = Problem{Field: "business", Code: "missing"}
	BusinessInvalid    = Problem{Field: "business", Code: "invalid"}
	PeopleInvalid      = Problem{Field: "people_present", Code: "invalid"}
	OccurredAtMissing  = Problem{Field: "occurred_at", Code: "missing"}
	OccurredAtInFuture = Problem{Field: "occurred_at", Code: "future"}
	PersonNoID         = Problem{Field: "person", Code: "no_id"}
	PersonDuplicate    = Problem{Field: "person", Code: "duplicate"}
	PersonAgeInvalid   = Problem{Field: "person", Code: "age_invalid"}
	ReferralEmpty      = Problem{Field: "referral", Code: "empty"}
	ReferralBoth       = Problem{Field: "referral", Code: "both"}
	ChildNeedsNRM      = Problem{Field: "referral", Code: "child_needs_nrm"}
	NRMNoConsent       = Problem{Field: "referral", Code: "no_consent"}
	NRMNotExplained    = Problem{Field: "referral", Code: "not_explained"}
	DtNNotExplained    = Problem{Field: "referral", Code: "dtn_not_explained"}
	DtNIdentifier      = Problem{Field: "referral", Code: "dtn_identifier"}
	CrimeClockMissing  = Problem{Field: "crime", Code: "missing"}
	NotFinalised       = Problem{Field: "finalised_at", Code: "missing"}
)

// AllProblems lists every problem validation can report, so that each can
// be given words.
var AllProblems = []Problem{
	PremisesMissing, BusinessMissing, BusinessInvalid, PeopleInvalid,
	OccurredAtMissing, OccurredAtInFuture, PersonNoID, PersonDuplicate,
	PersonAgeInvalid, ReferralEmpty, ReferralBoth, ChildNeedsNRM,
	NRMNoConsent, NRMNotExplained, DtNNotExplained, DtNIdentifier, CrimeClockMissing,
	NotFinalised,
}

// ErrInvalid is wrapped by the errors validation returns.
var ErrInvalid = errors.New("encounter is incomplete or not allowed")

// ValidationError lists the problems found.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + " " + p.Code
		if p.Person != uuid.Nil {
			parts[i] += " (person " + p.Person.String() + ")"
		}
	}
	return ErrInvalid.Error() + ": " + strings.Join(parts, ", ")
}

// Unwrap lets errors.Is(err, ErrInvalid) match.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// MaxPeoplePresent bounds the count of people present at one encounter:
// a day of action meets dozens at most; a number beyond this is a typing
// slip or a document built to break something.
const MaxPeoplePresent = 10000

// maxClockSkew is how far in the future an encounter time may be before it
// is refused: device clocks drift, typing a time a little ahead is common.
const maxClockSkew = 15 * time.Minute

// Validate reports what stops r being finalised at time now, as a
// *ValidationError, or nil.
func (r Record) Validate(now time.Time) error {
	ps := r.problems()
	switch {
	case r.OccurredAt.IsZero():
		ps = append(ps, OccurredAtMissing)
	case r.OccurredAt.After(now.Add(maxClockSkew)):
		ps = append(ps, OccurredAtInFuture)
	}
	return asError(ps)
}

// Check reports what makes a finalised record document unacceptable, as a
// *ValidationError, or nil. The server runs it on every record pushed: the
// rules on referrals hold even for a device that skipped its own checks.
// It does not judge times against a clock, since device clocks drift and
// evidence is not refused for that.
func (r Record) Check() error {
	ps := r.problems()
	if r.OccurredAt.IsZero() {
		ps = append(ps, OccurredAtMissing)
	}
	if r.FinalisedAt.IsZero() {
		ps = append(ps, NotFinalised)
	}
	if r.policeNRM() && (r.Crime == nil || r.Crime.Due.IsZero()) {
		ps = append(ps, CrimeClockMissing)
	}
	return asError(ps)
}

func asError(ps []Problem) error {
	if len(ps) == 0 {
		return nil
	}
	return &ValidationError{Problems: ps}
}

// problems checks the rules that hold whatever the clock says.
func (r Record) problems() []Problem {
	var ps []Problem
	if r.Title() == "" {
		ps = append(ps, PremisesMissing)
	}
	switch {
	case r.Premises.Business == "":
		ps = append(ps, BusinessMissing)
	case !r.Premises.Business.Valid():
		ps = append(ps, BusinessInvalid)
	}
	if r.PeoplePresent < 0 || r.PeoplePresent > MaxPeoplePresent {
		ps = append(ps, PeopleInvalid)
	}
	seen := map[uuid.UUID]bool{}
	for _, p := range r.People {
		at := func(pr Problem) Problem { pr.Person = p.ID; return pr }
		switch {
		case p.ID == uuid.Nil:
			ps = append(ps, PersonNoID)
		case seen[p.ID]:
			ps = append(ps, at(PersonDuplicate))
		}
		seen[p.ID] = true
		if p.AgeYears < 0 || p.AgeYears > 120 {
			ps = append(ps, at(PersonAgeInvalid))
		}
		ref := p.Referral
		if ref == nil {
			if p.Child() {
				ps = append(ps, at(ChildNeedsNRM))
			}
			continue
		}
		switch {
		case ref.NRM != nil && ref.DutyToNotify != nil:
			ps = append(ps, at(ReferralBoth))
		case ref.NRM == nil && ref.DutyToNotify == nil:
			ps = append(ps, at(ReferralEmpty))
		case p.Child() && ref.NRM == nil:
			ps = append(ps, at(ChildNeedsNRM))
		case ref.NRM != nil && !p.Child():
			if ref.NRM.Explained == nil || ref.NRM.Explained.By == "" || ref.NRM.Explained.At.IsZero() {
				ps = append(ps, at(NRMNotExplained))
			}
			if !ref.NRM.Consent {
				ps = append(ps, at(NRMNoConsent))
			}
		case ref.DutyToNotify != nil:
			if ref.DutyToNotify.Explained.By == "" || ref.DutyToNotify.Explained.At.IsZero() {
				ps = append(ps, at(DtNNotExplained))
			}
		}
	}
	// A Duty to Notify is anonymous: its text may not carry a phone
	// number, date of birth, postcode, e-mail address or document number.
	return append(ps, r.dutyToNotifyIdentifiers(nil)...)
}

// policeNRM reports whether r holds an NRM referral made by the police,
// which starts the crime-recording clock. Waymark's users are police
// unless their agency says otherwise.
func (r Record) policeNRM() bool {
	if a := strings.ToLower(strings.TrimSpace(r.Officer.Agency)); a != "" && a != "police" {
		return false
	}
	for _, p := range r.People {
		if p.Referral != nil && p.Referral.NRM != nil {
			return true
		}
	}
	return false
}

// Seal readies a complete draft to be finalised at now: it stamps the
// time and, for a police NRM referral, starts the crime-recording clock
// from the earliest referral. It returns the problems that stop it, as
// Validate does, and leaves r unchanged if there are any.
func (r *Record) Seal(now time.Time) error {
	if err := r.Validate(now); err != nil {
		return err
	}
	now = now.UTC()
	r.FinalisedAt = now
	r.UpdatedAt = now
	first := now
	for i := range r.People {
		ref := r.People[i].Referral
		switch {
		case ref == nil:
		case ref.NRM != nil:
			if ref.NRM.ReferredAt.IsZero() {
				ref.NRM.ReferredAt = now
			}
			if ref.NRM.ReferredAt.Before(first) {
				first = ref.NRM.ReferredAt
			}
		case ref.DutyToNotify != nil && ref.DutyToNotify.NotifiedAt.IsZero():
			ref.DutyToNotify.NotifiedAt = now
		}
	}
	if r.policeNRM() && (r.Crime == nil || r.Crime.Due.IsZero()) {
		r.Crime = &Crime{Due: first.Add(CrimeWindow)}
	}
	return nil
}
