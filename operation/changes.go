package operation

import (
	"fmt"
	"slices"
)

// Change is one thing that differs between two revisions of an
// operation, as a device shows it: what (a field, or a premises by name)
// and how ("changed", "added", "removed").
type Change struct {
	What string // "briefing", "rendezvous", "premises Example Car Wash", ...
	How  string // ChangeChanged, ChangeAdded or ChangeRemoved
	// Premises is the premises concerned, for a premises change.
	Premises string
}

// How a thing changed.
const (
	ChangeChanged = "changed"
	ChangeAdded   = "added"
	ChangeRemoved = "removed"
)

// Changes lists what differs from old to o: the fields an officer acts
// on, and each premises added, removed or changed. An old with no id (the
// device had no earlier revision) gives nil: everything is new.
func Changes(old, o Operation) []Change {
	if old.ID != o.ID {
		return nil
	}
	var out []Change
	field := func(name string, changed bool) {
		if changed {
			out = append(out, Change{What: name, How: ChangeChanged})
		}
	}
	field("name", old.Name != o.Name)
	field("dates", old.Start != o.Start || old.End != o.End)
	field("briefing", old.Briefing != o.Briefing)
	field("rendezvous", old.Rendezvous != o.Rendezvous)
	field("teams", !slices.EqualFunc(old.Teams, o.Teams, func(a, b Team) bool {
		return a.Name == b.Name && slices.Equal(a.Members, b.Members)
	}))
	field("partners", !slices.EqualFunc(old.Partners, o.Partners, func(a, b Partner) bool {
		return a.Agency == b.Agency && a.Contact == b.Contact && slices.Equal(a.Members, b.Members)
	}))
	field("interpreters", !slices.EqualFunc(old.Interpreters, o.Interpreters, func(a, b Interpreter) bool {
		return a.Name == b.Name && a.Phone == b.Phone && slices.Equal(a.Languages, b.Languages)
	}))
	for _, p := range o.Premises {
		was, ok := old.Premise(p.ID)
		switch {
		case !ok:
			out = append(out, Change{What: fmt.Sprintf("premises %s", p.Name), How: ChangeAdded, Premises: p.Name})
		case was != p:
			out = append(out, Change{What: fmt.Sprintf("premises %s", p.Name), How: ChangeChanged, Premises: p.Name})
		}
	}
	for _, p := range old.Premises {
		if _, ok := o.Premise(p.ID); !ok {
			out = append(out, Change{What: fmt.Sprintf("premises %s", p.Name), How: ChangeRemoved, Premises: p.Name})
		}
	}
	return out
}
