package content

import (
	"cmp"
	"slices"
)

// Cond is a rule's condition, written in a pack as a JSON object with
// exactly one key:
//
//	{"indicator": "ind.control.documents_withheld"}  that indicator was seen
//	{"theme": "theme.control"}          at least one indicator of the theme
//	{"exploitation": "exp.labour"}      at least one indicator pointing to it
//	{"count": {"min": 2, "theme": "...", "exploitation": "..."}}
//	                                    at least min indicators, of the theme
//	                                    and exploitation type if given
//	{"child": true}                     the person is a child (person rules)
//	{"business": "cannabis_grow"}       the premises is of that type
//	{"answer": {"question": "q.return_home", "choice": "yes"}}
//	                                    the person gave that answer to an
//	                                    officer's or a screening question
//	{"all": [cond, ...]}                every condition holds
//	{"any": [cond, ...]}                at least one holds
//	{"at_least": {"n": 2, "of": [cond, ...]}}  at least n hold
//	{"not": cond}                       the condition does not hold
type Cond struct {
	Indicator    string   `json:"indicator,omitempty"`
	Theme        string   `json:"theme,omitempty"`
	Exploitation string   `json:"exploitation,omitempty"`
	Count        *Count   `json:"count,omitempty"`
	Child        *bool    `json:"child,omitempty"`
	Business     string   `json:"business,omitempty"`
	Answer       *Answer  `json:"answer,omitempty"`
	All          []Cond   `json:"all,omitempty"`
	Any          []Cond   `json:"any,omitempty"`
	AtLeast      *AtLeast `json:"at_least,omitempty"`
	Not          *Cond    `json:"not,omitempty"`
}

// Count holds when at least Min indicators were seen, of Theme and
// Exploitation type when they are given.
type Count struct {
	Min          int    `json:"min"`
	Theme        string `json:"theme,omitempty"`
	Exploitation string `json:"exploitation,omitempty"`
}

// Answer holds when the person's latest answer to Question (an officer's
// question, "q.…", or a screening question) is Choice. It names no
// indicator: an answer that is no sign of exploitation (wanting to go
// home) can still call for an action.
type Answer struct {
	Question string `json:"question"`
	Choice   string `json:"choice"`
}

// AtLeast holds when at least N of its conditions hold.
type AtLeast struct {
	N  int    `json:"n"`
	Of []Cond `json:"of"`
}

// keys returns the names of the keys set in c; a well-formed condition
// has exactly one.
func (c *Cond) keys() []string {
	var ks []string
	add := func(set bool, name string) {
		if set {
			ks = append(ks, name)
		}
	}
	add(c.Indicator != "", "indicator")
	add(c.Theme != "", "theme")
	add(c.Exploitation != "", "exploitation")
	add(c.Count != nil, "count")
	add(c.Child != nil, "child")
	add(c.Business != "", "business")
	add(c.Answer != nil, "answer")
	add(c.All != nil, "all")
	add(c.Any != nil, "any")
	add(c.AtLeast != nil, "at_least")
	add(c.Not != nil, "not")
	return ks
}

// Facts are what a condition is tested against: for a person, their
// indicators and the premises-level ones; for the premises, everything
// seen on the visit.
type Facts struct {
	// Indicators holds the IDs seen. IDs the pack does not know are
	// ignored.
	Indicators map[string]bool
	// Child is whether the person is a child: under 18, or age in doubt.
	Child bool
	// Business is the premises' business type.
	Business string
	// Answers are the person's latest answers, by question ID: the
	// officer's questions and the screening questions alike.
	Answers map[string]string
}

// Match reports whether c holds for f and, when it does, the indicators
// that made it hold, in pack order. A "not" contributes no indicators:
// the absence of something is not evidence of it.
func (p *Pack) Match(c *Cond, f Facts) (bool, []string) {
	seen := map[string]bool{}
	if !p.match(c, f, seen) {
		return false, nil
	}
	var ids []string // nil when nothing was seen, as for "child"
	for id := range seen {
		ids = append(ids, id)
	}
	p.SortByOrder(ids)
	return true, ids
}

// match evaluates c, adding to trig the indicators of every part that
// holds. Parts that do not hold add nothing, since every combinator
// evaluates into a scratch set first.
func (p *Pack) match(c *Cond, f Facts, trig map[string]bool) bool {
	switch {
	case c.Indicator != "":
		if f.Indicators[c.Indicator] && p.known(c.Indicator) {
			trig[c.Indicator] = true
			return true
		}
		return false
	case c.Theme != "":
		return p.count(f, 1, c.Theme, "", trig)
	case c.Exploitation != "":
		return p.count(f, 1, "", c.Exploitation, trig)
	case c.Count != nil:
		return p.count(f, c.Count.Min, c.Count.Theme, c.Count.Exploitation, trig)
	case c.Child != nil:
		return f.Child == *c.Child
	case c.Business != "":
		return f.Business == c.Business
	case c.Answer != nil:
		return f.Answers[c.Answer.Question] == c.Answer.Choice
	case c.All != nil:
		sub := map[string]bool{}
		for i := range c.All {
			if !p.match(&c.All[i], f, sub) {
				return false
			}
		}
		merge(trig, sub)
		return len(c.All) > 0
	case c.Any != nil:
		return p.atLeast(1, c.Any, f, trig)
	case c.AtLeast != nil:
		return p.atLeast(c.AtLeast.N, c.AtLeast.Of, f, trig)
	case c.Not != nil:
		return !p.match(c.Not, f, map[string]bool{})
	}
	return false
}

func (p *Pack) atLeast(n int, of []Cond, f Facts, trig map[string]bool) bool {
	sub := map[string]bool{}
	held := 0
	for i := range of {
		one := map[string]bool{}
		if p.match(&of[i], f, one) {
			held++
			merge(sub, one)
		}
	}
	if held < n || held == 0 {
		return false
	}
	merge(trig, sub)
	return true
}

// count holds when at least min known indicators of the theme and
// exploitation type (either may be "" for any) were seen.
func (p *Pack) count(f Facts, min int, theme, exp string, trig map[string]bool) bool {
	var hits []string
	for id := range f.Indicators {
		if !f.Indicators[id] {
			continue
		}
		ind, ok := p.Indicator(id)
		if !ok || (theme != "" && ind.Theme != theme) || (exp != "" && !slices.Contains(ind.Exploitation, exp)) {
			continue
		}
		hits = append(hits, id)
	}
	if len(hits) < min || len(hits) == 0 {
		return false
	}
	for _, id := range hits {
		trig[id] = true
	}
	return true
}

func (p *Pack) known(id string) bool {
	_, ok := p.Indicator(id)
	return ok
}

// SortByOrder sorts IDs into pack order (see Order); IDs the pack does
// not know go last, in lexical order.
func (p *Pack) SortByOrder(ids []string) {
	slices.SortFunc(ids, func(a, b string) int {
		oa, ob := p.Order(a), p.Order(b)
		if (oa < 0) != (ob < 0) {
			return cmp.Compare(ob, oa) // the known one (>= 0) first
		}
		return cmp.Or(cmp.Compare(oa, ob), cmp.Compare(a, b))
	})
}

// AnswersIn returns the questions of c's answer conditions that hold for
// f, outside any "not", in pack order: with the indicators Match returns,
// what a rule rests on.
func (p *Pack) AnswersIn(c *Cond, f Facts) []string {
	var qs []string
	var walk func(c *Cond)
	walk = func(c *Cond) {
		switch {
		case c.Answer != nil:
			if p.match(c, f, map[string]bool{}) && !slices.Contains(qs, c.Answer.Question) {
				qs = append(qs, c.Answer.Question)
			}
		case c.All != nil:
			for i := range c.All {
				walk(&c.All[i])
			}
		case c.Any != nil:
			for i := range c.Any {
				walk(&c.Any[i])
			}
		case c.AtLeast != nil:
			for i := range c.AtLeast.Of {
				walk(&c.AtLeast.Of[i])
			}
		}
	}
	walk(c)
	p.SortByOrder(qs)
	return qs
}

func merge(dst, src map[string]bool) {
	for k := range src {
		dst[k] = true
	}
}
