package screening

import (
	"time"

	"golang.org/x/text/language"
)

// Mode is how a question reached the person.
type Mode string

const (
	// InterpreterMode: an interpreter put the question, reading it beside
	// the officer's language.
	InterpreterMode Mode = "interpreter"
	// HandOverMode: the person read the question on the device, alone.
	HandOverMode Mode = "handover"
)

// Answer is one answer as recorded, against the question's ID and the
// version of the set, never against its text. Answers are only ever
// added: a later answer to the same question supersedes an earlier one,
// which stays in the record.
type Answer struct {
	Question string // the question's ID
	// Choice is Yes, No, DontKnow, PreferNot or one of the question's
	// option IDs; empty for a free-text answer.
	Choice string
	// Text is a free-text answer as the person gave it, in their
	// language.
	Text string
	// Translation is the interpreter's translation of Text into the
	// officer's language.
	Translation string
	// Interpreter identifies who interpreted: name, and ID number or
	// agency. Empty in hand-over mode.
	Interpreter string
	// Language is the language the question was put in.
	Language   language.Tag
	Mode       Mode
	At         time.Time
	SetVersion string // the Version of the set the question came from
}

// Latest returns the latest answer to each question among answers, by
// question ID.
func Latest(answers []Answer) map[string]Answer {
	out := map[string]Answer{}
	for _, a := range answers {
		if prev, ok := out[a.Question]; !ok || !a.At.Before(prev.At) {
			out[a.Question] = a
		}
	}
	return out
}
