package i18n

import (
	"golang.org/x/text/language"
)

// aliases pairs tags that name the same language but that
// golang.org/x/text does not match to each other: Dari is "prs" in ISO
// 639-3 and "fa-AF" in CLDR, and x/text matches "fa-AF" to Persian ("fa")
// rather than to "prs". Each entry works both ways.
var aliases = map[string]string{
	"prs": "fa-AF",
}

// alias returns the other tag for the same language, or und.
func alias(t language.Tag) language.Tag {
	s := t.String()
	for a, b := range aliases {
		switch s {
		case a:
			return language.Make(b)
		case b:
			return language.Make(a)
		}
	}
	return language.Und
}

// A Matcher picks, from a fixed list of available languages, the best one
// for a user's preferences. It knows the aliases x/text lacks (see
// aliases), so a person recorded as "fa-AF" gets a Dari file named "prs".
type Matcher struct {
	tags []language.Tag
	m    language.Matcher
}

// NewMatcher returns a matcher over tags. The first tag is the fallback
// when nothing matches.
func NewMatcher(tags ...language.Tag) *Matcher {
	return &Matcher{tags: append([]language.Tag(nil), tags...), m: language.NewMatcher(tags)}
}

// Match returns the available language that best fits prefs, given in
// order of preference, and whether any fit at all; with no fit it returns
// the fallback and false. An exact tag or its alias wins over anything
// x/text's matcher would choose.
func (m *Matcher) Match(prefs ...language.Tag) (language.Tag, bool) {
	if len(m.tags) == 0 {
		return language.Und, false
	}
	for _, p := range prefs {
		for _, t := range m.tags {
			if t == p || (alias(p) != language.Und && t == alias(p)) {
				return t, true
			}
		}
	}
	var expanded []language.Tag
	for _, p := range prefs {
		expanded = append(expanded, p)
		if a := alias(p); a != language.Und {
			expanded = append(expanded, a)
		}
	}
	_, i, conf := m.m.Match(expanded...)
	if conf == language.No {
		return m.tags[0], false
	}
	return m.tags[i], true
}

// MatchStrings is Match for BCP 47 strings; unparseable ones are skipped.
func (m *Matcher) MatchStrings(prefs ...string) (language.Tag, bool) {
	var tags []language.Tag
	for _, p := range prefs {
		if t, err := language.Parse(p); err == nil {
			tags = append(tags, t)
		}
	}
	return m.Match(tags...)
}
