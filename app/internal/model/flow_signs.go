package model

import (
	"slices"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/screening"
)

// Sign is one indicator to tick, with a line on what it looks like.
type Sign struct {
	ID    string
	Label string
	Hint  string
	On    bool
}

// Group is a heading of signs, open or folded.
type Group struct {
	Title string
	Open  bool
	Signs []Sign
}

func (f *Flow) sign(ind content.Indicator, ticked []string) Sign {
	lang := Lang(f.p)
	return Sign{ID: ind.ID, Label: ind.Label.In(lang), Hint: ind.Hint.In(lang), On: slices.Contains(ticked, ind.ID)}
}

// ObserveGroups are what an officer may see at the premises, grouped by
// theme; the signs typical of this business type come first, open.
func (f *Flow) ObserveGroups() []Group {
	pack, lang := f.d.Pack, Lang(f.p)
	premises := func(ind content.Indicator) bool { return !ind.Retired && ind.Scope != content.ScopePerson }
	var out []Group
	if biz, ok := pack.Business(string(f.rec.Premises.Business)); ok {
		g := Group{Title: f.p.T("observe.typical", biz.Label.In(lang)), Open: true}
		for _, id := range biz.Indicators {
			if ind, ok := pack.Indicator(id); ok && premises(ind) {
				g.Signs = append(g.Signs, f.sign(ind, f.rec.Indicators))
			}
		}
		if len(g.Signs) > 0 {
			out = append(out, g)
		}
	}
	for _, th := range pack.Themes {
		if th.Retired {
			continue
		}
		g := Group{Title: th.Label.In(lang)}
		for _, ind := range pack.IndicatorsOf(th.ID) {
			if premises(ind) {
				g.Signs = append(g.Signs, f.sign(ind, f.rec.Indicators))
			}
		}
		if len(g.Signs) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// TickPremises ticks or unticks a sign seen at the premises.
func (f *Flow) TickPremises(id string, on bool) {
	if slices.Contains(f.rec.Indicators, id) == on {
		return
	}
	f.rec.Indicators = toggle(f.rec.Indicators, id, on)
	f.edited(true)
}

// TickPerson ticks or unticks a sign about one person.
func (f *Flow) TickPerson(person uuid.UUID, id string, on bool) {
	ps := f.person(person)
	if ps == nil || slices.Contains(ps.Indicators, id) == on {
		return
	}
	f.editPerson(person, true, func(ps *encounter.Person) { ps.Indicators = toggle(ps.Indicators, id, on) })
}

// toggle adds id to ids if on, else removes it.
func toggle(ids []string, id string, on bool) []string {
	ids = slices.DeleteFunc(slices.Clone(ids), func(s string) bool { return s == id })
	if on {
		ids = append(ids, id)
	}
	return ids
}

// QuestionView is one of the officer's questions about a person.
type QuestionView struct {
	ID       string
	Text     string
	Hint     string
	Choices  []Option
	Selected string // the choice answered, or ""
}

// Questions are the officer's questions about the person with id.
func (f *Flow) Questions(person uuid.UUID) []QuestionView {
	ps := f.person(person)
	if ps == nil {
		return nil
	}
	lang := Lang(f.p)
	var out []QuestionView
	for _, q := range f.d.Pack.Questions {
		if q.Retired {
			continue
		}
		v := QuestionView{ID: q.ID, Text: q.Text.In(lang), Hint: q.Hint.In(lang), Selected: ps.Answers[q.ID]}
		for _, c := range q.Choices {
			v.Choices = append(v.Choices, Option{Value: c.ID, Label: c.Label.In(lang)})
		}
		out = append(out, v)
	}
	return out
}

// Answer records the officer's answer to question q about a person;
// choosing the answer already given clears it.
func (f *Flow) Answer(person uuid.UUID, q, choice string) {
	f.editPerson(person, true, func(ps *encounter.Person) {
		if ps.Answers[q] == choice {
			delete(ps.Answers, q)
			return
		}
		if ps.Answers == nil {
			ps.Answers = map[string]string{}
		}
		ps.Answers[q] = choice
	})
}

// OtherSigns are the signs about the person that none of the officer's
// questions asks about, grouped by theme: a sign a question covers is not
// offered twice.
func (f *Flow) OtherSigns(person uuid.UUID) []Group {
	ps := f.person(person)
	if ps == nil {
		return nil
	}
	pack, lang := f.d.Pack, Lang(f.p)
	asked := map[string]bool{}
	for _, q := range pack.Questions {
		if q.Retired {
			continue
		}
		for _, c := range q.Choices {
			for _, id := range c.Implies {
				asked[id] = true
			}
		}
	}
	var out []Group
	for _, th := range pack.Themes {
		if th.Retired {
			continue
		}
		g := Group{Title: th.Label.In(lang)}
		for _, ind := range pack.IndicatorsOf(th.ID) {
			if ind.Retired || ind.Scope == content.ScopePremises || (asked[ind.ID] && !slices.Contains(ps.Indicators, ind.ID)) {
				continue
			}
			g.Signs = append(g.Signs, f.sign(ind, ps.Indicators))
		}
		if len(g.Signs) > 0 {
			out = append(out, g)
		}
	}
	return out
}

// Screening: the person's own answers, in their language.

// ScreeningOn is whether the pack has screening questions.
func (f *Flow) ScreeningOn() bool { return f.d.Pack.Screening != nil }

// ScreeningSetup is what the screening screens need for one person.
type ScreeningSetup struct {
	Set *screening.Set
	// Language is the language to open in: the person's, if recorded;
	// else language.Und (the last person's, then the set's source).
	Language language.Tag
	// Previous are the person's latest answers so far, by question.
	Previous map[string]screening.Answer
}

// Screening returns the setup of the screening screens for a person.
func (f *Flow) Screening(person uuid.UUID) ScreeningSetup {
	s := ScreeningSetup{Set: f.d.Pack.Screening, Language: language.Und}
	ps := f.person(person)
	if ps == nil || s.Set == nil {
		return s
	}
	s.Language, _ = f.splitLanguages(ps.Languages)
	s.Previous = screening.Latest(screening.FromRecord(ps.Screening))
	return s
}

// RecordScreening keeps one of the person's answers on the record, and
// counts it in the assessment through the indicators it implies. The
// language it was given in becomes one of theirs. It returns why the last
// save failed, if it did: the answer is kept in the draft in memory and
// written with the next save.
func (f *Flow) RecordScreening(person uuid.UUID, a screening.Answer) error {
	f.editPerson(person, true, func(ps *encounter.Person) {
		ps.Screening = append(ps.Screening, screening.ToRecord(a))
		if a.Language != language.Und && !slices.Contains(ps.Languages, a.Language.String()) {
			main, _ := f.splitLanguages(ps.Languages)
			if main == language.Und {
				ps.Languages = append([]string{a.Language.String()}, ps.Languages...)
			} else {
				ps.Languages = append(ps.Languages, a.Language.String())
			}
		}
	})
	return f.saveErr
}

// ScreeningView is a person's screening answers, in the officer's words.
type ScreeningView struct {
	// Summary says how many answers there are, how and in what language
	// they were given, and when; or that they have not been screened.
	Summary string
	Answers []AnswerView
}

// AnswerView is one screening answer.
type AnswerView struct {
	// Question and Answer are in the officer's language.
	Question string
	Answer   string
	// Original is the question and answer as the person read or gave
	// them, in their language; "" when that is the officer's.
	Original string
	// Note says how and when: "hand-over · 10:32" or the interpreter.
	Note string
}

// ScreeningAnswers shows the person's latest answers in the officer's
// language, with the original words.
func (f *Flow) ScreeningAnswers(person uuid.UUID) ScreeningView {
	ps := f.person(person)
	if ps == nil {
		return ScreeningView{}
	}
	return ScreeningAnswersOf(f.p, f.d.Pack.Screening, *ps)
}

// Ticked reports whether sign id is ticked for the person with id, or for
// the premises when person is uuid.Nil.
func (f *Flow) Ticked(person uuid.UUID, id string) bool {
	if person == uuid.Nil {
		return slices.Contains(f.rec.Indicators, id)
	}
	ps := f.person(person)
	return ps != nil && slices.Contains(ps.Indicators, id)
}

// Answered is the officer's answer to question q about a person, or "".
func (f *Flow) Answered(person uuid.UUID, q string) string {
	if ps := f.person(person); ps != nil {
		return ps.Answers[q]
	}
	return ""
}
