package bidi

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"

	xbidi "golang.org/x/text/unicode/bidi"

	"github.com/waymark-app/waymark/i18n"
)

// conformanceFile is Unicode's conformance test for the algorithm up to
// rule L2, from Debian's unicode-data package, which scripts/deps.sh
// installs for make test: all of its cases run, everywhere.
const conformanceFile = "/usr/share/unicode/BidiCharacterTest.txt"

// conformanceCases is how many cases BidiCharacterTest.txt holds in
// Unicode 15.0 (Debian 12's unicode-data); a later version has more.
const conformanceCases = 91707

func TestBidiCharacterConformance(t *testing.T) {
	f, err := os.Open(conformanceFile)
	if err != nil {
		t.Fatalf("%v: run scripts/deps.sh (it installs unicode-data)", err)
	}
	defer f.Close()
	cases, failures := 0, 0
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if text == "" || text[0] == '#' {
			continue
		}
		cases++
		if msg := checkCase(text); msg != "" {
			failures++
			if failures <= 10 {
				t.Errorf("%s:%d: %s\n\t%s", conformanceFile, line, msg, text)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cases < conformanceCases {
		t.Errorf("%s: only %d cases, want all %d", conformanceFile, cases, conformanceCases)
	}
	t.Logf("%s: %d cases, %d failures", conformanceFile, cases, failures)
}

// checkCase runs one line of BidiCharacterTest.txt and says what differs.
func checkCase(line string) string {
	f := strings.Split(line, ";")
	var runes []rune
	for _, h := range strings.Fields(f[0]) {
		v, _ := strconv.ParseUint(h, 16, 32)
		runes = append(runes, rune(v))
	}
	var p *Paragraph
	switch f[1] {
	case "0":
		p = New(string(runes), i18n.LeftToRight)
	case "1":
		p = New(string(runes), i18n.RightToLeft)
	default:
		p = NewAuto(string(runes), i18n.LeftToRight)
	}
	if len(p.runes) != len(runes) {
		return "paragraph cut short"
	}
	if got := strconv.Itoa(int(p.base)); got != f[2] {
		return "paragraph level " + got + ", want " + f[2]
	}
	levels := p.lineLevels(0, len(runes))
	var gotLevels []string
	for i, l := range levels {
		if p.removed[i] {
			gotLevels = append(gotLevels, "x")
		} else {
			gotLevels = append(gotLevels, strconv.Itoa(int(l)))
		}
	}
	if got, want := strings.Join(gotLevels, " "), strings.TrimSpace(f[3]); got != want {
		return "levels " + got + ", want " + want
	}
	var order []string
	for _, i := range visualOrder(levels) {
		if !p.removed[i] {
			order = append(order, strconv.Itoa(i))
		}
	}
	if got, want := strings.Join(order, " "), strings.TrimSpace(f[4]); got != want {
		return "order " + got + ", want " + want
	}
	return ""
}

// TestPairedBracketsFromXText checks the bracket data taken from x/text
// against every pair it should know.
func TestPairedBracketsFromXText(t *testing.T) {
	for open, close := range map[rune]rune{'(': ')', '[': ']', '{': '}', '⁅': '⁆', '〈': '〉', '「': '」', '（': '）'} {
		props, _ := xbidi.LookupRune(open)
		if !props.IsBracket() || !props.IsOpeningBracket() {
			t.Errorf("%q not an opening bracket", open)
			continue
		}
		if got := pairedBracket(open); got != close {
			t.Errorf("pair of %q = %q, want %q", open, got, close)
		}
	}
}
