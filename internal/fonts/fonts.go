// Package fonts chooses the font each run of text is drawn in, by
// language and script, from the fonts Waymark embeds (package assets);
// its tests check every string Waymark ships against those fonts. The
// officer app's theme and its BidiLabel draw with them.
package fonts

import (
	"unicode"

	"fyne.io/fyne/v2"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/assets"
)

// Marks that start a run's text, so Fyne, which guesses a text's
// direction from its first strong character, shapes the run in the
// direction the paragraph's layout gave it (a run of only neutrals or
// digits has none). They are zero-width and in the fallback font.
const (
	LRM = "\u200e"
	RLM = "\u200f"
)

// Regular and Bold are the fallback fonts as Fyne resources: Arabic
// script, Ethiopic, Indic scripts and Chinese, with the ASCII
// punctuation and digits those scripts use. The theme puts them before
// Fyne's Noto Sans.
var (
	Regular = fyne.NewStaticResource("WaymarkFallback-Regular.ttf", assets.FontRegularTTF)
	Bold    = fyne.NewStaticResource("WaymarkFallback-Bold.ttf", assets.FontBoldTTF)
)

// The per-language fonts as Fyne resources.
var (
	fontNastaliq     = fyne.NewStaticResource("WaymarkNastaliq-Regular.ttf", assets.NastaliqRegularTTF)
	fontNastaliqBold = fyne.NewStaticResource("WaymarkNastaliq-Bold.ttf", assets.NastaliqBoldTTF)
	fontArabic       = fyne.NewStaticResource("WaymarkArabic-Regular.ttf", assets.ArabicRegularTTF)
	fontArabicBold   = fyne.NewStaticResource("WaymarkArabic-Bold.ttf", assets.ArabicBoldTTF)
)

// nastaliq lists the languages whose Arabic script is written in
// Nastaliq. A language added to the content in one of them (Kashmiri,
// Punjabi in Shahmukhi) gets the font from its tag, with no other change.
var nastaliq = map[string]bool{"ur": true, "pa-Arab": true, "ks": true, "skr": true}

// For returns the font a run of text in language lang is drawn in,
// for a canvas.Text's FontSource, or nil for the theme's fonts (the
// fallback font, then Fyne's Noto Sans). Fyne chooses a font per text
// style, not per language; this chooses one per run where the script
// needs it: Arabic letters are drawn in Nastaliq for Urdu, and otherwise
// in the Arabic font, whose line is tall enough for every dot and vowel
// mark (the theme's fallback keeps Noto Sans's line for the officer's
// Latin text, and would cut them off). A run with no letters (digits,
// punctuation) takes the font of its language's script, so the digits of
// an Urdu sentence match it; a run of Latin letters stays with the
// theme's fonts.
func For(lang language.Tag, run string, bold bool) fyne.Resource {
	arabic := false
	letters := false
	for _, r := range run {
		if unicode.IsLetter(r) || unicode.IsMark(r) {
			arabic, letters = unicode.Is(unicode.Arabic, r), true
			break
		}
	}
	if !letters && lang != language.Und {
		script, _ := lang.Script()
		arabic = script.String() == "Arab"
	}
	switch {
	case !arabic:
		return nil
	case usesNastaliq(lang) && bold:
		return fontNastaliqBold
	case usesNastaliq(lang):
		return fontNastaliq
	case bold:
		return fontArabicBold
	}
	return fontArabic
}

// usesNastaliq reports whether lang's Arabic-script text is written in
// Nastaliq.
func usesNastaliq(lang language.Tag) bool {
	if lang == language.Und {
		return false
	}
	base, _ := lang.Base()
	script, _ := lang.Script()
	if script.String() != "Arab" {
		return false
	}
	return nastaliq[base.String()] || nastaliq[base.String()+"-Arab"]
}
