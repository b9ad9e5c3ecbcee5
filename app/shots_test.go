//go:build screens

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

// TestScreensEveryLanguage shows both screening screens in every language
// of the set: the age question (digits inside the text) and the NRM
// explanation (a Latin acronym in brackets). It checks that the person's
// text is on screen and that right-to-left text is right-aligned; with
// WAYMARK_SHOTS set it saves each screen as a PNG to look at.
func TestScreensEveryLanguage(t *testing.T) {
	deps, _, _ := screeningSetup(t, "en")
	deps.Session, _ = testSession(t, "482913")
	// The two questions the test looks at, unless pictures of every
	// question are wanted: laying out all of them in 29 languages is most
	// of this package's test time.
	if os.Getenv("WAYMARK_SHOTS") == "" {
		set := *deps.Set
		set.Questions = nil
		for _, q := range deps.Set.Questions {
			if q.ID == "age.range" || q.ID == "nrm.what" {
				set.Questions = append(set.Questions, q)
			}
		}
		deps.Set = &set
	}
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
			for h.session.Question().ID != "nrm.what" {
				h.session.Next()
			}
			h.showPage()
			settle(base)
			checkShown(t, base, lang, lang.Get("q.nrm.what").Text)
			saveShot(t, base, "handover-"+tag.String()+"-nrm")
		})
	}
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
	var out []float32
	for _, r := range drawnRuns(l) {
		if r.line == len(out) {
			out = append(out, 0)
		}
		out[r.line] = max(out[r.line], r.x+r.w)
	}
	return out
}
