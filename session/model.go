package session

import (
	"context"
	"errors"
	"time"

	"github.com/waymark-app/waymark/vault"
)

// Message is a line for a screen: a key of the app's message catalogue
// (i18n) and its arguments, a count first where the message has plural
// forms. The zero Message says nothing.
type Message struct {
	Key  string
	Args []any
}

// None reports whether m says nothing.
func (m Message) None() bool { return m.Key == "" }

func msg(key string, args ...any) Message { return Message{Key: key, Args: args} }

// The message keys the models use; the app's catalogue has each
// (TestMessageKeys).
const (
	keyWrong         = "lock.wrong"
	keyWait          = "lock.wait"
	keyWaitMinutes   = "lock.wait_minutes"
	keyWipedNow      = "lock.wiped"
	keyEmpty         = "lock.empty"
	keyFailed        = "lock.failed"
	keyWarn          = "lock.warn"
	keyUnsent        = "lock.unsent"
	keyUnsentNone    = "lock.unsent_none"
	keyUnsentUnknown = "lock.unsent_unknown"
	keyMismatch      = "pin.mismatch"
	keyRulePrefix    = "pin.rule."
)

// pinRules are the rules of vault.PINRules, each with a message
// "pin.rule.<rule>".
var pinRules = []string{vault.RuleEncoding, vault.RuleTooShort, vault.RuleTooLong, vault.RuleRepeated,
	vault.RuleSequence, vault.RuleCommon, vault.RulePassphrase, vault.RuleSame}

// LockModel is the lock screen's state and rules, in plain Go: the
// lockout as the vault counts it, why the last PIN was refused, and the
// warning before the last tries with how many records a wipe would lose.
// It never holds anything about a record. The same model serves the
// hand-over screen's exit, where Try is Session.CheckPIN.
type LockModel struct {
	s *Session
	// Try checks a PIN: Session.Unlock on the lock screen,
	// Session.CheckPIN on the hand-over screen.
	Try func(ctx context.Context, pin []byte) error
	// Status is the lockout as last read (Refresh).
	Status LockStatus
	// Problem says why the last PIN was refused, or nothing.
	Problem Message
	// Busy is set while a PIN is checked.
	Busy bool
}

// NewLockModel returns the model of a PIN screen whose PINs try runs.
func NewLockModel(s *Session, try func(ctx context.Context, pin []byte) error) *LockModel {
	m := &LockModel{s: s, Try: try}
	m.Refresh()
	return m
}

// Refresh reads the lockout and the count of records not on the server
// again: the screen calls it every second while a delay runs.
func (m *LockModel) Refresh() { m.Status = m.s.LockStatus() }

// CanTry reports whether a PIN may be tried now: not while another is
// checked, during a delay, or once wiped.
func (m *LockModel) CanTry() bool {
	return !m.Busy && m.Status.State == vault.StateLocked
}

// Wait is how long until the next try, during a delay.
func (m *LockModel) Wait() time.Duration {
	if m.Status.State != vault.StateDelayed {
		return 0
	}
	return m.Status.Wait
}

// Delay says how long to wait, during a delay; nothing otherwise.
func (m *LockModel) Delay() Message {
	if m.Wait() <= 0 {
		return Message{}
	}
	return m.waitMessage()
}

// Warning is what the screen says before the last tries: how many are
// left before the device is wiped, then how many records that would lose.
// Nothing while there are tries enough.
func (m *LockModel) Warning() []Message {
	if !m.Status.Warn {
		return nil
	}
	return []Message{msg(keyWarn, m.Status.TriesLeft), unsentMessage(m.Status.Unsent)}
}

// unsentMessage says how many records are not on the server.
func unsentMessage(u Unsent) Message {
	switch {
	case !u.Known:
		return msg(keyUnsentUnknown)
	case u.Total() == 0:
		return msg(keyUnsentNone)
	}
	return msg(keyUnsent, u.Total())
}

// Submit tries pin and reports whether it was right; if not, Problem
// says why. The PIN's bytes are cleared after the try.
func (m *LockModel) Submit(ctx context.Context, pin string) bool {
	if pin == "" {
		m.Problem = msg(keyEmpty)
		return false
	}
	if !m.CanTry() {
		m.Refresh()
		if !m.CanTry() {
			m.Problem = m.waitMessage()
			return false
		}
	}
	p := []byte(pin)
	defer clear(p)
	m.Busy = true
	err := m.Try(ctx, p)
	m.Busy = false
	m.Refresh()
	m.Problem = m.refusal(err)
	return err == nil
}

// refusal is the message for a refused try.
func (m *LockModel) refusal(err error) Message {
	switch {
	case err == nil:
		return Message{}
	case errors.Is(err, vault.ErrErased):
		return msg(keyWipedNow)
	case errors.Is(err, vault.ErrDelayed):
		return m.waitMessage()
	case errors.Is(err, vault.ErrWrongPIN):
		return msg(keyWrong)
	case errors.Is(err, vault.ErrPIN):
		return msg(keyEmpty) // not a PIN at all; not counted
	}
	return msg(keyFailed)
}

// waitMessage says how long to wait.
func (m *LockModel) waitMessage() Message { return waitMessage(m.Wait()) }

// waitMessage says how long d is: whole seconds rounded up, or whole
// minutes rounded up beyond a minute and a half.
func waitMessage(d time.Duration) Message {
	if d > 90*time.Second {
		return msg(keyWaitMinutes, int((d+time.Minute-1)/time.Minute))
	}
	return msg(keyWait, max(int((d+time.Second-1)/time.Second), 1))
}

// SetPINModel is the set-PIN screen's state and rules: the officer types
// a new PIN, then the same again; the vault's rules are checked at the
// first, so the officer learns at once what is wrong.
type SetPINModel struct {
	s *Session
	// Confirming is set once a PIN that passes the rules was typed:
	// the screen asks for it again.
	Confirming bool
	// Problem says why the PIN was refused, or nothing.
	Problem Message
	first   []byte
}

// NewSetPINModel returns the set-PIN model of s.
func NewSetPINModel(s *Session) *SetPINModel { return &SetPINModel{s: s} }

// Enter takes what the officer typed: the new PIN, or its confirmation.
// It returns the PIN, once typed twice the same, for the caller to set
// (Session.SetPIN or ChangePIN) and clear; nil until then.
func (m *SetPINModel) Enter(pin string) []byte {
	p := []byte(pin)
	if !m.Confirming {
		if err := m.s.CheckNewPIN(p); err != nil {
			clear(p)
			m.Problem = pinProblem(err)
			return nil
		}
		m.first, m.Confirming, m.Problem = p, true, Message{}
		return nil
	}
	same := string(p) == string(m.first)
	clear(m.first)
	m.first, m.Confirming = nil, false
	if !same {
		clear(p)
		m.Problem = msg(keyMismatch)
		return nil
	}
	m.Problem = Message{}
	return p
}

// Reset forgets a first PIN typed and starts again.
func (m *SetPINModel) Reset() {
	clear(m.first)
	m.first, m.Confirming, m.Problem = nil, false, Message{}
}

// Refused records why a PIN Enter returned was refused when set (the
// rules, or a wrong current PIN on a change).
func (m *SetPINModel) Refused(err error) { m.Problem = pinProblem(err) }

// pinProblem is the message for a PIN refused when set.
func pinProblem(err error) Message {
	var pe *vault.PINError
	var te *vault.TryError
	switch {
	case errors.As(err, &pe):
		return msg(keyRulePrefix + pe.Rule)
	case errors.Is(err, vault.ErrWrongPIN):
		return msg(keyWrong)
	case errors.Is(err, vault.ErrDelayed) && errors.As(err, &te):
		return waitMessage(te.Status.Wait)
	case errors.Is(err, vault.ErrErased):
		return msg(keyWipedNow)
	}
	return msg(keyFailed)
}
