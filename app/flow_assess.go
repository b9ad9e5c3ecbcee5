package app

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/assess"
	"github.com/waymark-app/waymark/encounter"
)

// assessStep shows the assessment: why, in plain words (which answers
// led to which rule), and the checklist of what to do now, each tick
// timestamped. It redraws when an answer changes the assessment.
func (f *flow) assessStep() fyne.CanvasObject {
	p := f.u.p
	why := container.NewVBox()
	todo := container.NewVBox()
	draw := func() {
		why.Objects = nil
		// Each reason as a sentence the officer can read aloud, naming
		// what was seen or answered; a lower-level one says so.
		for _, sn := range assess.Explain(f.pack, f.result, f.u.p) {
			text := sn.Text
			if sn.Person != "" {
				text = f.personName(sn.Person) + ": " + text
			}
			why.Add(f.reasonItem(sn.Level.String(), text, ""))
		}
		if len(f.result.Reasons) == 0 {
			why.Add(widget.NewLabel(p.T("assess.no_reasons")))
		}
		todo.Objects = nil
		for _, id := range f.result.Actions {
			todo.Add(f.actionCheck(id))
		}
		relayout(why)
		relayout(todo)
	}
	draw()
	f.refresh = append(f.refresh, draw)
	return container.NewVBox(
		widget.NewLabelWithStyle(p.T("assess.why"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), why,
		widget.NewSeparator(),
		widget.NewLabelWithStyle(p.T("assess.todo"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), todo)
}

// reasonItem is one reason: its level as a word on its colour, the reason,
// and what it rests on.
func (f *flow) reasonItem(level, text, because string) fyne.CanvasObject {
	badge := newBadge()
	setBadge(badge, f.u.p.T("rag.word."+level), ragColorOf(level))
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	parts := []fyne.CanvasObject{l}
	if because != "" {
		b := widget.NewLabel(because)
		b.Wrapping = fyne.TextWrapWord
		b.SizeName = theme.SizeNameCaptionText
		parts = append(parts, b)
	}
	return container.NewBorder(nil, nil, container.NewVBox(badge), nil, container.NewVBox(parts...))
}

// actionCheck is one action to tick; ticking records when and by whom.
func (f *flow) actionCheck(id string) fyne.CanvasObject {
	lang := f.u.lang()
	a, ok := f.pack.Action(id)
	if !ok {
		return widget.NewLabel(id)
	}
	done := widget.NewLabel("")
	done.SizeName = theme.SizeNameCaptionText
	done.Importance = widget.SuccessImportance
	show := func() {
		if t, ok := f.rec.Ticked(id); ok {
			done.SetText(f.u.p.T("assess.done", timeText(t.At), t.By))
			done.Show()
		} else {
			done.Hide()
		}
	}
	check := widget.NewCheck(a.Label.In(lang), nil)
	_, check.Checked = f.rec.Ticked(id)
	check.OnChanged = func(on bool) {
		f.rec.Checklist = slices.DeleteFunc(f.rec.Checklist, func(t encounter.Tick) bool { return t.Action == id })
		if on {
			f.rec.Checklist = append(f.rec.Checklist, encounter.Tick{Action: id, At: f.u.deps.Now().UTC(), By: f.u.officer().String()})
		}
		show()
		relayout(f.u.win.Content())
		f.save() // ticks do not change the assessment
	}
	show()
	hint := widget.NewLabel(a.Hint.In(lang))
	hint.Wrapping = fyne.TextWrapWord
	hint.SizeName = theme.SizeNameCaptionText
	return container.NewVBox(check, container.NewPadded(container.NewVBox(hint, done)))
}
