// Package assets holds the files embedded in Waymark: the app icon, and
// later fonts and content packs, each with its licence.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:embed icon.png
var iconPNG []byte

// Icon is the app icon, also named in FyneApp.toml.
var Icon = fyne.NewStaticResource("icon.png", iconPNG)
