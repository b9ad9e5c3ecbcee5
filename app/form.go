package app

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/encounter"
)

// timeLayout is how the officer types the encounter time.
const timeLayout = "2006-01-02 15:04"

// formScreen edits a draft encounter. Every change is saved to the device
// at once, so closing or killing the app loses at most the keystroke in
// flight.
type formScreen struct {
	u      *UI
	rec    encounter.Record
	stored bool // rec has been written to the store at least once

	box      fyne.CanvasObject
	content  *fyne.Container // inside the scroll: form, problems, save
	name     *widget.Entry
	address  *widget.Entry
	business *widget.Select
	when     *widget.Entry
	people   *widget.Entry
	notes    *widget.Entry
	save     *widget.Button
	saved    *widget.Label // "Draft saved at ..." or a save error
	problems *widget.Label
}

// openForm pushes a form for draft r. stored says whether r is already in
// the store.
func (u *UI) openForm(r encounter.Record, stored bool) {
	f := newFormScreen(u, r, stored)
	u.push(screen{title: u.p.T("form.title"), content: f.box, onLeave: f.onLeave})
}

func newFormScreen(u *UI, r encounter.Record, stored bool) *formScreen {
	p := u.p
	f := &formScreen{u: u, rec: r, stored: stored}

	f.name = widget.NewEntry()
	f.name.SetPlaceHolder(p.T("form.premises_name.hint"))
	f.name.SetText(r.Premises.Name)

	f.address = widget.NewEntry()
	f.address.SetPlaceHolder(p.T("form.address.hint"))
	f.address.SetText(r.Premises.Address)

	labels := make([]string, len(encounter.Businesses))
	for i, b := range encounter.Businesses {
		labels[i] = u.businessLabel(b)
	}
	f.business = widget.NewSelect(labels, nil)
	f.business.PlaceHolder = p.T("form.business.hint")
	if r.Premises.Business != "" {
		f.business.SetSelected(u.businessLabel(r.Premises.Business))
	}

	f.when = widget.NewEntry()
	f.when.SetPlaceHolder(p.T("form.occurred_at.hint"))
	f.when.SetText(r.OccurredAt.Local().Format(timeLayout))
	f.when.Validator = func(s string) error {
		if _, err := parseTime(s); err != nil {
			return errors.New(p.T("form.bad_time"))
		}
		return nil
	}

	f.people = widget.NewEntry()
	f.people.SetPlaceHolder(p.T("form.people_present.hint"))
	f.people.SetText(strconv.Itoa(r.PeoplePresent))
	f.people.Validator = func(s string) error {
		if _, err := parseCount(s); err != nil {
			return errors.New(p.T("form.bad_number"))
		}
		return nil
	}

	f.notes = widget.NewMultiLineEntry()
	f.notes.SetPlaceHolder(p.T("form.notes.hint"))
	f.notes.Wrapping = fyne.TextWrapWord
	f.notes.SetMinRowsVisible(5)
	f.notes.SetText(r.Notes)

	// Handlers are set after the initial text, so filling the form does
	// not count as an edit.
	f.name.OnChanged = f.onName
	f.address.OnChanged = f.onAddress
	f.business.OnChanged = f.onBusiness
	f.when.OnChanged = f.onWhen
	f.people.OnChanged = f.onPeople
	f.notes.OnChanged = f.onNotes

	f.saved = widget.NewLabel("")
	f.saved.SizeName = theme.SizeNameCaptionText
	f.saved.Wrapping = fyne.TextWrapWord
	f.problems = widget.NewLabel("")
	f.problems.Wrapping = fyne.TextWrapWord
	f.problems.Importance = widget.DangerImportance
	f.problems.Hide()
	f.save = widget.NewButtonWithIcon(p.T("form.save"), theme.DocumentSaveIcon(), f.onSave)
	f.save.Importance = widget.HighImportance

	form := widget.NewForm(
		widget.NewFormItem(p.T("form.premises_name"), f.name),
		widget.NewFormItem(p.T("form.address"), f.address),
		widget.NewFormItem(p.T("form.business"), f.business),
		widget.NewFormItem(p.T("form.occurred_at"), f.when),
		widget.NewFormItem(p.T("form.people_present"), f.people),
		widget.NewFormItem(p.T("form.notes"), f.notes),
	)
	form.Orientation = widget.Adaptive
	f.content = container.NewVBox(form, f.problems, f.save, f.saved)
	f.box = container.NewVScroll(f.content)
	return f
}

func (f *formScreen) onName(s string)    { f.rec.Premises.Name = s; f.autosave() }
func (f *formScreen) onAddress(s string) { f.rec.Premises.Address = s; f.autosave() }
func (f *formScreen) onNotes(s string)   { f.rec.Notes = s; f.autosave() }

func (f *formScreen) onBusiness(label string) {
	for _, b := range encounter.Businesses {
		if f.u.businessLabel(b) == label {
			f.rec.Premises.Business = b
		}
	}
	f.autosave()
}

func (f *formScreen) onWhen(s string) {
	t, err := parseTime(s)
	if err != nil {
		return // the entry shows why; the last valid time stays saved
	}
	f.rec.OccurredAt = t
	f.autosave()
}

func (f *formScreen) onPeople(s string) {
	n, err := parseCount(s)
	if err != nil {
		return
	}
	f.rec.PeoplePresent = n
	f.autosave()
}

// autosave writes the draft as it now stands.
func (f *formScreen) autosave() {
	if err := f.u.deps.Records.SaveDraft(context.Background(), f.rec); err != nil {
		f.saved.SetText(f.saveFailed(err))
		f.saved.Importance = widget.DangerImportance
		f.saved.Refresh()
		return
	}
	f.stored = true
	f.saved.Importance = widget.LowImportance
	f.saved.SetText(f.u.p.T("form.autosaved", f.u.deps.Now().Local().Format("15:04:05")))
}

// onSave finalises the draft: checked, stamped and queued to send.
func (f *formScreen) onSave() {
	ctx := context.Background()
	if !f.stored {
		f.autosave()
		if !f.stored {
			return
		}
	}
	_, err := f.u.deps.Records.Finalise(ctx, f.rec.ID)
	var ve *encounter.ValidationError
	switch {
	case errors.As(err, &ve):
		lines := []string{f.u.p.T("form.fix")}
		for _, pr := range ve.Problems {
			lines = append(lines, "• "+f.u.p.T("problem."+pr.Field+"."+pr.Code))
		}
		f.showProblems(strings.Join(lines, "\n"))
		return
	case err != nil:
		f.showProblems(f.saveFailed(err))
		return
	}
	f.stored = false // finalised: nothing for onLeave to tidy
	f.u.deps.Sync.Notify()
	f.u.popToRoot()
	f.u.list.showNotice(f.u.p.T("form.saved"), widget.SuccessImportance)
}

// saveFailed says why a save failed, in words the officer can act on.
// A full device gets its own message (store.ErrDiskFull matches ENOSPC).
func (f *formScreen) saveFailed(err error) string {
	if errors.Is(err, syscall.ENOSPC) {
		return f.u.p.T("form.disk_full")
	}
	return f.u.p.T("form.save_failed")
}

func (f *formScreen) showProblems(text string) {
	f.problems.SetText(text)
	f.problems.Show()
	// Twice: a wrapped label learns its height from the width the first
	// layout gives it; laid out once, a long message overlaps the button.
	f.content.Refresh()
	f.content.Refresh()
}

// onLeave runs when the officer goes back: a draft left empty is removed,
// anything else stays as a draft.
func (f *formScreen) onLeave() {
	if f.stored && isEmpty(f.rec) {
		f.u.deps.Records.DeleteDraft(context.Background(), f.rec.ID)
	}
	f.u.list.reload()
}

// isEmpty reports whether the officer has entered nothing in r.
func isEmpty(r encounter.Record) bool {
	return strings.TrimSpace(r.Premises.Name) == "" && strings.TrimSpace(r.Premises.Address) == "" &&
		r.Premises.Business == "" && r.PeoplePresent == 0 && strings.TrimSpace(r.Notes) == ""
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
