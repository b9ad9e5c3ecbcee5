package app

import (
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/i18n/bidi"
	"github.com/waymark-app/waymark/internal/fonts"
)

// BidiLabel shows a paragraph of text that may mix directions, such as
// an Arabic question holding digits and a Latin name. Fyne draws the
// pieces of such a text in logical order and always from the left; this
// widget breaks the text into lines at its width, orders each line's
// directional runs as the Unicode Bidirectional Algorithm says (package
// i18n/bidi), draws each run as its own canvas.Text so Fyne shapes it in
// one direction, and aligns right-to-left paragraphs to the right. It
// draws each run in the font its language needs (fonts.For: Nastaliq for
// Urdu), with the runs of a line on one baseline.
type BidiLabel struct {
	widget.BaseWidget
	Text string
	// Direction is the paragraph's direction: the language's, not a
	// guess from the text.
	Direction i18n.Direction
	// Lang is the language of the text, which chooses its font; Und for
	// the theme's fonts.
	Lang      language.Tag
	TextStyle fyne.TextStyle
	// SizeName is the theme size of the text; empty means normal text.
	SizeName fyne.ThemeSizeName
	// ColorName is the theme colour of the text; empty means foreground.
	ColorName fyne.ThemeColorName
	// Alignment: leading is the start of the paragraph, so the right
	// edge for a right-to-left one; trailing the other edge.
	Alignment fyne.TextAlign
	// NoWrap keeps each paragraph on one line and makes the label as wide
	// as its text, as for a button's label; otherwise the container
	// decides the width and the text wraps to it.
	NoWrap bool
}

// NewBidiLabel returns a label showing text as a paragraph in direction dir.
func NewBidiLabel(text string, dir i18n.Direction) *BidiLabel {
	l := &BidiLabel{Text: text, Direction: dir}
	l.ExtendBaseWidget(l)
	return l
}

// oneLineWidth is how wide the label is with each paragraph on one line,
// padding included.
func (l *BidiLabel) oneLineWidth() float32 {
	r := &bidiRenderer{l: l}
	r.layout(0)
	return r.natural + 2*r.padding()
}

// NewLangLabel returns a label showing text in language lang: in its
// direction and its fonts.
func NewLangLabel(text string, lang language.Tag, dir i18n.Direction) *BidiLabel {
	l := &BidiLabel{Text: text, Direction: dir, Lang: lang}
	l.ExtendBaseWidget(l)
	return l
}

// SetText changes the text and redraws.
func (l *BidiLabel) SetText(text string) {
	l.Text = text
	l.Refresh()
}

// CreateRenderer is part of fyne.Widget.
func (l *BidiLabel) CreateRenderer() fyne.WidgetRenderer {
	return &bidiRenderer{l: l}
}

// placedRun is one run as laid out: its text, its font, and where it
// goes.
type placedRun struct {
	text string
	rtl  bool
	font fyne.Resource // nil: the theme's
	x, w float32
	line int
}

type bidiRenderer struct {
	l       *BidiLabel
	texts   []*canvas.Text
	objects []fyne.CanvasObject
	runs    []placedRun
	lines   int
	width   float32 // the width runs were laid out for
	lineH   float32 // the height of a line: the tallest font's
	ascent  float32 // the baseline of a line from its top
	natural float32 // the width of the widest line as laid out
}

// metrics returns the height and baseline of a line of text in font f
// (nil: the theme's), at the label's size and style.
func (r *bidiRenderer) metrics(f fyne.Resource) (height, ascent float32) {
	s, base := fyne.CurrentApp().Driver().RenderedTextSize("M", r.textSize(), r.l.TextStyle, f)
	return s.Height, base
}

func (r *bidiRenderer) textSize() float32 {
	name := r.l.SizeName
	if name == "" {
		name = theme.SizeNameText
	}
	return theme.SizeForWidget(name, r.l)
}

func (r *bidiRenderer) padding() float32 { return theme.SizeForWidget(theme.SizeNameInnerPadding, r.l) }

// layout breaks the text into lines no wider than width (0: no limit)
// and places each run, in visual order, within that width.
func (r *bidiRenderer) layout(width float32) {
	size, style, bold := r.textSize(), r.l.TextStyle, r.l.TextStyle.Bold
	driver := fyne.CurrentApp().Driver()
	font := func(s string) fyne.Resource { return fonts.For(r.l.Lang, s, bold) }
	measure := func(s string) float32 { return measureText(driver, s, size, style, font(s)) }
	r.lineH, r.ascent = r.metrics(nil)
	r.runs = r.runs[:0]
	r.lines = 0
	r.natural = 0
	for _, para := range strings.Split(r.l.Text, "\n") {
		p := bidi.New(para, r.l.Direction)
		wrapAt := width
		if r.l.NoWrap {
			wrapAt = 0
		}
		lines := p.Wrap(wrapAt, measure)
		if len(lines) == 0 {
			r.lines++ // an empty paragraph still takes a line
			continue
		}
		for _, line := range lines {
			first := len(r.runs)
			x := float32(0)
			for _, run := range line.Runs {
				t := p.Text(run)
				f := font(t)
				w := measure(t)
				r.runs = append(r.runs, placedRun{text: t, rtl: run.Direction() == i18n.RightToLeft, font: f, x: x, w: w, line: r.lines})
				x += w
			}
			r.natural = max(r.natural, x)
			shift := float32(0)
			if width > 0 {
				shift = r.alignShift(width - x)
			}
			for i := first; i < len(r.runs); i++ {
				r.runs[i].x += shift
			}
			r.lines++
		}
	}
	// Every line as tall as the tallest font used, on one baseline.
	for _, run := range r.runs {
		if run.font != nil {
			h, a := r.metrics(run.font)
			descent := max(r.lineH-r.ascent, h-a)
			r.ascent = max(r.ascent, a)
			r.lineH = r.ascent + descent
		}
	}
	r.width = width
}

// measured caches the widths of texts: wrapping measures the same pieces
// of a paragraph at every layout, and shaping them is the slowest thing
// the interface does (a screen of questions in two languages is
// thousands of pieces).
var measured = struct {
	sync.Mutex // guards m
	m          map[measureKey]float32
}{m: map[measureKey]float32{}}

type measureKey struct {
	text  string
	size  float32
	style fyne.TextStyle
	font  string // the font resource's name; "" for the theme's
}

// measureCap bounds the cache; past it, it starts again.
const measureCap = 50000

// measureText returns the width of s as driver draws it.
func measureText(driver fyne.Driver, s string, size float32, style fyne.TextStyle, f fyne.Resource) float32 {
	k := measureKey{text: s, size: size, style: style}
	if f != nil {
		k.font = f.Name()
	}
	measured.Lock()
	w, ok := measured.m[k]
	measured.Unlock()
	if ok {
		return w
	}
	sz, _ := driver.RenderedTextSize(s, size, style, f)
	measured.Lock()
	if len(measured.m) >= measureCap {
		measured.m = map[measureKey]float32{}
	}
	measured.m[k] = sz.Width
	measured.Unlock()
	return sz.Width
}

// alignShift returns how far right a line with spare room goes.
func (r *bidiRenderer) alignShift(spare float32) float32 {
	rtl := r.l.Direction == i18n.RightToLeft
	switch r.l.Alignment {
	case fyne.TextAlignCenter:
		return spare / 2
	case fyne.TextAlignTrailing:
		rtl = !rtl
	}
	if rtl {
		return spare
	}
	return 0
}

// sync makes one canvas.Text for each placed run.
func (r *bidiRenderer) sync() {
	for len(r.texts) < len(r.runs) {
		r.texts = append(r.texts, canvas.NewText("", nil))
	}
	r.texts = r.texts[:len(r.runs)]
	colorName := r.l.ColorName
	if colorName == "" {
		colorName = theme.ColorNameForeground
	}
	col := theme.ColorForWidget(colorName, r.l)
	pad := r.padding()
	r.objects = r.objects[:0]
	for i, run := range r.runs {
		t := r.texts[i]
		mark := fonts.LRM
		if run.rtl {
			mark = fonts.RLM
		}
		t.Text = mark + run.text
		t.TextSize = r.textSize()
		t.TextStyle = r.l.TextStyle
		t.FontSource = run.font
		t.Color = col
		// Each text is drawn from the top of its own font's box: line
		// the baselines up.
		h, a := r.metrics(run.font)
		t.Move(fyne.NewPos(pad+run.x, pad+float32(run.line)*r.lineH+r.ascent-a))
		t.Resize(fyne.NewSize(run.w, h))
		r.objects = append(r.objects, t)
	}
}

func (r *bidiRenderer) Layout(size fyne.Size) {
	r.layout(r.widthFor(size))
	r.sync()
	for _, t := range r.texts {
		t.Refresh()
	}
}

// widthFor is the width text may take in a label of size; 0, no limit,
// before the label has been given a size.
func (r *bidiRenderer) widthFor(size fyne.Size) float32 {
	if size.Width == 0 {
		return 0
	}
	return max(size.Width-2*r.padding(), 1)
}

// MinSize is as high as the text wrapped at the label's present width, and
// narrow, like a wrapping widget.Label: the container decides the width.
func (r *bidiRenderer) MinSize() fyne.Size {
	pad := r.padding()
	if width := r.widthFor(r.l.Size()); width != r.width || r.lineH == 0 {
		r.layout(width)
		r.sync()
	}
	w := r.textSize() * 2
	if r.l.NoWrap {
		w = max(w, r.natural)
	}
	return fyne.NewSize(w+2*pad, float32(max(r.lines, 1))*r.lineH+2*pad)
}

func (r *bidiRenderer) Refresh() {
	r.layout(r.widthFor(r.l.Size()))
	r.sync()
	for _, t := range r.texts {
		t.Refresh()
	}
}

func (r *bidiRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *bidiRenderer) Destroy() {}
