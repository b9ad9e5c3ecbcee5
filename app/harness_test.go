package app

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/faultproxy"
	"github.com/waymark-app/waymark/sync/wire"
)

var ctx = context.Background()

var testOfficer = encounter.Officer{Name: "A Example", Number: "PC 101", Agency: "police"}

// phone is the size of the test window: a small phone, in dp.
var phone = fyne.NewSize(360, 740)

var (
	sharedOnce   sync.Once
	sharedBundle *i18n.Bundle
	sharedPack   *content.Pack
)

func shared(t *testing.T) (*i18n.Bundle, *content.Pack) {
	sharedOnce.Do(func() {
		var err error
		if sharedBundle, err = i18n.Load(); err != nil {
			panic(err)
		}
		if sharedPack, err = content.Default(); err != nil {
			panic(err)
		}
	})
	return sharedBundle, sharedPack
}

// harness is the interface on a test window of a phone's size, wired to
// a real store in memory and a real sync engine talking to a real server
// in this process, through a proxy that starts refusing connections.
type harness struct {
	t     *testing.T
	win   fyne.Window
	ui    *UI
	st    *store.Store
	eng   *client.Engine
	main  *mainQueue
	lib   *content.Library
	proxy *faultproxy.Proxy
	taps  int // taps made through the harness
}

type harnessOptions struct {
	lang     string // the officer's language; "" is English
	noServer bool   // no server, no engine: an engine that never syncs
	// records, if set, is what the interface writes to, over the store.
	records func(*store.Store) Records
	// realTheme draws in Waymark's theme, with its fonts, for tests that
	// measure widths; others use Fyne's test theme, whose text is
	// measured many times faster.
	realTheme bool
}

func newHarness(t *testing.T) *harness { return newHarnessWith(t, harnessOptions{}) }

// testApp is a test app in Fyne's test theme, whose text is measured many
// times faster than with Waymark's fonts; in Waymark's own when
// screenshots are asked for ($WAYMARK_SHOTS).
func testApp(t *testing.T) fyne.App {
	a := test.NewTempApp(t)
	if os.Getenv("WAYMARK_SHOTS") != "" {
		a.Settings().SetTheme(NewTheme())
	}
	return a
}

func newHarnessWith(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	if o.realTheme || os.Getenv("WAYMARK_SHOTS") != "" {
		a.Settings().SetTheme(NewTheme())
	}
	bundle, base := shared(t)
	st, err := store.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	lib, err := content.OpenLibrary(ctx, st, base, nil)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, st: st, lib: lib}
	var eng *client.Engine
	if o.noServer {
		// Enrolled once, long ago: the device signs what it finalises.
		key, err := auth.NewKey(st.DeviceID())
		if err != nil {
			t.Fatal(err)
		}
		st.SetSigner(key)
		eng = client.New(st, client.Options{Server: "https://127.0.0.1:1", Interval: time.Hour})
	} else {
		srv, err := servertest.Start(servertest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		if _, err := srv.AddAccount(ctx, server.Account{ID: "pc101", Name: testOfficer.Name, Number: testOfficer.Number, Agency: testOfficer.Agency, Team: "north", Roles: []wire.Role{wire.RoleOfficer}}); err != nil {
			t.Fatal(err)
		}
		cred, err := srv.Enrol(ctx, st, "pc101")
		if err != nil {
			t.Fatal(err)
		}
		proxy, err := faultproxy.New(srv.Addr)
		if err != nil {
			t.Fatal(err)
		}
		proxy.Set(faultproxy.Faults{Refuse: true})
		t.Cleanup(func() { proxy.Close() })
		h.proxy = proxy
		eng = servertest.Engine(st, cred, proxy.URL(), client.Options{Interval: time.Hour, MinBackoff: time.Hour, MaxBackoff: time.Hour})
		rctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			eng.Run(rctx)
		}()
		t.Cleanup(func() {
			cancel()
			<-done
		})
	}
	h.eng = eng
	h.main = &mainQueue{Engine: eng}
	h.win = test.NewTempWindow(t, nil)
	h.win.Resize(phone)
	printer := bundle.Printer(i18n.Source)
	if o.lang != "" {
		printer = bundle.Printer(language.MustParse(o.lang))
	}
	var records Records = st
	if o.records != nil {
		records = o.records(st)
	}
	h.ui = New(h.win, Deps{Records: records, Sync: h.main, Content: lib, Printer: printer, Bundle: bundle,
		Officer: testOfficer, Do: h.main.do, Operations: st})
	t.Cleanup(h.ui.Close)
	h.ui.Start()
	h.settle()
	return h
}

// settle lets the background work finish and hands its results to the
// interface, then lays the window out as the driver would.
func (h *harness) settle() {
	for range 10 {
		if h.ui == nil || h.main == nil {
			break // a window without the interface (onScreen)
		}
		h.ui.saver.Wait()
		if h.main.pump() == 0 {
			break
		}
	}
	relay(h.win)
}

// relay lays out everything on the window again at the size it has,
// twice: wrapped text learns its width in one pass and its height in the
// next. The real driver does this from one frame to the next for what
// changed; Fyne's test canvas lays out only what changes size.
func relay(win fyne.Window) {
	for range 2 {
		layoutAll(win.Content())
		for _, o := range win.Canvas().Overlays().List() {
			layoutAll(o)
		}
	}
}

// layoutAll lays o out, then everything under it.
func layoutAll(o fyne.CanvasObject) {
	if o == nil || !o.Visible() {
		return
	}
	switch c := o.(type) {
	case *fyne.Container:
		if c.Layout != nil {
			c.Layout.Layout(c.Objects, c.Size())
		}
	case fyne.Widget:
		test.WidgetRenderer(c).Layout(c.Size())
	}
	for _, k := range children(o) {
		layoutAll(k)
	}
}

// mainQueue stands for the app's main goroutine: what the interface
// hands to Deps.Do, and the engine's statuses, run on the test's
// goroutine when the test pumps them. Fyne's test driver would run
// fyne.Do at once on the calling goroutine, racing the test.
type mainQueue struct {
	*client.Engine
	mu  sync.Mutex // guards fns
	fns []func()
}

func (q *mainQueue) do(f func()) {
	q.mu.Lock()
	q.fns = append(q.fns, f)
	q.mu.Unlock()
}

// pump runs what is waiting, on the calling goroutine, and says how much.
func (q *mainQueue) pump() int {
	q.mu.Lock()
	fns := q.fns
	q.fns = nil
	q.mu.Unlock()
	for _, f := range fns {
		f()
	}
	return len(fns)
}

// waitUntil pumps the interface's queue until ok holds.
func (h *harness) waitUntil(ok func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for h.settle(); !ok(); h.settle() {
		if time.Now().After(deadline) {
			h.t.Fatal("condition not met in time")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// children are the objects directly under o.
func children(o fyne.CanvasObject) []fyne.CanvasObject {
	switch c := o.(type) {
	case *fyne.Container:
		return c.Objects
	case fyne.Widget:
		return test.WidgetRenderer(c).Objects()
	}
	return nil
}

// walk calls fn on every visible object under o, and the overlays.
func walk(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	fn(o)
	for _, k := range children(o) {
		walk(k, fn)
	}
}

// visible calls fn on everything on the window, dialogs included.
func (h *harness) visible(fn func(fyne.CanvasObject)) {
	walk(h.win.Content(), fn)
	for _, o := range h.win.Canvas().Overlays().List() {
		walk(o, fn)
	}
}

// lookup returns the first visible object ok accepts.
func lookup[T fyne.CanvasObject](h *harness, ok func(T) bool) (T, bool) {
	var found T
	got := false
	h.visible(func(o fyne.CanvasObject) {
		if v, is := o.(T); is && !got && ok(v) {
			found, got = v, true
		}
	})
	return found, got
}

// find is lookup that fails the test when nothing is found.
func find[T fyne.CanvasObject](h *harness, what string, ok func(T) bool) T {
	h.t.Helper()
	v, found := lookup(h, ok)
	if !found {
		h.t.Fatalf("no %s on screen", what)
	}
	return v
}

// has reports whether a visible object of type T satisfies ok.
func has[T fyne.CanvasObject](h *harness, ok func(T) bool) bool {
	_, found := lookup(h, ok)
	return found
}

func (h *harness) button(text string) *widget.Button {
	h.t.Helper()
	return find(h, "button "+text, func(b *widget.Button) bool { return b.Text == text })
}

func (h *harness) choice(text string) *choiceButton {
	h.t.Helper()
	return find(h, "choice "+text, func(b *choiceButton) bool { return b.Text == text })
}

func (h *harness) entry(placeholder string) *widget.Entry {
	h.t.Helper()
	return find(h, "entry "+placeholder, func(e *widget.Entry) bool { return e.PlaceHolder == placeholder })
}

// hasText reports whether a visible label or text contains s.
func (h *harness) hasText(s string) bool {
	return has(h, func(o fyne.CanvasObject) bool {
		switch v := o.(type) {
		case *widget.Label:
			return strings.Contains(v.Text, s)
		case *canvas.Text:
			return strings.Contains(v.Text, s)
		case *widget.RichText:
			return strings.Contains(v.String(), s)
		case *BidiLabel:
			return strings.Contains(v.Text, s)
		}
		return false
	})
}

// tap taps a control, counting it, and lets what it started finish.
func (h *harness) tap(o fyne.Tappable) {
	h.t.Helper()
	h.taps++
	test.Tap(o)
	h.settle()
}

// tapButton taps the button labelled text.
func (h *harness) tapButton(text string) { h.t.Helper(); h.tap(h.button(text)) }

// tapChoice taps the choice labelled text.
func (h *harness) tapChoice(text string) { h.t.Helper(); h.tap(h.choice(text)) }

// typeInto focuses the entry with placeholder (one tap) and types text.
func (h *harness) typeInto(placeholder, text string) {
	h.t.Helper()
	h.taps++
	e := h.entry(placeholder)
	e.CursorRow, e.CursorColumn = 0, len([]rune(e.Text)) // after what is there
	test.Type(e, text)
	h.settle()
}

// tick taps the row labelled text.
func (h *harness) tick(text string) {
	h.t.Helper()
	h.tap(find(h, "row "+text, func(r *toggleRow) bool { return r.Text == text }))
}

// answer picks choice for the question with the given text, for the
// nth person (from 0): one tap.
func (h *harness) answer(question, choice string, nth int) {
	h.t.Helper()
	n := 0
	for _, q := range h.ui.flow.steps.questions {
		if q.text != question {
			continue
		}
		if n == nth {
			for v, b := range q.buttons {
				if b.Text == choice {
					_ = v
					h.tap(b)
					return
				}
			}
		}
		n++
	}
	h.t.Fatalf("no answer %q to %q", choice, question)
}

// confirm taps the dialog's button labelled text.
func (h *harness) confirm(text string) { h.t.Helper(); h.tapButton(text) }

// records are the records in the store.
func (h *harness) records() []encounter.Record {
	h.t.Helper()
	h.ui.saver.Wait()
	list, err := h.st.List(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	return list
}

func (h *harness) only() encounter.Record {
	h.t.Helper()
	list := h.records()
	if len(list) != 1 {
		h.t.Fatalf("%d records in the store, want 1", len(list))
	}
	return list[0]
}

// finalisedRecord saves a complete encounter straight into the store.
func (h *harness) finalisedRecord(mutate func(*encounter.Record)) encounter.Record {
	h.t.Helper()
	r, _ := encounter.New(h.st.DeviceID(), time.Now())
	r.Officer = testOfficer
	r.Premises = encounter.Premises{Name: "Example Farm", Address: "Example Lane", Business: encounter.Farm}
	if mutate != nil {
		mutate(&r)
	}
	if err := h.st.SaveDraft(ctx, r); err != nil {
		h.t.Fatal(err)
	}
	r, err := h.st.Finalise(ctx, r.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	h.ui.reload()
	h.settle()
	return r
}

// saveShot writes the window as a PNG under $WAYMARK_SHOTS, for people to
// look at; it asserts nothing.
func saveShot(t *testing.T, w fyne.Window, name string) {
	dir := os.Getenv("WAYMARK_SHOTS")
	if dir == "" {
		return
	}
	img := w.Canvas().Capture()
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	png.Encode(f, img)
}
