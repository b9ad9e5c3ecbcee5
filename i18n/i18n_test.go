package i18n

import (
	"testing"

	"golang.org/x/text/language"
)

func TestLoadAndFormat(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Languages()[0]; got != Source {
		t.Errorf("first language %v, want the source %v", got, Source)
	}
	p := b.Printer(Source)
	for n, want := range map[int]string{
		0: "0 records to send",
		1: "1 record to send",
		2: "2 records to send",
	} {
		if got := p.T("sync.queued", n); got != want {
			t.Errorf("T(sync.queued, %d) = %q, want %q", n, got, want)
		}
	}
	if got := p.T("sync.last", "10:30"); got != "Last sync 10:30" {
		t.Errorf("T(sync.last) = %q", got)
	}
}

func TestMatchFallsBackToSource(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, prefs := range [][]string{{"en-GB"}, {"xx-invalid-tag-"}, {}, {"ja"}} {
		if got := b.Match(prefs...); got != Source {
			if base, _ := got.Base(); base != language.MustParseBase("en") {
				t.Errorf("Match(%v) = %v, want English", prefs, got)
			}
		}
	}
}

func TestEveryLanguageComplete(t *testing.T) {
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tag := range b.Languages() {
		if missing := b.Missing(tag); len(missing) > 0 {
			t.Errorf("%v lacks %d messages: %v", tag, len(missing), missing)
		}
	}
}
