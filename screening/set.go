package screening

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/i18n"
)

// Kind is how a question is answered.
type Kind string

// The kinds of question. Every kind but Info can also be answered
// DontKnow or PreferNot.
const (
	YesNo  Kind = "yesno"  // Yes or No
	Choice Kind = "choice" // one of the question's options
	Text   Kind = "text"   // free text in the person's language
	Info   Kind = "info"   // an explanation to read, not answered
)

// The answers every question but an Info one offers.
const (
	Yes       = "yes"
	No        = "no"
	DontKnow  = "dont_know"
	PreferNot = "prefer_not"
)

// Question is one screening question, or one paragraph of explanation.
type Question struct {
	// ID is stable across versions of the set: answers are recorded
	// against it, never against the text.
	ID    string
	Kind  Kind
	Theme string // what the question is about: "documents", "debt", ...
	// Options are the option IDs of a Choice question, in order.
	Options []string
	// Indicators maps an answer (Yes, No, DontKnow, PreferNot or an
	// option ID) to the IDs of the indicators it implies, such as
	// "ind.control.documents_withheld".
	Indicators map[string][]string
}

// Choices returns the answers the question offers, in the order to show
// them: its own, then DontKnow and PreferNot. An Info item has none.
func (q Question) Choices() []string {
	switch q.Kind {
	case YesNo:
		return []string{Yes, No, DontKnow, PreferNot}
	case Choice:
		return append(append([]string(nil), q.Options...), DontKnow, PreferNot)
	case Text:
		return []string{DontKnow, PreferNot}
	}
	return nil
}

// TextKey is the key of the question's text in each language.
func (q Question) TextKey() string { return "q." + q.ID }

// ChoiceKey is the key of the label of answer c in each language.
func (q Question) ChoiceKey(c string) string {
	switch c {
	case Yes, No, DontKnow, PreferNot:
		return "answer." + c
	}
	return "q." + q.ID + "." + c
}

// Keys of the strings the screens show around the questions; every
// language must have each of them.
const (
	UIStart    = "ui.start" // what the person reads before the first question
	UIStartNow = "ui.start_button"
	UINext     = "ui.next"
	UIBack     = "ui.back"
	UIProgress = "ui.progress"  // with {n} and {total}
	UITypeHere = "ui.type_here" // hint in the free-text box
	UISave     = "ui.save"      // saves a free-text answer
	UIDone     = "ui.done"      // the last screen: give the phone back
	UIDraft    = "ui.draft"     // this translation is a draft
	UIHide     = "ui.hide"      // the quick-hide button
	UIError    = "ui.error"     // an answer could not be saved
	// UINotTranslated marks a string shown in another language because
	// this one has no translation of it.
	UINotTranslated = "ui.not_translated"
)

// UIKeys lists the UI keys above.
var UIKeys = []string{UIStart, UIStartNow, UINext, UIBack, UIProgress, UITypeHere, UISave, UIDone, UIDraft, UIHide, UIError, UINotTranslated}

// placeholders are the named values a string may hold, by key.
var placeholders = map[string][]string{UIProgress: {"{n}", "{total}"}}

// Status is a translation's review status.
type Status string

const (
	// Draft strings were written by the team or by a machine and are
	// marked as drafts wherever they are shown.
	Draft Status = "draft"
	// Reviewed strings were checked by an accredited translator, named
	// in the Review.
	Reviewed Status = "reviewed"
)

// Review is the review state of one string.
type Review struct {
	Status   Status
	Reviewer string // who reviewed it and their accreditation; empty for a draft
	Date     string // when, as YYYY-MM-DD; empty for a draft
	Note     string // how a draft was made, or what the reviewer said
}

// String is one string of one language, with its review state.
type String struct {
	Text string
	Review
	// Tag is the language Text is written in, and Dir its direction:
	// the language asked for, or, when Fallback, the language the text
	// fell back to. Lay the text out in Dir, not in the direction of the
	// language asked for: an English sentence in a right-to-left page
	// still ends with its full stop on the right.
	Tag language.Tag
	Dir i18n.Direction
	// Fallback is set when the language asked for has no translation of
	// the string: the screens mark it "not translated".
	Fallback bool
}

// IsDraft reports whether the string must be shown as a draft.
func (s String) IsDraft() bool { return s.Status != Reviewed }

// Language is the set's text in one language.
type Language struct {
	Tag language.Tag
	// Name is the language's own name if the content gives one; Names
	// are its names in other languages, by BCP 47 tag. Both may be
	// empty: i18n.Names knows most languages.
	Name  string
	Names map[string]string
	Dir   i18n.Direction
	// Note says how the translation was made, from its file.
	Note   string
	strs   map[string]String
	copies int       // strings left out because they copy the source
	source *Language // the set's source language, for fallback; nil for the source
	keys   []string  // every key the set uses, sorted
}

// String returns the string for key in this language alone; ok is false
// if it has none.
func (l *Language) String(key string) (s String, ok bool) {
	s, ok = l.strs[key]
	return s, ok
}

// Get returns the string for key: this language's, or the source
// language's, marked Fallback. A key the set does not use comes back as
// itself, marked Fallback.
func (l *Language) Get(key string) String { return l.Lookup(key) }

// Lookup returns the string for key in this language, else in the first
// of fallbacks that has it (the officer's language), else in the source
// language; a string not in this language is marked Fallback.
func (l *Language) Lookup(key string, fallbacks ...*Language) String {
	if s, ok := l.strs[key]; ok {
		return s
	}
	for _, f := range append(fallbacks, l.source) {
		if f == nil || f == l {
			continue
		}
		if s, ok := f.strs[key]; ok {
			s.Fallback = true
			return s
		}
	}
	return String{Text: key, Review: Review{Status: Draft}, Tag: l.Tag, Dir: l.Dir, Fallback: true}
}

// Format returns the string for key with each {name} replaced by its
// value, given as name, value pairs; fallbacks are as for Lookup.
func (l *Language) Format(key string, pairs []string, fallbacks ...*Language) String {
	s := l.Lookup(key, fallbacks...)
	s.Text = strings.NewReplacer(pairs...).Replace(s.Text)
	return s
}

// Counts returns how many of the language's own strings are drafts and
// how many are reviewed.
func (l *Language) Counts() (draft, reviewed int) {
	for _, s := range l.strs {
		if s.IsDraft() {
			draft++
		} else {
			reviewed++
		}
	}
	return draft, reviewed
}

// Coverage is how much of the set one language translates, and how far
// the translation has been checked.
type Coverage struct {
	Tag language.Tag
	// Translated of Total keys have a string of the language's own.
	Translated, Total int
	Draft, Reviewed   int
	// Copies are strings left out because they were copied from the
	// source language untranslated: they fall back, marked.
	Copies int
	// Missing lists the keys that fall back, sorted.
	Missing []string
}

// Coverage reports how much of the set the language translates.
func (l *Language) Coverage() Coverage {
	c := Coverage{Tag: l.Tag, Total: len(l.keys), Copies: l.copies}
	for _, k := range l.keys {
		s, ok := l.strs[k]
		switch {
		case !ok:
			c.Missing = append(c.Missing, k)
		case s.IsDraft():
			c.Translated++
			c.Draft++
		default:
			c.Translated++
			c.Reviewed++
		}
	}
	return c
}

// Texts returns every string of the language's own, sorted by key.
func (l *Language) Texts() []string {
	keys := make([]string, 0, len(l.strs))
	for k := range l.strs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = l.strs[k].Text
	}
	return out
}

// Set is a checked, versioned screening question set in every language
// of the content pack.
type Set struct {
	// Version names this version of the questions; answers carry it.
	Version string
	// Source is the language the questions are written in first.
	Source    language.Tag
	Questions []Question
	// Warnings are problems in translations that did not stop the set
	// being used: the strings or languages concerned were left out and
	// fall back to another language, marked "not translated".
	Warnings []Problem
	langs    []*Language // Source first, then by tag
	matcher  *i18n.Matcher
}

// Languages returns the set's languages, the source language first.
func (s *Set) Languages() []language.Tag {
	tags := make([]language.Tag, len(s.langs))
	for i, l := range s.langs {
		tags[i] = l.Tag
	}
	return tags
}

// Language returns the set's text in exactly tag, or nil.
func (s *Set) Language(tag language.Tag) *Language {
	for _, l := range s.langs {
		if l.Tag == tag {
			return l
		}
	}
	return nil
}

// Match returns the set's language that best fits prefs, in order of
// preference, and whether any did; with no fit it returns the source.
func (s *Set) Match(prefs ...language.Tag) (*Language, bool) {
	t, ok := s.matcher.Match(prefs...)
	return s.Language(t), ok
}

// Question returns the question with id.
func (s *Set) Question(id string) (Question, bool) {
	for _, q := range s.Questions {
		if q.ID == id {
			return q, true
		}
	}
	return Question{}, false
}

// Names returns language names with the set's own names added, for
// pickers.
func (s *Set) Names() *i18n.Names {
	n := &i18n.Names{}
	for _, l := range s.langs {
		n.Add(l.Tag, language.Und, l.Name)
		for in, name := range l.Names {
			n.Add(l.Tag, language.Make(in), name)
		}
	}
	return n
}

// Indicators returns the indicator IDs answer a implies, sorted.
func (s *Set) Indicators(a Answer) []string {
	q, ok := s.Question(a.Question)
	if !ok {
		return nil
	}
	out := append([]string(nil), q.Indicators[a.Choice]...)
	sort.Strings(out)
	return out
}

// Check reports whether a is a possible answer to a question of the set.
func (s *Set) Check(a Answer) error {
	q, ok := s.Question(a.Question)
	if !ok {
		return fmt.Errorf("answer to unknown question %q", a.Question)
	}
	if q.Kind == Info {
		return fmt.Errorf("question %q is an explanation and takes no answer", q.ID)
	}
	if a.Choice == "" {
		if q.Kind == Text && (a.Text != "" || a.Translation != "") {
			return nil
		}
		return fmt.Errorf("answer to %q has no choice", q.ID)
	}
	for _, c := range q.Choices() {
		if c == a.Choice {
			return nil
		}
	}
	return fmt.Errorf("answer %q is not a choice of question %q", a.Choice, q.ID)
}

// ConsentQuestion is the question in which the person says whether they
// agree to an NRM referral. The referral step shows their answer beside
// the officer's decision, which remains the officer's to record.
const ConsentQuestion = "consent.nrm"
