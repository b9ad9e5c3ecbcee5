package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// choice is one button of a dialog: its label in the officer's language,
// how it is drawn, and what it does (nil: just close).
type choice struct {
	label string
	imp   widget.Importance
	run   func()
}

// ask shows a dialog whose buttons are the officer's words, at least a
// touch target each (Fyne's own dialogs say Yes and No in the device's
// language, 36 dp high); every button closes it, then runs.
func (u *UI) ask(title string, content fyne.CanvasObject, buttons ...choice) dialog.Dialog {
	d := dialog.NewCustomWithoutButtons(title, content, u.win)
	var objs []fyne.CanvasObject
	for _, c := range buttons {
		_, o := newButton(c.label, nil, c.imp, func() {
			d.Hide()
			if c.run != nil {
				c.run()
			}
		})
		objs = append(objs, o)
	}
	d.SetButtons([]fyne.CanvasObject{container.NewGridWithColumns(len(objs), objs...)})
	d.Resize(fyne.NewSize(320, 0))
	d.Show()
	return d
}

// message shows text in a dialog the officer closes.
func (u *UI) message(text string) {
	u.ask("", wrapped(text), choice{label: u.p.T("dialog.close"), imp: widget.MediumImportance})
}

// confirm asks the officer a question; yes runs if they agree.
func (u *UI) confirm(title, body, yesLabel, noLabel string, yes func()) {
	u.ask(title, wrapped(body),
		choice{label: noLabel, imp: widget.MediumImportance},
		choice{label: yesLabel, imp: widget.HighImportance, run: yes})
}
