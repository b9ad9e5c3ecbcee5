package app

import (
	"context"
	"slices"

	"fyne.io/fyne/v2"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/session"
)

// GateDeps are what the gate works with.
type GateDeps struct {
	Session *session.Session
	// Printer returns a printer in the officer's language, which they may
	// change on the officer's screens.
	Printer func() *i18n.Printer
	// Prefs holds the officer's text size and colours, which the PIN
	// screens follow too. Nil means the current app's preferences.
	Prefs fyne.Preferences
	// Server and AllowHTTP are the enrolment screen's (EnrolDeps).
	Server    string
	AllowHTTP bool
	// EnrolLink, if set, is an enrolment link (given on the command line)
	// that the device enrols with, once, as soon as it needs enrolling.
	EnrolLink string
	// Open builds the officer's screens into the window once the device
	// is unlocked and enrolled, and returns them; the gate starts them
	// once the app runs (UI.Start).
	Open func() *UI
	// Do runs fn on the UI goroutine. Nil means fyne.Do.
	Do func(fn func())
	// Desktop says the app runs in a desktop window, where Fyne says the
	// app left the foreground whenever the window loses the focus: that
	// is left to the idle lock (OnBackground). False, as on a phone,
	// locks at once.
	Desktop bool
}

// Gate decides what the window shows, from the session's phase: the
// set-PIN screen on a new or wiped device, then enrolment; the lock
// screen at start, after the idle time and back from the background; the
// officer's screens once unlocked (set aside, not closed, while the app
// is locked, so the officer comes back where they were); the offline
// lock; the wiped screen. Nothing of the officer's screens shows before
// the PIN, nor while locked: their dialogs are taken off the window too.
type Gate struct {
	win  fyne.Window
	deps GateDeps
	s    *session.Session
	p    *i18n.Printer

	shown    session.State
	drawn    bool
	started  bool                // the app runs (Start)
	ui       *UI                 // the officer's screens, from the unlock until a wipe
	saved    fyne.CanvasObject   // the officer's screens, while a lock hides them
	overlays []fyne.CanvasObject // their dialogs, likewise
	form     *pinForm            // the PIN form on screen, to type into
	setPIN   *SetPINScreen
	lock     *LockScreen
	forgot   *forgotScreen
	offline  *offlineScreen
	enrol    *EnrolScreen
	linkUsed bool // the command line's enrolment link was tried
	unwatch  func()
}

// NewGate shows the screen the session's phase calls for in win, and
// follows the session from then on. Call Start once the app runs.
func NewGate(win fyne.Window, deps GateDeps) *Gate {
	if deps.Do == nil {
		deps.Do = fyne.Do
	}
	if deps.Prefs == nil {
		deps.Prefs = fyne.CurrentApp().Preferences()
	}
	applyLook(model.NewPrefs(deps.Prefs))
	g := &Gate{win: win, deps: deps, s: deps.Session}
	g.unwatch = g.s.Subscribe(func(session.State) { deps.Do(g.show) })
	g.show()
	return g
}

// Start tells the gate the app runs: the officer's screens, once built,
// may listen to the sync engine (UI.Start). main calls it from Fyne's
// OnStarted.
func (g *Gate) Start() {
	g.started = true
	g.focus()
	if g.ui != nil {
		g.ui.Start()
	}
}

// OnBackground is what Fyne calls when the app leaves the foreground.
// On a phone that is the app going to the background (another app in
// front, the screen off, the phone in a pocket): it locks at once. On a
// desktop Fyne calls it whenever the window loses the focus, as when the
// officer looks at another window for a moment: that does not lock it,
// and the idle lock (counted from the last thing done in the app) locks
// it if they do not come back. docs/security.md says why.
func (g *Gate) OnBackground() {
	if !g.deps.Desktop {
		g.s.Lock()
	}
}

// Close stops following the session and closes the officer's screens,
// writing what they have waiting. It touches no window: main calls it
// once the app has stopped.
func (g *Gate) Close() {
	g.unwatch()
	g.leave()
	if g.ui != nil {
		g.ui.Close()
		g.ui = nil
	}
}

// UI is the officer's screens, once built.
func (g *Gate) UI() *UI { return g.ui }

// show renders the session's state, if it changed.
func (g *Gate) show() {
	st := g.s.State()
	if g.drawn && st == g.shown {
		return
	}
	g.drawn, g.shown = true, st
	g.p = g.deps.Printer()
	g.leave()
	switch st.Phase {
	case session.NeedPIN:
		g.leaveUI()
		g.setPIN = newSetPINScreen(g.p, session.NewSetPINModel(g.s), st.Moving)
		g.setContent(g.setPIN.Content(), g.setPIN.form)
	case session.Locked:
		g.hideUI()
		g.showLock()
	case session.Enrolling:
		g.leaveUI()
		g.showEnrol()
	case session.Unlocked:
		g.showUI()
	case session.OfflineLocked:
		g.hideUI()
		g.offline = newOfflineScreen(g.p, st.OfflineDays, g.s.Engine(), g.deps.Do)
		g.setContent(g.offline.content, nil)
	case session.Wiped:
		g.leaveUI()
		g.setContent(newWipedScreen(g.p, st.Why, g.onStartAgain), nil)
	}
}

func (g *Gate) onStartAgain() {
	if err := g.s.StartAgain(context.Background()); err != nil {
		fyne.LogError("start again after a wipe", err)
	}
}

// showLock shows the lock screen, and from it the forgotten-PIN path.
func (g *Gate) showLock() {
	g.lock = newLockScreen(g.p, session.NewLockModel(g.s, g.s.Unlock), lockOptions{
		title: "lock.title", intro: "lock.prompt", onForgot: g.onForgot,
	})
	g.setContent(g.lock.Content(), g.lock.form)
}

// onForgot shows the forgotten-PIN screen over the lock screen.
func (g *Gate) onForgot() {
	g.leave()
	g.forgot = newForgotScreen(g.p, session.NewForgotModel(g.s), func() {
		g.drawn = false // back to the lock screen
		g.show()
	})
	g.setContent(g.forgot.content, nil)
}

// showEnrol shows the enrolment screen, and enrols with the command
// line's link once.
func (g *Gate) showEnrol() {
	g.enrol = NewEnrolScreen(g.win, EnrolDeps{Printer: g.p, Enrol: g.s.Enrol, Server: g.deps.Server, AllowHTTP: g.deps.AllowHTTP, Do: g.deps.Do})
	if g.deps.EnrolLink != "" && !g.linkUsed {
		g.linkUsed = true
		g.enrol.SetLink(g.deps.EnrolLink)
		g.enrol.onEnrol()
	}
}

// setContent shows o, with form's entry (if any) ready for typing.
func (g *Gate) setContent(o fyne.CanvasObject, form *pinForm) {
	g.win.SetContent(o)
	g.form = form
	g.focus()
}

// focus puts the keys in the PIN form's entry, once the app runs: on a
// phone, focus brings up the keyboard, which Fyne cannot do before.
func (g *Gate) focus() {
	if g.form != nil && g.started {
		g.win.Canvas().Focus(g.form.entry)
	}
}

// showUI shows the officer's screens: built on the first unlock (or
// enrolment) and started once the app runs, brought back as they were,
// dialogs and all, after a lock.
func (g *Gate) showUI() {
	switch {
	case g.ui == nil:
		g.ui = g.deps.Open()
		if g.started {
			g.ui.Start()
		}
	case g.saved != nil:
		g.win.SetContent(g.saved)
		for _, o := range g.overlays {
			g.win.Canvas().Overlays().Add(o)
		}
	}
	g.saved, g.overlays = nil, nil
}

// hideUI keeps the officer's screens (which may be the hand-over screen)
// and their dialogs aside while a lock covers them: a dialog left open
// (a finalise confirmation names what it locks) must not show over the
// lock screen.
func (g *Gate) hideUI() {
	if g.ui == nil || g.saved != nil {
		return
	}
	g.saved = g.win.Content()
	ov := g.win.Canvas().Overlays()
	// A copy: removing an overlay clears the stack's own list.
	g.overlays = slices.Clone(ov.List())
	if len(g.overlays) > 0 {
		ov.Remove(g.overlays[0]) // and every one above it
	}
}

// leaveUI closes the officer's screens for good (a wipe, a new PIN), and
// gives back the window a hand-over may have taken.
func (g *Gate) leaveUI() {
	if g.ui == nil {
		return
	}
	g.ui.Close()
	g.ui, g.saved, g.overlays = nil, nil, nil
	if ov := g.win.Canvas().Overlays(); ov.Top() != nil {
		ov.Remove(ov.List()[0]) // and every one above it
	}
	g.win.SetCloseIntercept(nil)
	g.win.Canvas().SetOnTypedKey(nil)
	g.win.SetFullScreen(false)
}

// leave stops what the screen shown last was doing.
func (g *Gate) leave() {
	if g.lock != nil {
		g.lock.Close()
		g.lock = nil
	}
	if g.offline != nil {
		g.offline.unwatch()
		g.offline = nil
	}
	g.setPIN, g.forgot, g.enrol, g.form = nil, nil, nil, nil
}
