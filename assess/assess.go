package assess

import (
	"cmp"
	"slices"

	"github.com/waymark-app/waymark/content"
)

// AdultAge is the age at which a person stops being a child. It is law,
// not content: a pack cannot change it.
const AdultAge = 18

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
	// AgeYears is their approximate age; 0 means not known.
	AgeYears int
	// AgeInDoubt is ticked when they might be under 18.
	AgeInDoubt bool
}

// Child reports whether the person is treated as a child: under 18, or
// age in doubt.
func (p Person) Child() bool {
	return p.AgeInDoubt || (p.AgeYears > 0 && p.AgeYears < AdultAge)
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
	// Questions are the questions whose answers implied any of them.
	Questions []string `json:"questions,omitempty"`
	// Person is the person the rule fired for; "" for a premises rule,
	// or a person rule tested with nobody screened.
	Person  string   `json:"person,omitempty"`
	Actions []string `json:"actions,omitempty"`
}

// key identifies a reason across two assessments.
func (r Reason) key() string { return r.Rule + "\x00" + r.Person }

// person is a Person with its facts worked out.
type person struct {
	id         string
	facts      content.Facts
	fromAnswer map[string][]string // indicator to the questions implying it
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
			res.fire(p, r, visit, person{})
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
	res.Exploitation = exploitation(p, visit.Indicators)
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
	var qs []string
	for _, id := range trig {
		for _, q := range per.fromAnswer[id] {
			if !slices.Contains(qs, q) {
				qs = append(qs, q)
			}
		}
	}
	p.SortByOrder(qs)
	var acts []string // nil, not empty, when there are none: a record's JSON omits them
	if len(r.Actions) > 0 {
		acts = slices.Clone(r.Actions)
	}
	res.Reasons = append(res.Reasons, Reason{
		Rule: r.ID, Level: r.Level, Text: r.Reason, Indicators: trig,
		Questions: qs, Person: per.id, Actions: acts,
	})
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

func exploitation(p *content.Pack, seen map[string]bool) []string {
	var out []string
	for _, x := range p.Exploitation {
		for id := range seen {
			if ind, ok := p.Indicator(id); ok && slices.Contains(ind.Exploitation, x.ID) {
				out = append(out, x.ID)
				break
			}
		}
	}
	return out
}

// gather works out each person's facts, merging entries that share an ID,
// and returns them ordered by ID.
func gather(p *content.Pack, in Input, premises map[string]bool, ignored map[string]bool) []person {
	byID := map[string]*person{}
	for _, ip := range in.People {
		per := byID[ip.ID]
		if per == nil {
			per = &person{
				id:         ip.ID,
				facts:      content.Facts{Indicators: map[string]bool{}, Business: in.Business},
				fromAnswer: map[string][]string{},
			}
			merge(per.facts.Indicators, premises)
			byID[ip.ID] = per
		}
		per.facts.Child = per.facts.Child || ip.Child()
		merge(per.facts.Indicators, known(p, ip.Indicators, ignored))
		for _, q := range sortedKeys(ip.Answers) {
			ids, ok := implied(p, q, ip.Answers[q])
			if !ok {
				ignored[q+"="+ip.Answers[q]] = true
			}
			for _, id := range ids {
				per.facts.Indicators[id] = true
				per.fromAnswer[id] = append(per.fromAnswer[id], q)
			}
		}
	}
	out := make([]person, 0, len(byID))
	for _, per := range byID {
		// What a person says of their age weighs as much as the
		// officer's estimate: a child indicator makes them a child.
		for id := range per.facts.Indicators {
			if ind, ok := p.Indicator(id); ok && ind.Child && !per.facts.Child {
				per.facts.Child = true
			}
		}
		out = append(out, *per)
	}
	slices.SortFunc(out, func(a, b person) int { return cmp.Compare(a.id, b.id) })
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

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
