package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"github.com/waymark-app/waymark/internal/fonts"
)

// NewTheme returns Waymark's theme: Fyne's default look, with fonts that
// draw every language Waymark ships without any system font. Fyne puts
// the theme's font first and its own Noto Sans second, so the fallback
// font (Arabic script, Ethiopic, Chinese, and the ASCII punctuation and
// digits those scripts use) comes first and Latin and Cyrillic letters
// still come from Noto Sans. Monospace and symbols stay Fyne's.
func NewTheme() fyne.Theme { return waymarkTheme{} }

type waymarkTheme struct{}

func (waymarkTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return theme.DefaultTheme().Color(n, v)
}

func (waymarkTheme) Font(s fyne.TextStyle) fyne.Resource {
	switch {
	case s.Monospace || s.Symbol:
		return theme.DefaultTheme().Font(s)
	case s.Bold:
		return fonts.Bold
	}
	return fonts.Regular // italic too: there is no italic fallback
}

func (waymarkTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (waymarkTheme) Size(n fyne.ThemeSizeName) float32 { return theme.DefaultTheme().Size(n) }

// largeTheme scales text and spacing up, for the screens a possible
// victim reads on their own: bigger text and bigger buttons.
type largeTheme struct {
	fyne.Theme
	scale float32
}

func (t largeTheme) Size(n fyne.ThemeSizeName) float32 {
	s := t.Theme.Size(n)
	switch n {
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText,
		theme.SizeNameCaptionText, theme.SizeNameInlineIcon, theme.SizeNamePadding, theme.SizeNameInnerPadding:
		return s * t.scale
	}
	return s
}
