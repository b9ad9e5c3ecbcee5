package screening

import (
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/encounter"
)

// ToRecord is answer a as an encounter record keeps it.
func ToRecord(a Answer) encounter.ScreeningAnswer {
	return encounter.ScreeningAnswer{
		Question: a.Question, Choice: a.Choice, Text: a.Text, Translation: a.Translation,
		Interpreter: a.Interpreter, Lang: a.Language.String(), Mode: string(a.Mode),
		At: a.At.UTC(), Set: a.SetVersion,
	}
}

// FromRecord is the answers a record keeps, as answers. A language tag
// that does not parse becomes language.Und.
func FromRecord(as []encounter.ScreeningAnswer) []Answer {
	out := make([]Answer, len(as))
	for i, a := range as {
		tag, _ := language.Parse(a.Lang)
		out[i] = Answer{
			Question: a.Question, Choice: a.Choice, Text: a.Text, Translation: a.Translation,
			Interpreter: a.Interpreter, Language: tag, Mode: Mode(a.Mode),
			At: a.At, SetVersion: a.Set,
		}
	}
	return out
}
