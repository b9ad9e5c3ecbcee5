package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/session"
	"github.com/waymark-app/waymark/sync/client"
)

// Records is what the interface needs from the device store.
// *store.Store implements it.
type Records interface {
	DeviceID() uuid.UUID
	SaveDraft(ctx context.Context, r encounter.Record) error
	DeleteDraft(ctx context.Context, id uuid.UUID) error
	Finalise(ctx context.Context, id uuid.UUID) (encounter.Record, error)
	Amend(ctx context.Context, a encounter.Amendment) (encounter.Record, error)
	Get(ctx context.Context, id uuid.UUID) (encounter.Record, error)
	List(ctx context.Context) ([]encounter.Record, error)
}

// Syncer is what the interface needs from the sync engine.
// *client.Engine implements it.
type Syncer interface {
	Status() client.Status
	Subscribe(fn func(client.Status)) (cancel func())
	Notify()
	SyncNow()
}

// Deps are the services the interface works with.
type Deps struct {
	Records Records
	Sync    Syncer
	// Content holds the content packs: indicators, questions, rules and
	// checklists, in the version each record was made under.
	Content *content.Library
	Printer *i18n.Printer
	// Bundle holds every language of the interface, for the officer's
	// language picker. Nil hides the picker.
	Bundle *i18n.Bundle
	// Prefs keeps settings such as who the officer is. Nil means the
	// current app's preferences.
	Prefs fyne.Preferences
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
	// Officer is the account this device is enrolled to, as the server
	// said: records and amendments name them, and Your details shows
	// them without letting them be changed. Zero: the officer types their
	// details (a device not enrolled: tests of the interface alone).
	Officer encounter.Officer
	// Session holds the officer's PIN: it ends a hand-over, and Your
	// details offers to lock the app and to change the PIN. Nil: none of
	// these (tests of the interface alone).
	Session *session.Session
}

// UI is the officer app's interface in one window: a stack of screens
// under a title bar, and the sync status along the bottom.
type UI struct {
	win   fyne.Window
	deps  Deps
	p     *i18n.Printer
	prefs Prefs

	back    *widget.Button
	details *widget.Button // opens Your details; on the home screen only
	title   *widget.Label
	top     *fyne.Container // the title bar
	notice  *widget.Label   // a message about the last action, until the next screen
	body    *fyne.Container // holds the top screen
	stack   []screen
	list    *listScreen
	status  *statusBar
	unwatch func()
	flow    *flow // the encounter flow last opened
}

// screen is one page of the stack.
type screen struct {
	title   string
	content fyne.CanvasObject
	// onLeave, if set, runs when the screen is popped.
	onLeave func()
}

// New builds the interface into win and returns it. Call Close when the
// window closes.
func New(win fyne.Window, deps Deps) *UI {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Prefs == nil {
		deps.Prefs = fyne.CurrentApp().Preferences()
	}
	u := &UI{win: win, deps: deps, p: deps.Printer, prefs: NewPrefs(deps.Prefs)}
	if st, ok := deps.Records.(settingStore); ok {
		u.prefs = u.prefs.withStore(st)
	}
	// Listen before reading the status to show, so that a change between
	// the two is not missed; the listener reaches widgets through fyne.Do,
	// which runs after this returns.
	u.unwatch = deps.Sync.Subscribe(u.onSyncStatus)
	u.build()
	return u
}

// build lays out the window in the printer's language, on the home screen.
func (u *UI) build() {
	win, deps := u.win, u.deps
	u.stack = nil
	u.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	u.back = widget.NewButtonWithIcon(u.p.T("nav.back"), theme.NavigateBackIcon(), u.onBack)
	u.details = widget.NewButtonWithIcon(u.p.T("officer.title"), theme.AccountIcon(), func() { u.openOfficer(nil) })
	u.body = container.NewStack()
	u.notice = widget.NewLabel("")
	u.notice.Wrapping = fyne.TextWrapWord
	u.notice.Hide()
	u.status = newStatusBar(u)
	u.list = newListScreen(u)

	u.top = container.NewBorder(nil, nil, u.back, u.details, u.title)
	win.SetContent(container.NewBorder(
		container.NewVBox(u.top, widget.NewSeparator(), u.notice),
		container.NewVBox(widget.NewSeparator(), u.status.box),
		nil, nil, u.body))
	u.push(screen{title: u.p.T("list.title"), content: u.list.box})
	u.list.reload()
	u.status.show(deps.Sync.Status())
}

// setLanguage switches the interface to printer's language, back on the
// home screen.
func (u *UI) setLanguage(printer *i18n.Printer) {
	u.p = printer
	u.deps.Printer = printer
	u.build()
}

// Close stops listening to the sync engine.
func (u *UI) Close() {
	if u.unwatch != nil {
		u.unwatch()
	}
}

// onSyncStatus runs on the engine's goroutine.
func (u *UI) onSyncStatus(s client.Status) {
	var records []encounter.Record
	var err error
	if !s.Syncing {
		// States may have changed: read them here, off the UI thread.
		records, err = u.deps.Records.List(context.Background())
	}
	fyne.Do(func() {
		u.status.show(s)
		if !s.Syncing && err == nil {
			u.list.set(records)
		}
	})
}

func (u *UI) push(s screen) {
	u.stack = append(u.stack, s)
	u.showTop()
}

func (u *UI) pop() {
	if len(u.stack) < 2 {
		return
	}
	top := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	if top.onLeave != nil {
		top.onLeave()
	}
	u.showTop()
}

// popToRoot returns to the encounter list.
func (u *UI) popToRoot() {
	for len(u.stack) > 1 {
		u.pop()
	}
}

func (u *UI) showTop() {
	if u.deps.Session != nil {
		u.deps.Session.Touch() // a new screen: the officer is there
	}
	u.notice.Hide()
	top := u.stack[len(u.stack)-1]
	u.title.SetText(top.title)
	u.body.Objects = []fyne.CanvasObject{top.content}
	u.body.Refresh()
	if len(u.stack) > 1 {
		u.back.Show()
		u.details.Hide()
	} else {
		u.back.Hide()
		u.details.Show()
	}
	u.top.Refresh() // lay out again for the back button's coming or going
}

func (u *UI) onBack() { u.pop() }

// stateLabel names a record state in words.
func (u *UI) stateLabel(s encounter.State) string {
	switch s {
	case encounter.Queued:
		return u.p.T("state.queued")
	case encounter.Synced:
		return u.p.T("state.synced")
	case encounter.Held:
		return u.p.T("state.held")
	}
	return u.p.T("state.draft")
}

// timeText formats a time for the officer, in the device's zone.
func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format("2006-01-02 15:04")
}

// toast shows a message above the current screen until the officer
// moves to another.
func (u *UI) toast(text string, imp widget.Importance) {
	u.notice.SetText(text)
	u.notice.Importance = imp
	u.notice.Show()
	relayout(u.win.Content())
}

// relayout lays c out again after its contents changed. Wrapped labels
// learn their width only from a layout, and report their height from the
// width they had, so it lays out twice: the second pass gives each label
// the height of the lines it now wraps to.
func relayout(c fyne.CanvasObject) {
	c.Refresh()
	c.Refresh()
}
