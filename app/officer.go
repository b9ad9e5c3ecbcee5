package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/sync/wire"
)

// agencies are the agencies an officer may belong to, as stored: the
// protocol's list.
var agencies = wire.Agencies

// openOfficer shows Your details: who the officer is, how the app looks
// to them (language, text size, light or dark), kept across restarts,
// and, on a device with a PIN, a way to lock the app now and to change
// the PIN. next, if set, runs once the details are saved.
func (u *UI) openOfficer(next func()) {
	p := u.p
	o := u.officer()
	name := widget.NewEntry()
	name.SetText(o.Name)
	name.SetPlaceHolder(p.T("officer.name.hint"))
	number := widget.NewEntry()
	number.SetText(o.Number)
	number.SetPlaceHolder(p.T("officer.number.hint"))
	labels := make([]string, len(agencies))
	for i, a := range agencies {
		labels[i] = p.T("agency." + a)
	}
	agency := widget.NewSelect(labels, nil)
	agency.PlaceHolder = p.T("officer.agency.hint")
	for i, a := range agencies {
		if a == o.Agency {
			agency.SetSelectedIndex(i)
		}
	}
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	intro := wrapped(p.T("officer.intro"))
	if u.enrolled() {
		// Who the officer is comes from their account on the server.
		intro.SetText(p.T("officer.enrolled"))
		name.Disable()
		number.Disable()
		agency.Disable()
	}
	_, save := newButton(p.T("officer.save"), theme.ConfirmIcon(), widget.HighImportance, func() {
		o := encounter.Officer{Name: name.Text, Number: number.Text, Agency: "police"}
		if i := agency.SelectedIndex(); i >= 0 {
			o.Agency = agencies[i]
		}
		if u.enrolled() {
			o = u.deps.Officer
		}
		if strings.TrimSpace(o.Name) == "" || strings.TrimSpace(o.Number) == "" {
			problem.SetText(p.T("officer.needed"))
			return
		}
		if !u.enrolled() {
			// An enrolled officer is their account, in the encrypted
			// store: nothing of them goes to the preferences file.
			u.prefs.SetOfficer(o)
		}
		u.pop()
		if next != nil {
			next()
		}
	})
	box := container.NewVBox(intro,
		field(p.T("officer.name"), tall(name), nil),
		field(p.T("officer.number"), tall(number), nil),
		field(p.T("officer.agency"), tall(agency), nil))
	if !u.enrolled() {
		// Room for the problem, so that Save does not move when it
		// shows; an enrolled officer's details are their account's,
		// never missing.
		box.Add(lines(problem, 2))
	}
	box.Add(save)
	box.Add(widget.NewSeparator())
	box.Add(heading(p.T("look.title")))
	if u.deps.Bundle != nil {
		box.Add(field(p.T("lang.officer"), tall(NewOfficerLanguageSelect(u.deps.Bundle, u.prefs, u.p, u.setLanguage)), nil))
	}
	box.Add(field(p.T("look.text_size"), lookChoices(u, strs(model.TextSizes), string(u.prefs.TextSize()), "look.size.", func(v string) {
		u.prefs.SetTextSize(model.TextSize(v))
	}), nil))
	box.Add(field(p.T("look.appearance"), lookChoices(u, strs(model.Appearances), string(u.prefs.Appearance()), "look.appearance.", func(v string) {
		u.prefs.SetAppearance(model.Appearance(v))
	}), nil))
	if s := u.deps.Session; s != nil {
		_, lock := newButton(p.T("officer.lock"), theme.VisibilityOffIcon(), widget.MediumImportance, s.Lock)
		_, change := newButton(p.T("officer.change_pin"), theme.SettingsIcon(), widget.MediumImportance, func() { u.openChangePIN() })
		box.Add(widget.NewSeparator())
		box.Add(heading(p.T("officer.security")))
		box.Add(lock)
		box.Add(change)
	}
	u.push(screen{title: p.T("officer.title"), content: container.NewVScroll(container.NewPadded(box))})
}

// lookChoices is a row of choices of a look setting, labelled by the
// messages prefix+value; set keeps the one tapped, and the theme follows
// at once.
func lookChoices(u *UI, values []string, cur, prefix string, set func(string)) fyne.CanvasObject {
	opts := make([]model.Option, len(values))
	for i, v := range values {
		opts[i] = model.Option{Value: v, Label: u.p.T(prefix + v)}
	}
	grid, _ := newChoices(opts, cur, func(v string) string {
		set(v)
		applyLook(u.prefs)
		return v
	})
	return grid
}

// strs converts a list of string kinds to strings.
func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
