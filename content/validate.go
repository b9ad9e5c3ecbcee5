package content

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/waymark-app/waymark/encounter"
)

var (
	packIDPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)*$`)
	idPattern     = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$`)
	choicePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	langPattern   = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
)

// The prefix every item's ID starts with, by kind. Business IDs have none:
// they are the values encounter.Business stores.
const (
	prefixExploitation   = "exp."
	prefixTheme          = "theme."
	prefixIndicator      = "ind."
	prefixQuestion       = "q."
	prefixRule           = "rule."
	prefixAction         = "act."
	prefixSimplification = "simp."
)

// validator checks a pack that parseFiles has put together, adding a
// Problem for everything wrong and carrying on, so that an analyst sees
// every mistake in one go.
type validator struct {
	p       *Pack
	ps      *problems
	answers answerLabels
	langs   map[string]bool
	owner   map[string]string // every ID seen, to the file declaring it
}

// ref is a kind of item that other items refer to by ID.
type ref struct {
	name string
	find func(p *Pack, id string) (retired, ok bool)
}

var (
	refIndicator = ref{"indicator", func(p *Pack, id string) (bool, bool) {
		x, ok := p.Indicator(id)
		return x.Retired, ok
	}}
	refTheme = ref{"theme", func(p *Pack, id string) (bool, bool) {
		x, ok := p.Theme(id)
		return x.Retired, ok
	}}
	refExploitation = ref{"exploitation type", func(p *Pack, id string) (bool, bool) {
		x, ok := p.ExploitationType(id)
		return x.Retired, ok
	}}
	refAction = ref{"action", func(p *Pack, id string) (bool, bool) {
		x, ok := p.Action(id)
		return x.Retired, ok
	}}
	refBusiness = ref{"business type", func(p *Pack, id string) (bool, bool) {
		_, ok := p.Business(id)
		return false, ok
	}}
	refAny = ref{"item", func(p *Pack, id string) (bool, bool) {
		return false, p.Order(id) >= 0
	}}
)

func (v *validator) run(meta packFile, rules []ruleJSON, actions []actionJSON) {
	v.owner = map[string]string{}
	v.meta(meta)
	v.p.eachText(v.text)
	v.exploitation()
	v.themes()
	v.indicators()
	v.businesses()
	v.questions()
	v.actions(actions)
	v.rules(rules)
	v.simplifications()
	v.levels()
	v.childReferral()
	v.childIndicators()
}

// childIndicators checks that the pack agrees with the one child rule
// (encounter.Child): exactly the indicators it names are marked "child",
// about a person; no officer's question implies one (the age prompt asks
// about age); and the screening answers imply one only as
// encounter.ChildAnswer says. Then the engine, Record.Check and the
// referral step cannot disagree about who is a child.
func (v *validator) childIndicators() {
	for _, id := range encounter.ChildIndicators {
		ind, ok := v.p.Indicator(id)
		switch {
		case !ok:
			v.add(fileIndicators, id, "", "missing: the child rule needs this indicator")
		case !ind.Child:
			v.add(fileIndicators, id, "child", "the child rule treats this as a child: give it \"child\": true")
		}
	}
	for _, ind := range v.p.Indicators {
		if ind.Child && !slices.Contains(encounter.ChildIndicators, ind.ID) {
			v.add(fileIndicators, ind.ID, "child", "only %s can mark a child: the child rule is not content", strings.Join(encounter.ChildIndicators, " and "))
		}
		if ind.Child && ind.Scope != ScopePerson {
			v.add(fileIndicators, ind.ID, "child", "only an indicator about a person can make them a child: give it \"scope\": \"person\"")
		}
	}
	for _, q := range v.p.Questions {
		choices := append([]Choice{{ID: ChoiceYes, Implies: q.Yes}, {ID: ChoiceNo, Implies: q.No}}, q.Choices...)
		for _, c := range choices {
			for _, id := range c.Implies {
				if slices.Contains(encounter.ChildIndicators, id) {
					v.add(fileQuestions, q.ID, "choices", "answer %q implies %s: an officer's question may not decide who is a child; the age prompt does", c.ID, id)
				}
			}
		}
	}
	if v.p.Screening == nil {
		return
	}
	for _, q := range v.p.Screening.Questions {
		for _, c := range q.Choices() {
			var got []string
			for _, id := range q.Indicators[c] {
				if slices.Contains(encounter.ChildIndicators, id) {
					got = append(got, id)
				}
			}
			var want []string
			if q.ID == encounter.AgeQuestion {
				if id := encounter.ChildAnswer(c); id != "" {
					want = []string{id}
				}
			}
			if !slices.Equal(got, want) {
				v.add(path.Join(screeningDir, "questions.json"), q.ID, "indicators",
					"answer %q implies %v of the child indicators, but the child rule says %v", c, got, want)
			}
		}
	}
}

func (v *validator) add(file, item, field, format string, args ...any) {
	v.ps.add(file, item, field, format, args...)
}

func (v *validator) meta(m packFile) {
	const f = filePack
	switch {
	case m.Format == 0:
		v.add(f, "", "format", `missing: write "format": %d`, Format)
	case m.Format < 0:
		v.add(f, "", "format", "%d is not a format", m.Format)
	}
	if !packIDPattern.MatchString(m.ID) {
		v.add(f, "", "id", "%q is not a pack ID: use lowercase words joined by dots, such as \"waymark.default\"", m.ID)
	}
	if m.Version < 1 {
		v.add(f, "", "version", "must be a whole number from 1 up, raised with every published change")
	}
	if m.Published == "" {
		v.add(f, "", "published", "missing: write the publication day as YYYY-MM-DD")
	}
	v.languages(m.Languages)
}

func (v *validator) languages(ls []Language) {
	const f = filePack
	v.langs = map[string]bool{}
	sources := 0
	for i, l := range ls {
		field := fmt.Sprintf("languages[%d]", i)
		if !langPattern.MatchString(l.Tag) {
			v.add(f, "", field, "%q is not a language tag such as \"en\" or \"cy\"", l.Tag)
			continue
		}
		if v.langs[l.Tag] {
			v.add(f, "", field, "language %s is listed twice", l.Tag)
		}
		v.langs[l.Tag] = true
		switch l.Status {
		case ReviewSource:
			sources++
			if l.Tag != Source {
				v.add(f, "", field, "only English (%q) can be the source language", Source)
			}
		case ReviewDraft:
			if l.ReviewedBy != "" || l.ReviewedAt != "" {
				v.add(f, "", field, "%s is a draft but names a reviewer: set \"status\": \"reviewed\", or clear reviewed_by and reviewed_at", l.Tag)
			}
		case ReviewReviewed:
			if strings.TrimSpace(l.ReviewedBy) == "" || l.ReviewedAt == "" {
				v.add(f, "", field, "%s is reviewed: say who reviewed it (reviewed_by) and when (reviewed_at)", l.Tag)
			}
		default:
			v.add(f, "", field, "status %q is not one of source, draft, reviewed", l.Status)
		}
		if l.ReviewedAt != "" {
			if _, err := time.Parse(time.DateOnly, l.ReviewedAt); err != nil {
				v.add(f, "", field, "reviewed_at %q is not a date: write it as YYYY-MM-DD", l.ReviewedAt)
			}
		}
	}
	if !v.langs[Source] || sources != 1 {
		v.add(f, "", "languages", "must list English (%q) once, with status \"source\"", Source)
	}
}

// text checks one officer-facing text. An optional text may be absent
// but, when given, needs English like any other.
func (v *validator) text(file, item, field string, t Text, required bool) {
	if t == nil {
		if required {
			v.add(file, item, field, "missing: give the text in English (%q) at least", Source)
		}
		return
	}
	if strings.TrimSpace(t[Source]) == "" {
		v.add(file, item, field, "no English text (%q)", Source)
	}
	for _, lang := range sortedKeys(t) {
		switch {
		case !v.langs[lang]:
			v.add(file, item, field, "language %q is not listed in pack.json languages", lang)
		case strings.TrimSpace(t[lang]) == "" && lang != Source:
			v.add(file, item, field, "the %s text is empty: give it, or leave the language out to fall back to English", lang)
		}
	}
}

// id checks an item's ID: its form, its prefix, and that no other item
// in the pack has it. It returns the item's location for later problems:
// its ID, or its place in the list when it has none.
func (v *validator) id(file, list string, i int, id, prefix string) string {
	if id == "" {
		loc := itemLoc(list, i, id)
		v.add(file, loc, "id", "missing")
		return loc
	}
	if !idPattern.MatchString(id) || !strings.HasPrefix(id, prefix) {
		v.add(file, id, "id", "use lowercase letters, digits and _ in dotted parts, starting %q", prefix)
	}
	v.unique(file, id)
	return id
}

func (v *validator) unique(file, id string) {
	if first, dup := v.owner[id]; dup {
		v.add(file, id, "id", "duplicate ID (first used in %s): every ID in a pack must be unique", first)
		return
	}
	v.owner[id] = file
}

// ref checks a reference to another item. A live item must not refer to
// a retired one; a retired item may, since it is kept only for records.
func (v *validator) ref(file, item, field string, k ref, id string, holderRetired bool) {
	retired, ok := k.find(v.p, id)
	switch {
	case id == "":
		v.add(file, item, field, "empty %s ID", k.name)
	case !ok:
		v.add(file, item, field, "unknown %s %q", k.name, id)
	case retired && !holderRetired:
		v.add(file, item, field, "%s %q is retired: refer to a live one, or retire this item too", k.name, id)
	}
}

// refs checks a list of references, which must not repeat one.
func (v *validator) refs(file, item, field string, k ref, ids []string, holderRetired bool) {
	for i, id := range ids {
		v.ref(file, item, fmt.Sprintf("%s[%d]", field, i), k, id, holderRetired)
		if slices.Index(ids, id) < i {
			v.add(file, item, fmt.Sprintf("%s[%d]", field, i), "%s %q is listed twice", k.name, id)
		}
	}
}

func (v *validator) exploitation() {
	for i, x := range v.p.Exploitation {
		v.id(fileThemes, "exploitation", i, x.ID, prefixExploitation)
	}
}

func (v *validator) themes() {
	for i, x := range v.p.Themes {
		v.id(fileThemes, "themes", i, x.ID, prefixTheme)
	}
}

func (v *validator) indicators() {
	const f = fileIndicators
	for i, x := range v.p.Indicators {
		loc := v.id(f, "indicators", i, x.ID, prefixIndicator)
		v.ref(f, loc, "theme", refTheme, x.Theme, x.Retired)
		v.refs(f, loc, "exploitation", refExploitation, x.Exploitation, x.Retired)
		switch x.Scope {
		case ScopePremises, ScopePerson, ScopeBoth:
		default:
			v.add(f, loc, "scope", "%q is not one of premises, person, both", x.Scope)
		}
	}
}

func (v *validator) businesses() {
	const f = fileBusinesses
	for i, b := range v.p.Businesses {
		loc := itemLoc("businesses", i, b.ID)
		if b.ID == "" {
			v.add(f, loc, "id", "missing")
		} else if !encounter.Business(b.ID).Valid() {
			v.add(f, loc, "id", "unknown business type: the app offers only %s", businessList())
		}
		if b.ID != "" {
			v.unique(f, b.ID)
		}
		v.refs(f, loc, "indicators", refIndicator, b.Indicators, false)
		v.refs(f, loc, "exploitation", refExploitation, b.Exploitation, false)
	}
	for _, b := range encounter.Businesses {
		if _, ok := v.p.Business(string(b)); !ok {
			v.add(f, string(b), "", "business type missing: every type the app offers needs an entry")
		}
	}
}

func businessList() string {
	names := make([]string, len(encounter.Businesses))
	for i, b := range encounter.Businesses {
		names[i] = string(b)
	}
	return strings.Join(names, ", ")
}

func (v *validator) questions() {
	const f = fileQuestions
	v.text(f, "answers", "yes", v.answers.Yes, true)
	v.text(f, "answers", "no", v.answers.No, true)
	v.text(f, "answers", "not_known", v.answers.NotKnown, true)
	for i, q := range v.p.Questions {
		loc := v.id(f, "questions", i, q.ID, prefixQuestion)
		switch q.Kind {
		case YesNo:
			if q.Choices != nil {
				v.add(f, loc, "choices", "a yes_no question has no choices: list what each answer implies in \"yes\" and \"no\"")
			}
			v.refs(f, loc, "yes", refIndicator, q.Yes, q.Retired)
			v.refs(f, loc, "no", refIndicator, q.No, q.Retired)
		case OneChoice:
			if q.Yes != nil || q.No != nil {
				v.add(f, loc, "", "a choice question lists what each choice implies under \"choices\", not \"yes\" or \"no\"")
			}
			v.choices(loc, q)
		default:
			v.add(f, loc, "kind", "%q is not one of yes_no, choice", q.Kind)
		}
	}
}

func (v *validator) choices(loc string, q Question) {
	const f = fileQuestions
	if len(q.Choices) < 2 {
		v.add(f, loc, "choices", "a choice question needs at least two choices (\"not known\" is added for you)")
	}
	seen := map[string]bool{}
	for i, c := range q.Choices {
		field := fmt.Sprintf("choices[%d]", i)
		switch {
		case !choicePattern.MatchString(c.ID):
			v.add(f, loc, field+".id", "%q is not a choice ID: use lowercase letters, digits and _", c.ID)
		case seen[c.ID]:
			v.add(f, loc, field+".id", "choice %q is listed twice", c.ID)
		case c.ID == ChoiceNotKnown && len(c.Implies) > 0:
			v.add(f, loc, field+".implies", "\"not known\" cannot imply an indicator")
		}
		seen[c.ID] = true
		v.refs(f, loc, field+".implies", refIndicator, c.Implies, q.Retired)
	}
}

func (v *validator) actions(raw []actionJSON) {
	const f = fileActions
	for i, a := range v.p.Actions {
		loc := v.id(f, "actions", i, a.ID, prefixAction)
		if !slices.Contains(Kinds, a.Kind) {
			v.add(f, loc, "kind", "%q is not an action kind: use one of %s", a.Kind, kindList())
		}
		for j, name := range raw[i].Levels {
			field := fmt.Sprintf("levels[%d]", j)
			if a.Levels[j] == Unassessed {
				v.add(f, loc, field, "%q is not a level: use green, amber or red", name)
			} else if slices.Index(a.Levels, a.Levels[j]) < j {
				v.add(f, loc, field, "level %s is listed twice", name)
			}
		}
	}
}

func kindList() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func (v *validator) rules(raw []ruleJSON) {
	const f = fileRules
	for i, r := range v.p.Rules {
		loc := v.id(f, "rules", i, r.ID, prefixRule)
		if r.Level == Unassessed {
			v.add(f, loc, "level", "%q is not a level: use green, amber or red", raw[i].Level)
		}
		switch r.Scope {
		case ForPerson, ForPremises:
		default:
			v.add(f, loc, "scope", "%q is not one of person, premises", r.Scope)
		}
		v.cond(loc, "when", &r.When, r)
		v.refs(f, loc, "actions", refAction, r.Actions, r.Retired)
	}
}

// cond checks a condition and everything inside it.
func (v *validator) cond(item, field string, c *Cond, r Rule) {
	const f = fileRules
	keys := c.keys()
	if len(keys) != 1 {
		if len(keys) == 0 {
			v.add(f, item, field, "empty condition: give one of indicator, theme, exploitation, count, child, business, answer, all, any, at_least, not")
		} else {
			v.add(f, item, field, "a condition has exactly one key, this has %s: wrap them in \"all\" or \"any\"", strings.Join(keys, ", "))
		}
		return
	}
	field += "." + keys[0]
	switch {
	case c.Indicator != "":
		v.ref(f, item, field, refIndicator, c.Indicator, r.Retired)
	case c.Theme != "":
		v.ref(f, item, field, refTheme, c.Theme, r.Retired)
	case c.Exploitation != "":
		v.ref(f, item, field, refExploitation, c.Exploitation, r.Retired)
	case c.Count != nil:
		if c.Count.Min < 1 {
			v.add(f, item, field+".min", "must be 1 or more")
		}
		if c.Count.Theme != "" {
			v.ref(f, item, field+".theme", refTheme, c.Count.Theme, r.Retired)
		}
		if c.Count.Exploitation != "" {
			v.ref(f, item, field+".exploitation", refExploitation, c.Count.Exploitation, r.Retired)
		}
	case c.Child != nil:
		if r.Scope == ForPremises {
			v.add(f, item, field, "\"child\" is about one person: use it in a rule with \"scope\": \"person\"")
		}
	case c.Business != "":
		v.ref(f, item, field, refBusiness, c.Business, r.Retired)
	case c.Answer != nil:
		if r.Scope == ForPremises {
			v.add(f, item, field, "\"answer\" is about one person: use it in a rule with \"scope\": \"person\"")
		}
		v.answer(item, field, *c.Answer)
	case c.All != nil:
		v.conds(item, field, c.All, r)
	case c.Any != nil:
		v.conds(item, field, c.Any, r)
	case c.AtLeast != nil:
		if n := c.AtLeast.N; n < 1 || n > len(c.AtLeast.Of) {
			v.add(f, item, field+".n", "%d must be from 1 to the number of conditions (%d)", n, len(c.AtLeast.Of))
		}
		v.conds(item, field+".of", c.AtLeast.Of, r)
	case c.Not != nil:
		v.cond(item, field, c.Not, r)
	}
}

// answer checks an answer condition: the question must be one of the
// officer's or the screening set's, and the choice one of its answers.
func (v *validator) answer(item, field string, a Answer) {
	const f = fileRules
	if q, ok := v.p.Question(a.Question); ok {
		if _, ok := q.Choice(a.Choice); !ok && !(q.Kind == YesNo && (a.Choice == ChoiceYes || a.Choice == ChoiceNo)) {
			v.add(f, item, field+".choice", "%q is not an answer to %s", a.Choice, a.Question)
		}
		return
	}
	if v.p.Screening != nil {
		if q, ok := v.p.Screening.Question(a.Question); ok {
			if !slices.Contains(q.Choices(), a.Choice) {
				v.add(f, item, field+".choice", "%q is not an answer to screening question %s", a.Choice, a.Question)
			}
			return
		}
	}
	v.add(f, item, field+".question", "unknown question %q: name an officer's question (q.…) or a screening question", a.Question)
}

func (v *validator) conds(item, field string, cs []Cond, r Rule) {
	if len(cs) == 0 {
		v.add(fileRules, item, field, "needs at least one condition")
	}
	for i := range cs {
		v.cond(item, fmt.Sprintf("%s[%d]", field, i), &cs[i], r)
	}
}

func (v *validator) simplifications() {
	for i, s := range v.p.Simplifications {
		loc := v.id(filePack, "simplifications", i, s.ID, prefixSimplification)
		if strings.TrimSpace(s.Note) == "" {
			v.add(filePack, loc, "note", "missing: say what is simplified and how a force might tune it")
		}
		v.refs(filePack, loc, "about", refAny, s.About, true)
	}
}

// levels checks that every level has a checklist: an officer must never
// get a result with nothing to do.
func (v *validator) levels() {
	for _, l := range Levels {
		found := false
		for _, a := range v.p.Actions {
			found = found || (!a.Retired && slices.Contains(a.Levels, l))
		}
		if !found {
			v.add(fileActions, "", "levels", "no live action is listed for level %s: every level needs a checklist", l)
		}
	}
}

// childReferral checks that a child, with nothing else seen, on any
// premises, meets a rule that refers them to the NRM. The assessment
// engine enforces this too, but a pack that relies on that is wrong.
func (v *validator) childReferral() {
	for _, b := range v.p.Businesses {
		if !v.p.ReferralRuleForChild(b.ID) {
			v.add(fileRules, "", "", "no rule refers a child to the NRM when nothing else is seen (business %s): "+
				"add a rule with \"scope\": \"person\", \"when\": {\"child\": true} and an action of kind %s", b.ID, KindNRMReferral)
			return
		}
	}
}

// ReferralRuleForChild reports whether some live person rule, tested on
// a child at premises of the given business type with nothing else seen,
// calls for an action of kind nrm_referral.
func (p *Pack) ReferralRuleForChild(business string) bool {
	facts := Facts{Child: true, Business: business}
	for _, r := range p.Rules {
		if r.Retired || r.Scope != ForPerson {
			continue
		}
		if ok, _ := p.Match(&r.When, facts); ok && p.HasKind(r.Actions, KindNRMReferral) {
			return true
		}
	}
	return false
}

// HasKind reports whether any of the actions is a live one of kind k.
func (p *Pack) HasKind(actions []string, k Kind) bool {
	for _, id := range actions {
		if a, ok := p.Action(id); ok && !a.Retired && a.Kind == k {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
