package assess

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/screening"
)

// ChildSafetyNet is the rule ID of the reason Assess adds when a child
// meets no rule of the pack that refers them to the NRM. Parse refuses
// such a pack, so it shows only if a pack was built some other way.
const ChildSafetyNet = "engine.child_referral"

// fallbackReferral is the action the safety net names when the pack has
// no live action of kind nrm_referral at all.
const fallbackReferral = "act.nrm.referral"

var safetyNetReason = content.Text{
	"en": "A child (under 18, or age in doubt) is always referred to the NRM.",
	"cy": "Caiff plentyn (dan 18, neu oed yn ansicr) ei atgyfeirio at yr NRM bob amser.",
}

// Input is what the officer recorded on one visit.
type Input struct {
	// Business is the premises' business type (an encounter.Business).
	Business string
	// Premises holds the indicators observed about the place.
	Premises []string
	// People are the persons screened. IDs should be unique; entries that
	// share an ID are taken as one person.
	People []Person
}

// Person is one person screened.
type Person struct {
	ID string
	// Indicators are the indicators the officer ticked for them.
	Indicators []string
	// Answers maps question IDs to the choice IDs answered; the
	// indicators they imply are added to Indicators.
	Answers map[string]string
	// Screening are the person's own answers to the screening questions;
	// the latest answer to each question counts, and the indicators it
	// implies (by the pack's screening set) are added to Indicators.
	Screening []encounter.ScreeningAnswer
	// AgeYears is their approximate age; 0 means not known.
	AgeYears int
	// AgeInDoubt is ticked when they might be under 18.
	AgeInDoubt bool
}

// InputOf returns the assessment input for a record: its business, the
// premises-level indicators, and each person's indicators, answers,
// screening answers and age.
func InputOf(r encounter.Record) Input {
	in := Input{Business: string(r.Premises.Business), Premises: r.Indicators}
	for _, ps := range r.People {
		in.People = append(in.People, Person{
			ID: ps.ID.String(), Indicators: ps.Indicators, Answers: ps.Answers,
			Screening: ps.Screening, AgeYears: ps.AgeYears, AgeInDoubt: ps.AgeInDoubt,
		})
	}
	return in
}

// Result is an assessment: its level, why, and what to do next.
type Result struct {
	Level content.Level `json:"level"`
	// Reasons lists every rule that fired, highest level first, then in
	// pack order, then by person.
	Reasons []Reason `json:"reasons"`
	// Actions is the checklist: the actions every fired rule calls for
	// and those the pack lists for the result's level, in pack order,
	// each once.
	Actions []string `json:"actions"`
	// Exploitation lists the exploitation types the indicators seen
	// point to, in pack order: a starting point for the NRM form.
	Exploitation []string `json:"exploitation,omitempty"`
	// Ignored lists indicator IDs and answers ("q.pay=cash") the pack
	// does not know, as from a newer pack; they did not count.
	Ignored []string `json:"ignored,omitempty"`
	// Pack and PackVersion name the pack the assessment was made under.
	Pack        string `json:"pack"`
	PackVersion int    `json:"pack_version"`
}

// Reason is one rule that fired, in plain words.
type Reason struct {
	Rule  string        `json:"rule"`
	Level content.Level `json:"level"`
	// Text is the rule's reason in every language the pack gives.
	Text content.Text `json:"text"`
	// Indicators are the indicators that made the rule fire, in pack order.
	Indicators []string `json:"indicators,omitempty"`
	// Questions are the officer's questions whose answers implied any of
	// them.
	Questions []string `json:"questions,omitempty"`
	// Evidence is what the rule rests on, item by item, for the words an
	// officer reads: each indicator as seen or answered, and the age
	// facts of the child rule.
	Evidence []Evidence `json:"evidence,omitempty"`
	// Person is the person the rule fired for; "" for a premises rule,
	// or a person rule tested with nobody screened.
	Person  string   `json:"person,omitempty"`
	Actions []string `json:"actions,omitempty"`
}

// How an item of evidence was recorded.
const (
	// BySeen: the officer ticked the indicator.
	BySeen = "seen"
	// ByOfficer: the officer's answer to one of their questions.
	ByOfficer = "officer"
	// ByPerson: the person's own answer to a screening question.
	ByPerson = "person"
	// ByAge: the officer's estimate of their age (Choice holds it).
	ByAge = "age"
	// ByAgeInDoubt: the officer's "could they be under 18?" tick.
	ByAgeInDoubt = "age_in_doubt"
)

// Evidence is one thing a reason rests on.
type Evidence struct {
	By        string `json:"by"`
	Indicator string `json:"indicator,omitempty"`
	// Question and Choice are the answer, for ByOfficer and ByPerson.
	Question string `json:"question,omitempty"`
	Choice   string `json:"choice,omitempty"`
}

// key identifies a reason across two assessments.
func (r Reason) key() string { return r.Rule + "\x00" + r.Person }

// person is a Person with its facts worked out.
type person struct {
	id         string
	facts      content.Facts
	fromAnswer map[string][]content.Answer // indicator to the officer's answers implying it
	fromPerson map[string][]content.Answer // indicator to the screening answers implying it
	ticked     map[string]bool             // indicators the officer ticked for them
	child      encounter.ChildBasis
	age        int
}

// Assess applies the pack's rules to what was recorded. The same input
// always gives the same result, whatever the order of its lists. A child
// always gets an NRM referral on the checklist, even from a pack that
// forgot one.
func Assess(p *content.Pack, in Input) Result {
	res := Result{Pack: p.ID, PackVersion: p.Version}
	ignored := map[string]bool{}
	premises := known(p, in.Premises, ignored)
	people := gather(p, in, premises, ignored)

	visit := content.Facts{Indicators: map[string]bool{}, Business: in.Business}
	merge(visit.Indicators, premises)
	for _, per := range people {
		merge(visit.Indicators, per.facts.Indicators)
	}
	whole := visitOf(people, visit)
	subjects := people
	if len(subjects) == 0 {
		// With nobody screened, person rules still see what was observed:
		// documents and locks noticed on a walk-through are enough.
		subjects = []person{{facts: content.Facts{Indicators: premises, Business: in.Business}}}
	}
	for _, r := range p.Rules {
		if r.Retired {
			continue
		}
		if r.Scope == content.ForPremises {
			res.fire(p, r, visit, whole)
			continue
		}
		for _, per := range subjects {
			res.fire(p, r, per.facts, per)
		}
	}
	for _, per := range people {
		if per.facts.Child && !res.referred(p, per.id) {
			res.Reasons = append(res.Reasons, Reason{
				Rule: ChildSafetyNet, Level: content.Red, Text: safetyNetReason,
				Person: per.id, Actions: []string{referralAction(p)},
			})
		}
	}
	res.Level = content.Green
	for _, r := range res.Reasons {
		res.Level = max(res.Level, r.Level)
	}
	res.sortReasons(p)
	res.Actions = checklist(p, res.Level, res.Reasons)
	res.Exploitation = exploitation(p, visit.Indicators, in.Business, res.Level)
	for id := range ignored {
		res.Ignored = append(res.Ignored, id)
	}
	slices.Sort(res.Ignored)
	return res
}

// fire adds a reason if rule r holds for facts f.
func (res *Result) fire(p *content.Pack, r content.Rule, f content.Facts, per person) {
	ok, trig := p.Match(&r.When, f)
	if !ok {
		return
	}
	var ev []Evidence
	if usesChild(&r.When) && per.child != encounter.NotChild {
		ev = append(ev, per.childEvidence()...)
		for _, id := range encounter.ChildIndicators {
			if f.Indicators[id] && !slices.Contains(trig, id) {
				trig = append(trig, id)
			}
		}
		p.SortByOrder(trig)
	}
	var qs []string
	for _, id := range trig {
		for _, a := range per.fromAnswer[id] {
			if !slices.Contains(qs, a.Question) {
				qs = append(qs, a.Question)
			}
		}
	}
	p.SortByOrder(qs)
	ev = append(ev, per.evidence(trig, p.AnswersIn(&r.When, f))...)
	var acts []string // nil, not empty, when there are none: a record's JSON omits them
	if len(r.Actions) > 0 {
		acts = slices.Clone(r.Actions)
	}
	res.Reasons = append(res.Reasons, Reason{
		Rule: r.ID, Level: r.Level, Text: r.Reason, Indicators: trig,
		Questions: qs, Evidence: ev, Person: per.id, Actions: acts,
	})
}

// visitOf is the visit as a whole, for premises rules: everyone's
// indicators with how each was recorded, and no person.
func visitOf(people []person, facts content.Facts) person {
	v := person{facts: facts, fromAnswer: map[string][]content.Answer{}, fromPerson: map[string][]content.Answer{}, ticked: map[string]bool{}}
	for _, per := range people {
		for id, as := range per.fromAnswer {
			v.fromAnswer[id] = appendNew(v.fromAnswer[id], as...)
		}
		for id, as := range per.fromPerson {
			v.fromPerson[id] = appendNew(v.fromPerson[id], as...)
		}
		merge(v.ticked, per.ticked)
	}
	return v
}

// appendNew appends the items of add that list does not hold yet.
func appendNew[T comparable](list []T, add ...T) []T {
	for _, x := range add {
		if !slices.Contains(list, x) {
			list = append(list, x)
		}
	}
	return list
}

// usesChild reports whether c tests the child rule, outside a "not".
func usesChild(c *content.Cond) bool {
	switch {
	case c.Child != nil:
		return *c.Child
	case c.All != nil:
		return slices.ContainsFunc(c.All, func(x content.Cond) bool { return usesChild(&x) })
	case c.Any != nil:
		return slices.ContainsFunc(c.Any, func(x content.Cond) bool { return usesChild(&x) })
	case c.AtLeast != nil:
		return slices.ContainsFunc(c.AtLeast.Of, func(x content.Cond) bool { return usesChild(&x) })
	}
	return false
}

// childEvidence is why the person is a child, when the officer's own
// entries say so; what they said is evidence of the indicators.
func (per person) childEvidence() []Evidence {
	switch per.child {
	case encounter.ByAge:
		return []Evidence{{By: ByAge, Choice: strconv.Itoa(per.age)}}
	case encounter.ByDoubt:
		return []Evidence{{By: ByAgeInDoubt}}
	}
	return nil
}

// evidence says how each indicator, and each answer a condition named,
// was recorded: the person's own answer first, then the officer's, then
// what the officer saw.
func (per person) evidence(indicators, answered []string) []Evidence {
	var out []Evidence
	add := func(e Evidence) {
		if !slices.ContainsFunc(out, func(o Evidence) bool {
			return o.By == e.By && o.Question == e.Question && (e.Question != "" || o.Indicator == e.Indicator)
		}) {
			out = append(out, e)
		}
	}
	for _, id := range indicators {
		switch {
		case len(per.fromPerson[id]) > 0:
			for _, a := range per.fromPerson[id] {
				add(Evidence{By: ByPerson, Indicator: id, Question: a.Question, Choice: a.Choice})
			}
		case len(per.fromAnswer[id]) > 0 && !per.ticked[id]:
			for _, a := range per.fromAnswer[id] {
				add(Evidence{By: ByOfficer, Indicator: id, Question: a.Question, Choice: a.Choice})
			}
		default:
			add(Evidence{By: BySeen, Indicator: id})
		}
	}
	for _, q := range answered {
		by := ByPerson
		if len(q) > 2 && q[:2] == "q." {
			by = ByOfficer
		}
		add(Evidence{By: by, Question: q, Choice: per.facts.Answers[q]})
	}
	return out
}

// referred reports whether a reason for the person already calls for an
// NRM referral.
func (res *Result) referred(p *content.Pack, id string) bool {
	for _, r := range res.Reasons {
		if r.Person == id && p.HasKind(r.Actions, content.KindNRMReferral) {
			return true
		}
	}
	return false
}

func referralAction(p *content.Pack) string {
	for _, a := range p.Actions {
		if a.Kind == content.KindNRMReferral && !a.Retired {
			return a.ID
		}
	}
	return fallbackReferral
}

// sortReasons puts the highest level first, then pack order, then person.
// The safety net, which is no rule of the pack, leads its level.
func (res *Result) sortReasons(p *content.Pack) {
	slices.SortStableFunc(res.Reasons, func(a, b Reason) int {
		return cmp.Or(
			cmp.Compare(b.Level, a.Level),
			cmp.Compare(p.Order(a.Rule), p.Order(b.Rule)),
			cmp.Compare(a.Person, b.Person),
		)
	})
}

// checklist returns the actions of the fired reasons and of the level, in
// pack order, each once. Actions the pack does not know (only the safety
// net's fallback) come first: they are the most urgent.
func checklist(p *content.Pack, level content.Level, reasons []Reason) []string {
	set := map[string]bool{}
	for _, r := range reasons {
		for _, id := range r.Actions {
			set[id] = true
		}
	}
	for _, a := range p.Actions {
		if !a.Retired && slices.Contains(a.Levels, level) {
			set[a.ID] = true
		}
	}
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		return cmp.Or(cmp.Compare(p.Order(a), p.Order(b)), cmp.Compare(a, b))
	})
	return ids
}

// exploitation returns the exploitation types the indicators seen point
// to and, at Amber or Red, those the premises itself points to, in pack
// order.
func exploitation(p *content.Pack, seen map[string]bool, business string, level content.Level) []string {
	var premises []string
	if b, ok := p.Business(business); ok && level >= content.Amber {
		premises = b.Exploitation
	}
	var out []string
	for _, x := range p.Exploitation {
		if x.Retired {
			continue
		}
		found := slices.Contains(premises, x.ID)
		for id := range seen {
			if ind, ok := p.Indicator(id); ok && slices.Contains(ind.Exploitation, x.ID) {
				found = true
				break
			}
		}
		if found {
			out = append(out, x.ID)
		}
	}
	return out
}

// gather works out each person's facts, merging entries that share an ID,
// and returns them ordered by ID.
func gather(p *content.Pack, in Input, premises map[string]bool, ignored map[string]bool) []person {
	type entry struct {
		per       *person
		signs     encounter.AgeSigns
		screening []encounter.ScreeningAnswer
	}
	byID := map[string]*entry{}
	var order []string
	for _, ip := range in.People {
		e := byID[ip.ID]
		if e == nil {
			e = &entry{per: &person{
				id:         ip.ID,
				facts:      content.Facts{Indicators: map[string]bool{}, Business: in.Business, Answers: map[string]string{}},
				fromAnswer: map[string][]content.Answer{},
				fromPerson: map[string][]content.Answer{},
				ticked:     map[string]bool{},
			}}
			merge(e.per.facts.Indicators, premises)
			byID[ip.ID] = e
			order = append(order, ip.ID)
		}
		per := e.per
		if ip.AgeYears > 0 && (e.signs.Years == 0 || ip.AgeYears < e.signs.Years) {
			e.signs.Years = ip.AgeYears
		}
		e.signs.InDoubt = e.signs.InDoubt || ip.AgeInDoubt
		for id := range known(p, ip.Indicators, ignored) {
			per.facts.Indicators[id] = true
			per.ticked[id] = true
		}
		for _, q := range sortedKeys(ip.Answers) {
			ids, ok := implied(p, q, ip.Answers[q])
			if !ok {
				ignored[q+"="+ip.Answers[q]] = true
			}
			per.facts.Answers[q] = ip.Answers[q]
			for _, id := range ids {
				per.facts.Indicators[id] = true
				per.fromAnswer[id] = append(per.fromAnswer[id], content.Answer{Question: q, Choice: ip.Answers[q]})
			}
		}
		e.screening = append(e.screening, ip.Screening...)
	}
	out := make([]person, 0, len(byID))
	for _, id := range order {
		e := byID[id]
		per := e.per
		for _, a := range latest(e.screening) {
			if a.Choice == "" {
				continue // free text implies nothing
			}
			per.facts.Answers[a.Question] = a.Choice
			if p.Screening == nil {
				continue
			}
			ids := p.Screening.Indicators(screening.Answer{Question: a.Question, Choice: a.Choice})
			for _, ind := range ids {
				if _, ok := p.Indicator(ind); !ok {
					ignored[ind] = true
					continue
				}
				per.facts.Indicators[ind] = true
				per.fromPerson[ind] = append(per.fromPerson[ind], content.Answer{Question: a.Question, Choice: a.Choice})
			}
		}
		// The one child rule: age, the age-in-doubt tick, and what they
		// said, to the officer or in the screening questions.
		e.signs.Screening = e.screening
		for ind := range per.facts.Indicators {
			e.signs.Indicators = append(e.signs.Indicators, ind)
		}
		per.child = encounter.Child(e.signs)
		per.age = e.signs.Years
		per.facts.Child = per.child != encounter.NotChild
		out = append(out, *per)
	}
	slices.SortFunc(out, func(a, b person) int { return cmp.Compare(a.id, b.id) })
	return out
}

// latest returns the latest answer to each screening question, ordered
// by question.
func latest(as []encounter.ScreeningAnswer) []encounter.ScreeningAnswer {
	by := map[string]encounter.ScreeningAnswer{}
	for _, a := range as {
		if old, ok := by[a.Question]; !ok || !a.At.Before(old.At) {
			by[a.Question] = a
		}
	}
	out := make([]encounter.ScreeningAnswer, 0, len(by))
	for _, q := range sortedKeys(by) {
		out = append(out, by[q])
	}
	return out
}

// known returns the IDs the pack knows as a set, and adds the others to
// ignored.
func known(p *content.Pack, ids []string, ignored map[string]bool) map[string]bool {
	set := map[string]bool{}
	for _, id := range ids {
		if _, ok := p.Indicator(id); ok {
			set[id] = true
		} else {
			ignored[id] = true
		}
	}
	return set
}

func merge(dst, src map[string]bool) {
	for k := range src {
		dst[k] = true
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
