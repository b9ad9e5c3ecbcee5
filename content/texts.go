package content

import "fmt"

// eachText calls fn for every officer-facing text in the pack, with where
// it is and whether the pack must have it.
func (p *Pack) eachText(fn func(file, item, field string, t Text, required bool)) {
	fn(filePack, "", "name", p.Name, true)
	for i, x := range p.Exploitation {
		fn(fileThemes, itemLoc("exploitation", i, x.ID), "label", x.Label, true)
	}
	for i, x := range p.Themes {
		loc := itemLoc("themes", i, x.ID)
		fn(fileThemes, loc, "label", x.Label, true)
		fn(fileThemes, loc, "hint", x.Hint, false)
	}
	for i, x := range p.Indicators {
		loc := itemLoc("indicators", i, x.ID)
		fn(fileIndicators, loc, "label", x.Label, true)
		fn(fileIndicators, loc, "hint", x.Hint, true)
	}
	for i, x := range p.Businesses {
		fn(fileBusinesses, itemLoc("businesses", i, x.ID), "label", x.Label, true)
	}
	fn(fileQuestions, "age", "prompt", p.Age.Prompt, true)
	fn(fileQuestions, "age", "hint", p.Age.Hint, false)
	fn(fileQuestions, "age", "in_doubt", p.Age.InDoubt, true)
	fn(fileQuestions, "age", "in_doubt_hint", p.Age.InDoubtHint, false)
	for i, q := range p.Questions {
		loc := itemLoc("questions", i, q.ID)
		fn(fileQuestions, loc, "text", q.Text, true)
		fn(fileQuestions, loc, "hint", q.Hint, false)
		for j, c := range q.Choices {
			fn(fileQuestions, loc, fmt.Sprintf("choices[%d].label", j), c.Label, true)
		}
	}
	for i, r := range p.Rules {
		fn(fileRules, itemLoc("rules", i, r.ID), "reason", r.Reason, true)
	}
	for i, a := range p.Actions {
		loc := itemLoc("actions", i, a.ID)
		fn(fileActions, loc, "label", a.Label, true)
		fn(fileActions, loc, "hint", a.Hint, true)
	}
}

// itemLoc names an item in a Problem: its ID, or its place in its list
// when it has none.
func itemLoc(list string, i int, id string) string {
	if id == "" {
		return fmt.Sprintf("%s[%d]", list, i)
	}
	return id
}

// Untranslated lists every text the pack gives in English but not in
// lang, as "file: item: field", for a translator's worklist. Those texts
// fall back to English on screen.
func (p *Pack) Untranslated(lang string) []string {
	var out []string
	p.eachText(func(file, item, field string, t Text, _ bool) {
		if t != nil && t[lang] == "" {
			out = append(out, Problem{File: file, Item: item, Field: field}.String())
		}
	})
	return out
}
