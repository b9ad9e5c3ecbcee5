package model

import (
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/screening"
)

// Session is one hand-over: the person going through the screening
// questions alone on the officer's device, one at a time, in their
// language. Its answers are recorded as they are given, by record.
type Session struct {
	set       *screening.Set
	lang      language.Tag
	questions []screening.Question
	pos       int // -1: the introduction; len(questions): the end
	answers   map[string]screening.Answer
	record    func(screening.Answer) error
	now       func() time.Time
	failed    bool // the last answer could not be recorded
	hidden    bool
}

// NewSession starts a hand-over of set in language lang. previous are
// the person's answers so far, by question: going back shows them, and a
// question already answered can be passed without answering again.
func NewSession(set *screening.Set, lang language.Tag, previous map[string]screening.Answer, record func(screening.Answer) error, now func() time.Time) *Session {
	if now == nil {
		now = time.Now
	}
	s := &Session{set: set, lang: lang, questions: set.Questions, pos: -1, answers: map[string]screening.Answer{}, record: record, now: now}
	for id, a := range previous {
		s.answers[id] = a
	}
	return s
}

// Page is what the session shows.
type Page int

// The pages of a hand-over.
const (
	PageIntro Page = iota
	PageQuestion
	PageEnd
)

// Page is the page on screen.
func (s *Session) Page() Page {
	switch {
	case s.pos < 0:
		return PageIntro
	case s.pos >= len(s.questions):
		return PageEnd
	}
	return PageQuestion
}

// Question is the question on screen, on a question page.
func (s *Session) Question() screening.Question { return s.questions[s.pos] }

// Position is the question's number from 1, and how many there are.
func (s *Session) Position() (n, total int) { return s.pos + 1, len(s.questions) }

// Answer returns the answer given to question id, if any.
func (s *Session) Answer(id string) (screening.Answer, bool) {
	a, ok := s.answers[id]
	return a, ok
}

// Answered counts the questions answered.
func (s *Session) Answered() int { return len(s.answers) }

// CanPass reports whether the question on screen was answered before, so
// the person may move on without answering again.
func (s *Session) CanPass() bool {
	if s.Page() != PageQuestion {
		return false
	}
	_, ok := s.answers[s.Question().ID]
	return ok
}

// Failed reports whether the last answer could not be recorded.
func (s *Session) Failed() bool { return s.failed }

// Next moves to the next page.
func (s *Session) Next() {
	s.failed = false
	if s.pos < len(s.questions) {
		s.pos++
	}
}

// Back moves to the page before.
func (s *Session) Back() {
	s.failed = false
	if s.pos >= 0 {
		s.pos--
	}
}

// Choose answers the question on screen with choice and moves on, or
// stays and says the answer could not be recorded.
func (s *Session) Choose(choice string) {
	s.keep(screening.Answer{Question: s.Question().ID, Choice: choice})
}

// SaveText answers the question on screen in the person's words; empty
// text is not an answer.
func (s *Session) SaveText(text string) {
	if t := strings.TrimSpace(text); t != "" {
		s.keep(screening.Answer{Question: s.Question().ID, Text: t})
	}
}

func (s *Session) keep(a screening.Answer) {
	a.Language, a.Mode, a.At, a.SetVersion = s.lang, screening.HandOverMode, s.now(), s.set.Version
	if err := s.record(a); err != nil {
		s.failed = true
		return
	}
	s.answers[a.Question] = a
	s.Next()
}

// Hide blanks the screen at once, for when someone walks in.
func (s *Session) Hide() { s.hidden = true }

// Hidden reports whether the screen is blank.
func (s *Session) Hidden() bool { return s.hidden }

// Reveal brings the page back, once the officer's PIN was given.
func (s *Session) Reveal() { s.hidden = false }

// Unlock rules: after every MaxPINFailures wrong PINs in a row the pad
// refuses for PINLockout.
const (
	MaxPINFailures = 5
	PINLockout     = 30 * time.Second
)

// Unlock decides whether a PIN ends a hand-over, and has the officer
// choose one the first time: six digits, twice. The PIN is kept only as
// a hash (see HashPIN).
type Unlock struct {
	p           *i18n.Printer
	prefs       Prefs
	now         func() time.Time
	failures    int
	lockedUntil time.Time
	first       string // the PIN chosen, waiting to be confirmed
}

// NewUnlock returns the unlock rules for the PIN kept in prefs.
func NewUnlock(p *i18n.Printer, prefs Prefs, now func() time.Time) *Unlock {
	if now == nil {
		now = time.Now
	}
	return &Unlock{p: p, prefs: prefs, now: now}
}

// Chosen reports whether the officer has chosen a PIN.
func (u *Unlock) Chosen() bool { return u.prefs.UnlockPIN() != "" }

// ChoosePrompt is what the pad asks while a PIN is being chosen.
func (u *Unlock) ChoosePrompt() string {
	if u.first == "" {
		return u.p.T("handover.pin.set")
	}
	return u.p.T("handover.pin.confirm")
}

// Choose takes one entry while the officer chooses a PIN: the first is
// kept to confirm; the second must match it, and then the PIN's hash is
// kept and done is true. A mismatch starts again, saying why.
func (u *Unlock) Choose(pin string) (done bool, problem string) {
	if u.first == "" {
		u.first = pin
		return false, ""
	}
	first := u.first
	u.first = ""
	if pin != first {
		return false, u.p.T("handover.pin.mismatch")
	}
	hash, err := HashPIN(pin)
	if err != nil {
		return false, u.p.T("screening.record_failed")
	}
	u.prefs.SetUnlockPIN(hash)
	return true, ""
}

// Try reports whether pin is the officer's, counting failures; when it
// is not, problem says why (wrong, or wait while locked).
func (u *Unlock) Try(pin string) (ok bool, problem string) {
	now := u.now()
	if now.Before(u.lockedUntil) {
		secs := int(u.lockedUntil.Sub(now).Round(time.Second) / time.Second)
		return false, u.p.T("handover.pin.locked", max(secs, 1))
	}
	if CheckPIN(u.prefs.UnlockPIN(), pin) {
		u.failures = 0
		return true, ""
	}
	u.failures++
	if u.failures%MaxPINFailures == 0 {
		u.lockedUntil = now.Add(PINLockout)
		return false, u.p.T("handover.pin.locked", int(PINLockout/time.Second))
	}
	return false, u.p.T("handover.pin.wrong")
}

// Pad is the PIN pad's entry: the digits typed, shown as dots, and the
// message under them.
type Pad struct {
	p       *i18n.Printer
	digits  string
	Message string
}

// NewPad returns an empty pad in the officer's language.
func NewPad(p *i18n.Printer) *Pad { return &Pad{p: p} }

// Digit types d, up to PINLength digits.
func (pd *Pad) Digit(d string) {
	if len(pd.digits) < PINLength {
		pd.digits += d
		pd.Message = ""
	}
}

// Delete removes the last digit.
func (pd *Pad) Delete() {
	if len(pd.digits) > 0 {
		pd.digits = pd.digits[:len(pd.digits)-1]
	}
}

// Dots shows the digits typed, as dots; never empty, so the line keeps
// its height.
func (pd *Pad) Dots() string { return strings.Repeat("● ", len(pd.digits)) + " " }

// Enter returns the PIN typed and clears the pad, or says it is short.
func (pd *Pad) Enter() (string, bool) {
	if len(pd.digits) != PINLength {
		pd.Fail(pd.p.T("handover.pin.short"))
		return "", false
	}
	pin := pd.digits
	pd.digits = ""
	return pin, true
}

// Fail clears the pad and shows why the PIN was refused.
func (pd *Pad) Fail(msg string) {
	pd.digits = ""
	pd.Message = msg
}
