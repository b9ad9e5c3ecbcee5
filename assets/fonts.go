package assets

import _ "embed"

// The fallback fonts: Arabic script (Naskh), Ethiopic, the Indic scripts
// (Devanagari, Gurmukhi, Bengali, Malayalam, Tamil) and Simplified
// Chinese (GB2312 level 1 and every Han character Waymark's strings use),
// with ASCII punctuation and digits, merged into one font per weight: the
// theme's font. Fyne's built-in Noto Sans draws Latin and Cyrillic.
// Sources, licences and the build script are in fonts/.
var (
	//go:embed fonts/WaymarkFallback-Regular.ttf
	FontRegularTTF []byte
	//go:embed fonts/WaymarkFallback-Bold.ttf
	FontBoldTTF []byte
)

// The Nastaliq fonts: Urdu is written in Nastaliq, not in the Naskh of
// the fallback font. Noto Nastaliq Urdu with Noto Sans's ASCII
// punctuation, so that a right-to-left run of Urdu never changes font.
var (
	//go:embed fonts/WaymarkNastaliq-Regular.ttf
	NastaliqRegularTTF []byte
	//go:embed fonts/WaymarkNastaliq-Bold.ttf
	NastaliqBoldTTF []byte
)

// The Arabic fonts: Noto Sans Arabic with Noto Sans's ASCII punctuation,
// with line metrics tall enough for every dot and vowel mark, for the
// Arabic-script languages written in Naskh (Arabic, Persian, Dari, Pashto,
// Sorani) wherever Waymark lays their text out itself.
var (
	//go:embed fonts/WaymarkArabic-Regular.ttf
	ArabicRegularTTF []byte
	//go:embed fonts/WaymarkArabic-Bold.ttf
	ArabicBoldTTF []byte
)
