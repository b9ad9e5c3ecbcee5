package app

import (
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
)

// The referral routes an officer picks for an adult, as stored in the
// picker.
const (
	routeNRM  = "nrm"
	routeDtN  = "dtn"
	routeNone = "none"
)

// referralStep records, for each person, the NRM referral or Duty to
// Notify: consent from an adult after the NRM was explained (who, when),
// always an NRM referral for a child, and nothing identifying on a Duty
// to Notify. Each person's answers for the online NRM form, which cannot
// save and times out, are laid out ready to copy.
func (f *flow) referralStep() fyne.CanvasObject {
	return f.perPerson("referral.intro", f.referralCard)
}

func (f *flow) referralCard(i int, id uuid.UUID) fyne.CanvasObject {
	p := f.u.p
	person := func() *encounter.Person { return f.person(id) }
	ps := person()
	details := container.NewVBox()

	// draw lays out the fields of the route chosen.
	var draw func()
	draw = func() {
		ps := person()
		details.Objects = nil
		switch {
		case ps.Referral != nil && ps.Referral.NRM != nil:
			details.Add(f.nrmFields(id, draw))
		case ps.Referral != nil && ps.Referral.DutyToNotify != nil:
			details.Add(f.dtnFields(id))
		}
		relayout(details)
	}

	var head fyne.CanvasObject
	if ps.Child() {
		// A child is always referred, without consent.
		if ps.Referral == nil || ps.Referral.NRM == nil {
			ps.Referral = &encounter.Referral{NRM: &encounter.NRM{}}
			f.save()
		}
		l := widget.NewLabel(p.T("referral.child"))
		l.Wrapping = fyne.TextWrapWord
		l.Importance = widget.WarningImportance
		head = l
	} else {
		routes := []string{routeNRM, routeDtN, routeNone}
		labels := []string{p.T("referral.route.nrm"), p.T("referral.route.dtn"), p.T("referral.route.none")}
		radio := widget.NewRadioGroup(labels, nil)
		switch {
		case ps.Referral != nil && ps.Referral.NRM != nil:
			radio.Selected = labels[0]
		case ps.Referral != nil && ps.Referral.DutyToNotify != nil:
			radio.Selected = labels[1]
		}
		radio.OnChanged = func(label string) {
			ps := person()
			explained := f.explained(ps)
			route := routeNone
			if i := slices.Index(labels, label); i >= 0 {
				route = routes[i]
			}
			switch route {
			case routeNRM:
				ps.Referral = &encounter.Referral{NRM: &encounter.NRM{Consent: true, Explained: &explained}}
			case routeDtN:
				// Nothing identifying crosses over from an NRM started earlier.
				ps.Referral = &encounter.Referral{DutyToNotify: &encounter.DutyToNotify{Explained: explained}}
			default:
				ps.Referral = nil
			}
			f.changed()
			draw()
		}
		explain := widget.NewLabel(p.T("referral.explain"))
		explain.Wrapping = fyne.TextWrapWord
		head = container.NewVBox(explain, radio)
	}
	draw()
	return widget.NewCard(f.u.personLabel(*ps, i), f.referralSubtitle(*ps), container.NewVBox(head, details))
}

// referralSubtitle sums up the person for the card: age and the level
// the assessment gives them.
func (f *flow) referralSubtitle(ps encounter.Person) string {
	p := f.u.p
	age := p.T("referral.age_unknown")
	if ps.AgeYears > 0 {
		age = p.T("referral.age", ps.AgeYears)
	}
	if ps.AgeInDoubt {
		age += " · " + p.T("referral.age_in_doubt")
	}
	if l := f.personLevel(ps.ID.String()); l > 0 {
		age += " · " + p.T("rag.word."+l.String())
	}
	return age
}

// explained is who explained the NRM, and when: the person's record of it
// if any, else this officer, now.
func (f *flow) explained(ps *encounter.Person) encounter.Explained {
	if r := ps.Referral; r != nil {
		if r.NRM != nil && r.NRM.Explained != nil {
			return *r.NRM.Explained
		}
		if r.DutyToNotify != nil && r.DutyToNotify.Explained.By != "" {
			return r.DutyToNotify.Explained
		}
	}
	return encounter.Explained{By: f.u.officer().String(), At: f.u.deps.Now().UTC()}
}

// nrmFields are the identifying details and account of an NRM referral,
// and the summary for the online form.
func (f *flow) nrmFields(id uuid.UUID, redraw func()) fyne.CanvasObject {
	p := f.u.p
	nrm := func() *encounter.NRM { return f.person(id).Referral.NRM }
	n := nrm()
	entry := func(hint, cur string, set func(string)) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(hint)
		e.SetText(cur)
		e.OnChanged = func(s string) { set(s); f.save() }
		return e
	}
	items := []*widget.FormItem{}
	if n.Explained != nil {
		items = append(items, widget.NewFormItem(p.T("referral.explained_by"),
			entry(p.T("referral.explained_by.hint"), n.Explained.By, func(s string) { nrm().Explained.By = s })))
	}
	items = append(items,
		widget.NewFormItem(p.T("referral.name"), entry(p.T("referral.name.hint"), n.Identity.Name, func(s string) { nrm().Identity.Name = s })),
		widget.NewFormItem(p.T("referral.aliases"), entry(p.T("referral.list.hint"), strings.Join(n.Identity.Aliases, ", "), func(s string) { nrm().Identity.Aliases = splitList(s) })),
		widget.NewFormItem(p.T("referral.dob"), entry(p.T("referral.dob.hint"), n.Identity.DateOfBirth, func(s string) { nrm().Identity.DateOfBirth = strings.TrimSpace(s) })),
		widget.NewFormItem(p.T("referral.refs"), entry(p.T("referral.list.hint"), strings.Join(n.Identity.OtherReferences, ", "), func(s string) { nrm().Identity.OtherReferences = splitList(s) })),
	)
	account := widget.NewMultiLineEntry()
	account.Wrapping = fyne.TextWrapWord
	account.SetMinRowsVisible(4)
	account.SetPlaceHolder(p.T("referral.account.hint"))
	account.SetText(n.Account)
	account.OnChanged = func(s string) { nrm().Account = s; f.save() }
	items = append(items, widget.NewFormItem(p.T("referral.account"), account))
	form := widget.NewForm(items...)
	form.Orientation = widget.Adaptive
	summary := widget.NewButtonWithIcon(p.T("referral.summary"), theme.ContentCopyIcon(), func() { f.openSummary(id) })
	return container.NewVBox(form, summary)
}

// dtnFields are the account of a Duty to Notify: no identifying details,
// and the officer is reminded not to write any.
func (f *flow) dtnFields(id uuid.UUID) fyne.CanvasObject {
	p := f.u.p
	dtn := func() *encounter.DutyToNotify { return f.person(id).Referral.DutyToNotify }
	warn := widget.NewLabel(p.T("referral.dtn_warning"))
	warn.Wrapping = fyne.TextWrapWord
	warn.Importance = widget.WarningImportance
	by := widget.NewEntry()
	by.SetText(dtn().Explained.By)
	by.OnChanged = func(s string) { dtn().Explained.By = s; f.save() }
	account := widget.NewMultiLineEntry()
	account.Wrapping = fyne.TextWrapWord
	account.SetMinRowsVisible(4)
	account.SetPlaceHolder(p.T("referral.dtn_account.hint"))
	account.SetText(dtn().Account)
	account.OnChanged = func(s string) { dtn().Account = s; f.save() }
	form := widget.NewForm(
		widget.NewFormItem(p.T("referral.explained_by"), by),
		widget.NewFormItem(p.T("referral.account"), account),
	)
	form.Orientation = widget.Adaptive
	summary := widget.NewButtonWithIcon(p.T("referral.summary"), theme.ContentCopyIcon(), func() { f.openSummary(id) })
	return container.NewVBox(warn, form, summary)
}

// openSummary shows every field the online NRM or Duty to Notify form asks
// for, filled in from the record, with a button to copy it all.
func (f *flow) openSummary(id uuid.UUID) {
	p := f.u.p
	text := f.summary(id)
	body := widget.NewLabel(text)
	body.Wrapping = fyne.TextWrapWord
	body.Selectable = true
	copied := widget.NewLabel("")
	copied.Importance = widget.SuccessImportance
	copied.Hide()
	var content *fyne.Container
	copyBtn := widget.NewButtonWithIcon(p.T("summary.copy"), theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(text)
		copied.SetText(p.T("summary.copied"))
		copied.Show()
		relayout(content)
	})
	copyBtn.Importance = widget.HighImportance
	intro := widget.NewLabel(p.T("summary.intro"))
	intro.Wrapping = fyne.TextWrapWord
	content = container.NewVBox(intro, copyBtn, copied, body)
	f.u.push(screen{title: p.T("summary.title"), content: container.NewVScroll(content)})
	relayout(content)
}

// summary lays out the referral of person id as "Field: value" lines, in
// the order of the online form.
func (f *flow) summary(id uuid.UUID) string {
	p, lang, r := f.u.p, f.u.lang(), f.rec
	ps, _ := r.Person(id)
	var lines []string
	add := func(key, v string) {
		if strings.TrimSpace(v) == "" {
			v = p.T("summary.none")
		}
		lines = append(lines, p.T(key)+": "+v)
	}
	ref := ps.Referral
	kind := p.T("summary.type.adult")
	if ps.Child() {
		kind = p.T("summary.type.child")
	}
	switch {
	case ref != nil && ref.DutyToNotify != nil:
		add("summary.type", kind+", "+p.T("summary.type.dtn"))
		add("summary.consent", p.T("summary.consent.no", ref.DutyToNotify.Explained.By, timeText(ref.DutyToNotify.Explained.At)))
	case ref != nil && ref.NRM != nil:
		add("summary.type", kind+", "+p.T("summary.type.nrm"))
		switch {
		case ps.Child():
			add("summary.consent", p.T("summary.consent.child"))
		case ref.NRM.Explained != nil:
			add("summary.consent", p.T("summary.consent.yes", ref.NRM.Explained.By, timeText(ref.NRM.Explained.At)))
		}
		add("summary.name", ref.NRM.Identity.Name)
		add("summary.aliases", strings.Join(ref.NRM.Identity.Aliases, ", "))
		add("summary.dob", ref.NRM.Identity.DateOfBirth)
	}
	age := ""
	if ps.AgeYears > 0 {
		age = strconv.Itoa(ps.AgeYears)
	}
	if ps.AgeInDoubt {
		age = strings.TrimSpace(age + " " + p.T("referral.age_in_doubt"))
	}
	add("summary.age", age)
	if ps.Gender != "" {
		add("summary.sex", p.T("gender."+ps.Gender))
	} else {
		add("summary.sex", "")
	}
	add("summary.nationality", ps.Nationality)
	add("summary.languages", strings.Join(ps.Languages, ", "))
	if ps.EnglishAbility != "" {
		add("summary.english", p.T("english."+ps.EnglishAbility))
	} else {
		add("summary.english", "")
	}
	add("summary.interpreter", yesNo(p, ps.InterpreterUsed))
	if ref != nil && ref.NRM != nil {
		add("summary.refs", strings.Join(ref.NRM.Identity.OtherReferences, ", "))
	}
	var inds []string
	for _, id := range append(slices.Clone(r.Indicators), ps.Indicators...) {
		if ind, ok := f.pack.Indicator(id); ok {
			inds = append(inds, ind.Label.In(lang))
		}
	}
	for _, q := range f.pack.Questions {
		if c, ok := q.Choice(ps.Answers[q.ID]); ok && len(c.Implies) > 0 {
			inds = append(inds, q.Text.In(lang)+" "+c.Label.In(lang))
		}
	}
	add("summary.indicators", strings.Join(inds, "; "))
	var exps []string
	for _, e := range f.result.Exploitation {
		for _, x := range f.pack.Exploitation {
			if x.ID == e {
				exps = append(exps, x.Label.In(lang))
			}
		}
	}
	add("summary.exploitation", strings.Join(exps, ", "))
	add("summary.encounter", strings.Join(slices.DeleteFunc([]string{
		timeText(r.OccurredAt), r.Premises.Name, r.Premises.Address, f.u.businessLabel(r.Premises.Business),
	}, func(s string) bool { return strings.TrimSpace(s) == "" }), ", "))
	add("summary.officer", r.Officer.String())
	account := ""
	switch {
	case ref != nil && ref.NRM != nil:
		account = ref.NRM.Account
	case ref != nil && ref.DutyToNotify != nil:
		account = ref.DutyToNotify.Account
	}
	add("summary.account", account)
	return strings.Join(lines, "\n")
}

func yesNo(p interface{ T(string, ...any) string }, b bool) string {
	if b {
		return p.T("summary.yes")
	}
	return p.T("summary.no")
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}
