package app

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/assess"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/screening"
)

// stepBody lays out step s.
func (fs *flowScreen) stepBody(s model.Step) fyne.CanvasObject {
	switch s {
	case model.StepPeople:
		return fs.peopleStep()
	case model.StepObserve:
		return fs.observeStep()
	case model.StepQuestions:
		return fs.questionsStep()
	case model.StepAssess:
		return fs.assessStep()
	case model.StepReferral:
		return fs.referralStep()
	}
	return fs.premisesStep()
}

// entry is a text field: one line, or rows lines that wrap and let the
// mouse wheel scroll the page. name keeps it for tests.
func (fs *flowScreen) entry(name, hint, text string, rows int, changed func(string)) (*widget.Entry, fyne.CanvasObject) {
	e := widget.NewEntry()
	var o fyne.CanvasObject = e
	if rows > 1 {
		e.MultiLine = true
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(rows)
		o = overEntry(e, fs.scroll)
	}
	e.SetPlaceHolder(hint)
	e.SetText(text)
	e.OnChanged = func(s string) {
		changed(s)
		fs.update()
	}
	if fs.steps.entries == nil {
		fs.steps.entries = map[string]*widget.Entry{}
	}
	fs.steps.entries[name] = e
	return e, tall(o)
}

// field is a control with its label above it and, if hint is not nil, a
// line under it for a hint or what is wrong with what was typed: the
// line is always there, so a problem never moves what is below.
func field(label string, control fyne.CanvasObject, hint *widget.Label) fyne.CanvasObject {
	n := 2
	if hint != nil && hint.Text == "" {
		n = 1 // a line for a problem only
	}
	return fieldLines(label, control, hint, n)
}

// fieldLines is a field whose hint line, if any, holds n lines.
func fieldLines(label string, control fyne.CanvasObject, hint *widget.Label, n int) fyne.CanvasObject {
	l := widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	box := container.NewVBox(l, control)
	if hint != nil {
		hint.SizeName = theme.SizeNameCaptionText
		box.Add(lines(hint, n))
	}
	return box
}

// textField is a free-text field the officer writes in, with two lines
// under it that say, as they write, what looks like an identifying detail
// and what to do with it (model.Flow.IdentifierHint): text about person
// (uuid.Nil for nobody) that is part of a Duty to Notify must lose it.
// The lines are always there, so a hint never moves what is below.
func (fs *flowScreen) textField(name, label, placeholder, text string, rows int, person uuid.UUID, changed func(string)) fyne.CanvasObject {
	hint := widget.NewLabel("")
	show := func(s string) {
		n := fs.m.IdentifierHint(person, s)
		hint.Importance = importance(n.Kind)
		hint.SetText(n.Text)
	}
	_, e := fs.entry(name, placeholder, text, rows, func(s string) {
		changed(s)
		show(s)
	})
	show(text)
	if fs.steps.hints == nil {
		fs.steps.hints = map[string]*widget.Label{}
	}
	fs.steps.hints[name] = hint
	return fieldLines(label, e, hint, 2)
}

// problemLine shows problem in hint, or the hint's usual text.
func problemLine(hint *widget.Label, usual, problem string) {
	if problem != "" {
		hint.Importance = widget.DangerImportance
		hint.SetText(problem)
		return
	}
	hint.Importance = widget.MediumImportance
	hint.SetText(usual)
}

// card groups what is about one person under their name.
func card(title *widget.Label, action fyne.CanvasObject, sub *widget.Label, parts ...fyne.CanvasObject) fyne.CanvasObject {
	title.TextStyle.Bold = true
	title.Truncation = fyne.TextTruncateEllipsis
	head := fyne.CanvasObject(title)
	if action != nil {
		head = container.NewBorder(nil, nil, nil, action, title)
	}
	box := container.NewVBox(head)
	if sub != nil {
		sub.SizeName = theme.SizeNameCaptionText
		sub.Truncation = fyne.TextTruncateEllipsis
		box.Add(sub)
	}
	box.Objects = append(box.Objects, parts...)
	return widget.NewCard("", "", box)
}

// The premises step: where and when, and what kind of place.
func (fs *flowScreen) premisesStep() fyne.CanvasObject {
	p, m := fs.u.p, fs.m
	prem := m.Premises()
	_, name := fs.entry("name", p.T("form.premises_name.hint"), prem.Name, 1, m.SetName)
	grid, buttons := newChoices(m.BusinessOptions(), string(prem.Business), func(v string) string {
		m.SetBusiness(encounter.Business(v))
		fs.update()
		return v
	})
	fs.steps.choices = buttons
	_, address := fs.entry("address", p.T("form.address.hint"), prem.Address, 2, m.SetAddress)
	whenHint := widget.NewLabel(p.T("form.occurred_at.hint"))
	when, whenBox := fs.entry("time", p.T("form.occurred_at.hint"), m.TimeText(), 1, func(s string) {
		problemLine(whenHint, p.T("form.occurred_at.hint"), m.SetTime(s))
	})
	when.Validator = nil
	_, operation := fs.entry("operation", p.T("form.operation.hint"), m.Operation(), 1, m.SetOperation)
	notes := fs.textField("notes", p.T("form.notes"), p.T("form.notes.hint"), m.Notes(), 4, uuid.Nil, m.SetNotes)
	return container.NewVBox(
		field(p.T("form.premises_name"), name, nil),
		field(p.T("form.business"), grid, nil),
		field(p.T("form.address"), address, nil),
		field(p.T("form.occurred_at"), whenBox, whenHint),
		field(p.T("form.operation"), operation, nil),
		notes,
	)
}

// The people step: how many were there, and each person spoken to or
// screened, newest first, right under the button that adds them.
func (fs *flowScreen) peopleStep() fyne.CanvasObject {
	p, m := fs.u.p, fs.m
	countHint := widget.NewLabel("")
	count, countBox := fs.entry("people_present", p.T("form.people_present.hint"), m.PeoplePresent(), 1, func(s string) {
		problemLine(countHint, "", m.SetPeoplePresent(s))
	})
	fs.updates = append(fs.updates, func() {
		if count.Text != m.PeoplePresent() && countHint.Importance != widget.DangerImportance {
			count.OnChanged, count.Text = nil, m.PeoplePresent()
			count.Refresh()
			count.OnChanged = func(s string) {
				problemLine(countHint, "", m.SetPeoplePresent(s))
				fs.update()
			}
		}
	})
	cards := container.NewVBox()
	people := m.People()
	for i := len(people) - 1; i >= 0; i-- {
		cards.Add(fs.personCard(cards, people[i].ID))
	}
	_, add := newButton(p.T("people.add"), theme.ContentAddIcon(), widget.MediumImportance, func() {
		id := m.AddPerson()
		cards.Objects = slices.Insert(cards.Objects, 0, fs.personCard(cards, id))
		cards.Refresh()
		fs.update()
	})
	return container.NewVBox(
		field(p.T("form.people_present"), countBox, countHint),
		caption(p.T("people.intro")),
		add, cards)
}

// personCard edits one person's details.
func (fs *flowScreen) personCard(cards *fyne.Container, id uuid.UUID) fyne.CanvasObject {
	p, m := fs.u.p, fs.m
	v, _ := m.PersonView(id)
	title, sub := widget.NewLabel(v.Title), widget.NewLabel(v.Summary)
	var self fyne.CanvasObject
	_, remove := newButton("", theme.DeleteIcon(), widget.LowImportance, func() {
		fs.u.confirm(p.T("people.remove.title"), p.T("people.remove.body", title.Text), p.T("people.remove"), p.T("discard.no"), func() {
			m.RemovePerson(id)
			cards.Remove(self)
			fs.update()
		})
	})
	fs.updates = append(fs.updates, func() {
		if v, ok := m.PersonView(id); ok {
			title.SetText(v.Title)
			sub.SetText(v.Summary)
		}
	})
	label := fs.textField("label/"+id.String(), p.T("person.label"), p.T("person.n", 1), v.Label, 1, id, func(s string) { m.SetLabel(id, s) })
	ageHint := widget.NewLabel(m.Pack().Age.Hint.In(model.Lang(p)))
	_, age := fs.entry("age/"+id.String(), p.T("person.age.hint"), v.Age, 1, func(s string) {
		problemLine(ageHint, m.Pack().Age.Hint.In(model.Lang(p)), m.SetAge(id, s))
	})
	doubt := newToggleRow(m.Pack().Age.InDoubt.In(model.Lang(p)), m.Pack().Age.InDoubtHint.In(model.Lang(p)), v.AgeInDoubt,
		func(on bool) { m.SetAgeInDoubt(id, on); fs.update() })
	gender, _ := newChoices(m.GenderOptions(), v.Gender, func(g string) string {
		m.SetGender(id, g)
		return g
	})
	_, nationality := fs.entry("nationality/"+id.String(), p.T("person.nationality.hint"), v.Nationality, 1, func(s string) { m.SetNationality(id, s) })
	parts := []fyne.CanvasObject{
		label,
		field(m.Pack().Age.Prompt.In(model.Lang(p)), age, ageHint),
		doubt,
		field(p.T("person.gender"), gender, nil),
		field(p.T("person.nationality"), nationality, nil),
	}
	if lopts := m.LanguageOptions(); len(lopts) > 0 {
		sel := widget.NewSelect(model.Labels(lopts), nil)
		sel.PlaceHolder = p.T("person.language.hint")
		for i, o := range lopts {
			if o.Value == v.Language.String() && v.Language != language.Und {
				sel.SetSelectedIndex(i)
			}
		}
		sel.OnChanged = func(string) {
			if i := sel.SelectedIndex(); i >= 0 {
				m.SetLanguage(id, language.Make(lopts[i].Value))
			}
		}
		parts = append(parts, field(p.T("person.language"), tall(narrow(sel, 200)), nil))
	}
	_, others := fs.entry("languages/"+id.String(), p.T("person.languages.hint"), v.OtherLanguages, 1, func(s string) { m.SetOtherLanguages(id, s) })
	interp := newToggleRow(p.T("person.interpreter"), "", v.Interpreter, func(on bool) { m.SetInterpreterUsed(id, on) })
	parts = append(parts, field(p.T("person.languages"), others, nil), interp)
	self = card(title, remove, sub, parts...)
	return self
}

// signRows are the signs of groups as folds of rows to tick, for the
// premises (person uuid.Nil) or one person.
func (fs *flowScreen) signRows(groups []model.Group, person uuid.UUID) []fyne.CanvasObject {
	m := fs.m
	var out []fyne.CanvasObject
	for _, g := range groups {
		box := container.NewVBox()
		for _, s := range g.Signs {
			row := newToggleRow(s.Label, s.Hint, s.On, func(on bool) {
				if person == uuid.Nil {
					m.TickPremises(s.ID, on)
				} else {
					m.TickPerson(person, s.ID, on)
				}
				fs.update()
			})
			// The same sign may be in two groups: each shows the record.
			fs.updates = append(fs.updates, func() { row.SetOn(m.Ticked(person, s.ID)) })
			box.Add(row)
		}
		out = append(out, newFold(g.Title, box, g.Open).box)
	}
	return out
}

// The observations step: what the officer sees at the premises.
func (fs *flowScreen) observeStep() fyne.CanvasObject {
	box := container.NewVBox(caption(fs.u.p.T("observe.intro")))
	box.Objects = append(box.Objects, fs.signRows(fs.m.ObserveGroups(), uuid.Nil)...)
	return box
}

// The questions step: the officer's questions about each person, and
// each person's own answers in their language.
func (fs *flowScreen) questionsStep() fyne.CanvasObject {
	p, m := fs.u.p, fs.m
	box := container.NewVBox(caption(p.T("questions.intro")))
	for _, v := range m.People() {
		id := v.ID
		title, sub := widget.NewLabel(v.Title), widget.NewLabel(v.Summary)
		fs.updates = append(fs.updates, func() {
			if v, ok := m.PersonView(id); ok {
				sub.SetText(v.Summary)
			}
		})
		var parts []fyne.CanvasObject
		if m.ScreeningOn() {
			_, screen := newButton(p.T("questions.screen"), theme.AccountIcon(), widget.HighImportance, func() { fs.openScreening(id) })
			parts = append(parts, screen)
			sv := m.ScreeningAnswers(id)
			parts = append(parts, caption(sv.Summary))
			for _, a := range sv.Answers {
				parts = append(parts, answerItem(a))
			}
			parts = append(parts, widget.NewSeparator())
		}
		for _, q := range m.Questions(id) {
			parts = append(parts, fs.question(id, q))
		}
		parts = append(parts, heading(p.T("questions.more")))
		parts = append(parts, fs.signRows(m.OtherSigns(id), id)...)
		box.Add(card(title, nil, sub, parts...))
	}
	return box
}

// answerItem shows one of the person's answers: the question and answer
// in the officer's words, the person's words, and how and when.
func answerItem(a model.AnswerView) fyne.CanvasObject {
	parts := []fyne.CanvasObject{heading(a.Question), wrapped(a.Answer)}
	if a.Original != "" {
		parts = append(parts, caption(a.Original))
	}
	parts = append(parts, caption(a.Note))
	return container.NewVBox(parts...)
}

// question is one of the officer's questions, its answers side by side
// when they fit.
func (fs *flowScreen) question(person uuid.UUID, q model.QuestionView) fyne.CanvasObject {
	m := fs.m
	grid, buttons := newChoices(q.Choices, q.Selected, func(v string) string {
		m.Answer(person, q.ID, v)
		fs.update()
		return m.Answered(person, q.ID)
	})
	fs.steps.questions = append(fs.steps.questions, questionWidgets{person: person, id: q.ID, text: q.Text, buttons: buttons})
	parts := []fyne.CanvasObject{heading(q.Text)}
	if q.Hint != "" {
		parts = append(parts, caption(q.Hint))
	}
	return container.NewVBox(append(parts, grid)...)
}

// questionWidgets are one question's buttons, for tests.
type questionWidgets struct {
	person  uuid.UUID
	id      string
	text    string
	buttons map[string]*choiceButton
}

// The assessment step: why, in plain words, and the checklist of what to
// do now, each tick saying who did it and when.
func (fs *flowScreen) assessStep() fyne.CanvasObject {
	p, m := fs.u.p, fs.m
	box := container.NewVBox(heading(p.T("assess.why")))
	reasons := m.Reasons()
	for _, r := range reasons {
		text := r.Text
		if r.New {
			text = p.T("assess.new", text)
		}
		box.Add(container.NewBorder(nil, nil, container.NewVBox(newPill(r.LevelWord, ragColor(r.Level))), nil, wrapped(text)))
	}
	if len(reasons) == 0 {
		box.Add(wrapped(m.NoReasons()))
	}
	for _, g := range m.Gone() {
		box.Add(caption(g))
	}
	box.Add(widget.NewSeparator())
	box.Add(heading(p.T("assess.todo")))
	for _, a := range m.Checklist() {
		row := newToggleRow(a.Label, a.Hint, a.Done, nil)
		row.State = a.State
		row.OnChanged = func(on bool) {
			m.Tick(a.ID, on)
			for _, now := range m.Checklist() {
				if now.ID == a.ID {
					row.State = now.State
					row.Refresh()
				}
			}
			fs.update()
		}
		fs.steps.actions = append(fs.steps.actions, row)
		box.Add(row)
	}
	return box
}

// The referral step: for each person, the NRM referral or Duty to
// Notify, with the person's own answer about consent beside the
// officer's decision.
func (fs *flowScreen) referralStep() fyne.CanvasObject {
	p, m := fs.u.p, fs.m
	box := container.NewVBox(caption(p.T("referral.intro")))
	for _, v := range m.Referrals() {
		id := v.ID
		title, sub := widget.NewLabel(v.Title), widget.NewLabel(v.Subtitle)
		intro := wrapped(v.Intro)
		if v.Need == assess.ChildNRM || v.Need == assess.Decide {
			intro.Importance = widget.WarningImportance
		}
		parts := []fyne.CanvasObject{intro}
		if v.TheirAnswer != "" {
			a := caption(v.TheirAnswer)
			a.Importance = widget.WarningImportance
			parts = append(parts, a)
		}
		details := container.NewVBox()
		draw := func() {
			details.Objects = nil
			for _, now := range m.Referrals() {
				if now.ID == id {
					details.Objects = fs.referralDetails(now)
				}
			}
			details.Refresh()
		}
		if len(v.Routes) > 0 {
			routes := slices.Clone(v.Routes)
			for i, r := range routes {
				if v.Suggested != encounter.RouteNone && r.Value == string(v.Suggested) {
					routes[i].Label = p.T("referral.their_choice", r.Label)
				}
			}
			grid, buttons := newChoices(routes, string(v.Route), func(r string) string {
				m.Decide(id, encounter.Route(r))
				draw()
				fs.update()
				return r
			})
			grid.Layout = column{}
			fs.steps.routes = append(fs.steps.routes, buttons)
			parts = append(parts, grid)
		}
		draw()
		parts = append(parts, details)
		box.Add(card(title, nil, sub, parts...))
	}
	return box
}

// referralDetails are the fields of the referral chosen: an NRM
// referral's details, or a Duty to Notify's account with nothing
// identifying.
func (fs *flowScreen) referralDetails(v model.ReferralView) []fyne.CanvasObject {
	p, m := fs.u.p, fs.m
	id := v.ID
	set := func(f string) func(string) { return func(s string) { m.SetReferralField(id, f, s) } }
	var out []fyne.CanvasObject
	summary := func(label string) fyne.CanvasObject {
		_, b := newButton(label, theme.ContentCopyIcon(), widget.MediumImportance, func() { fs.openSummary(id) })
		return b
	}
	switch v.Route {
	case encounter.RouteNRM:
		if v.Need != assess.ChildNRM {
			_, by := fs.entry("explained/"+id.String(), p.T("referral.explained_by.hint"), v.ExplainedBy, 1, func(s string) { m.SetExplainedBy(id, s) })
			out = append(out, field(p.T("referral.explained_by"), by, nil))
		}
		_, name := fs.entry("nrm_name/"+id.String(), p.T("referral.name.hint"), v.Identity.Name, 1, set(model.FieldName))
		_, aliases := fs.entry("aliases/"+id.String(), p.T("referral.list.hint"), joinList(v.Identity.Aliases), 1, set(model.FieldAliases))
		_, dob := fs.entry("dob/"+id.String(), p.T("referral.dob.hint"), v.Identity.DateOfBirth, 1, set(model.FieldDOB))
		_, refs := fs.entry("refs/"+id.String(), p.T("referral.list.hint"), joinList(v.Identity.OtherReferences), 1, set(model.FieldRefs))
		_, account := fs.entry("account/"+id.String(), p.T("referral.account.hint"), v.Account, 4, set(model.FieldAccount))
		out = append(out,
			field(p.T("referral.name"), name, nil), field(p.T("referral.aliases"), aliases, nil),
			field(p.T("referral.dob"), dob, nil), field(p.T("referral.refs"), refs, nil),
			field(p.T("referral.account"), account, nil), summary(p.T("referral.summary")))
	case encounter.RouteDutyToNotify:
		warn := wrapped(p.T("referral.dtn_warning"))
		warn.Importance = widget.WarningImportance
		// Who explained it goes out with the Duty to Notify: it is checked
		// as the account is.
		by := fs.textField("explained/"+id.String(), p.T("referral.explained_by"), p.T("referral.explained_by.hint"), v.ExplainedBy, 1, id, func(s string) { m.SetExplainedBy(id, s) })
		account := fs.textField("account/"+id.String(), p.T("referral.account"), p.T("referral.dtn_account.hint"), v.Account, 4, id, set(model.FieldAccount))
		out = append(out, warn, by, account, summary(p.T("referral.summary.dtn")))
	}
	return out
}

func joinList(items []string) string {
	s := ""
	for i, it := range items {
		if i > 0 {
			s += ", "
		}
		s += it
	}
	return s
}

// openSummary shows every field the online NRM or Duty to Notify form
// asks for, filled in from the record, with a button to copy it all. A
// Duty to Notify's sheet leaves out what could identify the person
// (model.Flow.Sheet).
func (fs *flowScreen) openSummary(id uuid.UUID) {
	p := fs.u.p
	sheet := fs.m.Sheet(id)
	text := sheet.Text
	body := wrapped(text)
	body.Selectable = true
	copied := widget.NewLabel("")
	copied.Importance = widget.SuccessImportance
	_, copyBtn := newButton(p.T("summary.copy"), theme.ContentCopyIcon(), widget.HighImportance, func() {
		fyne.CurrentApp().Clipboard().SetContent(text)
		copied.SetText(p.T("summary.copied"))
	})
	content := container.NewVBox(caption(sheet.Intro), copyBtn, lines(copied, 1), body)
	fs.u.push(screen{title: sheet.Title, content: container.NewVScroll(container.NewPadded(content))})
}

// openScreening opens the screening of a person in their language, read
// by an interpreter or handed over. Every answer is kept on the person at
// once; back on the flow, the step shows them.
func (fs *flowScreen) openScreening(id uuid.UUID) *Interpreter {
	u, m := fs.u, fs.m
	setup := m.Screening(id)
	deps := ScreeningDeps{
		Set: setup.Set, Officer: u.p, Person: setup.Language, Kept: u.saver, Session: u.deps.Session, Now: u.deps.Now,
		Previous: setup.Previous,
		Record: func(a screening.Answer) error {
			return m.RecordScreening(id, a)
		},
		Hint: func(text string) model.Notice { return m.IdentifierHint(id, text) },
	}
	iv := NewInterpreter(deps, func(t language.Tag) {
		d := deps
		d.Person = t
		d.Previous = m.Screening(id).Previous
		NewHandOver(u.win, d).Start(func() {
			u.pop() // back to the step, which shows their answers
		})
	})
	fs.steps.screening = iv
	u.push(screen{title: u.p.T("screening.title"), content: iv.Content(), onLeave: fs.showStep})
	return iv
}
