package app

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/session"
)

// goBackground runs work off the UI goroutine, then done on it: checking
// a PIN derives a key for a noticeable part of a second. Tests replace it
// with one that runs both at once, in order.
var goBackground = func(work, done func()) {
	go func() {
		work()
		fyne.Do(done)
	}()
}

// everySecond calls fn on the UI goroutine every second until stop is
// called: the lock screen's countdown. Tests replace it.
var everySecond = func(fn func()) (stop func()) {
	t := time.NewTicker(time.Second)
	quit := make(chan struct{})
	go func() {
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fyne.Do(fn)
			case <-quit:
				return
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(quit) }) }
}

// pinForm asks for the officer's PIN or passphrase: one hidden entry,
// the button that submits it, why the last one was refused, and notes
// (the warning before the last tries). The lock screen, the hand-over
// screen's exit and the PIN screens use it.
type pinForm struct {
	p       *i18n.Printer
	box     *fyne.Container
	title   *widget.Label
	intro   *widget.Label
	entry   *widget.Entry
	ok      *widget.Button
	cancel  *widget.Button // nil when there is no way back
	problem *widget.Label
	notes   *widget.Label
	extra   *fyne.Container // more buttons under the form
	onEnter func(pin string)
}

func newPINForm(p *i18n.Printer, title, intro, okText string, onEnter func(string), onCancel func()) *pinForm {
	f := &pinForm{p: p, onEnter: onEnter}
	f.title = widget.NewLabelWithStyle(title, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	f.title.Wrapping = fyne.TextWrapWord
	f.intro = widget.NewLabel(intro)
	f.intro.Wrapping = fyne.TextWrapWord
	if intro == "" {
		f.intro.Hide()
	}
	f.entry = widget.NewPasswordEntry()
	f.entry.SetPlaceHolder(p.T("lock.hint"))
	f.entry.OnSubmitted = func(string) { f.onOK() }
	f.ok = widget.NewButtonWithIcon(okText, theme.ConfirmIcon(), f.onOK)
	f.ok.Importance = widget.HighImportance
	f.problem = widget.NewLabel("")
	f.problem.Wrapping = fyne.TextWrapWord
	f.problem.Importance = widget.DangerImportance
	f.problem.Hide()
	f.notes = widget.NewLabel("")
	f.notes.Wrapping = fyne.TextWrapWord
	f.notes.Importance = widget.WarningImportance
	f.notes.Hide()
	buttons := container.NewVBox(f.ok)
	if onCancel != nil {
		f.cancel = widget.NewButton(p.T("handover.pin.cancel"), onCancel)
		buttons.Add(f.cancel)
	}
	f.extra = container.NewVBox()
	f.box = container.NewVBox(f.title, f.intro, f.entry, f.problem, f.notes, buttons, f.extra)
	return f
}

// content is the form as a screen: padded, and scrolling on a small
// screen with the keyboard up.
func (f *pinForm) content() fyne.CanvasObject {
	return container.NewVScroll(container.NewPadded(f.box))
}

func (f *pinForm) onOK() {
	if f.ok.Disabled() {
		return
	}
	pin := f.entry.Text
	f.entry.SetText("")
	f.onEnter(pin)
}

// say shows m as the problem, or hides it.
func (f *pinForm) say(m session.Message) {
	if m.None() {
		f.problem.Hide()
		return
	}
	f.problem.SetText(f.p.T(m.Key, m.Args...))
	f.problem.Show()
}

// note shows the messages ms as the notes, or hides them.
func (f *pinForm) note(ms []session.Message) {
	if len(ms) == 0 {
		f.notes.Hide()
		return
	}
	text := ""
	for i, m := range ms {
		if i > 0 {
			text += " "
		}
		text += f.p.T(m.Key, m.Args...)
	}
	f.notes.SetText(text)
	f.notes.Show()
}

// enable lets the officer submit a PIN, or not.
func (f *pinForm) enable(on bool) {
	if on {
		f.ok.Enable()
		f.entry.Enable()
	} else {
		f.ok.Disable()
		f.entry.Disable()
	}
}

// LockScreen asks for the officer's PIN before anything of Waymark shows:
// at start, after the idle time, back from the background, and (titled
// just "PIN", with no warning) on the hand-over screen's neutral view. It
// shows nothing about any record: only the lockout, and before the last
// tries how many records a wipe would lose.
type LockScreen struct {
	model   *session.LockModel
	form    *pinForm
	forgot  *widget.Button // nil on the hand-over screen
	neutral bool
	busy    bool // a PIN is being checked; UI goroutine only
	stop    func()
	onDone  func()
}

// lockOptions shape a LockScreen.
type lockOptions struct {
	title    string
	intro    string
	neutral  bool   // the hand-over's neutral view: no warning shown
	onDone   func() // after the right PIN
	onCancel func() // nil: no way back
	onForgot func() // nil: no forgotten-PIN button
}

func newLockScreen(p *i18n.Printer, model *session.LockModel, o lockOptions) *LockScreen {
	l := &LockScreen{model: model, neutral: o.neutral, onDone: o.onDone}
	l.form = newPINForm(p, o.title, o.intro, p.T("lock.unlock"), l.onEnter, o.onCancel)
	if o.onForgot != nil {
		l.forgot = widget.NewButton(p.T("lock.forgot"), o.onForgot)
		l.forgot.Importance = widget.LowImportance
		l.form.extra.Add(l.forgot)
	}
	l.render()
	l.stop = everySecond(l.tick)
	return l
}

// Content is the screen.
func (l *LockScreen) Content() fyne.CanvasObject { return l.form.content() }

// Close stops the countdown.
func (l *LockScreen) Close() { l.stop() }

func (l *LockScreen) tick() {
	if l.busy {
		return
	}
	l.model.Refresh()
	l.render()
}

func (l *LockScreen) render() {
	m := l.model
	if d := m.Delay(); !d.None() {
		l.form.say(d)
	} else {
		l.form.say(m.Problem)
	}
	if l.neutral {
		l.form.note(nil)
	} else {
		l.form.note(m.Warning())
	}
	l.form.enable(!l.busy && m.CanTry())
	relayout(l.form.box)
}

func (l *LockScreen) onEnter(pin string) {
	if l.busy {
		return
	}
	l.busy = true
	l.form.enable(false)
	ok := false
	goBackground(func() {
		ok = l.model.Submit(context.Background(), pin)
	}, func() {
		l.busy = false
		l.render()
		if ok && l.onDone != nil {
			l.onDone()
		}
	})
}
