package model

import (
	"strings"
	"time"

	"golang.org/x/text/language"

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
