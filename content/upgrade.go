package content

import "fmt"

// CheckUpgrade reports whether next may replace cur as the pack in use.
// Records made under cur refer to its IDs, so next must be the same pack
// (same ID) at a higher version, and must still hold every ID cur held:
// an item that is no longer wanted is marked "retired": true, never
// deleted. It returns nil or an *UpgradeError listing every problem.
func CheckUpgrade(cur, next *Pack) error {
	e := &UpgradeError{From: cur.name(), To: next.name()}
	add := func(item, format string, args ...any) {
		e.Problems = append(e.Problems, Problem{Item: item, Msg: fmt.Sprintf(format, args...)})
	}
	if next.ID != cur.ID {
		add("", "pack ID %q is not the ID of the pack in use (%q): a device only takes newer versions of its own pack", next.ID, cur.ID)
	}
	if next.Version <= cur.Version {
		e.notNewer = true
		add("", "version %d is not higher than the version in use (%d)", next.Version, cur.Version)
	}
	for _, r := range cur.references() {
		if !next.holds(r) {
			add(r.id, "%s is in version %d but missing from version %d: records may refer to it, so keep it and mark it \"retired\": true",
				r.what, cur.Version, next.Version)
		}
	}
	if len(e.Problems) > 0 {
		return e
	}
	return nil
}

func (p *Pack) name() string {
	return fmt.Sprintf("%s version %d", p.ID, p.Version)
}

// reference is something a record may store: an item's ID, or a choice
// within a question.
type reference struct {
	id, choice string
	what       string
}

// references lists everything in p that records may refer to.
func (p *Pack) references() []reference {
	var rs []reference
	rs = appendRefs(rs, "exploitation type", p.Exploitation)
	rs = appendRefs(rs, "theme", p.Themes)
	rs = appendRefs(rs, "indicator", p.Indicators)
	rs = appendRefs(rs, "business type", p.Businesses)
	rs = appendRefs(rs, "question", p.Questions)
	for _, q := range p.Questions {
		for _, c := range q.Choices {
			rs = append(rs, reference{id: q.ID, choice: c.ID, what: fmt.Sprintf("choice %s of question %s", c.ID, q.ID)})
		}
	}
	rs = appendRefs(rs, "rule", p.Rules)
	return appendRefs(rs, "action", p.Actions)
}

func appendRefs[T item](rs []reference, what string, list []T) []reference {
	for _, x := range list {
		rs = append(rs, reference{id: x.key(), what: what + " " + x.key()})
	}
	return rs
}

func (p *Pack) holds(r reference) bool {
	if r.choice == "" {
		return p.Order(r.id) >= 0
	}
	q, ok := p.Question(r.id)
	if !ok {
		return false
	}
	_, ok = q.Choice(r.choice)
	return ok
}
