package assess

import (
	"slices"

	"github.com/waymark-app/waymark/content"
)

// Change is what changed between two assessments of one encounter, as
// when the officer goes back and changes an answer.
type Change struct {
	From, To content.Level
	// ReasonsAdded and ReasonsRemoved are reasons (a rule for a person)
	// found in only one of the two, in the order of the result holding them.
	ReasonsAdded, ReasonsRemoved []Reason
	// ActionsAdded and ActionsRemoved are checklist actions found in only
	// one of the two, in checklist order.
	ActionsAdded, ActionsRemoved []string
}

// Diff returns what changed from before to after.
func Diff(before, after Result) Change {
	return Change{
		From:           before.Level,
		To:             after.Level,
		ReasonsAdded:   missing(after.Reasons, before.Reasons, Reason.key),
		ReasonsRemoved: missing(before.Reasons, after.Reasons, Reason.key),
		ActionsAdded:   missing(after.Actions, before.Actions, func(s string) string { return s }),
		ActionsRemoved: missing(before.Actions, after.Actions, func(s string) string { return s }),
	}
}

// None reports whether nothing changed that the officer would see.
func (c Change) None() bool {
	return c.From == c.To && len(c.ReasonsAdded) == 0 && len(c.ReasonsRemoved) == 0 &&
		len(c.ActionsAdded) == 0 && len(c.ActionsRemoved) == 0
}

// missing returns the items of a whose key is not among b's.
func missing[T any](a, b []T, key func(T) string) []T {
	var out []T
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y T) bool { return key(y) == key(x) }) {
			out = append(out, x)
		}
	}
	return out
}
