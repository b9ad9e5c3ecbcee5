package app

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/screening"
)

// screeningButton opens the screening of person id in their own language,
// read by an interpreter or handed over; nil if the pack has no
// screening questions.
func (f *flow) screeningButton(id uuid.UUID) fyne.CanvasObject {
	if f.pack.Screening == nil {
		return nil
	}
	b := widget.NewButtonWithIcon(f.u.p.T("questions.screen"), theme.AccountIcon(), func() { f.openScreening(id) })
	b.Importance = widget.HighImportance
	return b
}

// openScreening pushes the interpreter screen for person id; from there
// the officer may hand the device over. Every answer is kept on the person
// at once, and counts in the assessment through the indicators it implies.
func (f *flow) openScreening(id uuid.UUID) *Interpreter {
	person := func() *encounter.Person { return f.person(id) }
	deps := ScreeningDeps{
		Set:     f.pack.Screening,
		Officer: f.u.p,
		Person:  firstLanguage(person().Languages),
		Prefs:   f.u.prefs,
		Session: f.u.deps.Session,
		Now:     f.u.deps.Now,
		Record: func(a screening.Answer) error {
			ps := person()
			ps.Screening = append(ps.Screening, toRecord(a))
			if !slices.Contains(ps.Languages, a.Language.String()) && a.Language != language.Und {
				ps.Languages = append(ps.Languages, a.Language.String())
			}
			f.changed()
			return f.saveErr
		},
	}
	iv := NewInterpreter(deps, func(t language.Tag) {
		d := deps
		d.Person = t
		NewHandOver(f.u.win, d).Start(func() { f.u.showTop() })
	})
	f.screening = iv
	f.u.push(screen{title: f.u.p.T("screening.title"), content: iv.Content()})
	return iv
}

// firstLanguage is the first of a person's languages that parses as a
// BCP 47 tag, or language.Und.
func firstLanguage(langs []string) language.Tag {
	for _, l := range langs {
		if t, err := language.Parse(l); err == nil {
			return t
		}
	}
	return language.Und
}

// screeningIndicators are the indicators a person's latest screening
// answers imply.
func (f *flow) screeningIndicators(ps encounter.Person) []string {
	if f.pack.Screening == nil {
		return nil
	}
	var out []string
	for _, a := range screening.Latest(fromRecord(ps.Screening)) {
		out = append(out, f.pack.Screening.Indicators(a)...)
	}
	return out
}

func toRecord(a screening.Answer) encounter.ScreeningAnswer {
	return encounter.ScreeningAnswer{
		Question: a.Question, Choice: a.Choice, Text: a.Text, Translation: a.Translation,
		Interpreter: a.Interpreter, Lang: a.Language.String(), Mode: string(a.Mode),
		At: a.At.UTC(), Set: a.SetVersion,
	}
}

func fromRecord(as []encounter.ScreeningAnswer) []screening.Answer {
	out := make([]screening.Answer, len(as))
	for i, a := range as {
		tag, _ := language.Parse(a.Lang)
		out[i] = screening.Answer{
			Question: a.Question, Choice: a.Choice, Text: a.Text, Translation: a.Translation,
			Interpreter: a.Interpreter, Language: tag, Mode: screening.Mode(a.Mode),
			At: a.At, SetVersion: a.Set,
		}
	}
	return out
}
