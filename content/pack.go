package content

import (
	"fmt"

	"github.com/waymark-app/waymark/screening"
	"io/fs"
	"strings"
	"time"
)

// Format is the version of the pack file layout this package reads. A
// pack declares the format it is written in; a newer format is refused
// with a message asking for the app to be updated. Bump it only when an
// older app could misread a newer pack.
const Format = 1

// Pack is one validated content pack. A Pack is shared read-only between
// the screens and the assessment engine once Parse returns it: do not
// modify it, or anything it holds.
type Pack struct {
	// ID names the pack's lineage, for example "waymark.default". Every
	// later version of a pack keeps the same ID.
	ID string
	// Version increases by one or more with every published change.
	// Records refer to the ID and Version they were made under.
	Version int
	// Published is the day the pack was published, in UTC.
	Published time.Time
	// Name is the pack's title, for the settings screen.
	Name Text
	// Languages lists every language the pack's texts use, with the
	// review status of its translation. English comes first.
	Languages []Language
	// Simplifications are notes, for a force's analyst, on where a rule
	// is a simplification of the guidance it follows.
	Simplifications []Simplification

	Exploitation []Exploitation
	Themes       []Theme
	Indicators   []Indicator
	Businesses   []Business
	Questions    []Question
	Age          AgePrompts
	Rules        []Rule
	Actions      []Action

	// Screening is the set of questions a possible victim answers in
	// their own language, from the pack's screening/ folder; nil if the
	// pack has none.
	Screening *screening.Set

	// Warnings are problems that did not stop the pack being used, such
	// as a partly translated screening language: what they concern falls
	// back to another language, marked "not translated".
	Warnings []Problem

	// Digest is the hex SHA-256 of the pack's canonical bundle: two packs
	// with the same ID and Version but different content have different
	// digests.
	Digest string

	bundle []byte
	files  fs.FS

	index map[string]int // ID of every item to its position in its list
}

// Review is how far a language's translation has been checked.
type Review string

// The review states of a language.
const (
	// ReviewSource marks the language the texts are written in (English).
	ReviewSource Review = "source"
	// ReviewDraft marks a translation written by the team, not yet
	// checked by an accredited translator. The interface says so.
	ReviewDraft Review = "draft"
	// ReviewReviewed marks a translation checked by an accredited
	// translator, named with the date in Language.
	ReviewReviewed Review = "reviewed"
)

// Language is one language of the pack's texts and its review status.
type Language struct {
	Tag        string `json:"tag"`
	Status     Review `json:"status"`
	ReviewedBy string `json:"reviewed_by"`
	// ReviewedAt is the review date as YYYY-MM-DD, or "".
	ReviewedAt string `json:"reviewed_at"`
	Note       string `json:"note,omitempty"`
}

// Simplification notes where the pack simplifies the guidance, and which
// items it concerns, so that a force can decide whether to tune it. It is
// written for analysts, in English.
type Simplification struct {
	ID    string   `json:"id"`
	Note  string   `json:"note"`
	About []string `json:"about,omitempty"`
}

// Exploitation is a type of exploitation an indicator may point to, as
// the NRM form names them: sexual, labour, domestic servitude, criminal,
// organ removal.
type Exploitation struct {
	ID      string `json:"id"`
	Label   Text   `json:"label"`
	Retired bool   `json:"retired,omitempty"`
}

// Theme groups indicators on screen: general, control, vulnerability, and
// one per kind of exploitation.
type Theme struct {
	ID      string `json:"id"`
	Label   Text   `json:"label"`
	Hint    Text   `json:"hint,omitempty"`
	Retired bool   `json:"retired,omitempty"`
}

// Scope says where an indicator is seen.
type Scope string

// The scopes of an indicator.
const (
	// ScopePremises is an observation about the place, which bears on
	// everyone found there.
	ScopePremises Scope = "premises"
	// ScopePerson is an observation about one person.
	ScopePerson Scope = "person"
	// ScopeBoth may be either.
	ScopeBoth Scope = "both"
)

// Indicator is one sign of trafficking or modern slavery.
type Indicator struct {
	ID    string `json:"id"`
	Theme string `json:"theme"`
	// Exploitation lists the exploitation types the indicator points to;
	// empty for a general sign.
	Exploitation []string `json:"exploitation"`
	Scope        Scope    `json:"scope"`
	// Child marks an indicator that means the person must be treated as
	// a child: they say they are under 18, or cannot say their age.
	Child bool `json:"child,omitempty"`
	Label Text `json:"label"`
	// Hint is one line on what this looks like on a visit.
	Hint    Text `json:"hint"`
	Retired bool `json:"retired,omitempty"`
}

// Business is a kind of premises, with the indicators typical of it,
// which the interface offers first. Its ID is one of encounter.Businesses.
type Business struct {
	ID         string   `json:"id"`
	Label      Text     `json:"label"`
	Indicators []string `json:"indicators"`
	// Exploitation lists the exploitation types the premises itself
	// points to (a cannabis grow: criminal exploitation). An assessment
	// at Amber or Red suggests them for the NRM form even when no
	// indicator seen points to them; they never raise the level.
	Exploitation []string `json:"exploitation,omitempty"`
}

// QuestionKind is how an officer answers a question.
type QuestionKind string

// The kinds of question.
const (
	// YesNo is answered yes, no or not known.
	YesNo QuestionKind = "yes_no"
	// OneChoice is answered by one of a few choices, or not known.
	OneChoice QuestionKind = "choice"
)

// The choice IDs of a yes/no question, and the choice every question
// offers.
const (
	ChoiceYes      = "yes"
	ChoiceNo       = "no"
	ChoiceNotKnown = "not_known"
)

// Question is asked of the officer about one person they met, in the
// officer's language. Its answers imply indicators.
type Question struct {
	ID   string       `json:"id"`
	Kind QuestionKind `json:"kind"`
	Text Text         `json:"text"`
	Hint Text         `json:"hint,omitempty"`
	// Yes and No are, for a yes/no question, the indicators each answer
	// implies. Parse turns them into Choices.
	Yes []string `json:"yes,omitempty"`
	No  []string `json:"no,omitempty"`
	// Choices are the answers in the order shown. After Parse every
	// question has them, yes/no ones included, and the last is always
	// "not_known", which implies nothing.
	Choices []Choice `json:"choices,omitempty"`
	Retired bool     `json:"retired,omitempty"`
}

// Choice is one answer to a question.
type Choice struct {
	ID      string   `json:"id"`
	Label   Text     `json:"label"`
	Implies []string `json:"implies,omitempty"`
}

// Choice returns the choice with the given ID.
func (q Question) Choice(id string) (Choice, bool) {
	for _, c := range q.Choices {
		if c.ID == id {
			return c, true
		}
	}
	return Choice{}, false
}

// AgePrompts are the texts of the age questions asked about each person.
// The age itself drives the child rule: under 18, or age in doubt, is a
// child.
type AgePrompts struct {
	Prompt      Text `json:"prompt"`
	Hint        Text `json:"hint"`
	InDoubt     Text `json:"in_doubt"`
	InDoubtHint Text `json:"in_doubt_hint"`
}

// RuleScope says what a rule is tested against.
type RuleScope string

// The scopes of a rule.
const (
	// ForPerson rules are tested once for each person, against their own
	// indicators and the premises-level ones; with nobody screened, once
	// against the premises-level indicators alone.
	ForPerson RuleScope = "person"
	// ForPremises rules are tested once against everything seen on the
	// visit.
	ForPremises RuleScope = "premises"
)

// Rule raises the assessment to its Level when its condition holds, with
// a reason in plain words and the actions it calls for.
type Rule struct {
	ID      string
	Level   Level
	Scope   RuleScope
	When    Cond
	Reason  Text
	Actions []string
	Retired bool
}

// Kind is what sort of step an action is. The app keys behaviour off it
// (a referral opens the NRM screen, a crime record starts the 24-hour
// clock), so the kinds are fixed here and a pack cannot invent one.
type Kind string

// The kinds of action.
const (
	KindSafeguard         Kind = "safeguard"
	KindSupervisor        Kind = "supervisor"
	KindScenePreservation Kind = "scene_preservation"
	KindNRMReferral       Kind = "nrm_referral"
	KindNRMOffer          Kind = "nrm_offer"
	KindDutyToNotify      Kind = "duty_to_notify"
	KindCrimeRecord       Kind = "crime_record"
	KindInvestigation     Kind = "investigation"
	KindIntelligence      Kind = "intelligence"
	KindPartnerReferral   Kind = "partner_referral"
	KindFollowUp          Kind = "follow_up"
	KindAdvice            Kind = "advice"
	KindRecord            Kind = "record"
)

// Kinds lists every action kind. Append only.
var Kinds = []Kind{
	KindSafeguard, KindSupervisor, KindScenePreservation, KindNRMReferral,
	KindNRMOffer, KindDutyToNotify, KindCrimeRecord, KindInvestigation,
	KindIntelligence, KindPartnerReferral, KindFollowUp, KindAdvice, KindRecord,
}

// Action is one step on the officer's checklist.
type Action struct {
	ID    string
	Kind  Kind
	Label Text
	Hint  Text
	// Levels are the assessment levels at which the action is always on
	// the checklist, whichever rule fired.
	Levels  []Level
	Retired bool
}

// Level is a Red/Amber/Green assessment. The zero value is Unassessed.
// Levels are ordered: Green < Amber < Red.
type Level int

// The levels, in order of concern.
const (
	Unassessed Level = iota
	Green
	Amber
	Red
)

// Levels lists the levels a rule or action may name, lowest first.
var Levels = []Level{Green, Amber, Red}

var levelNames = [...]string{"unassessed", "green", "amber", "red"}

// String returns the level's stable lowercase name: "green", "amber",
// "red", or "unassessed".
func (l Level) String() string {
	if l >= 0 && int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("level(%d)", int(l))
}

// ParseLevel returns the level with the given name.
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if s == n {
			return Level(i), nil
		}
	}
	return Unassessed, fmt.Errorf("unknown level %q: use green, amber or red", s)
}

// MarshalText writes the level's name.
func (l Level) MarshalText() ([]byte, error) {
	if l < 0 || int(l) >= len(levelNames) {
		return nil, fmt.Errorf("marshal %v", l)
	}
	return []byte(l.String()), nil
}

// UnmarshalText reads a level's name.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Files returns every file the pack was read from, its own and any it
// does not own (such as a screening/ directory), as a read-only file
// system. Other packages parse their parts of the pack from it.
func (p *Pack) Files() fs.FS { return p.files }

// Bundle returns the pack's canonical bundle: the bytes a server
// publishes and a device pulls. The slice must not be modified.
func (p *Pack) Bundle() []byte { return p.bundle }

// Language returns the review status of lang, matched exactly or by its
// base language.
func (p *Pack) Language(lang string) (Language, bool) {
	for _, tag := range []string{lang, baseTag(lang)} {
		for _, l := range p.Languages {
			if l.Tag == tag {
				return l, true
			}
		}
	}
	return Language{}, false
}

// Indicator returns the indicator with the given ID, retired or not.
func (p *Pack) Indicator(id string) (Indicator, bool) {
	return lookup(p, p.Indicators, id)
}

// ExploitationType returns the exploitation type with the given ID.
func (p *Pack) ExploitationType(id string) (Exploitation, bool) {
	return lookup(p, p.Exploitation, id)
}

// Theme returns the theme with the given ID.
func (p *Pack) Theme(id string) (Theme, bool) {
	return lookup(p, p.Themes, id)
}

// Business returns the business type with the given ID.
func (p *Pack) Business(id string) (Business, bool) {
	return lookup(p, p.Businesses, id)
}

// Question returns the question with the given ID.
func (p *Pack) Question(id string) (Question, bool) {
	return lookup(p, p.Questions, id)
}

// Rule returns the rule with the given ID.
func (p *Pack) Rule(id string) (Rule, bool) {
	return lookup(p, p.Rules, id)
}

// Action returns the action with the given ID.
func (p *Pack) Action(id string) (Action, bool) {
	return lookup(p, p.Actions, id)
}

// Order returns the position of an item in its list in the pack (its
// indicator, action, rule... list), or -1 for an unknown ID. Lists keep
// the order the pack's author chose, and sorting by Order keeps it.
func (p *Pack) Order(id string) int {
	if i, ok := p.index[id]; ok {
		return i
	}
	return -1
}

// IndicatorsOf returns the live (not retired) indicators of a theme, in
// pack order, for a screen that groups them by theme.
func (p *Pack) IndicatorsOf(theme string) []Indicator {
	var out []Indicator
	for _, ind := range p.Indicators {
		if ind.Theme == theme && !ind.Retired {
			out = append(out, ind)
		}
	}
	return out
}

// item is anything in a pack's lists, which all have IDs.
type item interface {
	Exploitation | Theme | Indicator | Business | Question | Rule | Action
	key() string
}

func (x Exploitation) key() string { return x.ID }
func (x Theme) key() string        { return x.ID }
func (x Indicator) key() string    { return x.ID }
func (x Business) key() string     { return x.ID }
func (x Question) key() string     { return x.ID }
func (x Rule) key() string         { return x.ID }
func (x Action) key() string       { return x.ID }

func lookup[T item](p *Pack, list []T, id string) (T, bool) {
	if i, ok := p.index[id]; ok && i < len(list) && list[i].key() == id {
		return list[i], true
	}
	var zero T
	return zero, false
}

// indexItems records the position of every item in its list. IDs are
// unique across the pack once validated; until then the first wins.
func (p *Pack) indexItems() {
	p.index = map[string]int{}
	indexList(p.index, p.Exploitation)
	indexList(p.index, p.Themes)
	indexList(p.index, p.Indicators)
	indexList(p.index, p.Businesses)
	indexList(p.index, p.Questions)
	indexList(p.index, p.Rules)
	indexList(p.index, p.Actions)
}

func indexList[T item](index map[string]int, list []T) {
	for i, x := range list {
		if _, dup := index[x.key()]; !dup && x.key() != "" {
			index[x.key()] = i
		}
	}
}

// baseTag returns the base language of a BCP 47 tag: "cy" for "cy-GB".
func baseTag(lang string) string {
	base, _, _ := strings.Cut(lang, "-")
	return base
}
