package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/screening"
	"github.com/waymark-app/waymark/session"
)

// ScreeningDeps are what the interpreter and hand-over screens need. The
// encounter flow builds one for each person it screens.
type ScreeningDeps struct {
	Set *screening.Set
	// Officer formats the officer's side of the screens. Its language
	// also picks the officer's column of questions (English or Welsh).
	Officer *i18n.Printer
	// Person is the person's language. language.Und means the language
	// of the last person screened (Kept), else the set's source.
	Person language.Tag
	// Kept remembers the language of the last person screened, in the
	// encrypted store (model.Saver). Nil: nothing is remembered.
	Kept *model.Saver
	// Session checks the officer's PIN, which ends a hand-over.
	Session *session.Session
	// Record keeps one answer; the flow stores it on the person in the
	// encounter record, and the Saver writes it off the UI goroutine. An
	// error leaves the answer unrecorded and says so on screen.
	Record func(screening.Answer) error
	// Previous are the person's answers so far, by question: the
	// screens show them, and count them.
	Previous map[string]screening.Answer
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Hint, if set, says what in a free-text answer the officer types on
	// the interpreter screen looks like an identifying detail
	// (model.Flow.IdentifierHint). The hand-over, which the person holds,
	// shows no such hint.
	Hint func(text string) model.Notice
}

func (d *ScreeningDeps) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

// officerLanguage is the set's language for the officer's column.
func (d *ScreeningDeps) officerLanguage() *screening.Language {
	l, _ := d.Set.Match(d.Officer.Tag())
	return l
}

// personLanguage is the set's language for the person: Person, or the
// remembered one, matched to what the set has.
func (d *ScreeningDeps) personLanguage() *screening.Language {
	want := d.Person
	if want == language.Und {
		if d.Kept != nil {
			want, _ = d.Kept.PersonLanguage()
		}
	}
	l, _ := d.Set.Match(want)
	return l
}

// draftNote says, in the officer's language, whether s in language l is
// a draft or who reviewed it, and how to colour that; ok is false for the
// set's source language, which is not a translation.
func draftNote(p *i18n.Printer, set *screening.Set, l *screening.Language, s screening.String) (text string, colour fyne.ThemeColorName, ok bool) {
	if l.Tag == set.Source {
		return "", "", false
	}
	if s.IsDraft() {
		return p.T("screening.draft"), theme.ColorNameWarning, true
	}
	return p.T("screening.reviewed", s.Reviewer, s.Date), theme.ColorNameSuccess, true
}
