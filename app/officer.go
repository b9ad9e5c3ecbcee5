package app

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/sync/wire"
)

// agencies are the agencies an officer may belong to, as stored: the
// protocol's list.
var agencies = wire.Agencies

// officer returns the officer using this device: the account it is
// enrolled to, else as set in Your details.
func (u *UI) officer() encounter.Officer {
	if u.enrolled() {
		return u.deps.Officer
	}
	return u.prefs.Officer()
}

// enrolled reports whether the officer's details come from the server.
func (u *UI) enrolled() bool { return u.deps.Officer.Number != "" }

// setOfficer keeps who the officer is, for a device not enrolled. An
// enrolled device's officer is its account, kept in the encrypted store:
// nothing of them goes to the preferences file.
func (u *UI) setOfficer(o encounter.Officer) {
	if !u.enrolled() {
		u.prefs.SetOfficer(o)
	}
}

// officerKnown reports whether the officer has said who they are: records
// and amendments carry it as their author.
func (u *UI) officerKnown() bool {
	o := u.officer()
	return o.Name != "" && o.Number != ""
}

// openOfficer shows the Your details screen; then runs next, if set, once
// the details are saved.
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
	for i, a := range agencies {
		if a == o.Agency {
			agency.SetSelectedIndex(i)
		}
	}
	problem := widget.NewLabel(p.T("officer.needed"))
	problem.Wrapping = fyne.TextWrapWord
	problem.Importance = widget.DangerImportance
	problem.Hide()
	intro := widget.NewLabel(p.T("officer.intro"))
	intro.Wrapping = fyne.TextWrapWord
	if u.enrolled() {
		// Who the officer is comes from their account on the server.
		intro.SetText(p.T("officer.enrolled"))
		name.Disable()
		number.Disable()
		agency.Disable()
	}
	var content *fyne.Container
	save := widget.NewButtonWithIcon(p.T("officer.save"), theme.ConfirmIcon(), func() {
		o := encounter.Officer{Name: name.Text, Number: number.Text, Agency: "police"}
		if i := agency.SelectedIndex(); i >= 0 {
			o.Agency = agencies[i]
		}
		if u.enrolled() {
			o = u.deps.Officer
		}
		if strings.TrimSpace(o.Name) == "" || strings.TrimSpace(o.Number) == "" {
			problem.Show()
			relayout(content)
			return
		}
		u.setOfficer(o)
		u.pop()
		if next != nil {
			next()
		}
	})
	save.Importance = widget.HighImportance
	form := widget.NewForm(
		widget.NewFormItem(p.T("officer.name"), name),
		widget.NewFormItem(p.T("officer.number"), number),
		widget.NewFormItem(p.T("officer.agency"), agency),
	)
	if u.deps.Bundle != nil {
		form.Append(p.T("lang.officer"), NewOfficerLanguageSelect(u.deps.Bundle, u.prefs, u.p, u.setLanguage))
	}
	form.Orientation = widget.Adaptive
	content = container.NewVBox(intro, form, problem, save)
	if u.deps.Session != nil {
		lock := widget.NewButtonWithIcon(p.T("officer.lock"), theme.VisibilityOffIcon(), u.deps.Session.Lock)
		change := widget.NewButtonWithIcon(p.T("officer.change_pin"), theme.SettingsIcon(), u.openChangePIN)
		content.Add(widget.NewSeparator())
		content.Add(lock)
		content.Add(change)
	}
	u.push(screen{title: p.T("officer.title"), content: container.NewVScroll(content)})
}
