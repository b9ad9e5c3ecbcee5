package i18n

import (
	"sort"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/message"
)

// builtinNames are language names golang.org/x/text lacks, or gives in a
// form the people who use Waymark would not recognise. Keys are BCP 47
// tags; inner keys are the language the name is written in, with "" for
// the language's own name.
var builtinNames = map[string]map[string]string{
	// x/text has no "prs"; its "fa-AF" is "Perseg (Afghanistan)" in Welsh.
	"prs":   {"": "دری", "en": "Dari", "cy": "Dari"},
	"fa-AF": {"": "دری", "en": "Dari", "cy": "Dari"},
	// x/text says "Central Kurdish"; officers and NRM statistics say Sorani.
	"ckb":     {"en": "Kurdish (Sorani)"},
	"ti":      {"": "ትግርኛ", "en": "Tigrinya", "cy": "Tigrinya"},
	"zh-Hans": {"en": "Chinese (Simplified)"},
}

// Names names languages, both in their own language (for a person picking
// theirs) and in the reader's (for the officer). Names given with Add, for
// example by a content pack, come first, then builtinNames, then
// golang.org/x/text's CLDR data, then the tag itself. The zero value is
// ready to use.
type Names struct {
	extra map[string]map[string]string // as builtinNames
}

// Add sets the name of t written in language in; in is language.Und for t's
// own name. An empty name is ignored.
func (n *Names) Add(t, in language.Tag, name string) {
	if name == "" {
		return
	}
	if n.extra == nil {
		n.extra = map[string]map[string]string{}
	}
	k := t.String()
	if n.extra[k] == nil {
		n.extra[k] = map[string]string{}
	}
	n.extra[k][inKey(in)] = name
}

func inKey(in language.Tag) string {
	if in == language.Und {
		return ""
	}
	b, _ := in.Base()
	return b.String()
}

func (n *Names) lookup(t language.Tag, in string) string {
	for _, table := range []map[string]map[string]string{n.extra, builtinNames} {
		if s := table[t.String()][in]; s != "" {
			return s
		}
		if a := alias(t); a != language.Und {
			if s := table[a.String()][in]; s != "" {
				return s
			}
		}
	}
	return ""
}

// Self returns t's name in t itself, such as "shqip" or "العربية".
func (n *Names) Self(t language.Tag) string {
	if s := n.lookup(t, ""); s != "" {
		return s
	}
	if s := display.Self.Name(t); s != "" {
		return s
	}
	if a := alias(t); a != language.Und {
		if s := display.Self.Name(a); s != "" {
			return s
		}
	}
	return t.String()
}

// In returns t's name written in language in, such as "Albanian" or
// "Albaneg". Without one it gives the English name, then t's own name.
func (n *Names) In(t, in language.Tag) string {
	if s := n.lookup(t, inKey(in)); s != "" {
		return s
	}
	if s := display.Tags(in).Name(t); s != "" {
		return s
	}
	if s := n.lookup(t, "en"); s != "" {
		return s
	}
	if s := display.English.Tags().Name(t); s != "" {
		return s
	}
	return n.Self(t)
}

// Label is how a picker read by someone using language in shows t: the
// reader's name for it, then its own name in its own script when that
// differs, as in "Albanian — shqip".
func (n *Names) Label(t, in language.Tag) string {
	name, self := n.In(t, in), n.Self(t)
	if name == self {
		return name
	}
	return name + " — " + self
}

// Sort orders tags by their names in language in, with that language's
// collation (Welsh puts "Llydaweg" after "Lwcsembwrgeg").
func (n *Names) Sort(tags []language.Tag, in language.Tag) {
	keys := make(map[language.Tag]string, len(tags))
	for _, t := range tags {
		keys[t] = n.In(t, in)
	}
	c := collate.New(in)
	sort.SliceStable(tags, func(i, j int) bool {
		return c.CompareString(keys[tags[i]], keys[tags[j]]) < 0
	})
}

// SortStrings orders s as a reader of language in expects.
func SortStrings(s []string, in language.Tag) {
	collate.New(in).SortStrings(s)
}

// Number formats n with the digits language t writes numbers in, by
// CLDR: Persian, Dari and Pashto ۱۲, Arabic and Sorani ١٢, most others 12.
func Number(t language.Tag, n int) string {
	if t.String() == "prs" || t.String() == "fa-AF" {
		// x/text has no data for "prs" and gives "fa-AF" Latin digits;
		// Dari writes Persian ones.
		t = language.Persian
	}
	return message.NewPrinter(t).Sprint(n)
}
