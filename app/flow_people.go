package app

import (
	"errors"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
)

// genders and englishLevels are the stored values of the person pickers.
var (
	genders       = []string{"female", "male", "other", "not_known"}
	englishLevels = []string{"none", "basic", "good", "fluent"}
)

// peopleStep counts the people present and lists those the officer
// speaks to or screens, with what the NRM form asks about each. No names:
// a name is asked only in an NRM referral, with consent.
func (f *flow) peopleStep() fyne.CanvasObject {
	p := f.u.p
	count := widget.NewEntry()
	count.SetPlaceHolder(p.T("form.people_present.hint"))
	count.SetText(strconv.Itoa(f.rec.PeoplePresent))
	count.Validator = func(s string) error {
		if _, err := parseCount(s); err != nil {
			return errors.New(p.T("form.bad_number"))
		}
		return nil
	}
	count.OnChanged = func(s string) {
		if n, err := parseCount(s); err == nil {
			f.rec.PeoplePresent = n
			f.changed()
		}
	}
	form := widget.NewForm(widget.NewFormItem(p.T("form.people_present"), count))
	form.Orientation = widget.Adaptive

	intro := widget.NewLabel(p.T("people.intro"))
	intro.Wrapping = fyne.TextWrapWord
	list := container.NewVBox()
	var rebuild func()
	rebuild = func() {
		list.Objects = nil
		for i := range f.rec.People {
			list.Add(f.personCard(i, rebuild))
		}
		relayout(list)
	}
	rebuild()
	add := widget.NewButtonWithIcon(p.T("people.add"), theme.ContentAddIcon(), func() {
		f.rec.People = append(f.rec.People, encounter.Person{ID: uuid.New()})
		if f.rec.PeoplePresent < len(f.rec.People) {
			f.rec.PeoplePresent = len(f.rec.People)
			count.SetText(strconv.Itoa(f.rec.PeoplePresent))
		}
		f.changed()
		rebuild()
	})
	return container.NewVBox(form, widget.NewSeparator(), intro, list, add)
}

// personCard edits person i's details.
func (f *flow) personCard(i int, rebuild func()) fyne.CanvasObject {
	p := f.u.p
	ps := &f.rec.People[i]
	id := ps.ID
	person := func() *encounter.Person { return f.person(id) }

	label := widget.NewEntry()
	label.SetPlaceHolder(p.T("person.n", i+1))
	label.SetText(ps.Label)
	label.OnChanged = func(s string) { person().Label = s; f.changed() }

	age := widget.NewEntry()
	age.SetPlaceHolder(p.T("person.age.hint"))
	ageHint := widget.NewLabel(f.pack.Age.Hint.In(f.u.lang()))
	ageHint.Wrapping = fyne.TextWrapWord
	ageHint.SizeName = theme.SizeNameCaptionText
	if ps.AgeYears > 0 {
		age.SetText(strconv.Itoa(ps.AgeYears))
	}
	age.Validator = func(s string) error {
		if n, err := parseCount(s); err != nil || n > 120 {
			return errors.New(p.T("person.bad_age"))
		}
		return nil
	}
	age.OnChanged = func(s string) {
		if n, err := parseCount(s); err == nil && n <= 120 {
			person().AgeYears = n
			f.changed()
		}
	}
	doubt := widget.NewCheck(f.pack.Age.InDoubt.In(f.u.lang()), func(on bool) {
		person().AgeInDoubt = on
		f.changed()
	})
	doubt.Checked = ps.AgeInDoubt
	doubtHint := widget.NewLabel(f.pack.Age.InDoubtHint.In(f.u.lang()))
	doubtHint.Wrapping = fyne.TextWrapWord
	doubtHint.SizeName = theme.SizeNameCaptionText

	gender := f.choice(genders, "gender.", ps.Gender, func(v string) { person().Gender = v })
	english := f.choice(englishLevels, "english.", ps.EnglishAbility, func(v string) { person().EnglishAbility = v })

	nationality := widget.NewEntry()
	nationality.SetPlaceHolder(p.T("person.nationality.hint"))
	nationality.SetText(ps.Nationality)
	nationality.OnChanged = func(s string) { person().Nationality = s; f.changed() }

	languages := widget.NewEntry()
	languages.SetPlaceHolder(p.T("person.languages.hint"))
	languages.SetText(strings.Join(ps.Languages, ", "))
	languages.OnChanged = func(s string) { person().Languages = splitList(s); f.changed() }
	interp := widget.NewCheck(p.T("person.interpreter"), func(on bool) { person().InterpreterUsed = on; f.changed() })
	interp.Checked = ps.InterpreterUsed

	remove := widget.NewButtonWithIcon(p.T("people.remove"), theme.DeleteIcon(), func() {
		for j := range f.rec.People {
			if f.rec.People[j].ID == id {
				f.rec.People = append(f.rec.People[:j], f.rec.People[j+1:]...)
				break
			}
		}
		f.changed()
		rebuild()
	})
	remove.Importance = widget.LowImportance

	form := widget.NewForm(
		widget.NewFormItem(p.T("person.label"), label),
		widget.NewFormItem(f.pack.Age.Prompt.In(f.u.lang()), container.NewVBox(age, ageHint)),
		widget.NewFormItem("", container.NewVBox(doubt, doubtHint)),
		widget.NewFormItem(p.T("person.gender"), gender),
		widget.NewFormItem(p.T("person.nationality"), nationality),
		widget.NewFormItem(p.T("person.languages"), languages),
		widget.NewFormItem(p.T("person.english"), english),
		widget.NewFormItem("", interp),
	)
	form.Orientation = widget.Adaptive
	title := widget.NewLabelWithStyle(f.u.personLabel(*ps, i), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return widget.NewCard("", "", container.NewVBox(container.NewBorder(nil, nil, nil, remove, title), form))
}

// choice is a picker of stored values shown through message keys
// prefix+value; set receives the value chosen.
func (f *flow) choice(values []string, prefix, cur string, set func(string)) *widget.Select {
	labels := make([]string, len(values))
	for i, v := range values {
		labels[i] = f.u.p.T(prefix + v)
	}
	s := widget.NewSelect(labels, nil)
	for i, v := range values {
		if v == cur {
			s.SetSelectedIndex(i)
		}
	}
	s.OnChanged = func(string) {
		set(values[s.SelectedIndex()])
		f.changed()
	}
	return s
}
