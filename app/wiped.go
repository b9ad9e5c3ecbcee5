package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/session"
	"github.com/waymark-app/waymark/sync/client"
)

// textScreen is a screen of a bold title, wrapped paragraphs and the
// controls under them; bottom, if set, stays at the foot of the screen,
// so it never moves whatever the paragraphs say.
func textScreen(title string, paras []*widget.Label, controls []fyne.CanvasObject, bottom fyne.CanvasObject) fyne.CanvasObject {
	box := container.New(column{}, heading(title))
	for _, l := range paras {
		box.Add(l)
	}
	for _, c := range controls {
		box.Add(c)
	}
	scroll := container.NewVScroll(container.NewPadded(box))
	if bottom == nil {
		return scroll
	}
	return container.NewBorder(nil, container.NewPadded(bottom), nil, nil, scroll)
}

// newWipedScreen says the device was wiped, and why
// (session.WipedMessage), and offers to start again: a new PIN, then
// enrolment.
func newWipedScreen(p *i18n.Printer, why session.Reason, onStart func()) fyne.CanvasObject {
	_, start := newButton(p.T("wiped.start"), theme.ConfirmIcon(), widget.HighImportance, onStart)
	return textScreen(p.T("wiped.title"),
		[]*widget.Label{wrapped(say(p, session.WipedMessage(why))), wrapped(p.T("wiped.next"))},
		[]fyne.CanvasObject{start}, nil)
}

// forgotScreen is the forgotten-PIN path (session.ForgotModel): it says
// what the officer keeps (everything on the server) and what is lost
// (what is not, counted, not named: the records cannot be read without
// the PIN), and wipes the device for a new enrolment only at a second
// tap. The way back to the PIN stays at the foot of the screen.
type forgotScreen struct {
	p       *i18n.Printer
	model   *session.ForgotModel
	content fyne.CanvasObject
	wipe    *choiceButton
	back    *widget.Button
}

func newForgotScreen(p *i18n.Printer, m *session.ForgotModel, onBack func()) *forgotScreen {
	f := &forgotScreen{p: p, model: m}
	unsent := wrapped(say(p, m.Unsent()))
	unsent.Importance = widget.WarningImportance
	paras := []*widget.Label{wrapped(p.T("forgot.body")), unsent}
	if m.Sending() {
		// The app is running: it keeps sending while locked.
		paras = append(paras, wrapped(p.T("forgot.wait")))
	}
	f.wipe = newChoiceButton(say(p, m.Button()), f.onWipe)
	f.wipe.Danger = true
	var back fyne.CanvasObject
	f.back, back = newButton(p.T("forgot.back"), theme.NavigateBackIcon(), widget.MediumImportance, onBack)
	f.content = textScreen(p.T("forgot.title"), paras, []fyne.CanvasObject{f.wipe}, back)
	return f
}

func (f *forgotScreen) onWipe() {
	if err := f.model.Tap(context.Background()); err != nil {
		fyne.LogError("wipe for a forgotten PIN", err)
	}
	// Once wiped, the session tells the gate, which shows why.
	f.wipe.Text = say(f.p, f.model.Button())
	f.wipe.Refresh()
}

// offlineScreen is shown while the device is locked for not reaching its
// server for too long: it syncs, and says how that goes (model.Status).
// Nothing on the device is deleted for this.
type offlineScreen struct {
	m       *model.Status
	content fyne.CanvasObject
	syncNow *widget.Button
	detail  *widget.Label
	unwatch func()
}

func newOfflineScreen(p *i18n.Printer, days int, eng *client.Engine, do func(func())) *offlineScreen {
	o := &offlineScreen{m: model.NewStatus(p), unwatch: func() {}}
	var syncNow fyne.CanvasObject
	o.syncNow, syncNow = newButton(o.m.Button(), theme.ViewRefreshIcon(), widget.HighImportance, func() {
		if eng != nil && o.m.RequestSync() {
			eng.SyncNow()
		}
		o.show()
	})
	o.detail = widget.NewLabel("")
	o.content = textScreen(p.T("offline.title"), []*widget.Label{wrapped(p.T("offline.body", days))},
		[]fyne.CanvasObject{syncNow, lines(o.detail, 3)}, nil)
	if eng != nil {
		o.m.Set(eng.Status())
		o.unwatch = eng.Subscribe(func(st client.Status) {
			do(func() {
				o.m.Set(st)
				o.show()
			})
		})
	}
	o.show()
	return o
}

func (o *offlineScreen) show() {
	text, bad := o.m.Detail()
	o.detail.Importance = widget.MediumImportance
	if bad {
		o.detail.Importance = widget.DangerImportance
	}
	o.detail.SetText(text)
	showSyncNow(o.syncNow, o.m)
}
