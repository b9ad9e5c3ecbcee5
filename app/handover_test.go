package app

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/screening"
)

// spyWindow is a test window that lets the test press the window's close
// button, which the test driver cannot.
type spyWindow struct {
	fyne.Window
	onClose func()
}

func (w *spyWindow) SetCloseIntercept(f func()) { w.onClose = f; w.Window.SetCloseIntercept(f) }

// pressClose does what the window's close button does.
func (w *spyWindow) pressClose() {
	if w.onClose != nil {
		w.onClose()
		return
	}
	w.Close()
}

const officerScreen = "Officer records: encounter list"

// handOverSetup starts a hand-over in person's language on a window that
// was showing the officer's screen, on a device whose PIN (the app's one
// PIN, in its vault) is pin.
func handOverSetup(t *testing.T, person string, pin string) (*HandOver, *spyWindow, *recorder, *bool) {
	t.Helper()
	deps, rec, _ := screeningSetup(t, person)
	deps.Session, _ = testSession(t, pin)
	base := onWindow(t, widget.NewLabel(officerScreen), 420, 800)
	win := &spyWindow{Window: base}
	h := NewHandOver(win, deps)
	done := false
	h.Start(func() { done = true })
	settle(win)
	return h, win, rec, &done
}

func enterPIN(h *HandOver, pin string) {
	test.Type(h.pin.form.entry, pin)
	test.Tap(h.pin.form.ok)
}

func TestHandOverOneQuestionAtATime(t *testing.T) {
	h, win, rec, done := handOverSetup(t, "sq", "246810")
	s := onScreen(t, win)
	// The officer's PIN is the app's: no PIN of its own to choose first.
	if !s.hasText("Këto pyetje janë private.") {
		t.Fatal("no introduction in Albanian")
	}
	saveShot(t, win, "handover-sq-intro")
	test.Tap(h.next)
	// Every question but an explanation offers "prefer not to say"; the
	// test answers each with it, except the first.
	questions := 0
	for h.session.Page() == model.PageQuestion {
		q := h.session.Question()
		if !s.hasText(h.lang.Get(q.TextKey()).Text[:10]) {
			t.Errorf("question %s not shown", q.ID)
		}
		if s.hasText("Does someone") {
			t.Errorf("English on the person's screen at %s", q.ID)
		}
		switch {
		case q.Kind == screening.Info:
			test.Tap(h.next)
		case h.choices[screening.PreferNot] == nil:
			t.Fatalf("no prefer-not-to-say on %s", q.ID)
		case q.ID == "age.range":
			saveShot(t, win, "handover-flow-sq-age")
			test.Tap(h.choices["14_17"])
			questions++
		case q.ID == "work.what":
			test.Type(h.text, "Lavazh makinash")
			test.Tap(h.save)
			questions++
		default:
			test.Tap(h.choices[screening.PreferNot])
			questions++
		}
	}
	if !s.hasText("Faleminderit.") {
		t.Error("no closing screen")
	}
	if len(rec.answers) != questions {
		t.Fatalf("%d answers for %d questions", len(rec.answers), questions)
	}
	first := rec.answers[0]
	if first.Question != "age.range" || first.Choice != "14_17" || first.Mode != screening.HandOverMode ||
		first.Interpreter != "" || first.Language.String() != "sq" || first.SetVersion != h.deps.Set.Version {
		t.Errorf("first answer %+v", first)
	}
	for _, a := range rec.answers {
		if a.Question == "work.what" && a.Text != "Lavazh makinash" {
			t.Errorf("free text %+v", a)
		}
	}
	// Back goes to the last question, its answer marked.
	test.Tap(h.back)
	if got := h.session.Question().ID; got != "consent.nrm" || h.choices[screening.PreferNot].Importance != widget.HighImportance {
		t.Errorf("back to %s without its answer marked", got)
	}
	if *done {
		t.Error("finished without the officer")
	}
}

// TestHandOverCannotBeLeft tries every way out the person has.
func TestHandOverCannotBeLeft(t *testing.T) {
	h, win, _, done := handOverSetup(t, "ar", "135790")
	s := onScreen(t, win)
	root := win.Content()
	stillHandedOver := func(how string) {
		t.Helper()
		if win.Content() != root || s.hasText(officerScreen) || *done {
			t.Fatalf("left the hand-over by %s", how)
		}
	}
	win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: "BackButton"})
	stillHandedOver("a key")
	win.pressClose()
	stillHandedOver("the close button")
	test.Tap(h.next)
	for range 5 {
		test.Tap(h.choices[screening.PreferNot])
		test.Tap(h.back)
		test.Tap(h.next)
	}
	test.Tap(h.back)
	test.Tap(h.back)
	stillHandedOver("the question buttons")

	test.Tap(h.unlockBtn)
	test.Tap(h.pin.form.cancel)
	stillHandedOver("cancelling the PIN")
	test.Tap(h.unlockBtn)
	for range 5 {
		enterPIN(h, "000000")
		stillHandedOver("a wrong PIN")
	}
	// The app's lockout: the same count, the same delays, on disk.
	if !s.hasText("Too many wrong PINs. Try again in 30 seconds.") {
		t.Error("no lockout after 5 wrong PINs")
	}
	if st := h.deps.Session.LockStatus(); st.Failures != 5 {
		t.Errorf("the vault counted %d wrong PINs, want 5", st.Failures)
	}
	enterPIN(h, "135790")
	stillHandedOver("the right PIN during the lockout")
	vaultClock(h.deps.Session).Pass(31 * time.Second)
	h.pin.tick()
	enterPIN(h, "135790")
	if !*done || win.Content() == root || !s.hasText(officerScreen) {
		t.Fatal("the right PIN did not give the window back")
	}
	win.Canvas().OnTypedKey() // restored: nil before, nil after
	if win.Canvas().OnTypedKey() != nil {
		t.Error("key handler not restored")
	}
}

func TestQuickHide(t *testing.T) {
	h, win, _, _ := handOverSetup(t, "ti", "975310")
	s := onScreen(t, win)
	test.Tap(h.next)
	question := h.lang.Get(h.deps.Set.Questions[0].TextKey()).Text
	if !s.hasText(question) {
		t.Fatal("no question")
	}
	test.Tap(h.hideBtn)
	if s.hasText(question) || !h.session.Hidden() {
		t.Fatal("hide left the question on screen")
	}
	// Nothing on the neutral view but the tap area: no text, no buttons.
	var shown []fyne.CanvasObject
	walkVisible(win.Content(), func(o fyne.CanvasObject) { shown = append(shown, o) })
	for _, o := range shown {
		switch o.(type) {
		case *widget.Button, *widget.Label, *BidiLabel:
			t.Errorf("neutral view shows a %T", o)
		}
	}
	saveShot(t, win, "handover-hidden")
	test.Tap(h.neutral)
	saveShot(t, win, "handover-pin-neutral")
	if !s.hasText("PIN") || s.hasText("Officer") {
		t.Error("the neutral view's PIN form is not neutral")
	}
	test.Tap(h.pin.form.cancel)
	if !h.session.Hidden() {
		t.Error("cancel did not go back to the neutral view")
	}
	test.Tap(h.neutral)
	enterPIN(h, "123456")
	if s.hasText(question) {
		t.Fatal("a wrong PIN brought the question back")
	}
	enterPIN(h, "975310")
	if n, _ := h.session.Position(); !s.hasText(question) || n != 1 {
		t.Error("the right PIN did not bring back the same question")
	}
}

func TestHandOverRecordFailure(t *testing.T) {
	h, win, rec, _ := handOverSetup(t, "zh-Hans", "482913")
	test.Tap(h.next)
	rec.fail = true
	test.Tap(h.choices[screening.DontKnow])
	if n, _ := h.session.Position(); n != 1 || !onScreen(t, win).hasText("无法保存您的回答") {
		t.Error("a failed answer moved on or said nothing")
	}
}

// walkVisible calls fn on every visible object under o.
func walkVisible(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	fn(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, k := range c.Objects {
			walkVisible(k, fn)
		}
	case fyne.Widget:
		for _, k := range test.WidgetRenderer(c).Objects() {
			walkVisible(k, fn)
		}
	}
}
