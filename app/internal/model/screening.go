package model

import (
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/screening"
)

// ScreeningAnswersOf shows person ps's latest screening answers, in the
// order of set's questions, in the officer's language (p's), with the
// question and answer as the person read or gave them. set may be nil (a
// pack without screening questions): the answers then show by id.
func ScreeningAnswersOf(p *i18n.Printer, set *screening.Set, ps encounter.Person) ScreeningView {
	if len(ps.Screening) == 0 {
		return ScreeningView{Summary: p.T("screening.none")}
	}
	answers := screening.FromRecord(ps.Screening)
	latest := screening.Latest(answers)
	ids := make([]string, 0, len(latest))
	for id := range latest {
		ids = append(ids, id)
	}
	order := func(id string) int {
		if set == nil {
			return 0
		}
		return slices.IndexFunc(set.Questions, func(q screening.Question) bool { return q.ID == id })
	}
	slices.SortStableFunc(ids, func(a, b string) int {
		if d := order(a) - order(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	var v ScreeningView
	for _, id := range ids {
		v.Answers = append(v.Answers, answerView(p, set, latest[id]))
	}
	last := answers[0]
	for _, a := range answers {
		if a.At.After(last.At) {
			last = a
		}
	}
	v.Summary = p.T("screening.summary", len(latest), modeText(p, last.Mode), languageName(p, set, last.Language), TimeText(last.At))
	return v
}

// answerView is one answer in the officer's words, and the person's.
func answerView(p *i18n.Printer, set *screening.Set, a screening.Answer) AnswerView {
	v := AnswerView{Question: a.Question, Answer: a.Choice}
	if a.Choice == "" {
		v.Answer = a.Text
		if a.Translation != "" {
			v.Answer = a.Translation
		}
	}
	note := []string{modeText(p, a.Mode), TimeText(a.At)}
	if a.Interpreter != "" {
		note = append(note, p.T("screening.by_interpreter", a.Interpreter))
	}
	v.Note = strings.Join(note, " · ")
	if set == nil {
		return v
	}
	q, ok := set.Question(a.Question)
	if !ok {
		return v
	}
	officer, _ := set.Match(p.Tag())
	v.Question = officer.Get(q.TextKey()).Text
	if a.Choice != "" {
		v.Answer = officer.Get(q.ChoiceKey(a.Choice)).Text
	}
	person := set.Language(a.Language)
	switch {
	case person == nil || person.Tag == officer.Tag:
		if a.Choice == "" && a.Translation != "" {
			v.Original = a.Text
		}
	case a.Choice != "":
		v.Original = person.Get(q.TextKey()).Text + " — " + person.Get(q.ChoiceKey(a.Choice)).Text
	default:
		v.Original = person.Get(q.TextKey()).Text + " — " + a.Text
	}
	return v
}

// modeText says how an answer was given.
func modeText(p *i18n.Printer, m screening.Mode) string {
	if m == screening.HandOverMode {
		return p.T("screening.mode.handover")
	}
	return p.T("screening.mode.interpreter")
}

// languageName names a language in the officer's language.
func languageName(p *i18n.Printer, set *screening.Set, t language.Tag) string {
	names := &i18n.Names{}
	if set != nil {
		names = set.Names()
	}
	return names.In(t, p.Tag())
}

// ConsentAnswer is the person's own answer to the NRM consent question,
// if they gave one: the choice (screening.Yes, No, ...) and the words
// the referral step shows.
func ConsentAnswer(p *i18n.Printer, set *screening.Set, ps encounter.Person) (choice, text string, ok bool) {
	a, ok := screening.Latest(screening.FromRecord(ps.Screening))[screening.ConsentQuestion]
	if !ok || a.Choice == "" {
		return "", "", false
	}
	v := answerView(p, set, a)
	return a.Choice, p.T("referral.their_answer", v.Answer, v.Question, v.Note), true
}
