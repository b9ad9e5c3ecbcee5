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

func TestUnlock(t *testing.T) {
	e := newEnv(t)
	now := testNow
	u := NewUnlock(e.p, e.prefs, func() time.Time { return now })
	if u.Chosen() || u.ChoosePrompt() != e.p.T("handover.pin.set") {
		t.Fatal("a PIN is chosen on a new device")
	}
	if done, problem := u.Choose("246810"); done || problem != "" || u.ChoosePrompt() != e.p.T("handover.pin.confirm") {
		t.Fatal("the first entry did not ask to confirm")
	}
	if done, problem := u.Choose("246811"); done || problem != e.p.T("handover.pin.mismatch") {
		t.Fatalf("a mismatch: %v %q", done, problem)
	}
	u.Choose("246810")
	if done, _ := u.Choose("246810"); !done || !u.Chosen() || !CheckPIN(e.prefs.UnlockPIN(), "246810") {
		t.Fatal("the PIN was not kept as a hash")
	}
	for i := 1; i < MaxPINFailures; i++ {
		if ok, problem := u.Try("000000"); ok || problem != "Wrong PIN." {
			t.Fatalf("wrong PIN %d: %v %q", i, ok, problem)
		}
	}
	if _, problem := u.Try("000000"); problem != "Too many wrong PINs. Wait 30 seconds." {
		t.Errorf("fifth wrong PIN: %q", problem)
	}
	if ok, _ := u.Try("246810"); ok {
		t.Error("the right PIN worked during the lockout")
	}
	now = now.Add(31 * time.Second)
	if ok, _ := u.Try("246810"); !ok {
		t.Error("the right PIN did not work after the lockout")
	}
	pad := NewPad(e.p)
	for _, d := range "123" {
		pad.Digit(string(d))
	}
	pad.Delete()
	if pad.Dots() != "● ●  " {
		t.Errorf("dots %q", pad.Dots())
	}
	if _, ok := pad.Enter(); ok || pad.Message != "Enter all 6 digits." {
		t.Errorf("a short PIN: %q", pad.Message)
	}
	for _, d := range "1234567" {
		pad.Digit(string(d))
	}
	if pin, ok := pad.Enter(); !ok || pin != "123456" || pad.Dots() != " " {
		t.Errorf("entered %q %v", pin, ok)
	}
}
