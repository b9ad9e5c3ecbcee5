package session

import (
	"testing"

	"github.com/waymark-app/waymark/i18n"
)

// TestMessageKeys: every message the models can say is in the app's
// catalogue.
func TestMessageKeys(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{keyWrong, keyWait, keyWaitMinutes, keyWipedNow, keyEmpty, keyFailed, keyWarn,
		keyUnsent, keyUnsentNone, keyUnsentUnknown, keyMismatch}
	for _, r := range pinRules {
		keys = append(keys, keyRulePrefix+r)
	}
	for _, k := range keys {
		if !b.Has(k) {
			t.Errorf("message %q is not in the catalogue", k)
		}
	}
}

// TestSetPINModel: a PIN that breaks a rule is refused at once, naming
// the rule; a PIN typed twice differently starts again; typed twice the
// same, it is handed back to be set.
func TestSetPINModel(t *testing.T) {
	w := newWorld(t)
	s := w.open()
	m := NewSetPINModel(s)
	for _, c := range []struct{ pin, rule string }{
		{"12345", "too-short"},
		{"121212", "repeated"},
		{"987654", "sequence"},
		{"112233", "common"},
		{"short", "too-short"},
	} {
		if m.Enter(c.pin) != nil || m.Confirming || m.Problem.Key != keyRulePrefix+c.rule {
			t.Errorf("%q: confirming %v, problem %+v", c.pin, m.Confirming, m.Problem)
		}
	}
	if m.Enter("482913") != nil || !m.Confirming || !m.Problem.None() {
		t.Fatalf("a good PIN: confirming %v, problem %+v", m.Confirming, m.Problem)
	}
	if m.Enter("482914") != nil || m.Confirming || m.Problem.Key != keyMismatch {
		t.Fatalf("a different confirmation: %+v", m.Problem)
	}
	m.Enter("a long passphrase")
	if got := m.Enter("a long passphrase"); string(got) != "a long passphrase" || !m.Problem.None() {
		t.Fatalf("confirmed: %q, %+v", got, m.Problem)
	}
}

// TestWaitMessage says a delay in seconds, then in minutes, rounded up.
func TestWaitMessage(t *testing.T) {
	for d, want := range map[int]Message{
		30:   msg(keyWait, 30),
		1:    msg(keyWait, 1),
		90:   msg(keyWait, 90),
		91:   msg(keyWaitMinutes, 2),
		3600: msg(keyWaitMinutes, 60),
	} {
		got := waitMessage(secs(d))
		if got.Key != want.Key || got.Args[0] != want.Args[0] {
			t.Errorf("%d s: %+v, want %+v", d, got, want)
		}
	}
}
