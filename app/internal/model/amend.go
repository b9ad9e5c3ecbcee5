package model

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
)

// FieldKind is how an amendable field is edited.
type FieldKind int

// The kinds of amendable field.
const (
	KindText   FieldKind = iota // one line of text
	KindLong                    // several lines: notes, an addendum
	KindNumber                  // a whole number
	KindTime                    // a date and time in TimeLayout
	KindChoice                  // one of Options
	KindSigns                   // any of the signs in Groups
)

// AmendField is one thing an officer may correct on a finalised record.
type AmendField struct {
	Field string // the field as an encounter.Change names it
	Label string
	Kind  FieldKind
	// Options are the choices of a KindChoice field.
	Options []Option
	// Groups are the signs of a KindSigns field, ticked as they stand.
	Groups []Group
	// Current is the value as the form shows it first.
	Current string
	// Person is who a person's field is about; FreeText is set for the
	// free text checked for identifying details (the notes, an addendum,
	// a label): AmendHint.
	Person   uuid.UUID
	FreeText bool
}

// AmendHint says under the new value of f, as the officer writes it,
// what in text looks like an identifying detail, as
// Flow.IdentifierHint does on a draft: to be removed if f is about a
// person with a Duty to Notify, kept elsewhere only if it belongs.
func AmendHint(p *i18n.Printer, r encounter.Record, f AmendField, text string) Notice {
	if !f.FreeText {
		return Notice{}
	}
	return identifierHint(p, r, f.Person, text)
}

// AmendFields lists what an officer may correct on r, made under pack.
func AmendFields(p *i18n.Printer, pack *content.Pack, r encounter.Record) []AmendField {
	lang := Lang(p)
	f := func(field string, kind FieldKind) AmendField {
		return AmendField{Field: field, Label: FieldLabel(p, pack, r, field), Kind: kind, Current: FieldValue(p, pack, field, r.Value(field))}
	}
	out := []AmendField{
		{Field: encounter.FieldAddendum, Label: FieldLabel(p, pack, r, encounter.FieldAddendum), Kind: KindLong, FreeText: true},
		f(encounter.FieldPremisesName, KindText),
		f(encounter.FieldPremisesAddress, KindLong),
		f(encounter.FieldBusiness, KindChoice),
		f(encounter.FieldOccurredAt, KindTime),
		f(encounter.FieldOperation, KindText),
		f(encounter.FieldPeoplePresent, KindNumber),
		f(encounter.FieldNotes, KindLong),
	}
	out[len(out)-1].FreeText = true
	for _, b := range encounter.Businesses {
		out[3].Options = append(out[3].Options, Option{Value: string(b), Label: BusinessLabel(p, pack, b)})
	}
	out[3].Current = string(r.Premises.Business)
	signs := f(encounter.FieldIndicators, KindSigns)
	signs.Groups = signGroups(p, pack, r.Indicators, func(ind content.Indicator) bool { return ind.Scope != content.ScopePerson })
	signs.Current = r.Value(encounter.FieldIndicators)
	out = append(out, signs)
	for _, ps := range r.People {
		pf := func(name string, kind FieldKind) AmendField {
			field := encounter.PersonField(ps.ID, name)
			return AmendField{Field: field, Label: FieldLabel(p, pack, r, field), Kind: kind, Current: r.Value(field), Person: ps.ID}
		}
		label := pf("label", KindText)
		label.FreeText = true
		age := pf("age_years", KindNumber)
		doubt := pf("age_in_doubt", KindChoice)
		doubt.Options = []Option{{Value: "true", Label: p.T("summary.yes")}, {Value: "false", Label: p.T("summary.no")}}
		gender := pf("gender", KindChoice)
		for _, g := range Genders {
			gender.Options = append(gender.Options, Option{Value: g, Label: p.T("gender." + g)})
		}
		nat := pf("nationality", KindText)
		ind := pf("indicators", KindSigns)
		ind.Groups = signGroups(p, pack, ps.Indicators, func(ind content.Indicator) bool { return ind.Scope != content.ScopePremises })
		out = append(out, label, age, doubt, gender, nat, ind)
		for _, q := range pack.Questions {
			if q.Retired {
				continue
			}
			a := pf("answer:"+q.ID, KindChoice)
			a.Field = encounter.PersonField(ps.ID, encounter.AnswerField(q.ID))
			a.Label = FieldLabel(p, pack, r, a.Field)
			a.Current = ps.Answers[q.ID]
			for _, c := range q.Choices {
				a.Options = append(a.Options, Option{Value: c.ID, Label: c.Label.In(lang)})
			}
			out = append(out, a)
		}
	}
	return out
}

// signGroups groups the live indicators keep accepts by theme, ticked
// as in ticked.
func signGroups(p *i18n.Printer, pack *content.Pack, ticked []string, keep func(content.Indicator) bool) []Group {
	lang := Lang(p)
	var out []Group
	for _, th := range pack.Themes {
		g := Group{Title: th.Label.In(lang)}
		for _, ind := range pack.IndicatorsOf(th.ID) {
			if (!ind.Retired && keep(ind)) || slices.Contains(ticked, ind.ID) {
				g.Signs = append(g.Signs, Sign{ID: ind.ID, Label: ind.Label.In(lang), Hint: ind.Hint.In(lang), On: slices.Contains(ticked, ind.ID)})
			}
		}
		if len(g.Signs) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// MakeChange turns the officer's new value for f into a change of r, or
// returns in words why it cannot be one. Signs come as ids joined by
// commas; times in TimeLayout.
func MakeChange(p *i18n.Printer, r encounter.Record, f AmendField, value string) (encounter.Change, string) {
	v := strings.TrimSpace(value)
	from := r.Value(f.Field)
	switch f.Kind {
	case KindTime:
		t, ok := ParseTime(v)
		if !ok {
			return encounter.Change{}, p.T("form.bad_time")
		}
		v = t.Format(time.RFC3339)
	case KindNumber:
		limit := 10000
		if strings.HasSuffix(f.Field, "/age_years") {
			limit = 120
		}
		n, ok := parseCount(v, limit)
		if !ok {
			return encounter.Change{}, p.T("form.bad_number")
		}
		v = strconv.Itoa(n)
	case KindSigns:
		v = strings.Join(splitList(v), ",")
	}
	if f.Field == encounter.FieldAddendum {
		from = ""
		if v == "" {
			return encounter.Change{}, p.T("amend.no_change")
		}
	}
	if v == from {
		return encounter.Change{}, p.T("amend.no_change")
	}
	return encounter.Change{Field: f.Field, From: from, To: v}, ""
}

// Amending is an amendment ready to save, and what the officer must be
// told first.
type Amending struct {
	Amendment encounter.Amendment
	// Referrals says, if not "", that the amendment makes someone a
	// child: it carries an NRM referral made now for them, as its own
	// entry, and the officer confirms before it is saved.
	Referrals string
	// Check, if not nil, must be gone through before anything is saved:
	// something the amendment writes looks identifying, or it writes a
	// Duty to Notify's text. Its Amending is then what to save.
	Check *AmendCheck
}

// NewAmendment makes the amendment of r (made under pack) by officer on
// device at now with changes and reason, adding the NRM referral of
// anyone it makes a child; or returns in words what is missing. If what
// it writes needs the identifier check, the Amending returned carries
// it, and nothing else.
func NewAmendment(p *i18n.Printer, pack *content.Pack, r encounter.Record, device uuid.UUID, officer encounter.Officer, now time.Time, reason string, changes ...encounter.Change) (Amending, string) {
	if strings.TrimSpace(reason) == "" {
		return Amending{}, p.T("amend.no_reason")
	}
	a, err := encounter.NewAmendment(r.ID, device, officer, now)
	if err != nil {
		return Amending{}, p.T("form.save_failed")
	}
	a.Reason = strings.TrimSpace(reason)
	a.Changes = changes
	a.Referrals = r.ChildReferrals(a)
	if c := newAmendCheck(p, pack, r, a); c.Needed() {
		// The check removes what the record's rule refuses; anything else
		// wrong is said now.
		if !onlyIdentifiers(r.CheckAmendment(a)) {
			return Amending{}, p.T("amend.invalid")
		}
		return Amending{Amendment: a, Check: c}, ""
	}
	return amending(p, r, a)
}

// onlyIdentifiers reports whether err is nil, or refuses nothing but
// identifiers in a Duty to Notify.
func onlyIdentifiers(err error) bool {
	var ve *encounter.ValidationError
	if err == nil {
		return true
	}
	if !errors.As(err, &ve) {
		return false
	}
	for _, pr := range ve.Problems {
		if !pr.Is(encounter.DtNIdentifier) {
			return false
		}
	}
	return true
}

// amending is amendment a of r ready to save, with what the officer must
// be told first; or, in words, why it cannot be saved.
func amending(p *i18n.Printer, r encounter.Record, a encounter.Amendment) (Amending, string) {
	if err := r.CheckAmendment(a); err != nil {
		return Amending{}, p.T("amend.invalid")
	}
	out := Amending{Amendment: a}
	if len(a.Referrals) > 0 {
		var who []string
		for _, lr := range a.Referrals {
			who = append(who, personTitleOf(p, r, lr.Person))
		}
		out.Referrals = p.T("amend.late_referral", strings.Join(who, ", "))
	}
	return out, ""
}

// FieldLabel names an amendable field of r in words.
func FieldLabel(p *i18n.Printer, pack *content.Pack, r encounter.Record, field string) string {
	parts := strings.Split(field, "/")
	if len(parts) != 3 || parts[0] != "person" {
		return p.T("field." + field)
	}
	who := parts[1]
	if id, err := uuid.Parse(parts[1]); err == nil {
		who = personTitleOf(p, r, id)
	}
	if q, ok := strings.CutPrefix(parts[2], "answer:"); ok {
		text := q
		if qq, ok := pack.Question(q); ok {
			text = qq.Text.In(Lang(p))
		}
		return who + ": " + text
	}
	return who + ": " + p.T("field.person."+parts[2])
}

// FieldValue shows a change's value of field in words.
func FieldValue(p *i18n.Printer, pack *content.Pack, field, v string) string {
	lang := Lang(p)
	name := field
	if parts := strings.Split(field, "/"); len(parts) == 3 {
		name = parts[2]
	}
	switch {
	case field == encounter.FieldBusiness:
		return BusinessLabel(p, pack, encounter.Business(v))
	case field == encounter.FieldOccurredAt:
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return TimeText(t)
		}
	case field == encounter.FieldIndicators || name == "indicators":
		var labels []string
		for _, id := range splitList(v) {
			if ind, ok := pack.Indicator(id); ok {
				id = ind.Label.In(lang)
			}
			labels = append(labels, id)
		}
		return strings.Join(labels, "; ")
	case name == "gender" && v != "":
		return p.T("gender." + v)
	case name == "age_in_doubt":
		if b, err := strconv.ParseBool(v); err == nil {
			return yesNo(p, b)
		}
	case strings.HasPrefix(name, "answer:") && v != "":
		if q, ok := pack.Question(strings.TrimPrefix(name, "answer:")); ok {
			if c, ok := q.Choice(v); ok {
				return c.Label.In(lang)
			}
		}
	}
	return v
}

// LateAdults lists the adults on r who may be referred to the NRM after
// the event, now that they consent: those without an NRM referral (a
// Duty to Notify, or none). A child is referred when an amendment makes
// them one (Amending.Referrals); they are not listed.
func LateAdults(p *i18n.Printer, r encounter.Record) []Option {
	var out []Option
	for i, ps := range r.People {
		if !ps.Child() && ps.Route() != encounter.RouteNRM {
			out = append(out, Option{Value: ps.ID.String(), Label: PersonTitle(p, ps, i)})
		}
	}
	return out
}

// LateNRM is what the officer records to refer an adult to the NRM after
// the event: who, their informed consent and who explained the NRM to
// them, and what the NRM form asks for. Aliases and references are
// lists as the referral step takes them.
type LateNRM struct {
	Person      uuid.UUID
	Consent     bool
	ExplainedBy string
	Name        string
	Aliases     string
	DateOfBirth string
	References  string
	Account     string
}

// NewLateNRM starts what the form shows for person on r: who explained it
// (the officer), and the account of a Duty to Notify, which an NRM
// referral may carry on.
func NewLateNRM(r encounter.Record, person uuid.UUID, officer encounter.Officer) LateNRM {
	in := LateNRM{Person: person, ExplainedBy: officer.String()}
	if ps, ok := r.Person(person); ok && ps.Referral != nil && ps.Referral.DutyToNotify != nil {
		in.Account = ps.Referral.DutyToNotify.Account
	}
	return in
}

// NewLateReferral makes the amendment of r by officer on device at now
// that refers the adult in to the NRM after the event, with reason: a
// referral made after the event, its own entry in the record's history
// (encounter.LateReferral), with their consent and who explained the NRM
// at now; or returns in words what is missing. Amending.Referrals asks
// the officer to confirm, since the crime-recording clock starts.
func NewLateReferral(p *i18n.Printer, r encounter.Record, device uuid.UUID, officer encounter.Officer, now time.Time, reason string, in LateNRM) (Amending, string) {
	switch _, ok := r.Person(in.Person); {
	case !ok:
		return Amending{}, p.T("amend.late_nrm.no_person")
	case !in.Consent:
		return Amending{}, p.T("amend.late_nrm.no_consent")
	case strings.TrimSpace(in.ExplainedBy) == "":
		return Amending{}, p.T("amend.late_nrm.no_explained")
	case strings.TrimSpace(reason) == "":
		return Amending{}, p.T("amend.no_reason")
	}
	a, err := encounter.NewAmendment(r.ID, device, officer, now)
	if err != nil {
		return Amending{}, p.T("form.save_failed")
	}
	a.Reason = strings.TrimSpace(reason)
	at := a.At
	a.Referrals = []encounter.LateReferral{{Person: in.Person, NRM: encounter.NRM{
		Explained: &encounter.Explained{By: strings.TrimSpace(in.ExplainedBy), At: at},
		Consent:   true,
		Identity: encounter.Identity{Name: strings.TrimSpace(in.Name), Aliases: splitList(in.Aliases),
			DateOfBirth: strings.TrimSpace(in.DateOfBirth), OtherReferences: splitList(in.References)},
		Account:    strings.TrimSpace(in.Account),
		ReferredAt: at,
	}}}
	out, problem := amending(p, r, a)
	if problem != "" {
		return out, problem
	}
	out.Referrals = p.T("amend.late_nrm.confirm", personTitleOf(p, r, in.Person))
	return out, ""
}
