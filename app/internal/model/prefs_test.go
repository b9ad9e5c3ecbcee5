package model

import (
	"testing"
	"time"

	"golang.org/x/text/language"
)

// TestIdleLock: five minutes unless set, kept in whole minutes, from a
// minute to half an hour.
func TestIdleLock(t *testing.T) {
	for _, c := range []struct {
		set, want time.Duration
	}{
		{0, 5 * time.Minute},
		{10 * time.Minute, 10 * time.Minute},
		{20 * time.Second, time.Minute},
		{2 * time.Hour, 30 * time.Minute},
	} {
		p := NewPrefs(newSettings())
		if c.set != 0 {
			p.SetIdleLock(c.set)
		}
		if got := p.IdleLock(); got != c.want {
			t.Errorf("set %v: idle lock %v, want %v", c.set, got, c.want)
		}
	}
}

// TestDropLegacy: what earlier versions kept in the preferences file
// about the officer, a person or a draft, and the hand-over PIN's hash,
// goes; the officer's own choices stay.
func TestDropLegacy(t *testing.T) {
	s := newSettings()
	for k, v := range map[string]string{
		"handover.unlock_pin":       "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
		"officer.name":              "A Example",
		"officer.number":            "PC 101",
		"officer.agency":            "police",
		"screening.person_language": "sq",
		"flow.step.6f1c2b7e-4d0a-4c36-9b44-8f1e2d3c4b5a": "people",
		"flow.step.0b7a4c1d-2e3f-4a5b-8c6d-7e8f9a0b1c2d": "assess",
		"i18n.officer_language":                          "cy",
		"look.text_size":                                 "large",
	} {
		s.SetString(k, v)
	}
	NewPrefs(s).DropLegacy()
	want := map[string]string{"i18n.officer_language": "cy", "look.text_size": "large"}
	if len(s.m) != len(want) {
		t.Errorf("left %v, want %v", s.m, want)
	}
	for k, v := range want {
		if s.m[k] != v {
			t.Errorf("%s = %q, want %q", k, s.m[k], v)
		}
	}
	// A clean file is left alone: Fyne would write it again.
	s.removed = 0
	NewPrefs(s).DropLegacy()
	if s.removed != 0 {
		t.Errorf("%d settings removed from a clean file", s.removed)
	}
}

// TestKeptInTheStore: the language of the last person screened is kept
// in the encrypted store, read back at once (before the saver has written
// it) and after.
func TestKeptInTheStore(t *testing.T) {
	e := newEnv(t)
	if _, ok := e.saver.PersonLanguage(); ok {
		t.Fatal("a language before any was kept")
	}
	e.saver.SetPersonLanguage(language.Albanian)
	if got, ok := e.saver.PersonLanguage(); !ok || got != language.Albanian {
		t.Errorf("read at once: %v", got)
	}
	e.settle()
	if b, err := e.st.Setting(ctx, keptPersonLanguage); err != nil || string(b) != "sq" {
		t.Errorf("in the store: %q, %v", b, err)
	}
	if got, ok := e.saver.PersonLanguage(); !ok || got != language.Albanian {
		t.Errorf("read from the store: %v", got)
	}
	if len(e.set.m) != 0 {
		t.Errorf("the preferences hold %v", e.set.m)
	}
}
