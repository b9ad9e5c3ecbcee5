package app

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/assets"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/screening"
	"github.com/waymark-app/waymark/store"
)

// recorder keeps the answers the screens record, as the encounter flow
// would; fail makes it refuse them.
type recorder struct {
	answers []screening.Answer
	fail    bool
}

func (r *recorder) record(a screening.Answer) error {
	if r.fail {
		return errors.New("store full")
	}
	r.answers = append(r.answers, a)
	return nil
}

var testNow = time.Date(2026, 11, 27, 10, 30, 0, 0, time.UTC)

// screeningSetup makes a test app with Waymark's theme and the deps both
// screening screens take, in English for the officer.
func screeningSetup(t *testing.T, person string) (ScreeningDeps, *recorder, fyne.App) {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(NewTheme())
	set, err := screening.Parse(assets.Screening)
	if err != nil {
		t.Fatal(err)
	}
	b, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	deps := ScreeningDeps{
		Set:     set,
		Officer: b.Printer(language.English),
		Person:  language.MustParse(person),
		Kept:    newKept(t, memStore(t)),
		Record:  rec.record,
		Now:     func() time.Time { return testNow },
	}
	return deps, rec, a
}

// memStore is a real store in memory.
func memStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newKept is a Saver over st: what the app keeps about encounters in the
// encrypted store, such as the last person's language.
func newKept(t *testing.T, st *store.Store) *model.Saver {
	s := model.NewSaver(st, nil)
	t.Cleanup(s.Close)
	return s
}

// onWindow shows o on a test window of size w×h and lays it out twice, as
// the real driver does when wrapped text changes a widget's height.
func onWindow(t *testing.T, o fyne.CanvasObject, w, h float32) fyne.Window {
	t.Helper()
	win := test.NewWindow(o)
	t.Cleanup(win.Close)
	win.Resize(fyne.NewSize(w, h))
	settle(win)
	return win
}

func settle(win fyne.Window) {
	s := win.Canvas().Size()
	win.Resize(s.Add(fyne.NewSize(1, 1)))
	win.Resize(s)
}

func onScreen(t *testing.T, win fyne.Window) *harness { return &harness{t: t, win: win} }

func TestInterpreterRecordsAgainstIDs(t *testing.T) {
	deps, rec, _ := screeningSetup(t, "sq")
	s := NewInterpreter(deps, nil)
	win := onWindow(t, s.Content(), 420, 2400)
	h := onScreen(t, win)
	for _, want := range []string{
		"Does someone else keep your passport or ID card?",
		"A ua mban dikush tjetër pasaportën ose letërnjoftimin?",
		"Draft translation: not checked by an accredited translator",
		"0 questions answered",
	} {
		if !h.hasText(want) {
			t.Errorf("screen does not show %q", want)
		}
	}

	kept := s.cards["documents.kept"]
	test.Tap(kept.choices[screening.Yes])
	if len(rec.answers) != 0 || !h.hasText("Enter the interpreter's name") {
		t.Fatalf("recorded without an interpreter: %+v", rec.answers)
	}
	test.Type(h.entry("Interpreter's name, and ID number or agency"), "Example Interpreter, NRPSI 00000")
	test.Tap(kept.choices[screening.Yes])
	what := s.cards["work.what"]
	test.Type(what.said, "Lavazh makinash")
	test.Type(what.translation, "Car wash")
	test.Tap(what.save)

	want := []screening.Answer{
		{Question: "documents.kept", Choice: screening.Yes, Interpreter: "Example Interpreter, NRPSI 00000",
			Language: language.Albanian, Mode: screening.InterpreterMode, At: testNow, SetVersion: deps.Set.Version},
		{Question: "work.what", Text: "Lavazh makinash", Translation: "Car wash", Interpreter: "Example Interpreter, NRPSI 00000",
			Language: language.Albanian, Mode: screening.InterpreterMode, At: testNow, SetVersion: deps.Set.Version},
	}
	if len(rec.answers) != len(want) {
		t.Fatalf("recorded %+v", rec.answers)
	}
	for i := range want {
		if rec.answers[i] != want[i] {
			t.Errorf("answer %d:\n got %+v\nwant %+v", i, rec.answers[i], want[i])
		}
		if err := deps.Set.Check(rec.answers[i]); err != nil {
			t.Error(err)
		}
	}
	if kept.choices[screening.Yes].Importance != widget.HighImportance || kept.choices[screening.No].Importance == widget.HighImportance {
		t.Error("the recorded answer is not marked")
	}
	if !h.hasText("2 questions answered") {
		t.Error("count not updated")
	}

	rec.fail = true
	test.Tap(kept.choices[screening.No])
	if !h.hasText("Could not save the answer") || kept.choices[screening.Yes].Importance != widget.HighImportance {
		t.Error("a failed save is not reported, or changed the marked answer")
	}
	saveShot(t, win, "interpreter-sq-answered")
}

// TestInterpreterSideBySide: two columns on a wide screen, stacked on a
// phone.
func TestInterpreterSideBySide(t *testing.T) {
	deps, _, _ := screeningSetup(t, "ar")
	for _, c := range []struct {
		width float32
		wide  bool
	}{{1100, true}, {400, false}} {
		s := NewInterpreter(deps, nil)
		win := onWindow(t, s.Content(), c.width, 1200)
		en := find(onScreen(t, win), "English question", func(l *BidiLabel) bool { return l.Text == "How old are you?" })
		ar := find(onScreen(t, win), "Arabic question", func(l *BidiLabel) bool { return l.Text == "كم عمرك؟" })
		pe, pa := absPos(win, en), absPos(win, ar)
		if wide := pa.X > pe.X+100 && pa.Y == pe.Y; wide != c.wide {
			t.Errorf("width %v: English at %v, Arabic at %v; want side by side %v", c.width, pe, pa, c.wide)
		}
		if c.wide {
			saveShot(t, win, "interpreter-ar-wide")
		}
	}
}

// absPos finds o's position on the window.
func absPos(win fyne.Window, o fyne.CanvasObject) fyne.Position {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
}

// TestLanguagesStick: the officer's language and the last person's
// language survive a restart (new screens over the same preferences) and
// a content update that drops or renames a language.
func TestLanguagesStick(t *testing.T) {
	deps, _, a := screeningSetup(t, "und")
	st := memStore(t)
	deps.Kept = newKept(t, st)
	s := NewInterpreter(deps, nil)
	if got := s.Person(); got != language.English {
		t.Errorf("first person language %v, want the source", got)
	}
	s.langSel.sel.SetSelected(s.langSel.labels[indexOf(s.langSel.tags, language.MustParse("prs"))])
	if got, _ := deps.Kept.PersonLanguage(); got.String() != "prs" {
		t.Fatalf("person language kept as %v", got)
	}
	// Restart: the store read afresh, new screen.
	deps.Kept.Close()
	deps.Kept = newKept(t, st)
	if got := NewInterpreter(deps, nil).Person(); got.String() != "prs" {
		t.Errorf("after restart %v", got)
	}
	// A content update renames Dari's file to fa-AF: still Dari.
	dir := t.TempDir()
	if err := os.CopyFS(dir, assets.Screening); err != nil {
		t.Fatal(err)
	}
	m := os.DirFS(dir)
	lang := func(tag string) string { return filepath.Join(dir, "lang", tag+".json") }
	prs, err := os.ReadFile(lang("prs"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(lang("fa-AF"), []byte(strings.Replace(string(prs), `"tag": "prs"`, `"tag": "fa-AF"`, 1)), 0o600)
	os.Remove(lang("prs"))
	if deps.Set, err = screening.Parse(m); err != nil {
		t.Fatal(err)
	}
	if got := NewInterpreter(deps, nil).Person(); got.String() != "fa-AF" {
		t.Errorf("after renaming to fa-AF: %v", got)
	}
	// An update without Dari falls back to Persian, the closest (x/text
	// rates fa-AF to fa a High match), and keeps the preference; without
	// Persian either, to the source.
	os.Remove(lang("fa-AF"))
	deps.Set, _ = screening.Parse(m)
	if got := NewInterpreter(deps, nil).Person(); got != language.Persian {
		t.Errorf("without Dari: %v", got)
	}
	os.Remove(lang("fa"))
	deps.Set, _ = screening.Parse(m)
	if got := NewInterpreter(deps, nil).Person(); got != language.English {
		t.Errorf("without Dari or Persian: %v", got)
	}
	if got, _ := deps.Kept.PersonLanguage(); got.String() != "prs" {
		t.Errorf("the remembered language was lost: %v", got)
	}

	b, _ := i18n.Load()
	prefs := NewPrefs(a.Preferences())
	if got := OfficerPrinter(b, prefs, "en-GB").Tag(); got != language.English {
		t.Errorf("no choice yet: %v", got)
	}
	var rebuilt *i18n.Printer
	sel := NewOfficerLanguageSelect(b, prefs, b.Printer(language.English), func(p *i18n.Printer) { rebuilt = p }).(*widget.Select)
	if len(sel.Options) != 2 || sel.Selected != "English" {
		t.Errorf("officer picker %q, selected %q", sel.Options, sel.Selected)
	}
	sel.SetSelected("Welsh — Cymraeg")
	if rebuilt == nil || rebuilt.T("nav.back") != "Yn ôl" {
		t.Errorf("picking Welsh did not hand back a Welsh printer")
	}
	if got := OfficerPrinter(b, NewPrefs(a.Preferences()), "en-GB").Tag(); got.String() != "cy" {
		t.Errorf("after restart the officer's language is %v", got)
	}
}

func indexOf(tags []language.Tag, t language.Tag) int {
	for i, x := range tags {
		if x == t {
			return i
		}
	}
	return -1
}

// TestInterpreterInWelsh: a Welsh-speaking officer gets the interface and
// the officer's column in Welsh, with the Welsh questions marked as
// drafts too, since they are translations.
func TestInterpreterInWelsh(t *testing.T) {
	deps, _, _ := screeningSetup(t, "pl")
	b, _ := i18n.Load()
	deps.Officer = b.Printer(language.MustParse("cy"))
	s := NewInterpreter(deps, nil)
	win := onWindow(t, s.Content(), 420, 1200)
	h := onScreen(t, win)
	for _, want := range []string{"Iaith y person", "Faint yw eich oed chi?", "Ile masz lat?", "Dim cwestiynau wedi'u hateb"} {
		if !h.hasText(want) {
			t.Errorf("screen does not show %q", want)
		}
	}
	notes := 0
	walkVisible(win.Content(), func(o fyne.CanvasObject) {
		if l, ok := o.(*BidiLabel); ok && l.Text == "Cyfieithiad drafft: heb ei wirio gan gyfieithydd achrededig" {
			notes++
		}
	})
	if notes < 2 {
		t.Errorf("%d draft notes: want both the Welsh and the Polish text marked", notes)
	}
	saveShot(t, win, "interpreter-cy-officer")
}
