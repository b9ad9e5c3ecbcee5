package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/content"
)

// ragColor is the colour of a level. The banner always says the level in
// words too: colour is never the only signal.
func ragColor(l content.Level) color.Color {
	switch l {
	case content.Red:
		return color.NRGBA{R: 0xb3, G: 0x26, B: 0x1e, A: 0xff}
	case content.Amber:
		return color.NRGBA{R: 0xb4, G: 0x5f, B: 0x06, A: 0xff}
	case content.Green:
		return color.NRGBA{R: 0x1e, G: 0x7b, B: 0x34, A: 0xff}
	}
	return color.NRGBA{R: 0x5f, G: 0x63, B: 0x68, A: 0xff}
}

// ragColorOf is the colour of a level by its stored name.
func ragColorOf(name string) color.Color {
	l, _ := content.ParseLevel(name)
	return ragColor(l)
}

// ragBanner shows the assessment at the top of every step of the flow
// once it is known: the level as a coloured word, what to do first, and
// what changed when an answer changed it.
type ragBanner struct {
	box    *fyne.Container
	bg     *canvas.Rectangle
	level  *widget.Label
	first  *widget.Label
	change *widget.Label
}

func newRAGBanner() *ragBanner {
	b := &ragBanner{}
	b.bg = canvas.NewRectangle(color.Transparent)
	b.bg.CornerRadius = theme.InputRadiusSize()
	b.level = widget.NewLabel("")
	b.level.TextStyle.Bold = true
	b.level.SizeName = theme.SizeNameSubHeadingText
	b.level.Wrapping = fyne.TextWrapWord
	b.first = widget.NewLabel("")
	b.first.TextStyle.Bold = true
	b.first.Wrapping = fyne.TextWrapWord
	b.change = widget.NewLabel("")
	b.change.Wrapping = fyne.TextWrapWord
	b.change.Importance = widget.WarningImportance
	b.change.Hide()
	// White words on the level's colour, in the app's own fonts.
	words := container.NewThemeOverride(container.NewVBox(b.level, b.first),
		onColour{fyne.CurrentApp().Settings().Theme()})
	b.box = container.NewVBox(container.NewStack(b.bg, words), b.change)
	b.box.Hide()
	return b
}

// onColour is the app's theme with white text, for words on a coloured
// background.
type onColour struct{ fyne.Theme }

func (t onColour) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameForeground {
		return color.White
	}
	return t.Theme.Color(n, v)
}

// show sets the banner to level, with the first action to take (or
// nothing) and a line on what changed (or nothing).
func (b *ragBanner) show(level content.Level, levelText, first, change string) {
	if level == content.Unassessed {
		b.box.Hide()
		return
	}
	b.bg.FillColor = ragColor(level)
	b.level.SetText(levelText)
	b.first.SetText(first)
	if first == "" {
		b.first.Hide()
	} else {
		b.first.Show()
	}
	b.change.SetText(change)
	if change == "" {
		b.change.Hide()
	} else {
		b.change.Show()
	}
	b.box.Show()
	b.bg.Refresh()
}
