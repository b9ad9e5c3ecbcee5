package app

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/faultproxy"
	"github.com/waymark-app/waymark/sync/wire"
)

var ctx = context.Background()

var testOfficer = encounter.Officer{Name: "A Example", Number: "PC 101", Agency: "police"}

// harness is the interface on a test canvas, wired to a real store and a
// real sync engine talking to a real server in this process.
type harness struct {
	t     *testing.T
	win   fyne.Window
	ui    *UI
	st    *store.Store
	eng   *client.Engine
	main  *mainQueue
	lib   *content.Library
	proxy *faultproxy.Proxy // between engine and server; starts refusing
	taps  int               // taps made through the harness
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	test.NewTempApp(t)
	st, err := store.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := servertest.Start(servertest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	// The device is enrolled to the test officer's account, as the app
	// is before its interface opens.
	if _, err := srv.AddAccount(ctx, server.Account{ID: "pc101", Name: testOfficer.Name, Number: testOfficer.Number, Agency: testOfficer.Agency, Team: "north", Roles: []wire.Role{wire.RoleOfficer}}); err != nil {
		t.Fatal(err)
	}
	cred, err := srv.Enrol(ctx, st, "pc101")
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	// The server starts unreachable: tests bring it up when they want.
	proxy, err := faultproxy.New(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	proxy.Set(faultproxy.Faults{Refuse: true})
	t.Cleanup(func() { proxy.Close() })
	eng := servertest.Engine(st, cred, proxy.URL(), client.Options{Interval: time.Hour, MinBackoff: time.Hour, MaxBackoff: time.Hour})
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
	win := test.NewWindow(nil)
	win.Resize(fyne.NewSize(420, 760))
	t.Cleanup(win.Close)
	base, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	lib, err := content.OpenLibrary(ctx, st, base, nil)
	if err != nil {
		t.Fatal(err)
	}
	main := &mainQueue{Engine: eng}
	ui := New(win, Deps{Records: st, Sync: main, Content: lib, Printer: bundle.Printer(i18n.Source), Bundle: bundle, Officer: cred.Officer()})
	t.Cleanup(ui.Close)
	h := &harness{t: t, win: win, ui: ui, st: st, eng: eng, main: main, lib: lib, proxy: proxy}
	h.waitUntil(func() bool { return h.hasText("Can't reach the server") })
	ui.setOfficer(testOfficer)
	return h
}

// lookup walks everything visible on the window and returns the first
// object ok accepts.
func lookup[T fyne.CanvasObject](h *harness, ok func(T) bool) (T, bool) {
	var found T
	var walk func(o fyne.CanvasObject) bool
	walk = func(o fyne.CanvasObject) bool {
		if o == nil || !o.Visible() {
			return false
		}
		if v, is := o.(T); is && ok(v) {
			found = v
			return true
		}
		var kids []fyne.CanvasObject
		switch c := o.(type) {
		case *fyne.Container:
			kids = c.Objects
		case fyne.Widget:
			kids = test.WidgetRenderer(c).Objects()
		}
		for _, k := range kids {
			if walk(k) {
				return true
			}
		}
		return false
	}
	return found, walk(h.win.Content())
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
	return find(h, "button "+text, func(b *widget.Button) bool { return b.Text == text })
}

func (h *harness) entry(placeholder string) *widget.Entry {
	return find(h, "entry "+placeholder, func(e *widget.Entry) bool { return e.PlaceHolder == placeholder })
}

// hasText reports whether a visible label or canvas text contains s.
func (h *harness) hasText(s string) bool {
	return has(h, func(o fyne.CanvasObject) bool {
		switch v := o.(type) {
		case *widget.Label:
			return strings.Contains(v.Text, s)
		case *canvas.Text:
			return strings.Contains(v.Text, s)
		}
		return false
	})
}

// tap taps a button, check or other tappable, counting it.
func (h *harness) tap(o fyne.Tappable) {
	h.t.Helper()
	h.taps++
	test.Tap(o)
}

// tapButton taps the button labelled text.
func (h *harness) tapButton(text string) { h.t.Helper(); h.tap(h.button(text)) }

// typeInto focuses the entry with placeholder (one tap) and types text.
func (h *harness) typeInto(placeholder, text string) {
	h.t.Helper()
	h.taps++
	test.Type(h.entry(placeholder), text)
}

// choose opens the select showing placeholder and picks option: two taps.
func (h *harness) choose(placeholder, option string) {
	h.t.Helper()
	h.taps += 2
	sel := find(h, "select "+placeholder, func(s *widget.Select) bool {
		return s.PlaceHolder == placeholder || s.Selected == placeholder
	})
	if !slices.Contains(sel.Options, option) {
		h.t.Fatalf("select %q has no option %q: %q", placeholder, option, sel.Options)
	}
	sel.SetSelected(option)
}

// tick taps the check labelled text.
func (h *harness) tick(text string) {
	h.t.Helper()
	h.tap(find(h, "check "+text, func(c *widget.Check) bool { return c.Text == text }))
}

// answer picks choice for the question with the given text: one tap.
// With several people, nth picks the nth such question (from 0).
func (h *harness) answer(question, choice string, nth int) {
	h.t.Helper()
	h.taps++
	n := 0
	box := find(h, "question "+question, func(c *fyne.Container) bool {
		if len(c.Objects) < 2 {
			return false
		}
		l, ok := c.Objects[0].(*widget.Label)
		if !ok || l.Text != question {
			return false
		}
		n++
		return n > nth
	})
	radio := box.Objects[len(box.Objects)-1].(*widget.RadioGroup)
	radio.SetSelected(choice)
}

// pick selects the radio option labelled option: one tap.
func (h *harness) pick(option string) {
	h.t.Helper()
	h.taps++
	find(h, "option "+option, func(r *widget.RadioGroup) bool {
		return slices.Contains(r.Options, option)
	}).SetSelected(option)
}

func (h *harness) only() encounter.Record {
	h.t.Helper()
	list, err := h.st.List(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	if len(list) != 1 {
		h.t.Fatalf("%d records in the store, want 1", len(list))
	}
	return list[0]
}

// mainQueue hands the engine's status to the interface on the test's own
// goroutine, when the test pumps it, as fyne.Do hands work to the app's
// main goroutine. Fyne's test driver runs fyne.Do at once on the calling
// goroutine, which for the engine's background loop would race with the
// test driving the widgets.
type mainQueue struct {
	*client.Engine
	mu      sync.Mutex // guards pending and fns
	pending []client.Status
	fns     []func(client.Status)
}

func (q *mainQueue) Subscribe(fn func(client.Status)) func() {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
	return q.Engine.Subscribe(func(s client.Status) {
		q.mu.Lock()
		q.pending = append(q.pending, s)
		q.mu.Unlock()
	})
}

// pump delivers the statuses waiting, on the calling goroutine.
func (q *mainQueue) pump() {
	q.mu.Lock()
	pending, fns := q.pending, q.fns
	q.pending = nil
	q.mu.Unlock()
	for _, s := range pending {
		for _, fn := range fns {
			fn(s)
		}
	}
}

// waitUntil pumps the engine's statuses to the interface until ok holds.
func (h *harness) waitUntil(ok func() bool) {
	h.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for h.main.pump(); !ok(); h.main.pump() {
		if time.Now().After(deadline) {
			h.t.Fatal("condition not met in time")
		}
		time.Sleep(10 * time.Millisecond)
	}
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
	h.ui.list.reload()
	return r
}
