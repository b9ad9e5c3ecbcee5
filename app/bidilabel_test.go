package app

import (
	"image"
	"image/color"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/i18n/bidi"
	"github.com/waymark-app/waymark/internal/fonts"
)

const (
	ltr = i18n.LeftToRight
	rtl = i18n.RightToLeft
)

// renderCases are mixed strings of the kind screening uses, each with its
// runs in the order they must appear from left to right, worked out by
// hand from UAX #9 (see i18n/bidi for the rules by name).
var renderCases = []struct {
	dir  i18n.Direction
	text string
	want []string
}{
	// A Latin name, an Arabic comma (CS, neutral here) and an age:
	// 23 after Arabic letters is an Arabic number, level 2.
	{rtl, "الاسم: Maria Popescu، العمر 23", []string{"23", "، العمر ", "Maria Popescu", "الاسم: "}},
	// Groups of a phone number: each its own run, the last leftmost.
	{rtl, "هاتف 020 7946 0958", []string{"0958", " ", "7946", " ", "020", "هاتف "}},
	// Persian digits and a colon between them make one number.
	{rtl, "ساعت ۹:۳۰ صبح", []string{" صبح", "۹:۳۰", "ساعت "}},
	// Brackets around Latin after Latin take L (N0), so stay with it.
	{rtl, "کار در Car Wash (Leeds)", []string{"Car Wash (Leeds)", "کار در "}},
	// A currency sign before digits joins the number (W5); separators
	// inside it too (W4).
	{rtl, "£1,200 در ماه", []string{" در ماه", "£1,200"}},
	// Brackets holding Arabic are R and mirror.
	{rtl, "(٣ أشخاص)", []string{" أشخاص)", "٣", "("}},
	{ltr, "Interpreter: أحمد (Arabic)", []string{"Interpreter: ", "أحمد", " (Arabic)"}},
	// In English text, a number after Arabic is reversed with it.
	{ltr, "Said: لا أعرف 2 times", []string{"Said: ", "2", "لا أعرف ", " times"}},
	// A hyphen between Arabic numbers is neutral: the groups swap.
	{rtl, "ژمارە: 07700-900123", []string{"900123", "-", "07700", "ژمارە: "}},
	{rtl, "رقم الغرفة 12B", []string{"12B", "رقم الغرفة "}},
	// A paragraph that starts with Latin still starts at the right.
	{rtl, "NRM ته راجع شئ؟", []string{" ته راجع شئ؟", "NRM"}},
	{ltr, "姓名：محمد，年龄 30", []string{"姓名：", "محمد", "，年龄 30"}},
	{ltr, "ስሜ Ahmed ነው።", []string{"ስሜ Ahmed ነው።"}},
}

// drawnRuns returns the texts l draws, marks removed, with their
// positions, sorted by line and then from left to right.
type drawn struct {
	text string
	rtl  bool
	x, y float32
	w, h float32
	line int
}

func drawnRuns(l *BidiLabel) []drawn {
	var out []drawn
	for _, o := range test.WidgetRenderer(l).Objects() {
		t := o.(*canvas.Text)
		out = append(out, drawn{
			text: strings.TrimLeft(t.Text, fonts.LRM+fonts.RLM), rtl: strings.HasPrefix(t.Text, fonts.RLM),
			x: t.Position().X, y: t.Position().Y, w: t.Size().Width, h: t.Size().Height,
		})
	}
	// Runs of one line share a baseline, not a top, when their fonts
	// differ: a line is the runs whose boxes overlap.
	sort.SliceStable(out, func(i, j int) bool { return out[i].y < out[j].y })
	line, bottom := 0, float32(0)
	for i := range out {
		if i > 0 && out[i].y >= bottom-0.5 {
			line++
		}
		out[i].line = line
		bottom = max(bottom, out[i].y+out[i].h)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].line != out[j].line {
			return out[i].line < out[j].line
		}
		return out[i].x < out[j].x
	})
	return out
}

func TestBidiLabelVisualOrder(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(NewTheme())
	for _, c := range renderCases {
		t.Run(c.text, func(t *testing.T) {
			l := NewBidiLabel(c.text, c.dir)
			onWindow(t, container.NewVBox(l), 700, 200)
			runs := drawnRuns(l)
			var got []string
			for _, r := range runs {
				got = append(got, r.text)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("drawn left to right %q\nwant %q", got, c.want)
			}
			// The same order as the bidi package gives, each run in its
			// direction, edge to edge.
			p := bidi.New(c.text, c.dir)
			line := p.Line(0, len(p.Runes()))
			if len(line) != len(runs) {
				t.Fatalf("%d runs drawn, bidi gives %d", len(runs), len(line))
			}
			for i, r := range line {
				if runs[i].text != p.Text(r) || runs[i].rtl != (r.Direction() == rtl) {
					t.Errorf("run %d: drawn %q rtl %v, bidi %q %v", i, runs[i].text, runs[i].rtl, p.Text(r), r.Direction())
				}
				if i > 0 && math.Abs(float64(runs[i-1].x+runs[i-1].w-runs[i].x)) > 0.01 {
					t.Errorf("gap or overlap before run %d", i)
				}
			}
			pad := theme.InnerPadding()
			last := runs[len(runs)-1]
			if c.dir == rtl && math.Abs(float64(last.x+last.w-(l.Size().Width-pad))) > 0.5 {
				t.Errorf("right-to-left line ends at %v, not at the right edge %v", last.x+last.w, l.Size().Width-pad)
			}
			if c.dir == ltr && runs[0].x != pad {
				t.Errorf("left-to-right line starts at %v", runs[0].x)
			}
		})
	}
}

func TestBidiLabelWraps(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(NewTheme())
	text := "إذا أُحِلتَ، فقد يُعرض عليك مكان آمن للإقامة، ومال للطعام، ورعاية طبية (NRM) 24/7، ومترجم."
	l := NewBidiLabel(text, rtl)
	onWindow(t, container.NewVBox(l), 260, 600)
	runs := drawnRuns(l)
	lines := map[int][]drawn{}
	var ys []int
	for _, r := range runs {
		if _, ok := lines[r.line]; !ok {
			ys = append(ys, r.line)
		}
		lines[r.line] = append(lines[r.line], r)
	}
	if len(ys) < 3 {
		t.Fatalf("%d lines at 260 wide", len(ys))
	}
	right := l.Size().Width - theme.InnerPadding()
	words := 0
	for _, y := range ys {
		line := lines[y]
		last := line[len(line)-1]
		if last.x+last.w > right+0.5 || right-(last.x+last.w) > 0.5 {
			t.Errorf("line at %v ends at %v, want the right edge %v", y, last.x+last.w, right)
		}
		if line[0].x < theme.InnerPadding()-0.5 {
			t.Errorf("line at %v overflows on the left: %v", y, line[0].x)
		}
		for _, r := range line {
			words += len(strings.Fields(r.text))
		}
	}
	if want := len(strings.Fields(text)); words < want {
		t.Errorf("%d words drawn, want at least %d", words, want)
	}
	if min := l.MinSize().Height; min < float32(len(ys))*fyne.MeasureText("M", theme.TextSize(), fyne.TextStyle{}).Height {
		t.Errorf("MinSize height %v too small for %d lines", min, len(ys))
	}
}

// TestBidiLabelInk renders an Arabic question and checks the pixels: the
// ink sits at the right edge, where Fyne's own label puts it at the left.
func TestBidiLabelInk(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(NewTheme())
	text := "كم عمرك؟"
	bl := NewBidiLabel(text, rtl)
	fl := widget.NewLabel(text)
	win := onWindow(t, container.NewVBox(bl, fl), 400, 200)
	img := win.Canvas().Capture()
	scale := float32(img.Bounds().Dx()) / win.Canvas().Size().Width
	rowOf := func(o fyne.CanvasObject) image.Rectangle {
		p := absPos(win, o)
		return image.Rect(0, int(p.Y*scale), img.Bounds().Dx(), int((p.Y+o.Size().Height)*scale))
	}
	bg := theme.Color(theme.ColorNameBackground)
	bMin, bMax := inkColumns(img, rowOf(bl), bg)
	fMin, _ := inkColumns(img, rowOf(fl), bg)
	width := img.Bounds().Dx()
	textRight := int((absPos(win, bl).X + bl.Size().Width - theme.InnerPadding()) * scale)
	if bMax < textRight-int(3*scale) || bMin < width/2 {
		t.Errorf("BidiLabel ink in columns %d–%d of %d: not at the right edge %d", bMin, bMax, width, textRight)
	}
	if fMin > width/4 {
		t.Errorf("Fyne's label ink starts at %d: the check cannot tell left from right", fMin)
	}
	saveShot(t, win, "bidilabel-ink")
}

// inkColumns returns the first and last columns in r with a pixel far
// from the background colour.
func inkColumns(img image.Image, r image.Rectangle, bg color.Color) (first, last int) {
	br, bgr, bb, _ := bg.RGBA()
	first, last = -1, -1
	for x := r.Min.X; x < r.Max.X; x++ {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if diff(cr, br)+diff(cg, bgr)+diff(cb, bb) > 3*0x3000 {
				if first < 0 {
					first = x
				}
				last = x
				break
			}
		}
	}
	return first, last
}

func diff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}
