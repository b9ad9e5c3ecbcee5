package model

import (
	"strconv"
	"strings"
	"time"

	"github.com/waymark-app/waymark/assess"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
)

// Detail is a finalised record read back in full, with its amendments
// applied and their history: what an officer needs before writing a
// statement. It is evidence: nothing here changes it.
type Detail struct {
	Title string
	// Level is the assessment as it now stands, in LevelWord and
	// LevelText too.
	Level     content.Level
	LevelWord string
	LevelText string
	State     encounter.State
	StateText string
	// Crime is the crime-recording clock in words, or "".
	Crime       string
	CrimeStatus encounter.CrimeStatus
	// NeedsCrimeRef is true while the clock runs without a reference.
	NeedsCrimeRef bool
	// ReferLate is true when an adult on the record may still be referred
	// to the NRM after the event (LateAdults).
	ReferLate bool
	// Info says when and by whom it was finalised; Held, if not "", why
	// it waits for a supervisor.
	Info string
	Held string
	// Seal says who signed the record as finalised and whether the
	// signature still matches it (each amendment's is under it in the
	// history).
	Seal     Notice
	Sections []Section
}

// Section is a heading and what is under it.
type Section struct {
	Title string
	Items []Item
}

// Item is one line of the record: a label and a value, with a note under
// it and a badge beside it, any of which may be empty.
type Item struct {
	Label string
	Value string
	Note  string
	// Badge is a level or a state in a word, coloured by Level or State
	// in the view; "" for none.
	Badge      string
	BadgeLevel content.Level
	BadgeState encounter.State
	// IsState says the badge is a sync state, not a level.
	IsState bool
	// NoteKind says how to show the note: an amendment's signature in
	// the colour of its verdict.
	NoteKind NoticeKind
}

// NewDetail reads record r back, made under pack, at now, in p's words,
// with the verdicts on its signatures.
func NewDetail(p *i18n.Printer, pack *content.Pack, r encounter.Record, now time.Time, seals Seals) Detail {
	d := Detail{
		Title: RecordTitle(p, r), State: r.State, StateText: StateText(p, r.State),
		Info: p.T("detail.finalised", TimeText(r.FinalisedAt), r.Officer.String()),
		Seal: seals.text(p, seals.Record),
	}
	if r.State == encounter.Held {
		d.Held = p.T("detail.held")
	}
	d.Crime, d.CrimeStatus, _ = CrimeClock(p, r, now)
	d.NeedsCrimeRef = d.CrimeStatus != encounter.NoCrimeClock && d.CrimeStatus != encounter.CrimeRecorded
	d.ReferLate = len(LateAdults(p, r)) > 0

	// The assessment as it stands: as saved, or again if an amendment
	// changed what it rests on.
	saved := LevelOf(r)
	res := assess.Assess(pack, assess.InputOf(r))
	d.Level = saved
	if r.Original != nil && res.Level != saved {
		d.Level = res.Level
	}
	if d.Level == content.Unassessed && r.Assessment == nil {
		d.Level = res.Level
	}
	d.LevelWord, d.LevelText = LevelWord(p, d.Level), p.T("rag."+d.Level.String())

	d.Sections = append(d.Sections, encounterSection(p, pack, r))
	d.Sections = append(d.Sections, assessmentSection(p, pack, r, res, saved))
	if len(res.Actions) > 0 || len(r.Checklist) > 0 {
		d.Sections = append(d.Sections, checklistSection(p, pack, r, res))
	}
	if len(r.Indicators) > 0 {
		d.Sections = append(d.Sections, Section{Title: p.T("detail.seen"), Items: signItems(p, pack, r.Indicators)})
	}
	for i, ps := range r.People {
		d.Sections = append(d.Sections, personSection(p, pack, r, ps, i)...)
	}
	if r.Crime != nil && !r.Crime.Due.IsZero() {
		d.Sections = append(d.Sections, crimeSection(p, r))
	}
	if len(r.Amendments) > 0 {
		d.Sections = append(d.Sections, historySection(p, pack, r, seals))
	}
	return d
}

func field(label, value string) Item { return Item{Label: label, Value: value} }

func encounterSection(p *i18n.Printer, pack *content.Pack, r encounter.Record) Section {
	return Section{Title: p.T("detail.encounter"), Items: []Item{
		field(p.T("form.premises_name"), r.Premises.Name),
		field(p.T("form.address"), r.Premises.FullAddress()),
		field(p.T("form.business"), BusinessLabel(p, pack, r.Premises.Business)),
		field(p.T("form.occurred_at"), TimeText(r.OccurredAt)),
		field(p.T("form.operation"), r.Operation),
		field(p.T("form.people_present"), strconv.Itoa(r.PeoplePresent)),
		field(p.T("detail.officer"), r.Officer.String()),
		field(p.T("form.notes"), r.Notes),
	}}
}

func assessmentSection(p *i18n.Printer, pack *content.Pack, r encounter.Record, res assess.Result, saved content.Level) Section {
	s := Section{Title: p.T("detail.assessment")}
	head := Item{Label: p.T("detail.level"), Value: p.T("rag." + saved.String()), Badge: LevelWord(p, saved), BadgeLevel: saved}
	if a := r.Assessment; a != nil {
		head.Note = p.T("detail.assessed", TimeText(a.At), a.Pack.ID, a.Pack.Version)
	}
	s.Items = append(s.Items, head)
	if r.Original != nil && res.Level != saved {
		s.Items = append(s.Items, Item{
			Label: p.T("detail.level_now"), Value: p.T("rag." + res.Level.String()),
			Badge: LevelWord(p, res.Level), BadgeLevel: res.Level, Note: p.T("detail.level_now.note"),
		})
	}
	for _, v := range ReasonsOf(p, pack, r, res) {
		s.Items = append(s.Items, Item{Value: v.Text, Badge: v.LevelWord, BadgeLevel: v.Level})
	}
	if len(res.Reasons) == 0 {
		s.Items = append(s.Items, Item{Value: p.T("assess.no_reasons")})
	}
	return s
}

func checklistSection(p *i18n.Printer, pack *content.Pack, r encounter.Record, res assess.Result) Section {
	actions := res.Actions
	if r.Assessment != nil {
		actions = r.Assessment.Actions
	}
	// Ticks of actions no longer on the list still happened: show them.
	for _, t := range r.Checklist {
		if !contains(actions, t.Action) {
			actions = append(actions, t.Action)
		}
	}
	s := Section{Title: p.T("assess.todo")}
	for _, a := range checklist(p, pack, r, actions) {
		s.Items = append(s.Items, Item{Value: a.Label, Note: a.State})
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func signItems(p *i18n.Printer, pack *content.Pack, ids []string) []Item {
	var out []Item
	for _, id := range ids {
		label := id
		if ind, ok := pack.Indicator(id); ok {
			label = ind.Label.In(Lang(p))
		}
		out = append(out, Item{Value: label})
	}
	return out
}

func personSection(p *i18n.Printer, pack *content.Pack, r encounter.Record, ps encounter.Person, i int) []Section {
	lang := Lang(p)
	age := p.T("referral.age_unknown")
	if ps.AgeYears > 0 {
		age = strconv.Itoa(ps.AgeYears)
	}
	if ps.AgeInDoubt {
		age += " · " + p.T("referral.age_in_doubt")
	}
	about := Section{Title: PersonTitle(p, ps, i), Items: []Item{
		field(p.T("detail.age"), age),
		field(p.T("person.gender"), optional(p, "gender.", ps.Gender)),
		field(p.T("person.nationality"), ps.Nationality),
		field(p.T("detail.languages"), strings.Join(languageNames(p, pack, ps.Languages), ", ")),
		field(p.T("detail.interpreter"), yesNo(p, ps.InterpreterUsed)),
	}}
	if ps.Child() {
		about.Items = append(about.Items, Item{Value: p.T("referral.child")})
	}
	if ps.EnglishAbility != "" {
		about.Items = append(about.Items, field(p.T("field.person.english_ability"), p.T("english."+ps.EnglishAbility)))
	}
	for _, q := range pack.Questions {
		if c, ok := q.Choice(ps.Answers[q.ID]); ok {
			about.Items = append(about.Items, Item{Label: q.Text.In(lang), Value: c.Label.In(lang)})
		}
	}
	for _, it := range signItems(p, pack, ps.Indicators) {
		it.Label = p.T("detail.sign")
		about.Items = append(about.Items, it)
	}
	out := []Section{about}

	sv := ScreeningAnswersOf(p, pack.Screening, ps)
	scr := Section{Title: p.T("detail.screening", PersonTitle(p, ps, i)), Items: []Item{{Value: sv.Summary}}}
	for _, a := range sv.Answers {
		note := a.Note
		if a.Original != "" {
			note = a.Original + "\n" + note
		}
		scr.Items = append(scr.Items, Item{Label: a.Question, Value: a.Answer, Note: note})
	}
	out = append(out, scr)
	return append(out, referralSection(p, ps, i))
}

func optional(p *i18n.Printer, prefix, v string) string {
	if v == "" {
		return ""
	}
	return p.T(prefix + v)
}

func referralSection(p *i18n.Printer, ps encounter.Person, i int) Section {
	s := Section{Title: p.T("detail.referral", PersonTitle(p, ps, i))}
	ref := ps.Referral
	switch {
	case ref != nil && ref.NRM != nil:
		n := ref.NRM
		consent := p.T("summary.consent.child")
		if !ps.Child() {
			consent = p.T("summary.no")
			if n.Consent {
				consent = p.T("summary.yes")
			}
		}
		s.Items = append(s.Items,
			field(p.T("summary.type"), p.T("summary.type.nrm")),
			field(p.T("summary.consent"), consent))
		if n.Explained != nil {
			s.Items = append(s.Items, field(p.T("referral.explained_by"), n.Explained.By+" · "+TimeText(n.Explained.At)))
		}
		s.Items = append(s.Items,
			field(p.T("summary.name"), n.Identity.Name),
			field(p.T("summary.aliases"), strings.Join(n.Identity.Aliases, ", ")),
			field(p.T("summary.dob"), n.Identity.DateOfBirth),
			field(p.T("summary.refs"), strings.Join(n.Identity.OtherReferences, ", ")),
			field(p.T("referral.account"), n.Account),
			field(p.T("detail.referred_at"), TimeText(n.ReferredAt)))
	case ref != nil && ref.DutyToNotify != nil:
		d := ref.DutyToNotify
		s.Items = append(s.Items,
			field(p.T("summary.type"), p.T("summary.type.dtn")),
			field(p.T("referral.explained_by"), d.Explained.By+" · "+TimeText(d.Explained.At)),
			field(p.T("referral.account"), d.Account),
			field(p.T("detail.notified_at"), TimeText(d.NotifiedAt)))
	default:
		s.Items = append(s.Items, Item{Value: p.T("detail.no_referral")})
	}
	return s
}

func crimeSection(p *i18n.Printer, r encounter.Record) Section {
	s := Section{Title: p.T("detail.crime"), Items: []Item{field(p.T("detail.crime_due"), TimeText(r.Crime.Due))}}
	if r.Crime.Reference != "" {
		s.Items = append(s.Items,
			field(p.T("crime.ref"), r.Crime.Reference),
			field(p.T("detail.crime_recorded_at"), TimeText(r.Crime.RecordedAt)))
	}
	return s
}

func historySection(p *i18n.Printer, pack *content.Pack, r encounter.Record, seals Seals) Section {
	s := Section{Title: p.T("detail.history")}
	for _, a := range r.Amendments {
		lines := []string{p.T("history.reason", a.Reason)}
		for _, c := range a.Changes {
			lines = append(lines, ChangeText(p, pack, r, a, c))
		}
		for _, lr := range a.Referrals {
			lines = append(lines, p.T("history.late_referral", personTitleOf(p, r, lr.Person), TimeText(lr.NRM.ReferredAt)))
		}
		seal := seals.text(p, seals.Amendments[a.ID])
		s.Items = append(s.Items, Item{
			Label: p.T("history.head", TimeText(a.At), a.Author.String()),
			Value: strings.Join(lines, "\n"),
			Badge: StateText(p, a.State), BadgeState: a.State, IsState: true,
			Note: seal.Text, NoteKind: seal.Kind,
		})
	}
	return s
}

// ChangeText says in words what one change of amendment a did to r.
func ChangeText(p *i18n.Printer, pack *content.Pack, r encounter.Record, a encounter.Amendment, c encounter.Change) string {
	name := FieldLabel(p, pack, r, c.Field)
	from, to := FieldValue(p, pack, c.Field, c.From), FieldValue(p, pack, c.Field, c.To)
	switch {
	case c.Field == encounter.FieldAddendum:
		return p.T("history.added", name, to)
	case from == "":
		return p.T("history.set", name, to)
	case to == "":
		return p.T("history.cleared", name, from)
	}
	return p.T("history.changed", name, from, to)
}
