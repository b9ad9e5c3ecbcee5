package model

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/assess"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/screening"
)

// ReferralView is one person's card on the referral step.
type ReferralView struct {
	ID       uuid.UUID
	Title    string
	Subtitle string
	// Need says what the assessment asks for them.
	Need assess.Need
	// Intro explains what the officer does for this person.
	Intro string
	// Routes are the officer's choices for an adult; none for a child,
	// who is always referred.
	Routes []Option
	Route  encounter.Route
	// TheirAnswer is the person's own answer to the consent question in
	// the screening, in words, or "".
	TheirAnswer string
	// Suggested is the route their answer points to, if any.
	Suggested   encounter.Route
	ExplainedBy string
	// Identity and Account are the NRM referral's details; a Duty to
	// Notify has only an account.
	Identity encounter.Identity
	Account  string
}

// Referrals are the cards of the referral step, one per person.
func (f *Flow) Referrals() []ReferralView {
	out := make([]ReferralView, len(f.rec.People))
	for i, ps := range f.rec.People {
		v := ReferralView{
			ID: ps.ID, Title: PersonTitle(f.p, ps, i), Subtitle: f.personSummary(ps),
			Need: f.result.ReferralNeed(ps), Route: ps.Route(),
		}
		switch v.Need {
		case assess.ChildNRM:
			v.Intro = f.p.T("referral.child")
		case assess.Decide:
			v.Intro = f.p.T("referral.decide")
		default:
			v.Intro = f.p.T("referral.explain")
		}
		if v.Need != assess.ChildNRM {
			v.Routes = []Option{
				{Value: string(encounter.RouteNRM), Label: f.p.T("referral.route.nrm")},
				{Value: string(encounter.RouteDutyToNotify), Label: f.p.T("referral.route.dtn")},
				{Value: string(encounter.RouteNone), Label: f.p.T("referral.route.none")},
			}
			if choice, text, ok := ConsentAnswer(f.p, f.d.Pack.Screening, ps); ok {
				v.TheirAnswer = text
				switch choice {
				case screening.Yes:
					v.Suggested = encounter.RouteNRM
				case screening.No:
					v.Suggested = encounter.RouteDutyToNotify
				}
			}
		}
		if e, ok := ps.Explanation(); ok {
			v.ExplainedBy = e.By
		}
		if r := ps.Referral; r != nil && r.NRM != nil {
			v.Identity, v.Account = r.NRM.Identity, r.NRM.Account
		}
		if r := ps.Referral; r != nil && r.DutyToNotify != nil {
			v.Account = r.DutyToNotify.Account
		}
		out[i] = v
	}
	return out
}

// Decide records an adult's decision, after the NRM was explained to
// them: by this officer, now, unless an explanation is recorded already.
func (f *Flow) Decide(person uuid.UUID, route encounter.Route) {
	ps := f.person(person)
	if ps == nil || ps.Child() || ps.Route() == route {
		return
	}
	f.editPerson(person, false, func(ps *encounter.Person) {
		ps.Decide(route, encounter.ExplainedNow(f.d.Officer(), f.d.Now()))
	})
}

// SetExplainedBy records who explained the NRM to the person.
func (f *Flow) SetExplainedBy(person uuid.UUID, s string) {
	f.editPerson(person, false, func(ps *encounter.Person) {
		switch r := ps.Referral; {
		case r == nil:
		case r.NRM != nil:
			if r.NRM.Explained == nil {
				r.NRM.Explained = &encounter.Explained{At: f.d.Now().UTC()}
			}
			r.NRM.Explained.By = s
		case r.DutyToNotify != nil:
			r.DutyToNotify.Explained.By = s
		}
	})
}

// The NRM referral's fields an officer fills in.
const (
	FieldName    = "name"
	FieldAliases = "aliases"
	FieldDOB     = "dob"
	FieldRefs    = "refs"
	FieldAccount = "account"
)

// SetReferralField records one field of the person's referral: the
// account of a Duty to Notify, or any of an NRM referral's.
func (f *Flow) SetReferralField(person uuid.UUID, field, s string) {
	f.editPerson(person, false, func(ps *encounter.Person) {
		r := ps.Referral
		if r == nil {
			return
		}
		if r.DutyToNotify != nil {
			if field == FieldAccount {
				r.DutyToNotify.Account = s
			}
			return
		}
		if r.NRM == nil {
			return
		}
		switch field {
		case FieldName:
			r.NRM.Identity.Name = s
		case FieldAliases:
			r.NRM.Identity.Aliases = splitList(s)
		case FieldDOB:
			r.NRM.Identity.DateOfBirth = strings.TrimSpace(s)
		case FieldRefs:
			r.NRM.Identity.OtherReferences = splitList(s)
		case FieldAccount:
			r.NRM.Account = s
		}
	})
}

// Sheet is a person's referral laid out for the online form, which
// cannot save and times out, to copy before starting it: its title, what
// it is for and leaves out, and the "Field: value" lines.
type Sheet struct {
	Title string
	Intro string
	Text  string
}

// Sheet lays out the referral of a person for the online form: an NRM
// referral in full; a Duty to Notify by the rule of
// encounter.Record.DutyToNotifySheet, with nothing that could identify
// the person.
func (f *Flow) Sheet(person uuid.UUID) Sheet {
	ps, ok := f.rec.Person(person)
	if ok && ps.Referral != nil && ps.Referral.DutyToNotify != nil {
		return Sheet{Title: f.p.T("summary.title.dtn"), Intro: f.p.T("summary.intro.dtn"),
			Text: DutyToNotifySheet(f.p, f.d.Pack, f.rec, f.result, person)}
	}
	return Sheet{Title: f.p.T("summary.title"), Intro: f.p.T("summary.intro"),
		Text: Summary(f.p, f.d.Pack, f.rec, f.result, person)}
}

// sheetLines collects "Field: value" lines; an empty value is a dash.
type sheetLines struct {
	p     *i18n.Printer
	lines []string
}

func (l *sheetLines) add(key, v string) {
	if strings.TrimSpace(v) == "" {
		v = l.p.T("summary.none")
	}
	l.lines = append(l.lines, l.p.T(key)+": "+v)
}

func (l *sheetLines) String() string { return strings.Join(l.lines, "\n") }

// kindOf says whether ps is an adult or a child, for the referral type.
func kindOf(p *i18n.Printer, ps *encounter.Person) string {
	if ps.Child() {
		return p.T("summary.type.child")
	}
	return p.T("summary.type.adult")
}

// DutyToNotifySheet lays out the Duty to Notify of person id on r
// (assessed as res under pack) for the online form, by the rule of
// encounter.Record.DutyToNotifySheet: the place as its kind of business
// and postcode district, the date without the time, the age as a band,
// sex, nationality and languages only when enough people were present;
// never a name, the premises' name, its address or full postcode, nor
// anything in the account that looks identifying (it is marked removed).
func DutyToNotifySheet(p *i18n.Printer, pack *content.Pack, r encounter.Record, res assess.Result, id uuid.UUID) string {
	ps, ok := r.Person(id)
	if !ok || ps.Referral == nil || ps.Referral.DutyToNotify == nil {
		return ""
	}
	dtn := ps.Referral.DutyToNotify
	s := r.DutyToNotifySheet(*ps, time.Local)
	l := &sheetLines{p: p}
	l.add("summary.type", kindOf(p, ps)+", "+p.T("summary.type.dtn"))
	// What the officer wrote must carry no identifier, and a record that
	// still holds one cannot be finalised; but the sheet may be copied
	// before that, so it never gives one.
	clean := func(text string) string { return redact(p, text, encounter.FindIdentifiers(text, r.OccurredAt)) }
	l.add("summary.consent", p.T("summary.consent.no_on", clean(dtn.Explained.By), DateText(dtn.Explained.At)))
	age := ageBandText(p, s.AgeBand)
	if ps.AgeInDoubt {
		age = strings.TrimSpace(age + " " + p.T("referral.age_in_doubt"))
	}
	l.add("summary.age", age)
	if s.Withheld {
		l.add("summary.withheld", p.T("summary.withheld.why", encounter.MinPeopleForDetails))
	} else {
		sex := ""
		if s.Sex != "" {
			sex = p.T("gender." + s.Sex)
		}
		l.add("summary.sex", sex)
		l.add("summary.nationality", s.Nation)
		l.add("summary.languages", strings.Join(languageNames(p, pack, s.Languages), ", "))
		english := ""
		if s.English != "" {
			english = p.T("english." + s.English)
		}
		l.add("summary.english", english)
		l.add("summary.interpreter", yesNo(p, s.Interpreter))
	}
	l.add("summary.indicators", strings.Join(indicatorsText(p, pack, s.Indicators, ps), "; "))
	l.add("summary.exploitation", strings.Join(exploitationText(p, pack, res), ", "))
	where := BusinessLabel(p, pack, s.Business)
	if s.District != "" {
		where = strings.TrimPrefix(where+", "+p.T("summary.district", s.District), ", ")
	}
	l.add("summary.where", where)
	l.add("summary.date", s.Date)
	l.add("summary.officer", r.Officer.String())
	l.add("summary.account", clean(s.Account))
	return l.String()
}

// ageBandText says an age band of encounter.AgeBand in p's language.
func ageBandText(p *i18n.Printer, band string) string {
	switch band {
	case encounter.AgeBand(encounter.AdultAge - 1):
		return p.T("summary.age_band.child")
	case encounter.AgeBand(65):
		return p.T("summary.age_band.65")
	}
	return band
}

// indicatorsText names the signs seen (ids) and those the officer's
// answers about ps imply.
func indicatorsText(p *i18n.Printer, pack *content.Pack, ids []string, ps *encounter.Person) []string {
	lang := Lang(p)
	var inds []string
	for _, id := range ids {
		if ind, ok := pack.Indicator(id); ok {
			inds = append(inds, ind.Label.In(lang))
		}
	}
	for _, q := range pack.Questions {
		if c, ok := q.Choice(ps.Answers[q.ID]); ok && len(c.Implies) > 0 {
			inds = append(inds, q.Text.In(lang)+" "+c.Label.In(lang))
		}
	}
	return inds
}

// exploitationText names the kinds of exploitation the assessment found.
func exploitationText(p *i18n.Printer, pack *content.Pack, res assess.Result) []string {
	var exps []string
	for _, e := range res.Exploitation {
		if x, ok := pack.ExploitationType(e); ok {
			exps = append(exps, x.Label.In(Lang(p)))
		}
	}
	return exps
}

// Summary lays out the NRM referral of person id on r (assessed as res
// under pack) as "Field: value" lines, in the order of the online form.
// A Duty to Notify is laid out by DutyToNotifySheet instead.
func Summary(p *i18n.Printer, pack *content.Pack, r encounter.Record, res assess.Result, id uuid.UUID) string {
	ps, ok := r.Person(id)
	if !ok {
		return ""
	}
	ref := ps.Referral
	if ref != nil && ref.DutyToNotify != nil {
		return DutyToNotifySheet(p, pack, r, res, id)
	}
	l := &sheetLines{p: p}
	add := l.add
	kind := kindOf(p, ps)
	switch {
	case ref != nil && ref.NRM != nil:
		add("summary.type", kind+", "+p.T("summary.type.nrm"))
		switch {
		case ps.Child():
			add("summary.consent", p.T("summary.consent.child"))
		case ref.NRM.Explained != nil:
			add("summary.consent", p.T("summary.consent.yes", ref.NRM.Explained.By, TimeText(ref.NRM.Explained.At)))
		}
		add("summary.name", ref.NRM.Identity.Name)
		add("summary.aliases", strings.Join(ref.NRM.Identity.Aliases, ", "))
		add("summary.dob", ref.NRM.Identity.DateOfBirth)
	}
	age := ""
	if ps.AgeYears > 0 {
		age = strconv.Itoa(ps.AgeYears)
	}
	if ps.AgeInDoubt {
		age = strings.TrimSpace(age + " " + p.T("referral.age_in_doubt"))
	}
	add("summary.age", age)
	sex := ""
	if ps.Gender != "" {
		sex = p.T("gender." + ps.Gender)
	}
	add("summary.sex", sex)
	add("summary.nationality", ps.Nationality)
	add("summary.languages", strings.Join(languageNames(p, pack, ps.Languages), ", "))
	english := ""
	if ps.EnglishAbility != "" {
		english = p.T("english." + ps.EnglishAbility)
	}
	add("summary.english", english)
	add("summary.interpreter", yesNo(p, ps.InterpreterUsed))
	if ref != nil && ref.NRM != nil {
		add("summary.refs", strings.Join(ref.NRM.Identity.OtherReferences, ", "))
	}
	add("summary.indicators", strings.Join(indicatorsText(p, pack, append(slices.Clone(r.Indicators), ps.Indicators...), ps), "; "))
	add("summary.exploitation", strings.Join(exploitationText(p, pack, res), ", "))
	add("summary.encounter", strings.Join(slices.DeleteFunc([]string{
		TimeText(r.OccurredAt), r.Premises.Name, r.Premises.Address, BusinessLabel(p, pack, r.Premises.Business),
	}, func(s string) bool { return strings.TrimSpace(s) == "" }), ", "))
	add("summary.officer", r.Officer.String())
	account := ""
	if ref != nil && ref.NRM != nil {
		account = ref.NRM.Account
	}
	add("summary.account", account)
	return l.String()
}

func yesNo(p *i18n.Printer, b bool) string {
	if b {
		return p.T("summary.yes")
	}
	return p.T("summary.no")
}

// languageNames names a person's languages: tags in the officer's
// language, anything else as typed.
func languageNames(p *i18n.Printer, pack *content.Pack, langs []string) []string {
	names := &i18n.Names{}
	if pack.Screening != nil {
		names = pack.Screening.Names()
	}
	out := make([]string, len(langs))
	for i, l := range langs {
		out[i] = l
		if t, err := languageTag(l); err == nil {
			out[i] = names.In(t, p.Tag())
		}
	}
	return out
}
