package assess

import (
	"strings"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/i18n"
)

// Sentence is one reason of an assessment as an officer reads it aloud
// to a supervisor: the rule's reason and, in plain words, what it rests
// on.
type Sentence struct {
	Level content.Level
	// Person is the person the reason is about; "" for the visit.
	Person string
	// Lower is set for a reason of a lower level than the result: its
	// Text says so ("Also noted, on its own Amber: …"), so a Green reason
	// under a Red result is never read as the result.
	Lower bool
	Text  string
}

// Explain returns the result's reasons, in its order, as sentences in the
// printer's language: "They or their family have been threatened: there
// may be a risk of harm now. This rests on: they answered “Yes” to “Has
// anyone threatened your family?”." Each names what was seen or answered,
// and by whom.
func Explain(p *content.Pack, res Result, pr *i18n.Printer) []Sentence {
	lang := pr.Tag().String()
	out := make([]Sentence, 0, len(res.Reasons))
	for _, r := range res.Reasons {
		text := r.Text.In(lang)
		if parts := evidenceWords(p, r.Evidence, pr, lang); len(parts) > 0 {
			text += " " + pr.T("reason.rests_on", strings.Join(parts, "; "))
		}
		s := Sentence{Level: r.Level, Person: r.Person, Text: text}
		if r.Level < res.Level {
			s.Lower = true
			s.Text = pr.T("reason.also", pr.T("rag.word."+r.Level.String()), text)
		}
		out = append(out, s)
	}
	return out
}

// evidenceWords says each item of evidence in words.
func evidenceWords(p *content.Pack, ev []Evidence, pr *i18n.Printer, lang string) []string {
	var parts []string
	for _, e := range ev {
		switch e.By {
		case ByAge:
			parts = append(parts, pr.T("reason.age", e.Choice))
		case ByAgeInDoubt:
			parts = append(parts, pr.T("reason.age_in_doubt"))
		case ByOfficer:
			q, ok := p.Question(e.Question)
			if !ok {
				continue
			}
			choice := e.Choice
			if c, ok := q.Choice(e.Choice); ok {
				choice = c.Label.In(lang)
			}
			parts = append(parts, pr.T("reason.answered", choice, q.Text.In(lang)))
		case ByPerson:
			if p.Screening == nil {
				continue
			}
			q, ok := p.Screening.Question(e.Question)
			if !ok {
				continue
			}
			l, _ := p.Screening.Match(pr.Tag())
			parts = append(parts, pr.T("reason.said", l.Get(q.ChoiceKey(e.Choice)).Text, l.Get(q.TextKey()).Text))
		default:
			if ind, ok := p.Indicator(e.Indicator); ok {
				parts = append(parts, pr.T("reason.seen", ind.Label.In(lang)))
			}
		}
	}
	return parts
}
