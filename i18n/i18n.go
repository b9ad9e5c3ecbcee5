package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"sort"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

//go:embed locales/*.json
var locales embed.FS

// Source is the language every message is written in first; any message
// missing from a translation falls back to it.
var Source = language.English

// pluralForms are the CLDR plural categories a message may give.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// Bundle holds the officer-interface messages in every language shipped.
type Bundle struct {
	cat     *catalog.Builder
	tags    []language.Tag
	keys    map[language.Tag]map[string]bool
	texts   map[language.Tag][]string // every message text, plural forms included
	matcher *Matcher
}

// Load reads the embedded message files, one per language, named by BCP 47
// tag (en.json, cy.json). A message is either a string or, for a count,
// an object of CLDR plural forms ("one", "other", ...) chosen by the first
// argument.
func Load() (*Bundle, error) {
	entries, err := locales.ReadDir("locales")
	if err != nil {
		return nil, err
	}
	b := &Bundle{
		cat:   catalog.NewBuilder(catalog.Fallback(Source)),
		keys:  map[language.Tag]map[string]bool{},
		texts: map[language.Tag][]string{},
	}
	for _, e := range entries {
		name := e.Name()
		tag, err := language.Parse(strings.TrimSuffix(name, path.Ext(name)))
		if err != nil {
			return nil, fmt.Errorf("locale file %s: %w", name, err)
		}
		raw, err := locales.ReadFile("locales/" + name)
		if err != nil {
			return nil, err
		}
		if err := b.add(tag, raw); err != nil {
			return nil, fmt.Errorf("locale file %s: %w", name, err)
		}
	}
	if b.keys[Source] == nil {
		return nil, fmt.Errorf("no messages for the source language %s", Source)
	}
	// The source language first: the matcher falls back to the first tag.
	sort.Slice(b.tags, func(i, j int) bool {
		if b.tags[i] == Source || b.tags[j] == Source {
			return b.tags[i] == Source
		}
		return b.tags[i].String() < b.tags[j].String()
	})
	b.matcher = NewMatcher(b.tags...)
	return b, nil
}

func (b *Bundle) add(tag language.Tag, raw []byte) error {
	var msgs map[string]json.RawMessage
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return err
	}
	keys := map[string]bool{}
	for key, v := range msgs {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			if err := b.cat.SetString(tag, key, s); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
			keys[key] = true
			b.texts[tag] = append(b.texts[tag], s)
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			return fmt.Errorf("%s: neither a string nor plural forms", key)
		}
		if forms["other"] == "" {
			return fmt.Errorf("%s: plural forms lack \"other\"", key)
		}
		var cases []any
		for _, f := range pluralForms {
			if s, ok := forms[f]; ok {
				cases = append(cases, f, s)
				b.texts[tag] = append(b.texts[tag], s)
				delete(forms, f)
			}
		}
		for f := range forms {
			return fmt.Errorf("%s: %q is not a plural form", key, f)
		}
		if err := b.cat.Set(tag, key, plural.Selectf(1, "%d", cases...)); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		keys[key] = true
	}
	b.tags = append(b.tags, tag)
	b.keys[tag] = keys
	return nil
}

// Languages lists the languages with messages, the source language first.
func (b *Bundle) Languages() []language.Tag { return append([]language.Tag(nil), b.tags...) }

// Match picks the best language for the user's preferences, given as BCP
// 47 tags in order of preference. Unparseable tags are skipped; with no
// match it returns Source.
func (b *Bundle) Match(prefs ...string) language.Tag {
	t, _ := b.matcher.MatchStrings(prefs...)
	return t
}

// Texts returns every message text in tag's file, each plural form
// included, for checks that look at the characters used.
func (b *Bundle) Texts(tag language.Tag) []string { return append([]string(nil), b.texts[tag]...) }

// Missing lists the source messages that tag's file does not translate.
func (b *Bundle) Missing(tag language.Tag) []string {
	var out []string
	for k := range b.keys[Source] {
		if !b.keys[tag][k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// Has reports whether key is a source message.
func (b *Bundle) Has(key string) bool { return b.keys[Source][key] }

// Printer formats messages in one language.
type Printer struct {
	tag language.Tag
	p   *message.Printer
}

// Printer returns a printer for tag, which should be one of Languages.
func (b *Bundle) Printer(tag language.Tag) *Printer {
	return &Printer{tag: tag, p: message.NewPrinter(tag, message.Catalog(b.cat))}
}

// Tag is the printer's language.
func (p *Printer) Tag() language.Tag { return p.tag }

// T returns message key formatted with args.
func (p *Printer) T(key string, args ...any) string { return p.p.Sprintf(key, args...) }
