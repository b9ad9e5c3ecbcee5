package session

import (
	"errors"
	"testing"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/vault"
)

// TestMessageKeys: every message the models can say is in the app's
// catalogue.
func TestMessageKeys(t *testing.T) {
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{keyWrong, keyWait, keyWaitMinutes, keyWipedNow, keyEmpty, keyFailed, keyWarn,
		keyUnsent, keyUnsentNone, keyUnsentUnknown, keyMismatch, keySetPIN, keySetPINConfirm,
		keyChangeCurrent, keyChangeNew, keyForgotUnsent, keyForgotUnsentNone, keyForgotUnsentUnknown,
		keyForgotWipe, keyForgotConfirm}
	keys = append(keys, wipedKeys[:]...)
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

// TestSetPINModelSubmit: typed twice the same, the PIN seals a new vault
// and the device goes on to enrolment; the screen's title follows.
func TestSetPINModelSubmit(t *testing.T) {
	w := newWorld(t)
	s := w.open()
	m := NewSetPINModel(s)
	if m.Title().Key != keySetPIN {
		t.Errorf("title %+v", m.Title())
	}
	if m.Submit(ctx, "482913") || m.Title().Key != keySetPINConfirm {
		t.Fatalf("first entry: title %+v, problem %+v", m.Title(), m.Problem)
	}
	if !m.Submit(ctx, "482913") || !m.Problem.None() {
		t.Fatalf("confirmed: problem %+v", m.Problem)
	}
	if got := s.State().Phase; got != Enrolling {
		t.Errorf("after the PIN: %v, want enrolling", got)
	}
}

// TestChangePINModel: the current PIN first, checked and counted (a
// wrong one refused there, before any new PIN is asked), then the new
// one twice; the right current PIN no longer opens the vault afterwards.
func TestChangePINModel(t *testing.T) {
	w := newWorld(t)
	s := w.open()
	w.enrol(s)
	m := NewChangePINModel(s)
	if m.Stage() != ChangeCurrent || m.Title().Key != keyChangeCurrent {
		t.Fatalf("starts at %v", m.Stage())
	}
	if m.Submit(ctx, string(pinWrong)) || m.Stage() != ChangeCurrent || m.Problem.Key != keyWrong {
		t.Fatalf("a wrong current PIN: stage %v, problem %+v", m.Stage(), m.Problem)
	}
	if st := s.LockStatus(); st.Failures != 1 {
		t.Errorf("the wrong current PIN was not counted: %d", st.Failures)
	}
	if m.Submit(ctx, string(pinRight)) || m.Stage() != ChangeNew || m.Title().Key != keyChangeNew {
		t.Fatalf("the right current PIN: stage %v, problem %+v", m.Stage(), m.Problem)
	}
	if m.Submit(ctx, "111111") || m.Problem.Key != keyRulePrefix+"repeated" {
		t.Errorf("a repeated new PIN: %+v", m.Problem)
	}
	m.Submit(ctx, "a passphrase of mine")
	if m.Stage() != ChangeConfirm || m.Title().Key != keySetPINConfirm {
		t.Fatalf("not confirming: %v", m.Stage())
	}
	if !m.Submit(ctx, "a passphrase of mine") {
		t.Fatalf("not changed: %+v", m.Problem)
	}
	if err := s.CheckPIN(ctx, pinRight); !errors.Is(err, vault.ErrWrongPIN) {
		t.Errorf("the old PIN after the change: %v", err)
	}
	if err := s.CheckPIN(ctx, []byte("a passphrase of mine")); err != nil {
		t.Errorf("the new PIN: %v", err)
	}
}

// TestForgotModel: the forgotten-PIN screen counts what a wipe would
// lose, and wipes only at the second tap.
func TestForgotModel(t *testing.T) {
	w := newWorld(t)
	s := w.open()
	w.enrol(s)
	r, _ := encounter.New(s.Records().DeviceID(), w.clock.Now())
	r.Premises.Name = "Forgot Draft"
	if err := s.Records().SaveDraft(ctx, r); err != nil {
		t.Fatal(err)
	}
	s.Lock()
	m := NewForgotModel(s)
	if got := m.Unsent(); got.Key != keyForgotUnsent || got.Args[0] != 1 {
		t.Errorf("unsent %+v", got)
	}
	if !m.Sending() || m.Button().Key != keyForgotWipe {
		t.Errorf("sending %v, button %+v", m.Sending(), m.Button())
	}
	if err := m.Tap(ctx); err != nil || s.State().Phase == Wiped || m.Button().Key != keyForgotConfirm {
		t.Fatalf("first tap: %v, %v", err, s.State())
	}
	if err := m.Tap(ctx); err != nil || s.State() != (State{Phase: Wiped, Why: WipedForgotten}) {
		t.Fatalf("second tap: %v, %v", err, s.State())
	}
	if got := WipedMessage(s.State().Why); got.Key != "wiped.forgotten" {
		t.Errorf("wiped message %+v", got)
	}
}
