package app

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
)

// TestMessagesExist checks that every message key the interface uses is in
// the source catalogue: literal keys found in this package's code, and the
// keys it builds from record values.
func TestMessagesExist(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("*.go")
	more, _ := filepath.Glob("internal/model/*.go")
	files = append(files, more...)
	lit := regexp.MustCompile(`(?:\.T|\badd)\("([a-z0-9_.]+)"\s*[,)]`)
	keys := map[string]bool{}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range lit.FindAllSubmatch(src, -1) {
			keys[string(m[1])] = true
		}
	}
	if len(keys) < 20 {
		t.Fatalf("found only %d keys: the pattern no longer matches the code", len(keys))
	}
	for _, s := range model.StepKeys {
		keys["flow."+s] = true
	}
	for _, l := range []string{"unassessed", "green", "amber", "red"} {
		keys["rag."+l] = true
		keys["rag.word."+l] = true
	}
	for _, g := range model.Genders {
		keys["gender."+g] = true
	}
	for _, e := range []string{"none", "basic", "good", "fluent"} {
		keys["english."+e] = true
	}
	for _, s := range model.TextSizes {
		keys["look.size."+string(s)] = true
	}
	for _, a := range model.Appearances {
		keys["look.appearance."+string(a)] = true
	}
	for _, f := range []string{"draft", "waiting", "sent", "held"} {
		keys["filter.state."+f] = true
	}
	for _, f := range []string{"today", "week", "month"} {
		keys["filter.period."+f] = true
	}
	for _, l := range []string{"green", "amber"} {
		keys["rag.line."+l] = true
	}
	for _, a := range agencies {
		keys["agency."+a] = true
	}
	for _, f := range encounter.RecordFields {
		keys["field."+f] = true
	}
	for _, f := range encounter.PersonFields {
		keys["field.person."+f] = true
	}
	for _, p := range encounter.AllProblems {
		keys["problem."+p.Field+"."+p.Code] = true
	}
	for k := range keys {
		if !b.Has(k) {
			t.Errorf("message %q is used but not in the catalogue", k)
		}
	}
}
