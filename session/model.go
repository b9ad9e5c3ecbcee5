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

	keySetPIN        = "setpin.title"
	keySetPINConfirm = "setpin.confirm"
	keyChangeCurrent = "changepin.current"
	keyChangeNew     = "changepin.new"

	keyForgotUnsent        = "forgot.unsent"
	keyForgotUnsentNone    = "forgot.unsent_none"
	keyForgotUnsentUnknown = "forgot.unsent_unknown"
	keyForgotWipe          = "forgot.wipe"
	keyForgotConfirm       = "forgot.confirm"
)

// wipedKeys say why a device was wiped, by Reason.
var wipedKeys = [...]string{
	WipedEarlier:   "wiped.earlier",
	WipedTries:     "wiped.tries",
	WipedRevoked:   "wiped.revoked",
	WipedDisabled:  "wiped.disabled",
	WipedForgotten: "wiped.forgotten",
	WipedDamaged:   "wiped.damaged",
}

// WipedMessage says why the device was wiped, for the wiped screen.
func WipedMessage(why Reason) Message {
	if why < 0 || int(why) >= len(wipedKeys) {
		why = WipedEarlier
	}
	return msg(wipedKeys[why])
}

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
	// Set seals the vault with the PIN chosen (Submit calls it):
	// Session.SetPIN on a new device. Nil: Submit only hands the PIN back.
	Set func(ctx context.Context, pin []byte) error
	// Confirming is set once a PIN that passes the rules was typed:
	// the screen asks for it again.
	Confirming bool
	// Problem says why the PIN was refused, or nothing.
	Problem Message
	first   []byte
}

// NewSetPINModel returns the set-PIN model of s; its Set is
// Session.SetPIN.
func NewSetPINModel(s *Session) *SetPINModel { return &SetPINModel{s: s, Set: s.SetPIN} }

// Title is the screen's heading: choose a PIN, or type it again.
func (m *SetPINModel) Title() Message {
	if m.Confirming {
		return msg(keySetPINConfirm)
	}
	return msg(keySetPIN)
}

// Submit takes what the officer typed and, once the PIN was typed twice
// the same, sets it with Set (which derives a key: call Submit off the
// interface's goroutine). It reports whether the PIN is set; if refused,
// Problem says why.
func (m *SetPINModel) Submit(ctx context.Context, text string) bool {
	pin := m.Enter(text)
	if pin == nil {
		return false
	}
	defer clear(pin)
	if err := m.Set(ctx, pin); err != nil {
		m.Refused(err)
		return false
	}
	return true
}

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

// ChangeStage is where the Change PIN screen is.
type ChangeStage int

// The stages of a PIN change.
const (
	// ChangeCurrent: the current PIN is asked for, and checked (and
	// counted) at once.
	ChangeCurrent ChangeStage = iota
	// ChangeNew: the new PIN is asked for.
	ChangeNew
	// ChangeConfirm: the new PIN is asked for again.
	ChangeConfirm
)

// ChangePINModel is the Change PIN screen's state and rules: the current
// PIN, checked by the vault and counted by its lockout as on the lock
// screen, then the new one twice. Only the vault is sealed again; the
// store is not rewritten.
type ChangePINModel struct {
	s       *Session
	current []byte
	next    *SetPINModel
	// Problem says why the last PIN was refused, or nothing.
	Problem Message
}

// NewChangePINModel returns the Change PIN model of s.
func NewChangePINModel(s *Session) *ChangePINModel {
	m := &ChangePINModel{s: s}
	m.next = &SetPINModel{s: s, Set: func(ctx context.Context, pin []byte) error {
		return s.ChangePIN(ctx, m.current, pin)
	}}
	return m
}

// Stage is where the change is.
func (m *ChangePINModel) Stage() ChangeStage {
	switch {
	case m.current == nil:
		return ChangeCurrent
	case m.next.Confirming:
		return ChangeConfirm
	}
	return ChangeNew
}

// Title is the screen's heading at this stage.
func (m *ChangePINModel) Title() Message {
	switch m.Stage() {
	case ChangeCurrent:
		return msg(keyChangeCurrent)
	case ChangeConfirm:
		return msg(keySetPINConfirm)
	}
	return msg(keyChangeNew)
}

// Submit takes what the officer typed at this stage; it checks the
// current PIN or seals the vault under the new one (each derives a key:
// call it off the interface's goroutine). It reports whether the PIN is
// changed; if refused, Problem says why. A wrong current PIN counts
// towards the wipe, as on the lock screen.
func (m *ChangePINModel) Submit(ctx context.Context, text string) bool {
	if m.current == nil {
		if text == "" {
			m.Problem = msg(keyEmpty)
			return false
		}
		pin := []byte(text)
		if err := m.s.CheckPIN(ctx, pin); err != nil {
			clear(pin)
			m.Problem = pinProblem(err)
			return false
		}
		m.current, m.Problem = pin, Message{}
		return false
	}
	done := m.next.Submit(ctx, text)
	m.Problem = m.next.Problem
	if done {
		m.Close()
	}
	return done
}

// Close forgets the PINs typed.
func (m *ChangePINModel) Close() {
	clear(m.current)
	m.current = nil
	m.next.Reset()
}

// ForgotModel is the forgotten-PIN screen's state: what a wipe would
// lose (counted, never named: the records cannot be read without the
// PIN), and the wipe, only at a second tap.
type ForgotModel struct {
	s *Session
	// Armed is set by the first tap on the wipe: the next one wipes.
	Armed bool
}

// NewForgotModel returns the forgotten-PIN model of s.
func NewForgotModel(s *Session) *ForgotModel { return &ForgotModel{s: s} }

// Unsent says how many records a wipe would lose.
func (m *ForgotModel) Unsent() Message {
	u := m.s.LockStatus().Unsent
	switch {
	case !u.Known:
		return msg(keyForgotUnsentUnknown)
	case u.Total() == 0:
		return msg(keyForgotUnsentNone)
	}
	return msg(keyForgotUnsent, u.Total())
}

// Sending reports whether the app is still sending while locked: the
// screen suggests waiting for the count to go down.
func (m *ForgotModel) Sending() bool { return m.s.Engine() != nil }

// Button is the wipe button's label: it asks again once armed.
func (m *ForgotModel) Button() Message {
	if m.Armed {
		return msg(keyForgotConfirm)
	}
	return msg(keyForgotWipe)
}

// Tap takes a tap on the wipe button: the first arms it, the second
// wipes the device (Session.Wipe, WipedForgotten).
func (m *ForgotModel) Tap(ctx context.Context) error {
	if !m.Armed {
		m.Armed = true
		return nil
	}
	return m.s.Wipe(ctx, WipedForgotten)
}
