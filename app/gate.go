package app

import (
	"context"

	"fyne.io/fyne/v2"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/session"
)

// GateDeps are what the gate works with.
type GateDeps struct {
	Session *session.Session
	// Printer returns a printer in the officer's language, which they may
	// change on the officer's screens.
	Printer func() *i18n.Printer
	// Server and AllowHTTP are the enrolment screen's (EnrolDeps).
	Server    string
	AllowHTTP bool
	// EnrolLink, if set, is an enrolment link (given on the command line)
	// that the device enrols with, once, as soon as it needs enrolling.
	EnrolLink string
	// Open builds the officer's screens into the window once the device
	// is unlocked and enrolled, and returns them.
	Open func() *UI
	// Do runs fn on the UI goroutine. Nil means fyne.Do.
	Do func(fn func())
}

// Gate decides what the window shows, from the session's phase: the
// set-PIN screen on a new or wiped device, then enrolment; the lock
// screen at start, after the idle time and back from the background; the
// officer's screens once unlocked (hidden, not closed, while the app is
// locked, so the officer comes back where they were); the offline lock;
// the wiped screen. Nothing of the officer's screens shows before the
// PIN.
type Gate struct {
	win  fyne.Window
	deps GateDeps
	s    *session.Session
	p    *i18n.Printer

	shown   session.State
	drawn   bool
	ui      *UI               // the officer's screens, from the unlock until a wipe
	saved   fyne.CanvasObject // the officer's screens, while a lock hides them
	lock    *LockScreen
	offline *offlineScreen
	enrol   *EnrolScreen
	linkUse bool // the command line's enrolment link was tried
	unwatch func()
}

// NewGate shows the screen the session's phase calls for in win, and
// follows the session from then on.
func NewGate(win fyne.Window, deps GateDeps) *Gate {
	if deps.Do == nil {
		deps.Do = fyne.Do
	}
	g := &Gate{win: win, deps: deps, s: deps.Session}
	g.unwatch = g.s.Subscribe(func(session.State) { deps.Do(g.show) })
	g.show()
	return g
}

// OnBackground locks the app: Fyne calls it when the app leaves the
// foreground.
func (g *Gate) OnBackground() { g.s.Lock() }

// Close stops following the session and closes the officer's screens.
func (g *Gate) Close() {
	g.unwatch()
	g.leave()
	g.leaveUI()
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
		sc := newSetPINScreen(g.p, g.s, st.Moving, func(pin []byte) error {
			return g.s.SetPIN(context.Background(), pin)
		})
		g.setContent(sc.Content(), sc.form)
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
		g.setContent(g.offline.t.content(), nil)
	case session.Wiped:
		g.leaveUI()
		g.setContent(newWipedScreen(g.p, st.Why, func() {
			if err := g.s.StartAgain(context.Background()); err != nil {
				fyne.LogError("start again after a wipe", err)
			}
		}), nil)
	}
}

// showLock shows the lock screen, and from it the forgotten-PIN path.
func (g *Gate) showLock() {
	g.lock = newLockScreen(g.p, session.NewLockModel(g.s, g.s.Unlock), lockOptions{
		title: g.p.T("lock.title"),
		intro: g.p.T("lock.prompt"),
		onForgot: func() {
			g.leave()
			f := newForgotScreen(g.p, g.s, func() {
				if err := g.s.Wipe(context.Background(), session.WipedForgotten); err != nil {
					fyne.LogError("wipe for a forgotten PIN", err)
				}
			}, func() {
				g.drawn = false
				g.show()
			})
			g.setContent(f.t.content(), nil)
		},
	})
	g.setContent(g.lock.Content(), g.lock.form)
}

// showEnrol shows the enrolment screen, and enrols with the command
// line's link once.
func (g *Gate) showEnrol() {
	g.enrol = NewEnrolScreen(g.win, EnrolDeps{Printer: g.p, Enrol: g.s.Enrol, Server: g.deps.Server, AllowHTTP: g.deps.AllowHTTP})
	if g.deps.EnrolLink != "" && !g.linkUse {
		g.linkUse = true
		g.enrol.SetLink(g.deps.EnrolLink)
		g.enrol.onEnrol()
	}
}

// setContent shows o, with form's entry (if any) ready for typing.
func (g *Gate) setContent(o fyne.CanvasObject, form *pinForm) {
	g.win.SetContent(o)
	relayout(o)
	if form != nil {
		g.win.Canvas().Focus(form.entry)
	}
}

// showUI shows the officer's screens: built on the first unlock (or
// enrolment), brought back as they were after a lock.
func (g *Gate) showUI() {
	switch {
	case g.ui == nil:
		g.ui = g.deps.Open()
	case g.saved != nil:
		g.win.SetContent(g.saved)
	}
	g.saved = nil
}

// hideUI keeps the officer's screens (which may be the hand-over screen)
// aside while a lock covers them.
func (g *Gate) hideUI() {
	if g.ui != nil && g.saved == nil {
		g.saved = g.win.Content()
	}
}

// leaveUI closes the officer's screens for good (a wipe, a new PIN), and
// gives back the window a hand-over may have taken.
func (g *Gate) leaveUI() {
	if g.ui == nil {
		return
	}
	g.ui.Close()
	g.ui, g.saved = nil, nil
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
	g.enrol = nil
}
