package app

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/session"
)

// SetPINScreen has the officer choose the PIN that seals the device's
// keys, typed twice: on a new device before enrolment, after a wipe, and
// on a device whose store was made before the vault (moving is set).
type SetPINScreen struct {
	p      *i18n.Printer
	model  *session.SetPINModel
	form   *pinForm
	busy   bool
	set    func(pin []byte) error
	intro  string
	titles [2]string // choosing, confirming
}

// newSetPINScreen returns the screen; set seals the vault with the PIN
// chosen (off the UI goroutine) and clears it.
func newSetPINScreen(p *i18n.Printer, s *session.Session, moving bool, set func(pin []byte) error) *SetPINScreen {
	intro := p.T("setpin.intro")
	if moving {
		intro = p.T("setpin.moving") + " " + intro
	}
	sc := &SetPINScreen{p: p, model: session.NewSetPINModel(s), set: set, intro: intro,
		titles: [2]string{p.T("setpin.title"), p.T("setpin.confirm")}}
	sc.form = newPINForm(p, sc.titles[0], intro, p.T("setpin.ok"), sc.onEnter, nil)
	return sc
}

// Content is the screen.
func (sc *SetPINScreen) Content() fyne.CanvasObject { return sc.form.content() }

func (sc *SetPINScreen) render() {
	f := sc.form
	if sc.model.Confirming {
		f.title.SetText(sc.titles[1])
		f.intro.Hide()
	} else {
		f.title.SetText(sc.titles[0])
		f.intro.SetText(sc.intro)
		f.intro.Show()
	}
	f.say(sc.model.Problem)
	f.enable(!sc.busy)
	relayout(f.box)
}

func (sc *SetPINScreen) onEnter(text string) {
	if sc.busy {
		return
	}
	pin := sc.model.Enter(text)
	if pin == nil {
		sc.render()
		return
	}
	sc.busy = true
	sc.render()
	var err error
	goBackground(func() {
		defer clear(pin)
		err = sc.set(pin)
	}, func() {
		sc.busy = false
		if err != nil {
			sc.model.Refused(err)
		}
		sc.render()
	})
}

// openChangePIN pushes the Change PIN screen: the current PIN, checked
// (and counted) at once, then the new one twice. Only the vault is sealed
// again; the store is not rewritten.
func (u *UI) openChangePIN() {
	s := u.deps.Session
	p := u.p
	var current []byte
	model := session.NewSetPINModel(s)
	var form *pinForm
	busy := false
	step := 0 // 0: current PIN; 1: the new one, typed twice
	render := func() {
		switch {
		case step == 0:
			form.title.SetText(p.T("changepin.current"))
			form.intro.Hide()
		case model.Confirming:
			form.title.SetText(p.T("setpin.confirm"))
			form.intro.Hide()
		default:
			form.title.SetText(p.T("changepin.new"))
			form.intro.SetText(p.T("setpin.intro"))
			form.intro.Show()
		}
		form.say(model.Problem)
		form.enable(!busy)
		relayout(form.box)
	}
	background := func(work func() error, then func(err error)) {
		busy = true
		render()
		var err error
		goBackground(func() { err = work() }, func() {
			busy = false
			then(err)
			render()
		})
	}
	onEnter := func(text string) {
		if busy {
			return
		}
		if step == 0 {
			pin := []byte(text)
			background(func() error { return s.CheckPIN(context.Background(), pin) }, func(err error) {
				if err != nil {
					clear(pin)
					model.Refused(err)
					return
				}
				current, step = pin, 1
				model.Problem = session.Message{}
			})
			return
		}
		pin := model.Enter(text)
		if pin == nil {
			render()
			return
		}
		background(func() error {
			defer clear(pin)
			return s.ChangePIN(context.Background(), current, pin)
		}, func(err error) {
			if err != nil {
				model.Refused(err)
				return
			}
			clear(current)
			u.pop()
			u.toast(p.T("changepin.done"), widget.SuccessImportance)
		})
	}
	form = newPINForm(p, "", "", p.T("setpin.ok"), onEnter, nil)
	render()
	u.push(screen{title: p.T("changepin.title"), content: form.content(), onLeave: func() { clear(current) }})
}
