package model

import (
	"slices"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
)

// The premises step: where, when, and what kind of place.

// BusinessOptions are the business types in the officer's language.
func (f *Flow) BusinessOptions() []Option {
	out := make([]Option, len(encounter.Businesses))
	for i, b := range encounter.Businesses {
		out[i] = Option{Value: string(b), Label: BusinessLabel(f.p, f.d.Pack, b)}
	}
	return out
}

// Premises is the premises as recorded.
func (f *Flow) Premises() encounter.Premises { return f.rec.Premises }

// Operation is the operation or day of action, if any.
func (f *Flow) Operation() string { return f.rec.Operation }

// Notes are the officer's notes.
func (f *Flow) Notes() string { return f.rec.Notes }

// TimeText is when the encounter happened, as the officer types it.
func (f *Flow) TimeText() string { return TimeText(f.rec.OccurredAt) }

// SetName records the premises name.
func (f *Flow) SetName(s string) { f.rec.Premises.Name = s; f.edited(false) }

// SetAddress records the address.
func (f *Flow) SetAddress(s string) {
	// What the officer wrote is the place: a postcode given apart (by the
	// operation the encounter was started from) is in the address they
	// edited, or they took it out.
	f.rec.Premises.Address, f.rec.Premises.Postcode = s, ""
	f.edited(false)
}

// SetBusiness records the business type; the observations offered first
// depend on it, and so may the assessment.
func (f *Flow) SetBusiness(b encounter.Business) {
	if f.rec.Premises.Business == b {
		return
	}
	f.rec.Premises.Business = b
	f.edited(true)
}

// SetOperation records the operation.
func (f *Flow) SetOperation(s string) { f.rec.Operation = s; f.edited(false) }

// SetNotes records the officer's notes.
func (f *Flow) SetNotes(s string) { f.rec.Notes = s; f.edited(false) }

// SetTime records when the encounter happened, from what the officer
// typed. A time that does not read is not kept (the last good one stays
// saved), and the problem is returned in words; "" means kept.
func (f *Flow) SetTime(s string) string {
	t, ok := ParseTime(s)
	if !ok {
		return f.p.T("form.bad_time")
	}
	f.rec.OccurredAt = t
	f.edited(false)
	return ""
}

// The people step: how many were present, and each person spoken to or
// screened. No names: a name is asked only in an NRM referral.

// PersonView is one person as the people step shows them.
type PersonView struct {
	ID uuid.UUID
	// Title names them: their label, or "Person n".
	Title string
	// Summary sums them up: age, child, the level the assessment gives.
	Summary        string
	Label          string
	Age            string
	AgeInDoubt     bool
	Gender         string
	Nationality    string
	Language       language.Tag // their language among the screening set's, or Und
	OtherLanguages string       // what else they speak, as typed
	Interpreter    bool
}

// PeoplePresent is the head-count as the officer types it.
func (f *Flow) PeoplePresent() string { return strconv.Itoa(f.rec.PeoplePresent) }

// SetPeoplePresent records the head-count; a number that does not read
// is not kept, and the problem is returned in words.
func (f *Flow) SetPeoplePresent(s string) string {
	n, ok := parseCount(s, 10000)
	if !ok {
		return f.p.T("form.bad_number")
	}
	f.rec.PeoplePresent = n
	f.edited(false)
	return ""
}

// People are the people spoken to or screened, in the order added.
func (f *Flow) People() []PersonView {
	out := make([]PersonView, len(f.rec.People))
	for i, ps := range f.rec.People {
		v := PersonView{
			ID: ps.ID, Title: PersonTitle(f.p, ps, i), Summary: f.personSummary(ps),
			Label: ps.Label, AgeInDoubt: ps.AgeInDoubt, Gender: ps.Gender, Nationality: ps.Nationality,
			Interpreter: ps.InterpreterUsed,
		}
		if ps.AgeYears > 0 {
			v.Age = strconv.Itoa(ps.AgeYears)
		}
		v.Language, v.OtherLanguages = f.splitLanguages(ps.Languages)
		out[i] = v
	}
	return out
}

// personSummary sums a person up: age, and the level the assessment
// gives them.
func (f *Flow) personSummary(ps encounter.Person) string {
	parts := []string{f.p.T("referral.age_unknown")}
	if ps.AgeYears > 0 {
		parts[0] = f.p.T("referral.age", ps.AgeYears)
	}
	if ps.Child() {
		parts = append(parts, f.p.T("person.child"))
	}
	if l := f.result.PersonLevel(ps.ID); f.known && l > content.Unassessed {
		parts = append(parts, LevelWord(f.p, l))
	}
	return strings.Join(parts, " · ")
}

// PersonCount is how many people are on the record.
func (f *Flow) PersonCount() int { return len(f.rec.People) }

// AddPerson adds a person and returns their id. The head-count is raised
// to at least the number of people added.
func (f *Flow) AddPerson() uuid.UUID {
	id := uuid.New()
	f.rec.People = append(f.rec.People, encounter.Person{ID: id})
	f.rec.PeoplePresent = max(f.rec.PeoplePresent, len(f.rec.People))
	f.edited(true)
	return id
}

// RemovePerson removes the person with id, after the officer confirmed.
func (f *Flow) RemovePerson(id uuid.UUID) {
	f.rec.People = slices.DeleteFunc(f.rec.People, func(ps encounter.Person) bool { return ps.ID == id })
	f.edited(true)
}

// editPerson changes the person with id and saves.
func (f *Flow) editPerson(id uuid.UUID, reassess bool, change func(*encounter.Person)) {
	if ps := f.person(id); ps != nil {
		change(ps)
		f.edited(reassess)
	}
}

// SetLabel records how the person is told apart (never their name).
func (f *Flow) SetLabel(id uuid.UUID, s string) {
	f.editPerson(id, false, func(ps *encounter.Person) { ps.Label = s })
}

// SetAge records the person's approximate age from what was typed; an
// age that does not read is not kept and the problem is returned.
func (f *Flow) SetAge(id uuid.UUID, s string) string {
	n, ok := parseCount(s, 120)
	if !ok {
		return f.p.T("person.bad_age")
	}
	f.editPerson(id, true, func(ps *encounter.Person) { ps.AgeYears = n })
	return ""
}

// SetAgeInDoubt records whether they could be under 18.
func (f *Flow) SetAgeInDoubt(id uuid.UUID, on bool) {
	f.editPerson(id, true, func(ps *encounter.Person) { ps.AgeInDoubt = on })
}

// Genders are the choices of sex, as stored and in words.
var Genders = []string{"female", "male", "other", "not_known"}

// GenderOptions are the choices of sex in the officer's language.
func (f *Flow) GenderOptions() []Option {
	out := make([]Option, len(Genders))
	for i, g := range Genders {
		out[i] = Option{Value: g, Label: f.p.T("gender." + g)}
	}
	return out
}

// SetGender records the person's sex.
func (f *Flow) SetGender(id uuid.UUID, g string) {
	f.editPerson(id, false, func(ps *encounter.Person) { ps.Gender = g })
}

// SetNationality records their nationality as they give it.
func (f *Flow) SetNationality(id uuid.UUID, s string) {
	f.editPerson(id, false, func(ps *encounter.Person) { ps.Nationality = s })
}

// SetInterpreterUsed records whether an interpreter was used.
func (f *Flow) SetInterpreterUsed(id uuid.UUID, on bool) {
	f.editPerson(id, false, func(ps *encounter.Person) { ps.InterpreterUsed = on })
}

// LanguageOptions are the languages a person can be screened in, named
// in the officer's language and their own, sorted as the officer's
// language sorts; the value is the BCP 47 tag.
func (f *Flow) LanguageOptions() []Option {
	set := f.d.Pack.Screening
	if set == nil {
		return nil
	}
	tags := set.Languages()
	names := set.Names()
	names.Sort(tags, f.p.Tag())
	out := make([]Option, len(tags))
	for i, t := range tags {
		out[i] = Option{Value: t.String(), Label: names.Label(t, f.p.Tag())}
	}
	return out
}

// splitLanguages splits a person's languages into the first that the
// screening set has, and the rest as the officer typed them.
func (f *Flow) splitLanguages(langs []string) (language.Tag, string) {
	var others []string
	main := language.Und
	for _, l := range langs {
		if t, ok := f.screeningTag(l); ok && main == language.Und {
			main = t
			continue
		}
		others = append(others, l)
	}
	return main, strings.Join(others, ", ")
}

// screeningTag returns the screening set's language for s, if s is a
// BCP 47 tag of one.
func (f *Flow) screeningTag(s string) (language.Tag, bool) {
	set := f.d.Pack.Screening
	if set == nil {
		return language.Und, false
	}
	t, err := language.Parse(s)
	if err != nil {
		return language.Und, false
	}
	for _, have := range set.Languages() {
		if have == t {
			return t, true
		}
	}
	return language.Und, false
}

// SetLanguage records the person's main language (a screening language);
// the screening screens open in it.
func (f *Flow) SetLanguage(id uuid.UUID, t language.Tag) {
	f.editPerson(id, false, func(ps *encounter.Person) {
		_, others := f.splitLanguages(ps.Languages)
		ps.Languages = append([]string{t.String()}, splitList(others)...)
	})
}

// SetOtherLanguages records the other languages the person speaks, as
// typed, after their main one.
func (f *Flow) SetOtherLanguages(id uuid.UUID, s string) {
	f.editPerson(id, false, func(ps *encounter.Person) {
		main, _ := f.splitLanguages(ps.Languages)
		var langs []string
		if main != language.Und {
			langs = append(langs, main.String())
		}
		ps.Languages = append(langs, splitList(s)...)
	})
}

// PersonView returns the person with id as the people step shows them.
func (f *Flow) PersonView(id uuid.UUID) (PersonView, bool) {
	for _, v := range f.People() {
		if v.ID == id {
			return v, true
		}
	}
	return PersonView{}, false
}
