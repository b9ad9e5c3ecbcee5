package app

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/session"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
	"github.com/waymark-app/waymark/vault/vaulttest"
)

// uiQueue runs on the test's goroutine, when pumped, what the gate and
// the interface hand to the UI goroutine.
type uiQueue struct {
	mu  sync.Mutex
	fns []func()
}

func (q *uiQueue) Do(fn func()) {
	q.mu.Lock()
	q.fns = append(q.fns, fn)
	q.mu.Unlock()
}

func (q *uiQueue) pump() {
	q.mu.Lock()
	fns := q.fns
	q.fns = nil
	q.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// gateWorld is the app as main wires it: a session on a data folder, the
// gate in a phone-sized window, and a real server to enrol with.
type gateWorld struct {
	t     *testing.T
	s     *session.Session
	clock *vaulttest.Clock
	srv   *servertest.Server
	win   fyne.Window
	gate  *Gate
	q     *uiQueue
	sync  *mainQueue
	h     *harness
}

// newGateWorld starts a gateWorld; each of with changes the gate's
// dependencies first.
func newGateWorld(t *testing.T, with ...func(*GateDeps)) *gateWorld {
	t.Helper()
	testApp(t)
	srv := startServer(t, testOfficer)
	base, bundle := appContent(t)
	clock := vaulttest.NewClock(testNow)
	s, err := session.Open(ctx, session.Options{
		Dir:       filepath.Join(t.TempDir(), "device"),
		Vault:     vaulttest.Options(clock),
		Now:       clock.Now,
		Content:   base,
		Sync:      client.Options{Interval: time.Hour, MinBackoff: time.Hour, MaxBackoff: time.Hour},
		TickEvery: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	w := &gateWorld{t: t, s: s, clock: clock, srv: srv, q: &uiQueue{}}
	w.win = test.NewWindow(nil)
	w.win.Resize(fyne.NewSize(420, 760))
	t.Cleanup(w.win.Close)
	w.h = onScreen(t, w.win)
	printer := bundle.Printer(i18n.Source)
	deps := GateDeps{Session: s, Printer: func() *i18n.Printer { return printer }, Server: srv.URL, Do: w.q.Do,
		Open: func() *UI {
			w.sync = &mainQueue{Engine: s.Engine()}
			ui := New(w.win, Deps{Records: s.Records(), Sync: w.sync, Content: s.Library(), Printer: printer,
				Bundle: bundle, Officer: s.Officer(), Session: s, Do: w.sync.do})
			w.h.ui, w.h.main = ui, w.sync // settle pumps what the interface hands back
			return ui
		}}
	for _, f := range with {
		f(&deps)
	}
	w.gate = NewGate(w.win, deps)
	t.Cleanup(w.gate.Close)
	w.gate.Start()
	return w
}

// enrol enrols the device with the world's server, as the enrolment
// screen would with a code from the supervisor.
func (w *gateWorld) enrol() {
	w.t.Helper()
	code, err := w.srv.Admin().Enrol(ctx, "pc101")
	if err != nil {
		w.t.Fatal(err)
	}
	c, _ := auth.ParseCode(code.Code)
	if err := w.s.Enrol(ctx, auth.Link{Server: w.srv.URL, Code: c, Pin: w.srv.Pin}, false); err != nil {
		w.t.Fatal(err)
	}
	w.pump()
}

// TestDesktopFocusLoss: on a desktop, the window losing the focus (which
// Fyne reports as leaving the foreground) does not lock the app at once;
// the idle lock does, once nothing has been done for its time. On a
// phone, leaving the foreground locks at once (TestGate).
func TestDesktopFocusLoss(t *testing.T) {
	w := newGateWorld(t, func(d *GateDeps) { d.Desktop = true })
	w.typePIN("482913")
	w.typePIN("482913")
	w.enrol()
	if !w.h.hasText("Encounters") {
		t.Fatal("no officer's screens after enrolment")
	}
	w.gate.OnBackground() // another window takes the focus
	w.pump()
	if !w.h.hasText("Encounters") || w.h.hasText("Waymark is locked") {
		t.Fatal("locked at once when the window lost the focus")
	}
	w.clock.Pass(session.DefaultIdleLock)
	w.s.Tick(ctx)
	w.pump()
	if !w.h.hasText("Waymark is locked") || w.h.hasText("Encounters") {
		t.Error("not locked after the idle time")
	}
}

// pump runs what waits for the UI goroutine.
func (w *gateWorld) pump() {
	w.q.pump()
	if w.sync != nil {
		w.sync.pump()
	}
}

func (w *gateWorld) typePIN(pin string) {
	w.t.Helper()
	f := find(w.h, "PIN entry", func(e *widget.Entry) bool { return e.Password })
	test.Type(f, pin)
	w.h.tapButton(lookupButtonText(w.h, "Unlock", "OK"))
	w.pump()
}

// lookupButtonText returns the first of texts a visible button shows.
func lookupButtonText(h *harness, texts ...string) string {
	for _, s := range texts {
		if _, ok := lookup(h, func(b *widget.Button) bool { return b.Text == s }); ok {
			return s
		}
	}
	h.t.Fatalf("no button %q", texts)
	return ""
}

// shot settles the window's layout and saves it under $WAYMARK_SHOTS.
func (w *gateWorld) shot(name string) {
	settle(w.win)
	saveShot(w.t, w.win, name)
}

// startServer starts a real server over TLS with the account pc101 of
// officer o.
func startServer(t *testing.T, o encounter.Officer) *servertest.Server {
	t.Helper()
	srv, err := servertest.Start(servertest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if _, err := srv.AddAccount(ctx, server.Account{ID: "pc101", Name: o.Name, Number: o.Number, Agency: o.Agency, Team: "north", Roles: []wire.Role{wire.RoleOfficer}}); err != nil {
		t.Fatal(err)
	}
	return srv
}

// appContent is the content pack and the messages built into the app.
func appContent(t *testing.T) (*content.Pack, *i18n.Bundle) {
	t.Helper()
	base, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	bundle, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return base, bundle
}

// TestGate walks the device's life through the gate: a PIN chosen, the
// device enrolled, the officer's screens; locked (nothing of a record on
// screen), wrong PINs with the lockout and the warning naming what a wipe
// would lose, unlocked back where the officer was; then the forgotten-PIN
// path to the wiped screen and back to choosing a PIN.
func TestGate(t *testing.T) {
	w := newGateWorld(t)
	h := w.h
	if !h.hasText("Choose a PIN") {
		t.Fatal("a new device does not ask for a PIN")
	}
	w.shot("gate-setpin")
	w.typePIN("123456")
	if !h.hasText("no runs of digits") {
		t.Error("a sequence was taken as PIN")
	}
	w.typePIN("482913")
	if !h.hasText("Enter the same PIN again") {
		t.Fatal("no confirmation")
	}
	w.typePIN("482913")
	if !h.hasText("Enrol this device") {
		t.Fatal("no enrolment after the PIN")
	}
	w.enrol()
	if !h.hasText("Encounters") || w.gate.UI() == nil {
		t.Fatal("no officer's screens after enrolment")
	}
	// A draft, named with a canary: it must not show on the lock screen.
	const canary = "Canary Premises 7Q"
	r, _ := encounter.New(w.s.Records().DeviceID(), testNow)
	r.Premises.Name = canary
	if err := w.s.Records().SaveDraft(ctx, r); err != nil {
		t.Fatal(err)
	}
	w.gate.UI().reload()
	w.gate.UI().saver.Wait()
	w.pump()
	if !h.hasText(canary) {
		t.Fatal("the draft is not listed")
	}
	officers := w.win.Content()
	// A dialog left open names the record: it must not show over the
	// lock screen either.
	const dialogCanary = "Canary Dialog 8R"
	w.gate.UI().message(dialogCanary)
	if !h.hasText(dialogCanary) {
		t.Fatal("the dialog does not show")
	}

	w.gate.OnBackground() // the app leaves the foreground
	w.pump()
	if !h.hasText("Waymark is locked") || h.hasText(canary) || h.hasText("Encounters") {
		t.Fatal("the lock screen does not hide the officer's screens")
	}
	if h.hasText(dialogCanary) || w.win.Canvas().Overlays().Top() != nil {
		t.Fatal("a dialog of the officer's screens shows over the lock screen")
	}
	w.shot("gate-locked")
	for range 5 {
		w.typePIN("000000")
	}
	if !h.hasText("Try again in 30 seconds") {
		t.Error("no delay after 5 wrong PINs")
	}
	w.shot("gate-delayed")
	for _, wait := range []time.Duration{30 * time.Second, time.Minute} {
		w.clock.Pass(wait)
		w.gate.lock.tick()
		w.typePIN("000000")
	}
	if !h.hasText("Try again in 5 minutes") || !h.hasText("3 more wrong PINs will wipe this device. 1 record on it is not on the server yet and would be lost.") {
		t.Error("no warning before the last tries")
	}
	if h.hasText(canary) {
		t.Error("the warning names a record")
	}
	w.shot("gate-warning")
	w.clock.Pass(5 * time.Minute)
	w.gate.lock.tick()
	w.typePIN("482913")
	if w.win.Content() != officers || !h.hasText(canary) {
		t.Fatal("the right PIN did not bring the officer's screens back as they were")
	}
	if !h.hasText(dialogCanary) {
		t.Error("the dialog left open did not come back with the officer's screens")
	}
	closeDialogs(w.win)

	// Forgotten PIN: what is lost is counted, and the wipe asks twice.
	w.s.Lock()
	w.pump()
	h.tapButton("Forgotten your PIN?")
	if !h.hasText("1 record on this device is not on the server yet: it will be lost.") {
		t.Error("the forgotten-PIN screen does not count what is lost")
	}
	w.shot("gate-forgotten")
	h.tapChoice("Wipe this device and enrol it again")
	if w.s.State().Phase == session.Wiped {
		t.Fatal("wiped at the first tap")
	}
	h.tapChoice("Tap again to wipe now: this cannot be undone")
	w.pump()
	if !h.hasText("This device was wiped") || !h.hasText("as you asked") || w.gate.UI() != nil {
		t.Fatal("no wiped screen")
	}
	w.shot("gate-wiped")
	h.tapButton("Start again")
	w.pump()
	if !h.hasText("Choose a PIN") {
		t.Error("starting again does not ask for a PIN")
	}
}

// TestGateWipesAfterTenWrongPINs: the tenth wrong PIN, on the lock
// screen, wipes the device and says so.
func TestGateWipesAfterTenWrongPINs(t *testing.T) {
	testApp(t)
	_, bundle := appContent(t)
	first, clock := testSession(t, "482913")
	first.Close()
	// Started again with the vault made: the lock screen.
	s, err := session.Open(ctx, session.Options{Dir: first.Dir(), TickEvery: -1, Vault: vaulttest.Options(clock)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	win := test.NewWindow(nil)
	win.Resize(fyne.NewSize(420, 760))
	defer win.Close()
	printer := bundle.Printer(i18n.Source)
	q := &uiQueue{}
	gate := NewGate(win, GateDeps{Session: s, Printer: func() *i18n.Printer { return printer }, Do: q.Do})
	defer gate.Close()
	w := &gateWorld{t: t, s: s, clock: clock, win: win, gate: gate, q: q, h: onScreen(t, win)}
	for range 10 {
		w.typePIN("000000")
		clock.Pass(time.Hour)
		if gate.lock != nil {
			gate.lock.tick()
		}
	}
	if !w.h.hasText("Too many wrong PINs were entered") || s.State().Phase != session.Wiped {
		t.Fatalf("after ten wrong PINs: %v", s.State())
	}
}

// TestOfflineScreen says how long the device has gone without its server
// and that nothing is deleted.
func TestOfflineScreen(t *testing.T) {
	testApp(t)
	_, bundle := appContent(t)
	o := newOfflineScreen(bundle.Printer(i18n.Source), 14, nil, func(fn func()) { fn() })
	defer o.unwatch()
	win := onWindow(t, o.content, 420, 760)
	h := onScreen(t, win)
	if !h.hasText("more than 14 days") || !h.hasText("Nothing on the device is deleted.") {
		t.Error("the offline lock does not say why, or that nothing is deleted")
	}
	saveShot(t, win, "gate-offline")
}

// closeDialogs closes the dialogs open on win.
func closeDialogs(win fyne.Window) {
	for o := win.Canvas().Overlays().Top(); o != nil; o = win.Canvas().Overlays().Top() {
		win.Canvas().Overlays().Remove(o)
	}
}
