package content

import "slices"

// Coverage is how far one language covers a pack, and how far its
// translation has been checked: the officer-facing texts (the pack's own
// files) and the screening strings a possible victim reads.
type Coverage struct {
	// Tag is the language's BCP 47 tag.
	Tag string
	// Status is the review status pack.json gives the language's officer
	// texts; "" for a language with screening strings only.
	Status Review
	// Texts of TextsTotal officer-facing texts are given in the language.
	Texts, TextsTotal int
	// Screening of ScreeningTotal screening strings are translated (the
	// rest fall back, marked "not translated"); Draft and Reviewed count
	// them by review status. Copies are strings copied from the source
	// language untranslated, which are taken as missing.
	Screening, ScreeningTotal int
	Draft, Reviewed, Copies   int
}

// Coverage reports, for every language of the pack's texts or its
// screening set, how much is translated and its review status, the
// source language first, then by tag. It counts the languages the pack
// has: adding a language file adds a row.
func (p *Pack) Coverage() []Coverage {
	rows := map[string]*Coverage{}
	row := func(tag string) *Coverage {
		if rows[tag] == nil {
			rows[tag] = &Coverage{Tag: tag}
		}
		return rows[tag]
	}
	total := 0
	p.eachText(func(_, _, _ string, t Text, _ bool) {
		if t != nil {
			total++
		}
	})
	for _, l := range p.Languages {
		c := row(l.Tag)
		c.Status = l.Status
		c.TextsTotal = total
		c.Texts = total - len(p.Untranslated(l.Tag))
	}
	if p.Screening != nil {
		for _, tag := range p.Screening.Languages() {
			sc := p.Screening.Language(tag).Coverage()
			c := row(tag.String())
			c.Screening, c.ScreeningTotal = sc.Translated, sc.Total
			c.Draft, c.Reviewed, c.Copies = sc.Draft, sc.Reviewed, sc.Copies
		}
	}
	out := make([]Coverage, 0, len(rows))
	for _, tag := range sortedKeys(rows) {
		out = append(out, *rows[tag])
	}
	slices.SortStableFunc(out, func(a, b Coverage) int {
		switch {
		case a.Tag == Source && b.Tag != Source:
			return -1
		case b.Tag == Source && a.Tag != Source:
			return 1
		}
		return 0
	})
	return out
}

// Complete reports whether the language translates everything it offers:
// every officer text if it is an officer language, every screening string
// if it is a screening language.
func (c Coverage) Complete() bool {
	return c.Texts == c.TextsTotal && c.Screening == c.ScreeningTotal
}
