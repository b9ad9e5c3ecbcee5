package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/session"
	"github.com/waymark-app/waymark/sync/client"
)

// wipedKeys name why a device was wiped.
var wipedKeys = map[session.Reason]string{
	session.WipedEarlier:   "wiped.earlier",
	session.WipedTries:     "wiped.tries",
	session.WipedRevoked:   "wiped.revoked",
	session.WipedDisabled:  "wiped.disabled",
	session.WipedForgotten: "wiped.forgotten",
	session.WipedDamaged:   "wiped.damaged",
}

// textScreen is a screen of a bold title, wrapped paragraphs and buttons.
type textScreen struct {
	box   *fyne.Container
	title *widget.Label
	paras []*widget.Label
}

func newTextScreen(title string, paras []string, buttons ...fyne.CanvasObject) *textScreen {
	t := &textScreen{title: widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})}
	t.title.Wrapping = fyne.TextWrapWord
	t.box = container.NewVBox(t.title)
	for _, s := range paras {
		l := widget.NewLabel(s)
		l.Wrapping = fyne.TextWrapWord
		t.paras = append(t.paras, l)
		t.box.Add(l)
	}
	for _, b := range buttons {
		t.box.Add(b)
	}
	return t
}

func (t *textScreen) content() fyne.CanvasObject {
	return container.NewVScroll(container.NewPadded(t.box))
}

// newWipedScreen says the device was wiped, and why, and offers to enrol
// it again.
func newWipedScreen(p *i18n.Printer, why session.Reason, onStart func()) fyne.CanvasObject {
	start := widget.NewButtonWithIcon(p.T("wiped.start"), theme.ConfirmIcon(), onStart)
	start.Importance = widget.HighImportance
	return newTextScreen(p.T("wiped.title"), []string{p.T(wipedKeys[why]), p.T("wiped.next")}, start).content()
}

// forgotScreen is the forgotten-PIN path: it says what the officer keeps
// (everything on the server) and what is lost (what is not, counted, not
// named: the records cannot be read without the PIN), and wipes the
// device for a new enrolment only after a second tap.
type forgotScreen struct {
	t      *textScreen
	unsent *widget.Label
	wipe   *widget.Button
	armed  bool
}

func newForgotScreen(p *i18n.Printer, s *session.Session, onWipe, onBack func()) *forgotScreen {
	f := &forgotScreen{}
	paras := []string{p.T("forgot.body"), ""}
	if s.Engine() != nil {
		// The app is running: it keeps sending while locked.
		paras = append(paras, p.T("forgot.wait"))
	}
	f.wipe = widget.NewButtonWithIcon(p.T("forgot.wipe"), theme.DeleteIcon(), func() {
		if !f.armed {
			f.armed = true
			f.wipe.SetText(p.T("forgot.confirm"))
			return
		}
		onWipe()
	})
	f.wipe.Importance = widget.DangerImportance
	back := widget.NewButtonWithIcon(p.T("forgot.back"), theme.NavigateBackIcon(), onBack)
	f.t = newTextScreen(p.T("forgot.title"), paras, f.wipe, back)
	f.unsent = f.t.paras[1]
	f.unsent.Importance = widget.WarningImportance
	u := s.LockStatus().Unsent
	switch {
	case !u.Known:
		f.unsent.SetText(p.T("forgot.unsent_unknown"))
	case u.Total() == 0:
		f.unsent.SetText(p.T("forgot.unsent_none"))
	default:
		f.unsent.SetText(p.T("forgot.unsent", u.Total()))
	}
	return f
}

// offlineScreen is shown while the device is locked for not reaching its
// server for too long: it syncs, and says how that goes. Nothing on the
// device is deleted for this.
type offlineScreen struct {
	t       *textScreen
	status  *widget.Label
	unwatch func()
}

func newOfflineScreen(p *i18n.Printer, days int, eng *client.Engine, do func(func())) *offlineScreen {
	o := &offlineScreen{}
	sync := widget.NewButtonWithIcon(p.T("sync.now"), theme.ViewRefreshIcon(), func() {
		if eng != nil {
			eng.SyncNow()
		}
	})
	sync.Importance = widget.HighImportance
	o.t = newTextScreen(p.T("offline.title"), []string{p.T("offline.body", days), ""}, sync)
	o.status = o.t.paras[1]
	show := func(st client.Status) {
		text := ""
		switch {
		case st.Syncing:
			text = p.T("sync.syncing")
		case st.LastError != nil:
			text = syncErrorText(p, st.LastError)
		}
		o.status.SetText(text)
		if text == "" {
			o.status.Hide()
		} else {
			o.status.Show()
		}
	}
	o.unwatch = func() {}
	show(client.Status{})
	if eng != nil {
		show(eng.Status())
		o.unwatch = eng.Subscribe(func(st client.Status) { do(func() { show(st) }) })
	}
	return o
}
