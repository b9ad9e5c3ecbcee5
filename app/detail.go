package app

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/store"
)

// detailScreen reads a finalised record back in full (model.Detail):
// everything recorded, the assessment with its reasons, each person with
// their answers and referral, the checklist, the crime clock, and every
// amendment with its history and state, which follows the sync live. The
// record itself is evidence: never edited here, only amended.
type detailScreen struct {
	u     *UI
	rec   encounter.Record
	seals model.Seals // the verdicts on its signatures, checked as it was read
	box   *fyne.Container
}

// openDetail shows record r, once its signatures are checked (one read
// of the store): the screen opens whole, and nothing on it moves when
// the verdicts arrive.
func (u *UI) openDetail(r encounter.Record) {
	d := &detailScreen{u: u, rec: r, box: container.NewVBox()}
	u.saver.Evidence(r.ID, func(ev store.Evidence, err error) {
		d.seals = model.Seals{Evidence: ev, Err: err}
		d.show()
		u.push(screen{title: model.RecordTitle(u.p, r), content: container.NewVScroll(container.NewPadded(d.box)), onShow: d.reload})
	})
}

// reload reads the record again, and checks its signatures again: its
// state or amendments may have changed with a sync.
func (d *detailScreen) reload() {
	d.u.saver.Get(d.rec.ID, func(r encounter.Record, err error) {
		if err != nil {
			return
		}
		d.u.saver.Evidence(r.ID, func(ev store.Evidence, err error) {
			d.rec, d.seals = r, model.Seals{Evidence: ev, Err: err}
			d.show()
		})
	})
}

// show lays out the record.
func (d *detailScreen) show() {
	u, p, r := d.u, d.u.p, d.rec
	pack := u.packFor(r.Content)
	m := model.NewDetail(p, pack, r, u.deps.Now(), d.seals)
	head := container.NewHBox(container.NewCenter(newPill(m.LevelWord, ragColor(m.Level))), container.NewCenter(newChip(m.StateText, stateIcon(m.State))))
	parts := []fyne.CanvasObject{head, wrapped(m.LevelText)}
	if m.Crime != "" {
		c := heading(m.Crime)
		c.Importance = widget.MediumImportance
		if m.CrimeStatus == encounter.CrimeOverdue {
			c.Importance = widget.DangerImportance
		}
		parts = append(parts, c)
	}
	parts = append(parts, caption(m.Info), sealLine(m.Seal))
	if m.Held != "" {
		h := wrapped(m.Held)
		h.Importance = widget.DangerImportance
		parts = append(parts, h)
	}
	if m.NeedsCrimeRef {
		_, b := newButton(p.T("detail.add_crime_ref"), theme.DocumentCreateIcon(), widget.HighImportance, d.openCrimeReference)
		parts = append(parts, b)
	}
	_, amend := newButton(p.T("detail.amend"), theme.DocumentCreateIcon(), widget.MediumImportance, d.openAmend)
	parts = append(parts, amend)
	if m.ReferLate {
		_, refer := newButton(p.T("detail.refer_late"), theme.MailSendIcon(), widget.MediumImportance, d.openLateReferral)
		parts = append(parts, refer)
	}
	for _, s := range m.Sections {
		parts = append(parts, widget.NewSeparator(), heading(s.Title))
		for _, it := range s.Items {
			parts = append(parts, itemView(it))
		}
	}
	d.box.Objects = parts
	d.box.Refresh()
}

// itemView shows one line of a record: label above, value, note under,
// and its badge beside it.
func itemView(it model.Item) fyne.CanvasObject {
	var col []fyne.CanvasObject
	if it.Label != "" {
		l := caption(it.Label)
		l.TextStyle.Bold = true
		col = append(col, l)
	}
	value := it.Value
	if value == "" && it.Label != "" {
		value = "—"
	}
	if value != "" {
		v := wrapped(value)
		v.Selectable = true
		col = append(col, v)
	}
	if it.Note != "" {
		n := caption(it.Note)
		n.Importance = importance(it.NoteKind)
		col = append(col, n)
	}
	body := container.NewVBox(col...)
	switch {
	case it.Badge == "":
		return body
	case it.IsState:
		return container.NewBorder(nil, nil, nil, container.NewVBox(newChip(it.Badge, stateIcon(it.BadgeState))), body)
	}
	return container.NewBorder(nil, nil, container.NewVBox(newPill(it.Badge, ragColor(it.BadgeLevel))), nil, body)
}

// sealLine says who signed a record and whether the signature holds,
// with an icon, so that the colour is not the only signal.
func sealLine(n model.Notice) fyne.CanvasObject {
	icon := theme.WarningIcon()
	if n.Kind == model.NoticeSuccess {
		icon = theme.ConfirmIcon()
	}
	text := caption(n.Text)
	text.Importance = importance(n.Kind)
	return container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(icon)), nil, text)
}

// openCrimeReference asks for the crime reference and records it as an
// amendment, which stops the crime-recording clock.
func (d *detailScreen) openCrimeReference() {
	p := d.u.p
	ref := widget.NewEntry()
	ref.SetPlaceHolder(p.T("crime.ref.hint"))
	f := model.AmendField{Field: encounter.FieldCrimeReference, Kind: model.KindText}
	d.openAmendForm(p.T("crime.title"), p.T("amend.intro"), []fyne.CanvasObject{field(p.T("crime.ref"), tall(ref), nil)}, p.T("crime.reason"),
		d.change(func() (encounter.Change, string) {
			if strings.TrimSpace(ref.Text) == "" {
				return encounter.Change{}, p.T("amend.no_change")
			}
			return model.MakeChange(p, d.rec, f, ref.Text)
		}), ref.SetText)
}

// openLateReferral refers an adult who now consents to the NRM, after
// the event: who (if more than one may be), their consent, who explained
// it, and what the NRM form asks for; saved as an amendment carrying the
// referral as its own entry, after a confirmation (the crime clock
// starts).
func (d *detailScreen) openLateReferral() {
	u, p := d.u, d.u.p
	who := model.LateAdults(p, d.rec)
	if len(who) == 0 {
		return
	}
	in := model.NewLateNRM(d.rec, uuid.MustParse(who[0].Value), u.officer())
	var parts []fyne.CanvasObject
	if len(who) > 1 {
		grid, _ := newChoices(who, who[0].Value, func(v string) string {
			in.Person = uuid.MustParse(v)
			return v
		})
		parts = append(parts, field(p.T("amend.late_nrm.who"), grid, nil))
	} else {
		parts = append(parts, field(p.T("amend.late_nrm.who"), wrapped(who[0].Label), nil))
	}
	parts = append(parts, newToggleRow(p.T("amend.late_nrm.consent"), "", false, func(on bool) { in.Consent = on }))
	text := func(label, hint, value string, rows int, set func(string)) fyne.CanvasObject {
		e := widget.NewEntry()
		if rows > 1 {
			e.MultiLine, e.Wrapping = true, fyne.TextWrapWord
			e.SetMinRowsVisible(rows)
		}
		e.SetPlaceHolder(hint)
		e.SetText(value)
		e.OnChanged = set
		return field(label, tall(e), nil)
	}
	parts = append(parts,
		text(p.T("referral.explained_by"), p.T("referral.explained_by.hint"), in.ExplainedBy, 1, func(s string) { in.ExplainedBy = s }),
		text(p.T("referral.name"), p.T("referral.name.hint"), "", 1, func(s string) { in.Name = s }),
		text(p.T("referral.aliases"), p.T("referral.list.hint"), "", 1, func(s string) { in.Aliases = s }),
		text(p.T("referral.dob"), p.T("referral.dob.hint"), "", 1, func(s string) { in.DateOfBirth = s }),
		text(p.T("referral.refs"), p.T("referral.list.hint"), "", 1, func(s string) { in.References = s }),
		text(p.T("referral.account"), p.T("referral.account.hint"), in.Account, 4, func(s string) { in.Account = s }))
	d.openAmendForm(p.T("amend.late_referral.title"), p.T("amend.late_nrm.intro"), parts, p.T("amend.late_nrm.reason"),
		func(reason string) (model.Amending, string) {
			return model.NewLateReferral(p, d.rec, u.deps.Records.DeviceID(), u.officer(), u.deps.Now(), reason, in)
		}, nil)
}

// openAmend lets the officer correct one thing, or add to the notes,
// with a reason: a field, the signs seen, an answer.
func (d *detailScreen) openAmend() {
	u, p := d.u, d.u.p
	fields := model.AmendFields(p, u.packFor(d.rec.Content), d.rec)
	labels := make([]string, len(fields))
	for i, f := range fields {
		labels[i] = f.Label
	}
	editor := container.NewVBox()
	var current func() string // reads the editor's value
	var set func(string)      // sets it, for text; nil otherwise
	var chosen *model.AmendField
	pick := widget.NewSelect(labels, nil)
	pick.PlaceHolder = p.T("amend.field.hint")
	pick.OnChanged = func(string) {
		f := fields[pick.SelectedIndex()]
		chosen = &f
		var o fyne.CanvasObject
		o, current, set = editorFor(p.T("amend.to"), f, func(s string) model.Notice { return model.AmendHint(p, d.rec, f, s) })
		editor.Objects = []fyne.CanvasObject{o}
		editor.Refresh()
	}
	d.openAmendForm(p.T("amend.title"), p.T("amend.intro"), []fyne.CanvasObject{field(p.T("amend.field"), tall(pick), nil), editor}, "",
		d.change(func() (encounter.Change, string) {
			if chosen == nil {
				return encounter.Change{}, p.T("amend.no_change")
			}
			return model.MakeChange(p, d.rec, *chosen, current())
		}),
		func(s string) {
			if set != nil {
				set(s)
			}
		})
}

// editorFor is the control that edits f, a function reading its value as
// model.MakeChange takes it, and, for text, one setting it (else nil).
// Free text has two lines under it that say what looks identifying in it
// as it is written (hint).
func editorFor(label string, f model.AmendField, hint func(string) model.Notice) (fyne.CanvasObject, func() string, func(string)) {
	switch f.Kind {
	case model.KindChoice:
		value := f.Current
		grid, _ := newChoices(f.Options, f.Current, func(v string) string {
			value = v
			return v
		})
		return field(label, grid, nil), func() string { return value }, nil
	case model.KindSigns:
		var on []string
		for _, g := range f.Groups {
			for _, s := range g.Signs {
				if s.On && !slices.Contains(on, s.ID) {
					on = append(on, s.ID)
				}
			}
		}
		box := container.NewVBox()
		for _, g := range f.Groups {
			rows := container.NewVBox()
			for _, s := range g.Signs {
				rows.Add(newToggleRow(s.Label, s.Hint, s.On, func(v bool) {
					on = slices.DeleteFunc(on, func(id string) bool { return id == s.ID })
					if v {
						on = append(on, s.ID)
					}
				}))
			}
			box.Add(newFold(g.Title, rows, false).box)
		}
		return field(label, box, nil), func() string { return strings.Join(on, ",") }, nil
	}
	e := widget.NewEntry()
	if f.Kind == model.KindLong {
		e.MultiLine = true
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(3)
	}
	e.SetText(f.Current)
	set := func(s string) {
		e.SetText(s)
		if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil {
			c.Focus(e)
		}
	}
	if !f.FreeText {
		return field(label, tall(e), nil), func() string { return e.Text }, set
	}
	found := widget.NewLabel("")
	show := func(s string) {
		n := hint(s)
		found.Importance = importance(n.Kind)
		found.SetText(n.Text)
	}
	e.OnChanged = show
	show(e.Text)
	return fieldLines(label, tall(e), found, 2), func() string { return e.Text }, set
}

// change makes an amendment of one change: change turns the form's
// parts into it, or says what is wrong.
func (d *detailScreen) change(change func() (encounter.Change, string)) func(reason string) (model.Amending, string) {
	u := d.u
	return func(reason string) (model.Amending, string) {
		c, msg := change()
		if msg != "" {
			return model.Amending{}, msg
		}
		return model.NewAmendment(u.p, u.packFor(d.rec.Content), d.rec, u.deps.Records.DeviceID(), u.officer(), u.deps.Now(), reason, c)
	}
}

// openAmendForm pushes a screen with intro, parts, a reason (prefilled
// with reason, if given) and a save button; build makes the amendment of
// the form with the reason given, or says what is wrong. If what it
// writes needs the identifier check, Save opens it first, as Finalise…
// does; its Change it comes back to the form with written, which puts
// the text as the check left it in the editor.
func (d *detailScreen) openAmendForm(title, intro string, parts []fyne.CanvasObject, reason string, build func(reason string) (model.Amending, string), written func(string)) {
	u, p := d.u, d.u.p
	why := widget.NewEntry()
	why.SetPlaceHolder(p.T("amend.reason.hint"))
	why.SetText(reason)
	problem := widget.NewLabel("")
	problem.Importance = widget.DangerImportance
	var save *widget.Button
	var saveBox fyne.CanvasObject
	save, saveBox = newButton(p.T("amend.save"), theme.DocumentSaveIcon(), widget.HighImportance, func() {
		if !u.officerKnown() {
			u.openOfficer(nil)
			return
		}
		a, msg := build(why.Text)
		if msg != "" {
			problem.SetText(msg)
			return
		}
		keep := func(a model.Amending) {
			store := func() {
				save.Disable()
				u.saver.Amend(a.Amendment, func(amended encounter.Record, err error) {
					save.Enable()
					if err != nil {
						problem.SetText(p.T("form.save_failed"))
						return
					}
					u.deps.Sync.Notify()
					d.rec = amended
					u.pop()
				})
			}
			if a.Referrals != "" {
				u.confirm(p.T("amend.late_referral.title"), a.Referrals, p.T("amend.late_referral.yes"), p.T("finalise.no"), store)
				return
			}
			store()
		}
		if chk := a.Check; chk != nil {
			u.openIdentifierCheck(chk, p.T("amend.save"), func(v model.FindingView) {
				u.pop()
				if written != nil {
					written(chk.Written(v.Path))
				}
			}, func() {
				a, msg := chk.Amending()
				u.pop()
				if msg != "" {
					problem.SetText(msg)
					return
				}
				keep(a)
			})
			return
		}
		keep(a)
	})
	box := container.NewVBox(wrapped(intro))
	box.Objects = append(box.Objects, parts...)
	box.Add(field(p.T("amend.reason"), tall(why), nil))
	box.Add(lines(problem, 2))
	box.Add(saveBox)
	u.push(screen{title: title, content: container.NewVScroll(container.NewPadded(box))})
}
