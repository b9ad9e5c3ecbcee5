package content

import (
	"errors"
	"fmt"
	"strings"
)

// The errors Parse, ParseBundle and CheckUpgrade wrap; test with errors.Is.
var (
	// ErrInvalid is wrapped by a *ValidationError: the pack is refused.
	ErrInvalid = errors.New("content pack refused")
	// ErrUpgrade is wrapped by an *UpgradeError: the pack may not replace
	// the one in use.
	ErrUpgrade = errors.New("content pack cannot replace the one in use")
	// ErrNotNewer is also wrapped by an *UpgradeError when the new pack's
	// version is not higher. A device that pulls the pack it already has
	// gets it, and can keep quiet.
	ErrNotNewer = errors.New("content pack is not newer")
)

// Problem is one thing wrong with a pack, with where it is.
type Problem struct {
	// File is the pack file, such as "rules.json"; "" for the pack as a
	// whole.
	File string
	// Item is the ID of the item at fault, or "" for the file itself.
	Item string
	// Field is the path to the field within the item, such as
	// "when.all[1].indicator", or "".
	Field string
	// Msg says what is wrong and, where it helps, what to do.
	Msg string
}

// String returns the problem on one line: "rules.json: rule.red.child:
// when.indicator: unknown indicator "ind.x"".
func (p Problem) String() string {
	var b strings.Builder
	for _, s := range []string{p.File, p.Item, p.Field} {
		if s != "" {
			b.WriteString(s)
			b.WriteString(": ")
		}
	}
	b.WriteString(p.Msg)
	return b.String()
}

// ValidationError lists every problem found in a pack that was refused.
type ValidationError struct {
	// Pack names the pack ("waymark.default version 3") when pack.json
	// could be read, else "".
	Pack     string
	Problems []Problem
}

// Error returns a summary line followed by one line for each problem.
func (e *ValidationError) Error() string {
	return listProblems(ErrInvalid.Error()+describe(e.Pack), e.Problems)
}

// Unwrap lets errors.Is(err, ErrInvalid) match.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// UpgradeError lists why a pack may not replace the one in use.
type UpgradeError struct {
	From, To string // "waymark.default version 3"
	Problems []Problem
	notNewer bool
}

// Error returns a summary line followed by one line for each problem.
func (e *UpgradeError) Error() string {
	return listProblems(fmt.Sprintf("%s: %s by %s", ErrUpgrade, e.From, e.To), e.Problems)
}

// Unwrap lets errors.Is match ErrUpgrade, and ErrNotNewer when the
// version is not higher.
func (e *UpgradeError) Unwrap() []error {
	if e.notNewer {
		return []error{ErrUpgrade, ErrNotNewer}
	}
	return []error{ErrUpgrade}
}

func describe(pack string) string {
	if pack == "" {
		return ""
	}
	return " (" + pack + ")"
}

func listProblems(head string, ps []Problem) string {
	var b strings.Builder
	b.WriteString(head)
	if len(ps) == 1 {
		b.WriteString(": 1 problem")
	} else {
		fmt.Fprintf(&b, ": %d problems", len(ps))
	}
	for _, p := range ps {
		b.WriteString("\n\t")
		b.WriteString(p.String())
	}
	return b.String()
}

// problems collects Problems while a pack is read.
type problems struct {
	list []Problem
}

func (ps *problems) add(file, item, field, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: file, Item: item, Field: field, Msg: fmt.Sprintf(format, args...)})
}
