package app

import (
	"context"

	"fyne.io/fyne/v2"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/session"
)

// SetPINScreen has the officer choose the PIN that seals the device's
// keys, typed twice (session.SetPINModel): on a new device before
// enrolment, after a wipe, and on a device whose store was made before
// the vault (moving is set).
type SetPINScreen struct {
	model *session.SetPINModel
	form  *pinForm
}

// newSetPINScreen returns the screen over model.
func newSetPINScreen(p *i18n.Printer, model *session.SetPINModel, moving bool) *SetPINScreen {
	intro := p.T("setpin.intro")
	if moving {
		intro = p.T("setpin.moving") + " " + intro
	}
	sc := &SetPINScreen{model: model}
	sc.form = newPINForm(p, intro, p.T("setpin.ok"), sc.onEnter, nil)
	sc.render()
	return sc
}

// Content is the screen.
func (sc *SetPINScreen) Content() fyne.CanvasObject { return sc.form.content(nil) }

func (sc *SetPINScreen) render() {
	sc.form.show(sc.model.Title(), sc.model.Problem, nil, true)
}

// onEnter takes what was typed; once the PIN is set, the session tells
// the gate, which moves on to enrolment.
func (sc *SetPINScreen) onEnter(text string) {
	sc.form.submit(func() bool { return sc.model.Submit(context.Background(), text) }, sc.render, nil)
}

// changePINScreen is Change PIN, on Your details: the current PIN,
// checked (and counted) at once, then the new one twice
// (session.ChangePINModel). Only the vault is sealed again; the store is
// not rewritten.
type changePINScreen struct {
	u     *UI
	model *session.ChangePINModel
	form  *pinForm
}

// openChangePIN pushes the Change PIN screen, and returns it.
func (u *UI) openChangePIN() *changePINScreen {
	c := &changePINScreen{u: u, model: session.NewChangePINModel(u.deps.Session)}
	c.form = newPINForm(u.p, u.p.T("setpin.intro"), u.p.T("setpin.ok"), c.onEnter, nil)
	c.render()
	u.push(screen{title: u.p.T("changepin.title"), content: c.form.content(nil), onLeave: c.model.Close})
	return c
}

func (c *changePINScreen) render() {
	c.form.show(c.model.Title(), c.model.Problem, nil, true)
}

func (c *changePINScreen) onEnter(text string) {
	c.form.submit(func() bool { return c.model.Submit(context.Background(), text) }, c.render, func(done bool) {
		if done {
			c.u.pop()
			c.u.message(c.u.p.T("changepin.done"))
		}
	})
}
