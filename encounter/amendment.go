package encounter

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/internal/strictjson"
)

// Amendment is a correction appended to a finalised record, like a
// pocketbook entry made after the event: who, when, why, and what changed
// from what. The record itself is never rewritten; every device shows it
// with its amendments applied, and the whole history.
type Amendment struct {
	ID        uuid.UUID `json:"id"`
	Schema    int       `json:"schema"`
	Encounter uuid.UUID `json:"encounter"`
	Device    uuid.UUID `json:"device"`
	Author    Officer   `json:"author"`
	At        time.Time `json:"at"`
	Reason    string    `json:"reason"`
	Changes   []Change  `json:"changes,omitempty"`
	// Referrals are referrals made after the event, such as for a person
	// later found to be a child: each is its own entry on the record,
	// never a silent change (schema 3 and later).
	Referrals []LateReferral `json:"referrals,omitempty"`

	// State is device-local: whether the amendment has been sent.
	State State `json:"-"`
}

// LateReferral is an NRM referral made after the record was finalised,
// for a person it names: most often someone later found to be a child,
// whom the record had given a Duty to Notify or nothing. It replaces the
// person's referral in the amended view; the original stays in the
// record's history.
type LateReferral struct {
	Person uuid.UUID `json:"person"`
	NRM    NRM       `json:"nrm"`
}

// Change is one field changed by an amendment. From is the value as the
// author saw it; To is the new value. Values are strings in the form the
// field documents.
type Change struct {
	Field string `json:"field"`
	From  string `json:"from,omitempty"`
	To    string `json:"to"`
}

// The fields an amendment may change. A person's fields are named
// "person/<person id>/<name>", with <name> one of PersonFields.
const (
	FieldPremisesName    = "premises.name"
	FieldPremisesAddress = "premises.address"
	FieldBusiness        = "premises.business" // a Business value
	FieldOccurredAt      = "occurred_at"       // RFC 3339
	FieldPeoplePresent   = "people_present"    // a whole number
	FieldOperation       = "operation"
	FieldNotes           = "notes"           // replaces the notes
	FieldAddendum        = "addendum"        // text added after the notes
	FieldCrimeReference  = "crime.reference" // the crime record's reference
	// FieldIndicators is the list of premises-level indicators, as ids
	// joined by commas in the order ticked; a person's is the person
	// field "indicators".
	FieldIndicators = "indicators"
)

// AnswerField is the person field holding the officer's answer to
// question q (a choice id; empty clears the answer).
func AnswerField(q string) string { return answerPrefix + q }

const answerPrefix = "answer:"

// PersonFields are the per-person fields an amendment may change.
var PersonFields = []string{"label", "age_years", "age_in_doubt", "gender", "nationality", "english_ability", "indicators"}

// RecordFields lists the record-level fields an amendment may change.
var RecordFields = []string{
	FieldPremisesName, FieldPremisesAddress, FieldBusiness, FieldOccurredAt,
	FieldPeoplePresent, FieldOperation, FieldNotes, FieldAddendum, FieldCrimeReference,
	FieldIndicators,
}

// PersonField names field of person id, for a Change.
func PersonField(id uuid.UUID, field string) string {
	return "person/" + id.String() + "/" + field
}

// maxChanges bounds one amendment.
const maxChanges = 50

// lateReferralSchema is the first schema whose amendments may carry
// referrals.
const lateReferralSchema = 3

// NewAmendment starts an amendment of record encounter, made on device by
// author at now.
func NewAmendment(encounter, device uuid.UUID, author Officer, now time.Time) (Amendment, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return Amendment{}, fmt.Errorf("new amendment id: %w", err)
	}
	return Amendment{
		ID: id, Schema: Schema, Encounter: encounter, Device: device,
		Author: author, At: now.UTC(), State: Draft,
	}, nil
}

// Check reports what makes a an unacceptable amendment: it must name its
// record, author, time and reason, and change only amendable fields to
// well-formed values.
func (a Amendment) Check() error {
	var errs []string
	if a.ID == uuid.Nil {
		errs = append(errs, "no id")
	}
	if a.Encounter == uuid.Nil {
		errs = append(errs, "no encounter")
	}
	if a.Author.String() == "" {
		errs = append(errs, "no author")
	}
	if a.At.IsZero() {
		errs = append(errs, "no time")
	}
	if strings.TrimSpace(a.Reason) == "" {
		errs = append(errs, "no reason")
	}
	if len(a.Changes) == 0 && len(a.Referrals) == 0 {
		errs = append(errs, "no changes")
	}
	if n := len(a.Changes) + len(a.Referrals); n > maxChanges {
		errs = append(errs, fmt.Sprintf("%d changes, more than %d", n, maxChanges))
	}
	if len(a.Referrals) > 0 && a.Schema < lateReferralSchema {
		errs = append(errs, fmt.Sprintf("referrals need schema %d", lateReferralSchema))
	}
	for i, lr := range a.Referrals {
		switch {
		case lr.Person == uuid.Nil:
			errs = append(errs, fmt.Sprintf("referral %d names no person", i))
		case lr.NRM.ReferredAt.IsZero():
			errs = append(errs, fmt.Sprintf("referral %d has no time of referral", i))
		case slices.IndexFunc(a.Referrals, func(o LateReferral) bool { return o.Person == lr.Person }) < i:
			errs = append(errs, fmt.Sprintf("referral %d refers a person twice", i))
		}
	}
	for i, c := range a.Changes {
		if err := checkChange(c); err != nil {
			errs = append(errs, fmt.Sprintf("change %d: %v", i, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("amendment %s: %w: %s", a.ID, ErrInvalid, strings.Join(errs, "; "))
	}
	return nil
}

// checkChange checks one change. Its errors name the field (only one an
// amendment may change: the field as sent may be anything) and the rule,
// never the value, which may be personal data.
func checkChange(c Change) error {
	if id, field, ok := splitPersonField(c.Field); ok {
		q, answer := strings.CutPrefix(field, answerPrefix)
		if id == uuid.Nil || (!slices.Contains(PersonFields, field) && !(answer && q != "")) {
			return errors.New("field cannot be amended")
		}
		switch field {
		case "age_years":
			if n, err := strconv.Atoi(c.To); err != nil || n < 0 || n > 120 {
				return errors.New("field age_years: not a whole number from 0 to 120")
			}
		case "age_in_doubt":
			if _, err := strconv.ParseBool(c.To); err != nil {
				return errors.New("field age_in_doubt: not true or false")
			}
		}
		return nil
	}
	switch c.Field {
	case FieldBusiness:
		if !Business(c.To).Valid() {
			return fmt.Errorf("field %s: not a business type", c.Field)
		}
	case FieldOccurredAt:
		if _, err := time.Parse(time.RFC3339, c.To); err != nil {
			return fmt.Errorf("field %s: not an RFC 3339 time", c.Field)
		}
	case FieldPeoplePresent:
		if n, err := strconv.Atoi(c.To); err != nil || n < 0 || n > MaxPeoplePresent {
			return fmt.Errorf("field %s: not a whole number from 0 to %d", c.Field, MaxPeoplePresent)
		}
	case FieldCrimeReference, FieldAddendum:
		if strings.TrimSpace(c.To) == "" {
			return fmt.Errorf("field %s: empty", c.Field)
		}
	case FieldPremisesName, FieldPremisesAddress, FieldOperation, FieldNotes, FieldIndicators:
	default:
		return errors.New("field cannot be amended")
	}
	return nil
}

// splitPersonField splits "person/<id>/<field>".
func splitPersonField(f string) (id uuid.UUID, field string, ok bool) {
	parts := strings.Split(f, "/")
	if len(parts) != 3 || parts[0] != "person" {
		return uuid.Nil, "", false
	}
	id, _ = uuid.Parse(parts[1])
	return id, parts[2], true
}

// Document returns the amendment's JSON document, as synced.
func (a Amendment) Document() ([]byte, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode amendment %s: %w", a.ID, err)
	}
	return b, nil
}

// ParseAmendment decodes an amendment document. Its State is Synced.
func ParseAmendment(b []byte) (Amendment, error) {
	var a Amendment
	if err := strictjson.Unmarshal(b, &a); err != nil {
		return Amendment{}, fmt.Errorf("decode amendment: %w", err)
	}
	if a.Schema < 2 || a.Schema > Schema {
		return Amendment{}, fmt.Errorf("decode amendment %s: schema %d not understood", a.ID, a.Schema)
	}
	a.State = Synced
	return a, nil
}

// WithAmendments returns r as amended by as: the amendments applied in
// order of time (then id), Amendments set to them in that order, and
// Original to r as finalised. r itself is not changed.
func (r Record) WithAmendments(as []Amendment) Record {
	if len(as) == 0 {
		return r
	}
	orig := r.clone()
	view := r.clone()
	sorted := slices.Clone(as)
	slices.SortStableFunc(sorted, func(a, b Amendment) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID.String(), b.ID.String())
	})
	for _, a := range sorted {
		view.apply(a)
	}
	view.State = r.State
	view.Amendments = sorted
	view.Original = &orig
	return view
}

// apply makes a's changes to r. Changes to unknown fields or people are
// skipped: Check refuses them before they are stored.
func (r *Record) apply(a Amendment) {
	for _, c := range a.Changes {
		if id, field, ok := splitPersonField(c.Field); ok {
			if p, found := r.Person(id); found {
				p.set(field, c.To)
			}
			continue
		}
		switch c.Field {
		case FieldPremisesName:
			r.Premises.Name = c.To
		case FieldPremisesAddress:
			// What the officer wrote is the place: a postcode given
			// apart is in the corrected address, or it was taken out.
			r.Premises.Address, r.Premises.Postcode = c.To, ""
		case FieldBusiness:
			r.Premises.Business = Business(c.To)
		case FieldOccurredAt:
			if t, err := time.Parse(time.RFC3339, c.To); err == nil {
				r.OccurredAt = t
			}
		case FieldPeoplePresent:
			if n, err := strconv.Atoi(c.To); err == nil {
				r.PeoplePresent = n
			}
		case FieldOperation:
			r.Operation = c.To
		case FieldIndicators:
			r.Indicators = splitIDs(c.To)
		case FieldNotes:
			r.Notes = c.To
		case FieldAddendum:
			if r.Notes != "" {
				r.Notes += "\n\n"
			}
			r.Notes += fmt.Sprintf("[%s, %s] %s", a.At.Format("2006-01-02 15:04 MST"), a.Author, c.To)
		case FieldCrimeReference:
			if r.Crime == nil {
				r.Crime = &Crime{}
			}
			r.Crime.Reference = c.To
			r.Crime.RecordedAt = a.At
		}
	}
	for _, lr := range a.Referrals {
		p, found := r.Person(lr.Person)
		if !found {
			continue
		}
		nrm := lr.NRM
		p.Referral = &Referral{NRM: &nrm}
		if r.policeNRM() && (r.Crime == nil || r.Crime.Due.IsZero()) {
			r.Crime = &Crime{Due: nrm.ReferredAt.Add(CrimeWindow)}
		}
	}
	if a.At.After(r.UpdatedAt) {
		r.UpdatedAt = a.At
	}
}

// CheckAmendment reports whether a may be appended to r, the record as it
// now stands (its earlier amendments applied): a must pass Check, and the
// amended record must break no rule of Record.Check it kept. So an
// amendment that makes someone a child (an age under 18, age in doubt)
// must carry a LateReferral for them, unless they already have an NRM
// referral: the bare change is refused with ChildNeedsNRM for that
// person. A late referral of an adult needs their informed consent, as
// any NRM referral does.
//
// The identifier rule holds for an amendment as for a record: the text
// of a Duty to Notify it writes (a person's label, an answer) may carry
// no phone number, date of birth, postcode, e-mail address or document
// number (DtNIdentifier, naming the person). It is judged field by
// field, not by person: a field the amendment leaves as it was is not
// judged again, so a record accepted under an older rule can still be
// amended (a crime reference added), but nothing the amendment writes
// escapes the rule because the same person's text already broke it.
func (r Record) CheckAmendment(a Amendment) error {
	if err := a.Check(); err != nil {
		return err
	}
	if a.Encounter != r.ID {
		return fmt.Errorf("amendment %s: %w: it amends record %s, not %s", a.ID, ErrInvalid, a.Encounter, r.ID)
	}
	for _, lr := range a.Referrals {
		if _, found := r.Person(lr.Person); !found {
			return fmt.Errorf("amendment %s: %w: referral of a person not on the record", a.ID, ErrInvalid)
		}
	}
	after := r.clone()
	after.apply(a)
	before := r.problems()
	var ps []Problem
	for _, pr := range after.problems() {
		if !pr.Is(DtNIdentifier) && !slices.Contains(before, pr) {
			ps = append(ps, pr)
		}
	}
	ps = append(ps, after.dutyToNotifyIdentifiers(r.dutyToNotifyText())...)
	if len(ps) > 0 {
		return fmt.Errorf("amendment %s: %w", a.ID, &ValidationError{Problems: ps})
	}
	return nil
}

func (p *Person) set(field, v string) {
	if q, ok := strings.CutPrefix(field, answerPrefix); ok {
		if v == "" {
			delete(p.Answers, q)
			return
		}
		if p.Answers == nil {
			p.Answers = map[string]string{}
		}
		p.Answers[q] = v
		return
	}
	switch field {
	case "indicators":
		p.Indicators = splitIDs(v)
	case "label":
		p.Label = v
	case "age_years":
		if n, err := strconv.Atoi(v); err == nil {
			p.AgeYears = n
		}
	case "age_in_doubt":
		if b, err := strconv.ParseBool(v); err == nil {
			p.AgeInDoubt = b
		}
	case "gender":
		p.Gender = v
	case "nationality":
		p.Nationality = v
	case "english_ability":
		p.EnglishAbility = v
	}
}

// clone returns a deep copy of r's document fields and its state.
func (r Record) clone() Record {
	b, err := json.Marshal(r)
	if err != nil {
		panic(fmt.Sprintf("encounter: cannot copy record %s: %v", r.ID, err))
	}
	var c Record
	if err := json.Unmarshal(b, &c); err != nil {
		panic(fmt.Sprintf("encounter: cannot copy record %s: %v", r.ID, err))
	}
	c.State = r.State
	return c
}

// Value returns the current value of an amendable field, in the form a
// Change holds it, so an amendment can record what it changed from.
func (r Record) Value(field string) string {
	if id, name, ok := splitPersonField(field); ok {
		p, found := r.Person(id)
		if !found {
			return ""
		}
		if q, ok := strings.CutPrefix(name, answerPrefix); ok {
			return p.Answers[q]
		}
		switch name {
		case "indicators":
			return strings.Join(p.Indicators, ",")
		case "label":
			return p.Label
		case "age_years":
			return strconv.Itoa(p.AgeYears)
		case "age_in_doubt":
			return strconv.FormatBool(p.AgeInDoubt)
		case "gender":
			return p.Gender
		case "nationality":
			return p.Nationality
		case "english_ability":
			return p.EnglishAbility
		}
		return ""
	}
	switch field {
	case FieldPremisesName:
		return r.Premises.Name
	case FieldPremisesAddress:
		return r.Premises.Address
	case FieldBusiness:
		return string(r.Premises.Business)
	case FieldOccurredAt:
		return r.OccurredAt.UTC().Format(time.RFC3339)
	case FieldPeoplePresent:
		return strconv.Itoa(r.PeoplePresent)
	case FieldOperation:
		return r.Operation
	case FieldIndicators:
		return strings.Join(r.Indicators, ",")
	case FieldNotes:
		return r.Notes
	case FieldCrimeReference:
		if r.Crime != nil {
			return r.Crime.Reference
		}
	}
	return ""
}

// splitIDs splits a list of ids joined by commas, dropping empty ones.
func splitIDs(s string) []string {
	var out []string
	for _, id := range strings.Split(s, ",") {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out
}
