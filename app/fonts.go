package app

import (
	"unicode"

	"fyne.io/fyne/v2"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/assets"
)

// The Nastaliq fonts as Fyne resources.
var (
	fontNastaliq     = fyne.NewStaticResource("WaymarkNastaliq-Regular.ttf", assets.NastaliqRegularTTF)
	fontNastaliqBold = fyne.NewStaticResource("WaymarkNastaliq-Bold.ttf", assets.NastaliqBoldTTF)
)

// nastaliq lists the languages whose Arabic script is written in
// Nastaliq. A language added to the content in one of them (Kashmiri,
// Punjabi in Shahmukhi) gets the font from its tag, with no other change.
var nastaliq = map[string]bool{"ur": true, "pa-Arab": true, "ks": true, "skr": true}

// fontFor returns the font a run of text in language lang is drawn in,
// for a canvas.Text's FontSource, or nil for the theme's fonts (the
// fallback font, then Fyne's Noto Sans). Fyne chooses a font per text
// style, not per language; this chooses one per language where the
// script needs it: Nastaliq for Urdu's Arabic letters. A run with no
// letters (digits, punctuation) takes the language's font too, so the
// digits of an Urdu sentence match it; a run of Latin letters in an Urdu
// paragraph (a name, "NRM") stays with the theme's fonts.
func fontFor(lang language.Tag, run string, bold bool) fyne.Resource {
	if !usesNastaliq(lang) {
		return nil
	}
	for _, r := range run {
		if unicode.IsLetter(r) || unicode.IsMark(r) {
			if !unicode.Is(unicode.Arabic, r) {
				return nil
			}
			break
		}
	}
	if bold {
		return fontNastaliqBold
	}
	return fontNastaliq
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
