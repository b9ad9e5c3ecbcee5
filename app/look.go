package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/waymark-app/waymark/app/internal/model"
)

// lookTheme is a theme as the officer set it in Your details: text and
// spacing scaled to their text size, and light or dark colours if they
// chose one over the device's.
type lookTheme struct {
	fyne.Theme
	scale   float32
	variant fyne.ThemeVariant
	force   bool // use variant, not the device's
}

// themeFor returns base as prefs say the officer wants it.
func themeFor(base fyne.Theme, prefs model.Prefs) fyne.Theme {
	t := lookTheme{Theme: base, scale: prefs.TextSize().Scale()}
	switch prefs.Appearance() {
	case model.AppearanceLight:
		t.variant, t.force = theme.VariantLight, true
	case model.AppearanceDark:
		t.variant, t.force = theme.VariantDark, true
	}
	return t
}

func (t lookTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if t.force {
		v = t.variant
	}
	return t.Theme.Color(n, v)
}

func (t lookTheme) Size(n fyne.ThemeSizeName) float32 {
	s := t.Theme.Size(n)
	switch n {
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText,
		theme.SizeNameCaptionText, theme.SizeNameInlineIcon, theme.SizeNamePadding,
		theme.SizeNameInnerPadding, theme.SizeNameLineSpacing:
		return s * t.scale
	}
	return s
}

// applyLook sets the app's theme from the officer's settings.
func applyLook(prefs model.Prefs) {
	settings := fyne.CurrentApp().Settings()
	base := settings.Theme()
	if lt, ok := base.(lookTheme); ok {
		base = lt.Theme
	}
	settings.SetTheme(themeFor(base, prefs))
}
