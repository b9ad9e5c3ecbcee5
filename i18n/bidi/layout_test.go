package bidi

import (
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/waymark-app/waymark/i18n"
)

// mixedCases are mixed-direction strings of the kind screening content
// holds, with their runs in visual order (left to right) worked out by
// hand from UAX #9, rule by rule, in the comments.
var mixedCases = []struct {
	name string
	dir  i18n.Direction
	text string
	want []string // run texts, left to right on screen
}{
	// The full stop after a Latin name goes to the paragraph's end: N1
	// finds L before and R (eos) after, so it takes the embedding direction.
	{"latin name", i18n.RightToLeft, "اسمي John Smith.", []string{".", "John Smith", "اسمي "}},
	{"age in digits", i18n.RightToLeft, "عمري 25 سنة", []string{" سنة", "25", "عمري "}},
	// Two numbers separated by a space are two runs, and the later one is
	// further left: the space between them is R.
	{"phone number", i18n.RightToLeft, "رقم الهاتف 07700 900123 من فضلك", []string{" من فضلك", "900123", " ", "07700", "رقم الهاتف "}},
	// N0: the brackets hold L text, but the text before them is R, which
	// is the embedding direction, so they are R and mirror.
	{"latin in brackets", i18n.RightToLeft, "أعمل في (Car Wash) كل يوم", []string{") كل يوم", "Car Wash", "أعمل في ("}},
	// W4 joins 1,250.50 into one number; £ (ET) is not next to a digit,
	// so W6 makes it neutral and it stays on the paragraph's side.
	{"money", i18n.RightToLeft, "المبلغ 1,250.50 £", []string{" £", "1,250.50", "المبلغ "}},
	// Persian digits are EN; after Arabic letters W2 makes them AN, and
	// W4 joins AN/AN/AN across the slashes.
	{"persian date", i18n.RightToLeft, "تاریخ ۱۴۰۳/۰۵/۲۰", []string{"۱۴۰۳/۰۵/۲۰", "تاریخ "}},
	{"arabic name in english", i18n.LeftToRight, "Name: محمد علی, age 34", []string{"Name: ", "محمد علی", ", age 34"}},
	// W2 makes 123 an Arabic number after Arabic letters: level 2, so it
	// is reversed with the name and lands on its left.
	{"number after arabic in english", i18n.LeftToRight, "Called محمد 123 today", []string{"Called ", "123", "محمد ", " today"}},
	// "+" is ES, not next to digits on both sides: neutral, R.
	{"international phone", i18n.RightToLeft, "رقم الهاتف: +44 7700 900123", []string{"900123", " ", "7700", " ", "44", "رقم الهاتف: +"}},
	// Sorani, with a Latin name and an age inside brackets whose content
	// is R, so the brackets are R; 30 after Arabic letters is AN.
	{"sorani", i18n.RightToLeft, "ناوی من Anna یە (تەمەنم 30 ساڵە).", []string{" ساڵە).", "30", " یە (تەمەنم ", "Anna", "ناوی من "}},
	// Straight quotes are neutrals, not brackets: each takes the side of
	// the R text next to it.
	{"quoted latin", i18n.RightToLeft, `دا "Car Wash" دی`, []string{`" دی`, "Car Wash", `دا "`}},
	// "." between letters is CS, neutral by W6, between L and L so L.
	{"email", i18n.RightToLeft, "ایمیل: test@example.com", []string{"test@example.com", "ایمیل: "}},
	{"ethiopic", i18n.LeftToRight, "ዕድሜዬ 17 ዓመት ነው።", []string{"ዕድሜዬ 17 ዓመት ነው።"}},
	{"chinese", i18n.LeftToRight, "我叫李明（Li Ming），今年25岁。", []string{"我叫李明（Li Ming），今年25岁。"}},
}

func TestLineVisualOrder(t *testing.T) {
	for _, c := range mixedCases {
		t.Run(c.name, func(t *testing.T) {
			p := New(c.text, c.dir)
			var got []string
			for _, r := range p.Line(0, len(p.Runes())) {
				got = append(got, p.Text(r))
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("runs %q\nwant %q", got, c.want)
			}
		})
	}
}

// runeWidth measures one unit a rune.
func runeWidth(s string) float32 { return float32(utf8.RuneCountInString(s)) }

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		name  string
		dir   i18n.Direction
		text  string
		width float32
		want  [][]string // per line, run texts left to right
	}{
		{"fits", i18n.RightToLeft, "عمري 25 سنة", 20, [][]string{{" سنة", "25", "عمري "}}},
		// Each line is ordered on its own: the number moves to the
		// second line and is still on the right of the words after it.
		{"rtl two lines", i18n.RightToLeft, "اسمي John Smith وعمري 25 سنة", 16,
			[][]string{{"John Smith", "اسمي "}, {" سنة", "25", "وعمري "}}},
		{"ltr words", i18n.LeftToRight, "one two three four", 9, [][]string{{"one two"}, {"three"}, {"four"}}},
		{"long word broken", i18n.LeftToRight, "abcdefghij", 4, [][]string{{"abcd"}, {"efgh"}, {"ij"}}},
		// Ideographs break anywhere, but not before the full stop; trailing
		// spaces are not drawn.
		{"chinese", i18n.LeftToRight, "你有护照吗。", 2, [][]string{{"你有"}, {"护照"}, {"吗。"}}},
		{"no full stop at line start", i18n.LeftToRight, "你好。你好", 2, [][]string{{"你"}, {"好。"}, {"你好"}}},
		{"no width", i18n.LeftToRight, "one two", 0, [][]string{{"one two"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := New(c.text, c.dir)
			var got [][]string
			for _, l := range p.Wrap(c.width, runeWidth) {
				var runs []string
				for _, r := range l.Runs {
					runs = append(runs, p.Text(r))
				}
				got = append(got, runs)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("lines %q\nwant  %q", got, c.want)
			}
		})
	}
}

func TestNewAutoAndStop(t *testing.T) {
	if d := NewAuto("123 مرحبا abc", i18n.LeftToRight).Direction(); d != i18n.RightToLeft {
		t.Errorf("first strong Arabic: %v", d)
	}
	if d := NewAuto("123 ...", i18n.RightToLeft).Direction(); d != i18n.RightToLeft {
		t.Errorf("no strong character: %v, want the default", d)
	}
	if got := string(New("one\ntwo", i18n.LeftToRight).Runes()); got != "one" {
		t.Errorf("paragraph = %q, want it to stop at the newline", got)
	}
	// A zero-width non-joiner (BN) stays inside its Persian word's run.
	p := New("می\u200cخواهم کار", i18n.RightToLeft)
	if runs := p.Line(0, len(p.Runes())); len(runs) != 1 {
		t.Errorf("ZWNJ split the run: %d runs", len(runs))
	}
}
