package model

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/screening"
)

func TestSession(t *testing.T) {
	e := newEnv(t)
	set := e.pack.Screening
	var got []screening.Answer
	fail := false
	record := func(a screening.Answer) error {
		if fail {
			return errors.New("disk full")
		}
		got = append(got, a)
		return nil
	}
	prev := map[string]screening.Answer{set.Questions[1].ID: {Question: set.Questions[1].ID, Choice: screening.No}}
	s := NewSession(set, language.Albanian, prev, record, func() time.Time { return testNow })
	if s.Page() != PageIntro || s.CanPass() {
		t.Fatal("does not start at the introduction")
	}
	s.Next()
	if n, total := s.Position(); n != 1 || total != len(set.Questions) || s.Page() != PageQuestion {
		t.Fatalf("at %d of %d", n, total)
	}
	fail = true
	s.Choose(screening.DontKnow)
	if !s.Failed() || s.Question().ID != set.Questions[0].ID {
		t.Fatal("a failed answer moved on")
	}
	fail = false
	s.Choose(screening.DontKnow)
	if s.Failed() || s.Question().ID != set.Questions[1].ID || !s.CanPass() {
		t.Fatal("after answering: not at the next question, answered before")
	}
	a := got[0]
	if a.Mode != screening.HandOverMode || a.Language != language.Albanian || a.SetVersion != set.Version || !a.At.Equal(testNow) {
		t.Errorf("answer %+v", a)
	}
	s.Next() // passed without answering again
	s.SaveText("   ")
	if len(got) != 1 {
		t.Error("empty text recorded")
	}
	s.Back()
	if b, ok := s.Answer(set.Questions[1].ID); !ok || b.Choice != screening.No {
		t.Error("the previous answer is not shown")
	}
	s.Hide()
	if !s.Hidden() {
		t.Error("not hidden")
	}
	s.Reveal()
	for s.Page() != PageEnd {
		s.Next()
	}
	s.Next()
	if s.Page() != PageEnd {
		t.Error("went past the end")
	}
}
