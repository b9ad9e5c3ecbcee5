// Package assets holds the files embedded in Waymark, each with its
// licence: the app icon, the default content pack and the fonts. It
// exposes bytes and file systems only, so plain-Go packages can use it
// without the UI toolkit.
package assets

import _ "embed"

// IconPNG is the app icon, also named in FyneApp.toml.
//
//go:embed icon.png
var IconPNG []byte
