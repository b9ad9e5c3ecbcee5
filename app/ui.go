package app

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/session"
	"github.com/waymark-app/waymark/sync/client"
)

// Records is what the interface needs from the device store.
// *store.Store implements it.
type Records = model.Records

// Prefs are Waymark's settings, read and written through typed
// accessors.
type Prefs = model.Prefs

// NewPrefs returns typed accessors over p.
func NewPrefs(p fyne.Preferences) Prefs { return model.NewPrefs(p) }

// OfficerPrinter returns a printer in the officer's language: the one
// they chose, or else the one that best fits the system's locale.
func OfficerPrinter(b *i18n.Bundle, p Prefs, systemLocale string) *i18n.Printer {
	return model.OfficerPrinter(b, p, systemLocale)
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
	// Operations holds the operations the account is on, for the Today
	// screen. Nil: no Today screen.
	Operations Operations
	// Do runs a function on the interface's goroutine. Nil means fyne.Do.
	// Results of background work (saves, reads, sync statuses) reach the
	// widgets only through it.
	Do func(func())
	// Session holds the officer's PIN: it ends a hand-over, and Your
	// details offers to lock the app and to change the PIN; every screen
	// shown counts as the officer's activity for the idle lock. Nil: none
	// of these (tests of the interface alone).
	Session *session.Session
}

// UI is the officer app's interface in one window: a stack of screens
// under a title bar, and the sync status along the bottom.
type UI struct {
	win   fyne.Window
	deps  Deps
	p     *i18n.Printer
	prefs model.Prefs
	saver *model.Saver

	back      *widget.Button
	backBox   fyne.CanvasObject
	title     *widget.Label
	action    *fyne.Container // the title bar's right-hand button
	body      *fyne.Container // holds the top screen
	stack     []screen
	list      *listScreen
	status    *statusBar
	flow      *flowScreen // the encounter flow last opened
	today     *model.Today
	todayView *todayScreen // the Today screen while it is open

	started bool
	unwatch func()
}

// screen is one page of the stack.
type screen struct {
	title   string
	content fyne.CanvasObject
	// action, if set, is the title bar's right-hand button.
	action fyne.CanvasObject
	// onLeave, if set, runs when the screen is popped; onShow when it
	// is on top again.
	onLeave, onShow func()
}

// New builds the interface into win and returns it. Nothing runs in the
// background until Start, which main calls once the app is running:
// before that, a background result could reach the widgets from another
// goroutine (the mobile driver runs fyne.Do at once until the app
// starts). Call Close when the window closes.
func New(win fyne.Window, deps Deps) *UI {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Prefs == nil {
		deps.Prefs = fyne.CurrentApp().Preferences()
	}
	if deps.Do == nil {
		deps.Do = fyne.Do
	}
	u := &UI{win: win, deps: deps, p: deps.Printer, prefs: model.NewPrefs(deps.Prefs)}
	u.today = model.NewToday(deps.Printer, deps.Content.Current, deps.Now)
	u.saver = model.NewSaver(deps.Records, deps.Do)
	applyLook(u.prefs)
	u.build()
	return u
}

// Start begins listening to the sync engine and loads the encounters.
// It runs on the interface's goroutine once the app is running.
func (u *UI) Start() {
	if u.started {
		return
	}
	u.started = true
	u.unwatch = u.deps.Sync.Subscribe(u.onSyncStatus)
	u.status.set(u.deps.Sync.Status())
	u.reload()
}

// build lays out the window in the printer's language, on the home screen.
func (u *UI) build() {
	u.stack = nil
	u.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	u.title.Truncation = fyne.TextTruncateEllipsis
	u.back, u.backBox = newButton(u.p.T("nav.back"), theme.NavigateBackIcon(), widget.LowImportance, u.pop)
	u.action = container.NewStack()
	u.body = container.NewStack()
	u.status = newStatusBar(u)
	u.list = newListScreen(u)
	top := container.NewBorder(nil, nil, u.backBox, u.action, container.NewPadded(u.title))
	u.win.SetContent(container.NewBorder(
		container.NewVBox(top, widget.NewSeparator()),
		container.NewVBox(widget.NewSeparator(), u.status.box),
		nil, nil, u.body))
	u.push(screen{title: u.p.T("list.title"), content: u.list.box, action: u.list.detailsButton, onShow: u.reload})
}

// setLanguage switches the interface to printer's language, back on the
// home screen.
func (u *UI) setLanguage(printer *i18n.Printer) {
	u.p = printer
	u.deps.Printer = printer
	// The operation held stays: the rebuilt list shows its Today button
	// at once, not only once the store has been read again.
	u.today.SetPrinter(printer)
	u.build()
	u.list.setToday(u.today.Button())
	if u.started {
		u.status.set(u.deps.Sync.Status())
		u.reload()
	}
}

// Close stops listening to the sync engine and writes what is waiting.
func (u *UI) Close() {
	if u.unwatch != nil {
		u.unwatch()
	}
	u.saver.Close()
}

// onSyncStatus runs on the engine's goroutine: the status goes to the
// interface's, and once a sync is over, the records are read again, so
// every chip shows what was sent.
func (u *UI) onSyncStatus(s client.Status) {
	u.deps.Do(func() {
		u.status.set(s)
		if !s.Syncing {
			u.reload()
		}
	})
}

// reload reads the records (on the saver's goroutine) and shows them in
// the list, the status bar's draft count and the record on screen.
func (u *UI) reload() {
	u.saver.List(func(rs []encounter.Record, err error) {
		if err != nil {
			u.list.showNotice(u.p.T("sync.err.device"), model.NoticeDanger)
			return
		}
		u.list.set(rs)
		u.status.setDrafts(u.list.m.Drafts())
		u.loadToday()
		if top := u.stack[len(u.stack)-1]; top.onShow != nil && len(u.stack) > 1 {
			top.onShow()
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
	if s := u.stack[len(u.stack)-1]; s.onShow != nil {
		s.onShow()
	}
}

// popToRoot returns to the encounter list.
func (u *UI) popToRoot() {
	for len(u.stack) > 1 {
		u.pop()
	}
}

// setTitle changes the title of the screen on top.
func (u *UI) setTitle(t string) {
	u.stack[len(u.stack)-1].title = t
	u.title.SetText(t)
}

func (u *UI) showTop() {
	if u.deps.Session != nil {
		u.deps.Session.Touch() // a new screen: the officer is there
	}
	top := u.stack[len(u.stack)-1]
	u.title.SetText(top.title)
	u.body.Objects = []fyne.CanvasObject{top.content}
	u.body.Refresh()
	u.action.Objects = nil
	if top.action != nil {
		u.action.Objects = []fyne.CanvasObject{top.action}
	}
	u.action.Refresh()
	if len(u.stack) > 1 {
		u.backBox.Show()
	} else {
		u.backBox.Hide()
	}
}

// officer returns the officer using this device: the account it is
// enrolled to, else as set in Your details.
func (u *UI) officer() encounter.Officer {
	if u.enrolled() {
		return u.deps.Officer
	}
	return u.prefs.Officer()
}

// enrolled reports whether the officer's details come from the server.
func (u *UI) enrolled() bool { return u.deps.Officer.Number != "" }

// officerKnown reports whether the officer has said who they are: records
// and amendments carry it as their author.
func (u *UI) officerKnown() bool {
	o := u.officer()
	return o.Name != "" && o.Number != ""
}

// packFor is the pack a record made under ref is shown with.
func (u *UI) packFor(ref encounter.PackRef) *content.Pack {
	return u.deps.Content.For(ref.ID, ref.Version)
}
