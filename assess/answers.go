package assess

import (
	"slices"

	"github.com/waymark-app/waymark/content"
)

// Implied returns the indicators a person's answers imply, in pack order
// and each once, and the answers the pack does not know, as
// "question=choice" in lexical order. answers maps question IDs to
// choice IDs.
func Implied(p *content.Pack, answers map[string]string) (indicators, unknown []string) {
	for _, q := range sortedKeys(answers) {
		ids, ok := implied(p, q, answers[q])
		if !ok {
			unknown = append(unknown, q+"="+answers[q])
		}
		for _, id := range ids {
			if !slices.Contains(indicators, id) {
				indicators = append(indicators, id)
			}
		}
	}
	p.SortByOrder(indicators)
	return indicators, unknown
}

// implied returns what one answer implies, and whether the pack knows
// the question and the choice. A retired question still counts: records
// made under an older pack use it.
func implied(p *content.Pack, question, choice string) ([]string, bool) {
	q, ok := p.Question(question)
	if !ok {
		return nil, false
	}
	c, ok := q.Choice(choice)
	return c.Implies, ok
}
