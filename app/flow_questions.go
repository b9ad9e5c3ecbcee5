package app

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
)

// questionsStep asks the officer, in the officer's own language, about
// each person screened; answers imply indicators. The person's own
// answers, in their language, come from the screening screens.
func (f *flow) questionsStep() fyne.CanvasObject {
	return f.perPerson("questions.intro", f.personQuestions)
}

// personQuestions is one person's card of questions.
func (f *flow) personQuestions(i int, id uuid.UUID) fyne.CanvasObject {
	p, lang := f.u.p, f.u.lang()
	person := func() *encounter.Person { return f.person(id) }
	ps := person()
	items := []fyne.CanvasObject{}
	for _, q := range f.pack.Questions {
		if q.Retired {
			continue
		}
		items = append(items, f.question(q, person))
	}

	// Indicators about the person that no question covers.
	acc := widget.NewAccordion()
	for _, th := range f.pack.Themes {
		if th.Retired {
			continue
		}
		var inds []content.Indicator
		for _, ind := range f.pack.IndicatorsOf(th.ID) {
			if ind.Scope != content.ScopePremises {
				inds = append(inds, ind)
			}
		}
		if len(inds) == 0 {
			continue
		}
		box := container.NewVBox()
		for _, ind := range inds {
			box.Add(f.indicatorCheck(ind, func() []string { return person().Indicators }, func(ids []string) { person().Indicators = ids }))
		}
		acc.Append(widget.NewAccordionItem(th.Label.In(lang), box))
	}
	more := widget.NewLabelWithStyle(p.T("questions.more"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	if b := f.screeningButton(id); b != nil {
		items = append([]fyne.CanvasObject{b, widget.NewSeparator()}, items...)
	}
	items = append(items, widget.NewSeparator(), more, acc)
	return widget.NewCard(f.u.personLabel(*ps, i), p.T("questions.about"), container.NewVBox(items...))
}

// question is one question with its choices side by side.
func (f *flow) question(q content.Question, person func() *encounter.Person) fyne.CanvasObject {
	lang := f.u.lang()
	text := widget.NewLabel(q.Text.In(lang))
	text.Wrapping = fyne.TextWrapWord
	text.TextStyle.Bold = true
	labels := make([]string, len(q.Choices))
	for i, c := range q.Choices {
		labels[i] = c.Label.In(lang)
	}
	radio := widget.NewRadioGroup(labels, nil)
	radio.Horizontal = len(labels) <= 3 // side by side fits a phone up to three
	if cur := person().Answers[q.ID]; cur != "" {
		if c, ok := q.Choice(cur); ok {
			radio.Selected = c.Label.In(lang)
		}
	}
	radio.OnChanged = func(label string) {
		ps := person()
		i := slices.Index(labels, label)
		if i < 0 {
			delete(ps.Answers, q.ID)
		} else {
			if ps.Answers == nil {
				ps.Answers = map[string]string{}
			}
			ps.Answers[q.ID] = q.Choices[i].ID
		}
		f.changed()
	}
	parts := []fyne.CanvasObject{text}
	if h := q.Hint.In(lang); h != "" {
		hint := widget.NewLabel(h)
		hint.Wrapping = fyne.TextWrapWord
		hint.SizeName = theme.SizeNameCaptionText
		parts = append(parts, hint)
	}
	return container.NewVBox(append(parts, radio)...)
}
