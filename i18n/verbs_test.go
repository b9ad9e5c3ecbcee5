package i18n

import (
	"encoding/json"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// verb matches one fmt verb, its flags, width and precision.
var verb = regexp.MustCompile(`%(?:\[\d+\])?[-+# 0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[a-zA-Z%]`)

// verbs lists the fmt verbs of s, sorted: a translation may reorder the
// words but must take the same values.
func verbs(s string) []string {
	var out []string
	for _, v := range verb.FindAllString(s, -1) {
		if v != "%%" {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return out
}

// withoutCount is verbs without the count a plural message is chosen by.
func withoutCount(verbs []string) []string {
	i := slices.Index(verbs, "%d")
	if i < 0 {
		return verbs
	}
	return slices.Delete(slices.Clone(verbs), i, i+1)
}

// forms returns a message's texts: the string, or each plural form.
func forms(t *testing.T, file, key string, raw json.RawMessage) map[string]string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return map[string]string{"": s}
	}
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s %s: %v", file, key, err)
	}
	return m
}

// TestSameVerbsAsEnglish: every message of every catalogue takes the same
// values as the English one, in every plural form: a missing %s shows as
// "%!(EXTRA string=…)" on the officer's screen, a stray one as
// "%!s(MISSING)".
func TestSameVerbsAsEnglish(t *testing.T) {
	entries, err := locales.ReadDir("locales")
	if err != nil {
		t.Fatal(err)
	}
	catalogues := map[string]map[string]json.RawMessage{}
	for _, e := range entries {
		raw, err := locales.ReadFile(path.Join("locales", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		catalogues[strings.TrimSuffix(e.Name(), ".json")] = m
	}
	en := catalogues[Source.String()]
	if len(catalogues) < 2 || len(en) < 100 {
		t.Fatalf("%d catalogues, %d English messages: the files were not read", len(catalogues), len(en))
	}
	checked := 0
	for lang, msgs := range catalogues {
		for key, raw := range msgs {
			want, ok := en[key]
			if !ok {
				t.Errorf("%s: %q is not an English message", lang, key)
				continue
			}
			enForms := forms(t, "en", key, want)
			wantVerbs := verbs(enForms["other"] + enForms[""])
			for form, text := range forms(t, lang, key, raw) {
				got := verbs(text)
				if form != "" && form != "other" && slices.Equal(got, withoutCount(wantVerbs)) {
					continue // "no records", "one record": the count may be spelt out
				}
				if !slices.Equal(got, wantVerbs) {
					t.Errorf("%s %s %s: verbs %q, English has %q: %q", lang, key, form, got, wantVerbs, text)
				}
				checked++
			}
		}
	}
	t.Logf("%d messages checked", checked)
}
