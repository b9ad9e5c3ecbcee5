package i18n

import "golang.org/x/text/language"

// Direction is the way a language's text runs.
type Direction uint8

const (
	// LeftToRight is the direction of Latin, Cyrillic, Ge'ez and Han text.
	LeftToRight Direction = iota
	// RightToLeft is the direction of Arabic-script and Hebrew text.
	RightToLeft
)

// String returns "ltr" or "rtl", as in HTML's dir attribute.
func (d Direction) String() string {
	if d == RightToLeft {
		return "rtl"
	}
	return "ltr"
}

// rtlScripts are the ISO 15924 scripts written right to left that a
// Waymark content pack might plausibly use.
var rtlScripts = map[string]bool{
	"Adlm": true, "Arab": true, "Hebr": true, "Mand": true, "Mend": true, "Nkoo": true,
	"Rohg": true, "Samr": true, "Syrc": true, "Thaa": true, "Yezi": true,
}

// DirectionOf returns the direction of t's script, as x/text infers it
// (Sorani "ckb" and Persian "fa" are Arabic script). ok is false when
// x/text cannot tell the script, as for "prs" without its alias; then the
// caller should look at the text itself.
func DirectionOf(t language.Tag) (d Direction, ok bool) {
	s, conf := t.Script()
	if conf == language.No {
		if a := alias(t); a != language.Und {
			s, conf = a.Script()
		}
	}
	if conf == language.No {
		return LeftToRight, false
	}
	if rtlScripts[s.String()] {
		return RightToLeft, true
	}
	return LeftToRight, true
}
