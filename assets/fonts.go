package assets

import _ "embed"

// The fallback fonts: Arabic script, Ethiopic and Simplified Chinese
// (GB2312 level 1 and every Han character Waymark's strings use), with
// ASCII punctuation and digits, merged into one font per weight. Fyne's
// built-in Noto Sans draws Latin and Cyrillic. Sources, licences and the
// build script are in fonts/.
var (
	//go:embed fonts/WaymarkFallback-Regular.ttf
	FontRegularTTF []byte
	//go:embed fonts/WaymarkFallback-Bold.ttf
	FontBoldTTF []byte
)
