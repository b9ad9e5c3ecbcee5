package app

import (
	"context"
	"image/color"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/encounter"
)

// openDetail shows a finalised record with its amendments applied, the
// history of each amendment, and the ways to add one. The record itself
// is evidence: never edited here.
func (u *UI) openDetail(r encounter.Record) {
	d := &detailScreen{u: u}
	d.box = container.NewVBox()
	u.push(screen{title: u.recordTitle(r), content: container.NewVScroll(d.box)})
	d.show(r) // once on screen, so wrapped text knows its width
}

type detailScreen struct {
	u   *UI
	box *fyne.Container
}

// show lays out r.
func (d *detailScreen) show(r encounter.Record) {
	u, p := d.u, d.u.p
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

	badges := container.NewHBox(u.stateBadge(r.State))
	if b := u.crimeBadge(r); b != nil {
		badges.Add(b)
	}
	info := widget.NewLabel(p.T("detail.finalised", timeText(r.FinalisedAt), r.Officer.String()))
	info.Wrapping = fyne.TextWrapWord
	parts := []fyne.CanvasObject{badges, info}
	if r.State == encounter.Held {
		held := widget.NewLabel(p.T("detail.held"))
		held.Wrapping = fyne.TextWrapWord
		held.Importance = widget.DangerImportance
		parts = append(parts, held)
	}
	var actions []fyne.CanvasObject
	if st := r.CrimeStatus(u.deps.Now()); st != encounter.NoCrimeClock && st != encounter.CrimeRecorded {
		crime := widget.NewButtonWithIcon(p.T("detail.add_crime_ref"), theme.DocumentCreateIcon(), func() { d.openCrimeReference(r) })
		crime.Importance = widget.HighImportance
		actions = append(actions, crime)
	}
	actions = append(actions, widget.NewButtonWithIcon(p.T("detail.amend"), theme.DocumentCreateIcon(), func() { d.openAmend(r) }))
	parts = append(parts, container.NewVBox(actions...), form)
	if len(r.Amendments) > 0 {
		parts = append(parts, widget.NewSeparator(), widget.NewLabelWithStyle(p.T("detail.history"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
		for _, a := range r.Amendments {
			parts = append(parts, d.historyItem(r, a))
		}
	}
	d.box.Objects = parts
	relayout(d.box)
}

// historyItem shows one amendment: when, who, its state, why, and each
// change from what to what.
func (d *detailScreen) historyItem(r encounter.Record, a encounter.Amendment) fyne.CanvasObject {
	u, p := d.u, d.u.p
	head := widget.NewLabel(p.T("history.head", timeText(a.At), a.Author.String()))
	head.TextStyle.Bold = true
	head.Wrapping = fyne.TextWrapWord
	lines := []string{p.T("history.reason", a.Reason)}
	for _, c := range a.Changes {
		name, from, to := u.fieldLabel(r, c.Field), u.fieldValue(c.Field, c.From), u.fieldValue(c.Field, c.To)
		switch {
		case c.Field == encounter.FieldAddendum:
			lines = append(lines, p.T("history.added", name, to))
		case from == "":
			lines = append(lines, p.T("history.set", name, to))
		default:
			lines = append(lines, p.T("history.changed", name, from, to))
		}
	}
	body := widget.NewLabel(strings.Join(lines, "\n"))
	body.Wrapping = fyne.TextWrapWord
	body.Selectable = true
	return container.NewVBox(container.NewBorder(nil, nil, nil, u.stateBadge(a.State), head), body)
}

// openCrimeReference asks for the crime reference and records it as an
// amendment, which stops the crime-recording clock.
func (d *detailScreen) openCrimeReference(r encounter.Record) {
	p := d.u.p
	ref := widget.NewEntry()
	ref.SetPlaceHolder(p.T("crime.ref.hint"))
	d.openAmendForm(r, p.T("crime.title"), []*widget.FormItem{widget.NewFormItem(p.T("crime.ref"), ref)},
		p.T("crime.reason"), func() ([]encounter.Change, bool) {
			v := strings.TrimSpace(ref.Text)
			if v == "" {
				return nil, false
			}
			return []encounter.Change{{Field: encounter.FieldCrimeReference, From: r.Value(encounter.FieldCrimeReference), To: v}}, true
		})
}

// openAmend lets the officer correct one field, or add to the notes, with
// a reason.
func (d *detailScreen) openAmend(r encounter.Record) {
	u, p := d.u, d.u.p
	fields := u.amendableFields(r)
	labels := make([]string, len(fields))
	for i, f := range fields {
		labels[i] = u.fieldLabel(r, f)
	}
	to := widget.NewMultiLineEntry()
	to.Wrapping = fyne.TextWrapWord
	to.SetMinRowsVisible(3)
	business := widget.NewSelect(nil, nil)
	for _, b := range encounter.Businesses {
		business.Options = append(business.Options, u.businessLabel(b))
	}
	business.Hide()
	pick := widget.NewSelect(labels, nil)
	pick.PlaceHolder = p.T("amend.field.hint")
	var field string
	pick.OnChanged = func(string) {
		field = fields[pick.SelectedIndex()]
		cur := r.Value(field)
		if field == encounter.FieldBusiness {
			to.Hide()
			business.Show()
			business.SetSelected(u.businessLabel(encounter.Business(cur)))
			return
		}
		business.Hide()
		to.Show()
		switch field {
		case encounter.FieldAddendum:
			cur = ""
		case encounter.FieldOccurredAt:
			cur = timeText(r.OccurredAt)
		}
		to.SetText(cur)
	}
	items := []*widget.FormItem{
		widget.NewFormItem(p.T("amend.field"), pick),
		widget.NewFormItem(p.T("amend.to"), container.NewStack(to, business)),
	}
	d.openAmendForm(r, p.T("amend.title"), items, "", func() ([]encounter.Change, bool) {
		if field == "" {
			return nil, false
		}
		v := strings.TrimSpace(to.Text)
		switch field {
		case encounter.FieldBusiness:
			v = ""
			for _, b := range encounter.Businesses {
				if u.businessLabel(b) == business.Selected {
					v = string(b)
				}
			}
		case encounter.FieldOccurredAt:
			t, err := parseTime(v)
			if err != nil {
				return nil, false
			}
			v = t.Format(time.RFC3339)
		}
		from := r.Value(field)
		if field == encounter.FieldAddendum {
			from = ""
		}
		if v == from {
			return nil, false
		}
		return []encounter.Change{{Field: field, From: from, To: v}}, true
	})
}

// openAmendForm pushes a screen with items, a reason (prefilled with
// reason, if given) and a save button; changes turns the items into the
// amendment's changes, or reports they are not ready.
func (d *detailScreen) openAmendForm(r encounter.Record, title string, items []*widget.FormItem, reason string, changes func() ([]encounter.Change, bool)) {
	u, p := d.u, d.u.p
	why := widget.NewEntry()
	why.SetPlaceHolder(p.T("amend.reason.hint"))
	why.SetText(reason)
	problem := widget.NewLabel("")
	problem.Wrapping = fyne.TextWrapWord
	problem.Importance = widget.DangerImportance
	problem.Hide()
	intro := widget.NewLabel(p.T("amend.intro"))
	intro.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(append(items, widget.NewFormItem(p.T("amend.reason"), why))...)
	form.Orientation = widget.Adaptive
	var content *fyne.Container
	fail := func(msg string) {
		problem.SetText(msg)
		problem.Show()
		relayout(content)
	}
	save := widget.NewButtonWithIcon(p.T("amend.save"), theme.DocumentSaveIcon(), func() {
		cs, ok := changes()
		switch {
		case !ok:
			fail(p.T("amend.no_change"))
			return
		case strings.TrimSpace(why.Text) == "":
			fail(p.T("amend.no_reason"))
			return
		case !u.officerKnown():
			u.openOfficer(nil)
			return
		}
		a, err := encounter.NewAmendment(r.ID, u.deps.Records.DeviceID(), u.officer(), u.deps.Now())
		if err != nil {
			fail(p.T("form.save_failed"))
			return
		}
		a.Reason = strings.TrimSpace(why.Text)
		a.Changes = cs
		amended, err := u.deps.Records.Amend(context.Background(), a)
		if err != nil {
			fail(p.T("form.save_failed"))
			return
		}
		u.deps.Sync.Notify()
		u.pop()
		d.show(amended)
		u.list.reload()
	})
	save.Importance = widget.HighImportance
	content = container.NewVBox(intro, form, problem, save)
	u.push(screen{title: title, content: container.NewVScroll(content)})
}

// amendableFields lists what an officer may correct on r.
func (u *UI) amendableFields(r encounter.Record) []string {
	fields := []string{
		encounter.FieldAddendum, encounter.FieldPremisesName, encounter.FieldPremisesAddress,
		encounter.FieldBusiness, encounter.FieldOccurredAt, encounter.FieldPeoplePresent, encounter.FieldNotes,
	}
	for _, ps := range r.People {
		for _, f := range []string{"label", "age_years", "nationality", "gender"} {
			fields = append(fields, encounter.PersonField(ps.ID, f))
		}
	}
	return fields
}

// fieldLabel names an amendable field in words.
func (u *UI) fieldLabel(r encounter.Record, field string) string {
	if strings.HasPrefix(field, "person/") {
		parts := strings.Split(field, "/")
		label := parts[1]
		for i, ps := range r.People {
			if ps.ID.String() == parts[1] {
				label = u.personLabel(ps, i)
			}
		}
		return label + ": " + u.p.T("field.person."+parts[2])
	}
	return u.p.T("field." + field)
}

// fieldValue shows a change's value in words.
func (u *UI) fieldValue(field, v string) string {
	switch field {
	case encounter.FieldBusiness:
		return u.businessLabel(encounter.Business(v))
	case encounter.FieldOccurredAt:
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return timeText(t)
		}
	}
	return v
}

// personLabel names a person on a record: their label, or "Person n".
func (u *UI) personLabel(ps encounter.Person, i int) string {
	if strings.TrimSpace(ps.Label) != "" {
		return ps.Label
	}
	return u.p.T("person.n", i+1)
}

// recordTitle names a record in a title bar.
func (u *UI) recordTitle(r encounter.Record) string {
	if t := r.Title(); t != "" {
		return t
	}
	return u.p.T("list.untitled")
}

// crimeBadge shows the crime-recording clock, or nil if none runs.
func (u *UI) crimeBadge(r encounter.Record) fyne.CanvasObject {
	text, c, ok := u.crimeClock(r)
	if !ok {
		return nil
	}
	b := newBadge()
	setBadge(b, text, c)
	return b
}

// crimeClock says where r's crime-recording clock stands, in words and a
// colour, or false if no clock runs.
func (u *UI) crimeClock(r encounter.Record) (string, color.Color, bool) {
	now := u.deps.Now()
	switch r.CrimeStatus(now) {
	case encounter.NoCrimeClock:
		return "", nil, false
	case encounter.CrimeRecorded:
		return u.p.T("crime.recorded", r.Crime.Reference), stateColor(encounter.Synced), true
	case encounter.CrimeOverdue:
		return u.p.T("crime.overdue", hours(now.Sub(r.Crime.Due))), stateColor(encounter.Held), true
	}
	return u.p.T("crime.due", hours(r.Crime.Due.Sub(now))), stateColor(encounter.Queued), true
}

// hours gives a duration in whole hours, rounded down so time left is
// never overstated, and at least 1.
func hours(d time.Duration) int {
	return max(int(d/time.Hour), 1)
}

// stateBadge shows a record or amendment state as a coloured word.
func (u *UI) stateBadge(s encounter.State) fyne.CanvasObject {
	b := newBadge()
	setBadge(b, u.stateLabel(s), stateColor(s))
	return b
}
