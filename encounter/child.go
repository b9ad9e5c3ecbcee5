package encounter

import "slices"

// The one child rule. Who is treated as a child is decided here and only
// here: the assessment engine, Record.Check, the referral step, the
// amendment checks and the content pack's validation of screening answers
// all call Child. It is law and safeguarding practice, not content: a pack
// cannot change it.
//
// A person is treated as a child when any of these holds:
//   - the officer's estimate of their age is under AdultAge;
//   - the officer ticked "could they be under 18?" (age in doubt);
//   - an indicator meaning "treat as a child" was recorded or implied for
//     them: they say they are under 18 (IndSaysUnder18), or cannot say
//     their age (IndAgeUnclear);
//   - they answered the screening age question under 18, or "I don't
//     know". Once they have said they are under 18, a later answer does
//     not take it back: their age is then in doubt.

// AgeQuestion is the screening question in which a person says how old
// they are, and its answers. A content pack's screening set that asks it
// must map its answers to indicators exactly as ChildAnswer says.
const (
	AgeQuestion = "age.range"
	AgeUnder14  = "under_14"
	Age14To17   = "14_17"
	Age18To24   = "18_24"
	Age25Plus   = "25_plus"
	AgeDontKnow = "dont_know"
)

// The indicators that mean a person is treated as a child. A content pack
// must have both, marked "child": true, and no other indicator so marked.
const (
	IndSaysUnder18 = "ind.vulnerability.says_under_18"
	IndAgeUnclear  = "ind.vulnerability.age_unclear"
)

// ChildIndicators lists the indicators that make a person a child.
var ChildIndicators = []string{IndSaysUnder18, IndAgeUnclear}

// ChildBasis says why a person is treated as a child; NotChild if they
// are not. Its values are stable: reasons and tests name them.
type ChildBasis string

// The grounds on which a person is treated as a child, in the order Child
// checks them.
const (
	NotChild ChildBasis = ""
	// ByAge: the officer's estimate of their age is under 18.
	ByAge ChildBasis = "age"
	// ByDoubt: the officer ticked "age in doubt".
	ByDoubt ChildBasis = "age_in_doubt"
	// BySaying: they said they are under 18, to the officer or in the
	// screening questions.
	BySaying ChildBasis = "says_under_18"
	// ByNotKnowing: they could not say their age.
	ByNotKnowing ChildBasis = "age_unclear"
)

// AgeSigns is everything recorded that bears on whether a person is a
// child.
type AgeSigns struct {
	// Years is the officer's estimate; 0 means not known.
	Years int
	// InDoubt is the officer's "could they be under 18?" tick.
	InDoubt bool
	// Indicators are the indicator IDs recorded or implied for the person.
	Indicators []string
	// Screening are the person's own answers to the screening questions,
	// in any order.
	Screening []ScreeningAnswer
}

// Child returns why a person with these signs is treated as a child, or
// NotChild.
func Child(s AgeSigns) ChildBasis {
	switch {
	case s.Years > 0 && s.Years < AdultAge:
		return ByAge
	case s.InDoubt:
		return ByDoubt
	case slices.Contains(s.Indicators, IndSaysUnder18):
		return BySaying
	case slices.Contains(s.Indicators, IndAgeUnclear):
		return ByNotKnowing
	}
	var last *ScreeningAnswer
	for i, a := range s.Screening {
		if a.Question != AgeQuestion {
			continue
		}
		if ChildAnswer(a.Choice) == IndSaysUnder18 {
			return BySaying // never taken back by a later answer
		}
		if last == nil || !a.At.Before(last.At) {
			last = &s.Screening[i]
		}
	}
	if last != nil && ChildAnswer(last.Choice) == IndAgeUnclear {
		return ByNotKnowing
	}
	return NotChild
}

// ChildAnswer returns the indicator an answer to AgeQuestion implies:
// IndSaysUnder18 for an age under 18, IndAgeUnclear for "I don't know",
// and "" for anything else (an adult age, or "I prefer not to say", which
// the officer weighs with the age-in-doubt tick).
func ChildAnswer(choice string) string {
	switch choice {
	case AgeUnder14, Age14To17:
		return IndSaysUnder18
	case AgeDontKnow:
		return IndAgeUnclear
	}
	return ""
}

// AgeSigns returns what the person's record says about their age.
func (p Person) AgeSigns() AgeSigns {
	return AgeSigns{Years: p.AgeYears, InDoubt: p.AgeInDoubt, Indicators: p.Indicators, Screening: p.Screening}
}

// Child reports whether the person must be treated as a child, by the one
// child rule (see Child).
func (p Person) Child() bool { return Child(p.AgeSigns()) != NotChild }
