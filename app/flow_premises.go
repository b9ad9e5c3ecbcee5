package app

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/encounter"
)

// timeLayout is how the officer types the encounter time.
const timeLayout = "2006-01-02 15:04"

// premisesStep is the first step: where and when, and what kind of place.
func (f *flow) premisesStep() fyne.CanvasObject {
	p, r := f.u.p, f.rec

	name := widget.NewEntry()
	name.SetPlaceHolder(p.T("form.premises_name.hint"))
	name.SetText(r.Premises.Name)

	address := widget.NewMultiLineEntry()
	address.Wrapping = fyne.TextWrapWord
	address.SetMinRowsVisible(2)
	address.SetPlaceHolder(p.T("form.address.hint"))
	address.SetText(r.Premises.Address)

	business := widget.NewSelect(f.u.businessLabels(), nil)
	business.PlaceHolder = p.T("form.business.hint")
	if r.Premises.Business != "" {
		business.SetSelected(f.u.businessLabel(r.Premises.Business))
	}

	when := widget.NewEntry()
	when.SetPlaceHolder(p.T("form.occurred_at.hint"))
	when.SetText(r.OccurredAt.Local().Format(timeLayout))
	when.Validator = func(s string) error {
		if _, err := parseTime(s); err != nil {
			return errors.New(p.T("form.bad_time"))
		}
		return nil
	}

	operation := widget.NewEntry()
	operation.SetPlaceHolder(p.T("form.operation.hint"))
	operation.SetText(r.Operation)

	notes := widget.NewMultiLineEntry()
	notes.SetPlaceHolder(p.T("form.notes.hint"))
	notes.Wrapping = fyne.TextWrapWord
	notes.SetMinRowsVisible(4)
	notes.SetText(r.Notes)

	// Handlers are set after the initial text, so filling the form does
	// not count as an edit.
	name.OnChanged = func(s string) { f.rec.Premises.Name = s; f.changed() }
	address.OnChanged = func(s string) { f.rec.Premises.Address = s; f.changed() }
	business.OnChanged = func(label string) {
		f.rec.Premises.Business = f.u.businessOf(label)
		f.changed()
	}
	when.OnChanged = func(s string) {
		if t, err := parseTime(s); err == nil {
			f.rec.OccurredAt = t
			f.changed()
		} // else the entry shows why; the last valid time stays saved
	}
	operation.OnChanged = func(s string) { f.rec.Operation = s; f.changed() }
	notes.OnChanged = func(s string) { f.rec.Notes = s; f.changed() }

	form := widget.NewForm(
		widget.NewFormItem(p.T("form.premises_name"), name),
		widget.NewFormItem(p.T("form.business"), business),
		widget.NewFormItem(p.T("form.address"), address),
		widget.NewFormItem(p.T("form.occurred_at"), when),
		widget.NewFormItem(p.T("form.operation"), operation),
		widget.NewFormItem(p.T("form.notes"), notes),
	)
	form.Orientation = widget.Adaptive
	return form
}

// businessLabels are the business types in the officer's language, in
// the order of encounter.Businesses.
func (u *UI) businessLabels() []string {
	labels := make([]string, len(encounter.Businesses))
	for i, b := range encounter.Businesses {
		labels[i] = u.businessLabel(b)
	}
	return labels
}

// businessLabel names a business type in the officer's language, from
// the content pack.
func (u *UI) businessLabel(b encounter.Business) string {
	if b == "" {
		return ""
	}
	if biz, ok := u.deps.Content.Current().Business(string(b)); ok {
		return biz.Label.In(u.lang())
	}
	return string(b)
}

// businessOf is the business type with the given label.
func (u *UI) businessOf(label string) encounter.Business {
	for _, b := range encounter.Businesses {
		if u.businessLabel(b) == label {
			return b
		}
	}
	return ""
}

func parseTime(s string) (time.Time, error) {
	t, err := time.ParseInLocation(timeLayout, strings.TrimSpace(s), time.Local)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

func parseCount(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 10000 {
		return 0, errors.New("not a count")
	}
	return n, nil
}
