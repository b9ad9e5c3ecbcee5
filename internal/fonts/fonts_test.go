package fonts

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/di"
	"github.com/go-text/typesetting/font"
	gotext "github.com/go-text/typesetting/language"
	"github.com/go-text/typesetting/shaping"
	"golang.org/x/image/math/fixed"
	"golang.org/x/text/language"
	xbidi "golang.org/x/text/unicode/bidi"

	"github.com/waymark-app/waymark/assets"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/i18n/bidi"
	"github.com/waymark-app/waymark/screening"
)

// face parses a font the way Fyne does (go-text's ParseTTF).
func face(t testing.TB, r fyne.Resource) *font.Face {
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

// shown is a string Waymark shows, with the language it is in (Und for
// text drawn in the theme's fonts whatever its language) and the
// direction of its paragraph.
type shown struct {
	text string
	lang language.Tag
	dir  i18n.Direction
}

// shippedStrings returns every string Waymark can show, by where it comes
// from: the officer catalogues, the screening content of every language
// of the set, language names as pickers show them, and numbers as the
// hand-over screen writes them.
func shippedStrings(t *testing.T, set *screening.Set) map[string][]shown {
	t.Helper()
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string][]shown{"marks": {{text: LRM + RLM}}}
	for _, tag := range b.Languages() {
		for _, s := range b.Texts(tag) {
			texts["officer/"+tag.String()] = append(texts["officer/"+tag.String()], shown{text: s})
		}
	}
	names := set.Names()
	readers := b.Languages()
	for _, tag := range set.Languages() {
		l := set.Language(tag)
		k := "screening/" + tag.String()
		for _, s := range append(l.Texts(), i18n.Number(tag, 1234567890)) {
			texts[k] = append(texts[k], shown{text: s, lang: tag, dir: l.Dir})
		}
		texts["names"] = append(texts["names"], shown{text: names.Self(tag)})
		for _, in := range readers {
			texts["names"] = append(texts["names"], shown{text: names.Label(tag, in)})
		}
	}
	for _, tag := range b.Languages() {
		for _, in := range readers {
			texts["names"] = append(texts["names"], shown{text: (&i18n.Names{}).Label(tag, in)})
		}
	}
	return texts
}

func bundledSet(t *testing.T) *screening.Set {
	t.Helper()
	set, err := screening.Parse(assets.Screening)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// weight is one weight of the fonts a text may be drawn in.
type weight struct {
	name            string
	bold            bool
	fallback, fyneF fyne.Resource
}

var weights = []weight{
	{"regular", false, Regular, theme.DefaultTextFont()},
	{"bold", true, Bold, theme.DefaultTextBoldFont()},
}

// runsOf returns s's bidi runs as BidiLabel draws them, each with the
// font BidiLabel chooses for it (nil: the theme's).
func runsOf(s shown, bold bool) (texts []string, fonts []fyne.Resource, rtl []bool) {
	p := bidi.New(s.text, s.dir)
	for _, r := range p.Line(0, len(p.Runes())) {
		t := p.Text(r)
		texts = append(texts, t)
		fonts = append(fonts, For(s.lang, t, bold))
		rtl = append(rtl, r.Direction() == i18n.RightToLeft)
	}
	return texts, fonts, rtl
}

// glyphProblems checks every rune of every string of texts against the
// fonts it will be drawn in, in both weights: the language's own font
// (fontFor) alone for a run drawn in it, else the fallback font or Fyne's
// Noto Sans; and in a right-to-left run, everything but a left-to-right
// letter in the fallback itself, since Fyne breaks a run where the font
// changes and draws the pieces in the wrong order.
func glyphProblems(t *testing.T, texts map[string][]shown) []string {
	var problems []string
	keys := make([]string, 0, len(texts))
	for k := range texts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, w := range weights {
		fb, noto := face(t, w.fallback), face(t, w.fyneF)
		faces := map[fyne.Resource]*font.Face{}
		for _, k := range keys {
			missing := map[string]bool{}
			for _, s := range texts[k] {
				runs, fonts, rtl := runsOf(s, w.bold)
				for i, run := range runs {
					mark := LRM
					if rtl[i] {
						mark = RLM
					}
					for _, r := range mark + run {
						if f := fonts[i]; f != nil {
							if faces[f] == nil {
								faces[f] = face(t, f)
							}
							if !hasGlyph(faces[f], r) {
								missing[fmt.Sprintf("%q U+%04X not in %s", r, r, f.Name())] = true
							}
							continue
						}
						props, _ := xbidi.LookupRune(r)
						switch {
						case !hasGlyph(fb, r) && !hasGlyph(noto, r):
							missing[fmt.Sprintf("%q U+%04X in no bundled font", r, r)] = true
						case rtl[i] && props.Class() != xbidi.L && !hasGlyph(fb, r):
							missing[fmt.Sprintf("%q U+%04X of a right-to-left run not in the fallback font", r, r)] = true
						}
					}
				}
			}
			for m := range missing {
				problems = append(problems, fmt.Sprintf("%s %s: %s", w.name, k, m))
			}
		}
	}
	sort.Strings(problems)
	return problems
}

// TestGlyphCoverage proves that every rune of every string of every
// language Waymark ships is in the font it will be drawn in, in both
// weights, with no system font. It walks the languages the content has:
// a language added as a file is checked with no change here.
func TestGlyphCoverage(t *testing.T) {
	texts := shippedStrings(t, bundledSet(t))
	for _, p := range glyphProblems(t, texts) {
		t.Error(p)
	}
	n := 0
	for _, ss := range texts {
		n += len(ss)
	}
	t.Logf("%d strings from %d sources checked", n, len(texts))
}

// TestCoverageCheckFails makes sure the check above can fail: a rune no
// bundled font has is reported missing, and so is an Urdu run holding a
// character the Nastaliq font lacks.
func TestCoverageCheckFails(t *testing.T) {
	fb, noto := face(t, Regular), face(t, theme.DefaultTextFont())
	for _, r := range []rune{'體', '齉', 'ᚠ', 'א', 'ક'} { // outside GB2312 level 1; Ogham; Hebrew; Gujarati
		if hasGlyph(fb, r) || hasGlyph(noto, r) {
			t.Errorf("%q unexpectedly covered: the coverage check would not notice it", r)
		}
	}
	for _, r := range []rune{'你', 'ښ', 'ڵ', 'ቐ', 'ŵ', 'ѝ', 'ș', '\u200c', 'ਪ', 'ह', 'ব', 'മ', 'த', '।'} {
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
	bad := map[string][]shown{"test": {
		{text: "ગુજરાતી", lang: language.Gujarati},
		{text: "آپ ✓ کی", lang: language.Urdu, dir: i18n.RightToLeft},
	}}
	if got := glyphProblems(t, bad); len(got) < 2 {
		t.Errorf("problems %v: a Gujarati word and a tick in Urdu should both be reported", got)
	}
}

// TestFontForLanguage: Urdu's Arabic letters are drawn in Nastaliq, other
// Arabic letters in the Arabic font, everything else in the theme's.
func TestFontForLanguage(t *testing.T) {
	for _, c := range []struct {
		lang language.Tag
		run  string
		want fyne.Resource
	}{
		{language.Urdu, "آپ کی عمر", fontNastaliq},
		{language.Urdu, "۱۲", fontNastaliq},
		{language.Urdu, "NRM", nil},
		{language.MustParse("pa-Arab"), "پنجابی", fontNastaliq},
		{language.Arabic, "في البيت", fontArabic},
		{language.Persian, "۱۲:۳۰", fontArabic},
		{language.English, "أحمد", fontArabic},
		{language.MustParse("pa"), "ਪੰਜਾਬੀ", nil},
		{language.Hindi, "हिन्दी", nil},
		{language.Und, "اردو", fontArabic},
		{language.Arabic, "NRM", nil},
	} {
		if got := For(c.lang, c.run, false); got != c.want {
			t.Errorf("For(%s, %q) = %v, want %v", c.lang, c.run, got, c.want)
		}
	}
	if For(language.Urdu, "آپ", true) != fontNastaliqBold {
		t.Error("bold Urdu is not in Nastaliq Bold")
	}
}

// notoDir is where Debian's fonts-noto-core puts the full Noto fonts,
// which scripts/deps.sh installs.
const notoDir = "/usr/share/fonts/truetype/noto"

// reference is a script whose bundled glyphs are compared with the full
// Noto font they were cut from.
type reference struct {
	script   gotext.Script
	file     string // in notoDir, with -Regular or -Bold added
	nastaliq bool   // the bundled font is Nastaliq, not the fallback
	samples  []string
}

var arabicSamples = []string{"في", "يي", "على", "التي", "بيت", "شكرًا", "پښتو", "کوردی", "فارسی", "ژمارە", "ئێوە", "ښځه", "ږمنځ"}

var references = []reference{
	{gotext.Arabic, "NotoSansArabic", false, arabicSamples},
	{gotext.Arabic, "NotoNastaliqUrdu", true, []string{"آپ", "کی", "عمر", "کیا", "ہے", "پاکستان", "شکریہ", "بتانا", "نہیں", "ٹھیک"}},
	{gotext.Devanagari, "NotoSansDevanagari", false, []string{"हिन्दी", "क्या", "प्रश्न", "कृपया", "धन्यवाद", "स्क्रिन", "र्क"}},
	{gotext.Gurmukhi, "NotoSansGurmukhi", false, []string{"ਪੰਜਾਬੀ", "ਕਿਰਪਾ", "ਤੁਹਾਡੀ", "ਸ਼ੁਰੂ", "ਧੰਨਵਾਦ"}},
	{gotext.Bengali, "NotoSansBengali", false, []string{"বাংলা", "প্রশ্ন", "অনুগ্রহ", "স্ক্রিন", "ক্ষতি"}},
	{gotext.Malayalam, "NotoSansMalayalam", false, []string{"മലയാളം", "ചോദ്യം", "ദയവായി", "സ്ക്രീൻ", "ക്ഷ"}},
	{gotext.Tamil, "NotoSansTamil", false, []string{"தமிழ்", "கேள்வி", "தயவுசெய்து", "ஸ்ரீ", "க்ஷ"}},
}

// screeningWords returns the words of the screening strings of the
// languages written in script, by language.
func screeningWords(set *screening.Set, script gotext.Script, nastaliq bool) map[language.Tag][]string {
	out := map[language.Tag][]string{}
	for _, tag := range set.Languages() {
		if usesNastaliq(tag) != nastaliq {
			continue
		}
		seen := map[string]bool{}
		for _, s := range set.Language(tag).Texts() {
			for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsMark(r) && r != '\u200c' && r != '\u200d' }) {
				if gotext.LookupScript([]rune(w)[0]) == script && !seen[w] {
					seen[w] = true
					out[tag] = append(out[tag], w)
				}
			}
		}
	}
	return out
}

// shape shapes one word in one font, as Fyne's shaper does.
func shape(f *font.Face, word string, script gotext.Script) shaping.Output {
	runes := []rune(word)
	dir := di.DirectionLTR
	if script == gotext.Arabic {
		dir = di.DirectionRTL
	}
	return (&shaping.HarfbuzzShaper{}).Shape(shaping.Input{
		Text: runes, RunEnd: len(runes), Direction: dir, Face: f, Size: fixed.I(1000), Script: script,
	})
}

// outline is a glyph's outline, flattened to compare.
func outline(f *font.Face, g shaping.Glyph) string {
	o, ok := f.GlyphData(g.GlyphID).(font.GlyphOutline)
	if !ok {
		return "no outline"
	}
	return fmt.Sprint(o.Segments)
}

// TestShapingMatchesFullNoto shapes sample words and every word of the
// screening strings of each Arabic-script and Indic language in the
// bundled font and in the full Noto font it was cut from, and compares
// the result glyph for glyph: the same glyphs, drawn the same, in the
// same places. A subset that lost a dot, a form or a mark fails here.
func TestShapingMatchesFullNoto(t *testing.T) {
	set := bundledSet(t)
	for _, ref := range references {
		for _, w := range weights {
			suffix := "-Regular.ttf"
			bundled := w.fallback
			if w.bold {
				suffix = "-Bold.ttf"
			}
			if ref.script == gotext.Arabic {
				// The font BidiLabel draws the language in; the
				// fallback, which widgets draw it in, is compared below.
				tag := language.Arabic
				if ref.nastaliq {
					tag = language.Urdu
				}
				bundled = For(tag, "ا", w.bold)
			}
			name := filepath.Join(notoDir, ref.file+suffix)
			raw, err := os.ReadFile(name)
			if err != nil {
				t.Fatalf("%v: run scripts/deps.sh (it installs fonts-noto-core)", err)
			}
			full := face(t, fyne.NewStaticResource(name, raw))
			ours := face(t, bundled)
			words := screeningWords(set, ref.script, ref.nastaliq)
			words[language.Und] = ref.samples
			compared := 0
			for tag, ws := range words {
				for _, word := range ws {
					a, b := shape(ours, word, ref.script), shape(full, word, ref.script)
					compared++
					if msg := compareShaping(ours, full, a, b); msg != "" {
						t.Errorf("%s %s (%s): %q: %s", ref.file, w.name, tag, word, msg)
					}
				}
			}
			if !ref.nastaliq && ref.script == gotext.Arabic {
				fb := face(t, w.fallback)
				for _, word := range ref.samples {
					if msg := compareShaping(fb, full, shape(fb, word, ref.script), shape(full, word, ref.script)); msg != "" {
						t.Errorf("fallback %s: %q: %s", w.name, word, msg)
					}
				}
			}
			if compared < len(ref.samples) {
				t.Errorf("%s %s: only %d words compared", ref.file, w.name, compared)
			}
			t.Logf("%s %s: %d words the same glyph for glyph", ref.file, w.name, compared)
		}
	}
}

func compareShaping(ours, full *font.Face, a, b shaping.Output) string {
	if len(a.Glyphs) != len(b.Glyphs) {
		return fmt.Sprintf("%d glyphs, the full font gives %d", len(a.Glyphs), len(b.Glyphs))
	}
	for i := range a.Glyphs {
		ga, gb := a.Glyphs[i], b.Glyphs[i]
		switch {
		case ga.GlyphID == 0:
			return fmt.Sprintf("glyph %d is missing (.notdef)", i)
		case ga.XAdvance != gb.XAdvance || ga.XOffset != gb.XOffset || ga.YOffset != gb.YOffset:
			return fmt.Sprintf("glyph %d placed at %v,%v advance %v; the full font %v,%v advance %v",
				i, ga.XOffset, ga.YOffset, ga.XAdvance, gb.XOffset, gb.YOffset, gb.XAdvance)
		case outline(ours, ga) != outline(full, gb):
			return fmt.Sprintf("glyph %d is drawn differently from the full font's", i)
		}
	}
	return ""
}

// TestInkInsideTheLine: Fyne draws a text into a box as tall as its
// font's ascent and descent and cuts off whatever is outside, which is
// how the dots under a final ي were lost. Every glyph of every string
// must lie inside the box of the font it is drawn in.
func TestInkInsideTheLine(t *testing.T) {
	texts := shippedStrings(t, bundledSet(t))
	for _, w := range weights {
		fb := face(t, w.fallback)
		faces := map[fyne.Resource]*font.Face{}
		worst := map[string]float64{}
		for k, ss := range texts {
			if strings.HasPrefix(k, "officer/") {
				continue // Latin and Cyrillic: Fyne's Noto Sans and its own box
			}
			for _, s := range ss {
				runs, fonts, rtl := runsOf(s, w.bold)
				for i, run := range runs {
					f, name := fb, "fallback"
					if fonts[i] != nil {
						if faces[fonts[i]] == nil {
							faces[fonts[i]] = face(t, fonts[i])
						}
						f, name = faces[fonts[i]], fonts[i].Name()
					}
					lo, hi := inkOf(f, run, rtl[i])
					ext, _ := f.FontHExtents()
					if m := float64(lo) - float64(ext.Descender); m < worst[name+" below"] || worst[name+" below"] == 0 {
						worst[name+" below"] = m
					}
					if lo < ext.Descender-0.5 || hi > ext.Ascender+0.5 {
						t.Errorf("%s %s: %q in %s reaches %.0f..%.0f, outside its line %.0f..%.0f",
							w.name, k, run, name, lo, hi, ext.Descender, ext.Ascender)
					}
				}
			}
		}
		t.Logf("%s: least room left below the ink, in font units: %v", w.name, worst)
	}
}

// inkOf returns the lowest and highest ink of text shaped in f, in font
// units: only the glyphs f has (the rest are drawn by Noto Sans).
func inkOf(f *font.Face, text string, rtl bool) (lo, hi float32) {
	runes := []rune(text)
	dir := di.DirectionLTR
	if rtl {
		dir = di.DirectionRTL
	}
	in := shaping.Input{Text: runes, RunEnd: len(runes), Direction: dir, Face: f, Size: fixed.I(int(f.Upem()))}
	lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
	for _, seg := range (&shaping.Segmenter{}).Split(in, singleFace{f}) {
		out := (&shaping.HarfbuzzShaper{}).Shape(seg)
		for _, g := range out.Glyphs {
			o, ok := f.GlyphData(g.GlyphID).(font.GlyphOutline)
			if !ok || g.GlyphID == 0 {
				continue
			}
			dy := float32(g.YOffset) / 64
			for i := range o.Segments {
				for _, p := range o.Segments[i].ArgsSlice() {
					lo, hi = min(lo, p.Y+dy), max(hi, p.Y+dy)
				}
			}
		}
	}
	if lo > hi {
		return 0, 0
	}
	return lo, hi
}

type singleFace struct{ f *font.Face }

func (s singleFace) ResolveFace(rune) *font.Face { return s.f }

// TestAddedLanguageIsDrawn adds a partly translated language file to a
// copy of the pack, as a force's analyst would, and runs the glyph check
// on the result: a language in a script Waymark already draws needs no
// other change; one in a script no bundled font has is reported.
func TestAddedLanguageIsDrawn(t *testing.T) {
	for _, c := range []struct {
		tag, text string
		ok        bool
	}{
		{"mr", "तुमचे वय किती आहे?", true},
		{"sd", "توهان جي عمر ڪيتري آهي؟", true},
		{"gu", "તમારી ઉંમર કેટલી છે?", false},
	} {
		dir := t.TempDir()
		if err := os.CopyFS(dir, assets.Screening); err != nil {
			t.Fatal(err)
		}
		file := fmt.Sprintf(`{"tag": %q, "strings": {"q.age.range": {"text": %q, "status": "draft"}}}`, c.tag, c.text)
		if err := os.WriteFile(filepath.Join(dir, "lang", c.tag+".json"), []byte(file), 0o644); err != nil {
			t.Fatal(err)
		}
		set, err := screening.Parse(os.DirFS(dir))
		if err != nil {
			t.Fatal(err)
		}
		problems := glyphProblems(t, shippedStrings(t, set))
		if c.ok && len(problems) > 0 {
			t.Errorf("%s: %v", c.tag, problems)
		}
		if !c.ok && len(problems) == 0 {
			t.Errorf("%s: a script no bundled font has was not reported", c.tag)
		}
	}
}
