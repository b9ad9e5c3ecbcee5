package app

import (
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/encounter"
)

// openDetail shows a finalised record. It is evidence: read only.
func (u *UI) openDetail(r encounter.Record) {
	p := u.p
	value := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		l.Selectable = true
		return l
	}
	form := widget.NewForm(
		widget.NewFormItem(p.T("form.premises_name"), value(r.Premises.Name)),
		widget.NewFormItem(p.T("form.address"), value(r.Premises.Address)),
		widget.NewFormItem(p.T("form.business"), value(u.businessLabel(r.Premises.Business))),
		widget.NewFormItem(p.T("form.occurred_at"), value(timeText(r.OccurredAt))),
		widget.NewFormItem(p.T("form.people_present"), value(strconv.Itoa(r.PeoplePresent))),
		widget.NewFormItem(p.T("form.notes"), value(r.Notes)),
	)
	form.Orientation = widget.Adaptive
	badge := newBadge()
	setBadge(badge, u.stateLabel(r.State), stateColor(r.State))
	info := widget.NewLabel(p.T("detail.finalised", timeText(r.FinalisedAt)))
	info.Wrapping = fyne.TextWrapWord
	parts := []fyne.CanvasObject{container.NewHBox(badge), info}
	if r.State == encounter.Held {
		held := widget.NewLabel(p.T("detail.held"))
		held.Wrapping = fyne.TextWrapWord
		held.Importance = widget.DangerImportance
		parts = append(parts, held)
	}
	parts = append(parts, form)
	title := r.Title()
	if title == "" {
		title = p.T("list.untitled")
	}
	u.push(screen{title: title, content: container.NewVScroll(container.NewVBox(parts...))})
}
