package app

import (
	"bytes"
	"fmt"
	"sort"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
	xbidi "golang.org/x/text/unicode/bidi"

	"github.com/waymark-app/waymark/assets"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/screening"
)

// face parses a font the way Fyne does (go-text's ParseTTF).
func face(t *testing.T, r fyne.Resource) *font.Face {
	t.Helper()
	f, err := font.ParseTTF(bytes.NewReader(r.Content()))
	if err != nil {
		t.Fatalf("%s: %v", r.Name(), err)
	}
	return f
}

func hasGlyph(f *font.Face, r rune) bool {
	_, ok := f.NominalGlyph(r)
	return ok
}

// shippedStrings returns every string Waymark can show, by where it comes
// from: the officer catalogues, the screening content in every language,
// language names as pickers show them, and numbers as the hand-over
// screen writes them. The zero-width marks BidiLabel adds are included.
func shippedStrings(t *testing.T) (texts map[string][]string, rtlTexts []string) {
	t.Helper()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	set, err := screening.Parse(assets.Screening)
	if err != nil {
		t.Fatal(err)
	}
	texts = map[string][]string{"marks": {lrm + rlm}}
	for _, tag := range b.Languages() {
		texts["officer/"+tag.String()] = b.Texts(tag)
	}
	names := set.Names()
	readers := b.Languages()
	for _, tag := range set.Languages() {
		l := set.Language(tag)
		k := "screening/" + tag.String()
		texts[k] = append(l.Texts(), i18n.Number(tag, 1234567890))
		if l.Dir == i18n.RightToLeft {
			rtlTexts = append(rtlTexts, texts[k]...)
		}
		texts["names"] = append(texts["names"], names.Self(tag))
		for _, in := range readers {
			texts["names"] = append(texts["names"], names.Label(tag, in))
		}
	}
	for _, tag := range b.Languages() {
		for _, in := range readers {
			texts["names"] = append(texts["names"], (&i18n.Names{}).Label(tag, in))
		}
	}
	return texts, rtlTexts
}

// TestGlyphCoverage proves that every rune of every string Waymark ships
// is in a bundled font, in both weights: Fyne's built-in Noto Sans or the
// fallback font in assets, the only fonts a device without system fonts
// has.
func TestGlyphCoverage(t *testing.T) {
	weights := []struct {
		name            string
		fallback, fyneF fyne.Resource
	}{
		{"regular", fontRegular, theme.DefaultTextFont()},
		{"bold", fontBold, theme.DefaultTextBoldFont()},
	}
	texts, rtlTexts := shippedStrings(t)
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, w := range weights {
		fb, noto := face(t, w.fallback), face(t, w.fyneF)
		all := map[rune]bool{}
		for _, k := range keys {
			runes := map[rune]bool{}
			for _, s := range texts[k] {
				for _, r := range s {
					runes[r] = true
				}
			}
			var missing []string
			for r := range runes {
				if !hasGlyph(fb, r) && !hasGlyph(noto, r) {
					missing = append(missing, fmt.Sprintf("%q U+%04X", r, r))
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%s %s: %d runes in no bundled font: %v", w.name, k, len(missing), missing)
			}
			for r := range runes {
				all[r] = true
			}
		}
		t.Logf("%s: %d distinct runes from %d sources, all covered", w.name, len(all), len(keys))

		// A right-to-left run must not change font part way, or Fyne
		// draws its pieces in the wrong order: everything in a
		// right-to-left string that is not a left-to-right letter must
		// be in the fallback font itself.
		for _, s := range rtlTexts {
			for _, r := range s {
				props, _ := xbidi.LookupRune(r)
				if props.Class() != xbidi.L && !hasGlyph(fb, r) {
					t.Errorf("%s: %q (U+%04X) in %q is not in the fallback font", w.name, r, r, s)
				}
			}
		}
	}
}

// TestCoverageCheckFails makes sure the check above can fail: a rune no
// bundled font has is reported missing.
func TestCoverageCheckFails(t *testing.T) {
	fb, noto := face(t, fontRegular), face(t, theme.DefaultTextFont())
	for _, r := range []rune{'體', '齉', 'ᚠ', 'א'} { // outside GB2312 level 1; Ogham; Hebrew
		if hasGlyph(fb, r) || hasGlyph(noto, r) {
			t.Errorf("%q unexpectedly covered: the coverage check would not notice it", r)
		}
	}
	for _, r := range []rune{'你', 'ښ', 'ڵ', 'ቐ', 'ŵ', 'ѝ', 'ș', '\u200c'} {
		if !hasGlyph(fb, r) && !hasGlyph(noto, r) {
			t.Errorf("%q (U+%04X) missing", r, r)
		}
	}
	// The fallback carries no letters of its own for Latin or Cyrillic,
	// so Fyne's Noto Sans keeps drawing them.
	for _, r := range "AzŵЖѝ" {
		if unicode.IsLetter(r) && hasGlyph(fb, r) {
			t.Errorf("fallback has %q, which Noto Sans should draw", r)
		}
	}
}
