package app

import (
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/screening"
)

// TestEveryLanguageOnScreen shows both screening screens in every language
// of the set: the age question (digits inside the text) and the NRM
// explanation (a Latin acronym in brackets). It checks that the person's
// text is on screen and that right-to-left text is right-aligned; with
// WAYMARK_SHOTS set it saves each screen as a PNG to look at.
func TestEveryLanguageOnScreen(t *testing.T) {
	deps, _, _ := screeningSetup(t, "en")
	deps.Session, _ = testSession(t, "482913")
	for _, tag := range deps.Set.Languages() {
		t.Run(tag.String(), func(t *testing.T) {
			deps := deps
			deps.Person = tag
			lang := deps.Set.Language(tag)

			s := NewInterpreter(deps, nil)
			win := onWindow(t, s.Content(), 420, 1000)
			checkShown(t, win, lang, lang.Get("q.age.range").Text)
			saveShot(t, win, "interpreter-"+tag.String())
			if os.Getenv("WAYMARK_SHOTS") != "" {
				win = onWindow(t, s.Content(), 1100, 800)
				saveShot(t, win, "interpreter-wide-"+tag.String())
			}

			base := onWindow(t, canvas.NewRectangle(nil), 420, 800)
			h := NewHandOver(base, deps)
			h.Start(nil)
			test.Tap(h.next)
			settle(base)
			checkShown(t, base, lang, lang.Get("q.age.range").Text)
			saveShot(t, base, "handover-"+tag.String()+"-age")
			h.pos = indexOfQuestion(deps.Set, "nrm.what")
			h.showPage()
			settle(base)
			checkShown(t, base, lang, lang.Get("q.nrm.what").Text)
			saveShot(t, base, "handover-"+tag.String()+"-nrm")
		})
	}
}

func indexOfQuestion(set *screening.Set, id string) int {
	for i, q := range set.Questions {
		if q.ID == id {
			return i
		}
	}
	return -1
}

// checkShown checks that a BidiLabel shows text, and that in a right-to-
// left language its lines end at its right edge.
func checkShown(t *testing.T, win fyne.Window, lang *screening.Language, text string) {
	t.Helper()
	l := find(onScreen(t, win), "label "+text, func(l *BidiLabel) bool { return l.Text == text })
	if lang.Dir != i18n.RightToLeft {
		return
	}
	right := l.Size().Width - l.Theme().Size("innerPadding")
	for _, o := range test.WidgetRenderer(l).Objects() {
		ct := o.(*canvas.Text)
		if end := ct.Position().X + ct.Size().Width; end > right+0.5 {
			t.Errorf("%q runs past the right edge: %v > %v", ct.Text, end, right)
		}
	}
	if lineEnds := rightEdges(l); len(lineEnds) == 0 || lineEnds[0] < right-0.5 {
		t.Errorf("%s text not right-aligned: first line ends at %v of %v", lang.Tag, lineEnds, right)
	}
}

// rightEdges returns where each line of l ends, by line.
func rightEdges(l *BidiLabel) []float32 {
	ends := map[float32]float32{}
	var ys []float32
	for _, o := range test.WidgetRenderer(l).Objects() {
		y := o.Position().Y
		if _, ok := ends[y]; !ok {
			ys = append(ys, y)
		}
		ends[y] = max(ends[y], o.Position().X+o.Size().Width)
	}
	out := make([]float32, len(ys))
	for i, y := range ys {
		out[i] = ends[y]
	}
	return out
}
