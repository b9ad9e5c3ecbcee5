package app

import (
	"context"
	"strings"
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

// say is a model's message in p's language; "" for none.
func say(p *i18n.Printer, m session.Message) string {
	if m.None() {
		return ""
	}
	return p.T(m.Key, m.Args...)
}

// pinForm asks for the officer's PIN or passphrase: a title, a sentence
// that says what it is for, one hidden entry, the button that submits it
// (and a way back, where there is one), then why the last PIN was
// refused and notes (the warning before the last tries). The lock
// screen, the hand-over screen's exit and the set-PIN and Change PIN
// screens use it. It renders a model and forwards what is typed.
//
// Nothing moves under the thumb: the title keeps two lines whatever it
// says, the sentence does not change on a screen, and what a refusal
// says appears under the buttons, never above them.
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
	onEnter func(pin string)
	busy    bool // a PIN is being checked (submit); UI goroutine only
}

func newPINForm(p *i18n.Printer, intro, okText string, onEnter func(string), onCancel func()) *pinForm {
	f := &pinForm{p: p, onEnter: onEnter}
	f.title = heading("")
	f.title.Alignment = fyne.TextAlignCenter
	f.intro = wrapped(intro)
	f.entry = widget.NewPasswordEntry()
	f.entry.SetPlaceHolder(p.T("lock.hint"))
	f.entry.OnSubmitted = func(string) { f.onOK() }
	var ok fyne.CanvasObject
	f.ok, ok = newButton(okText, theme.ConfirmIcon(), widget.HighImportance, f.onOK)
	f.problem = wrapped("")
	f.problem.Importance = widget.DangerImportance
	f.notes = wrapped("")
	f.notes.Importance = widget.WarningImportance
	f.box = container.New(column{}, lines(f.title, 2))
	if intro != "" {
		f.box.Add(f.intro)
	}
	f.box.Add(tall(f.entry))
	f.box.Add(ok)
	if onCancel != nil {
		var cancel fyne.CanvasObject
		f.cancel, cancel = newButton(p.T("handover.pin.cancel"), theme.NavigateBackIcon(), widget.MediumImportance, onCancel)
		f.box.Add(cancel)
	}
	f.box.Add(lines(f.problem, 2))
	f.box.Add(f.notes)
	return f
}

// content is the form as a screen: padded, scrolling on a small screen
// with the keyboard up; bottom, if set, stays at the foot of the screen.
func (f *pinForm) content(bottom fyne.CanvasObject) fyne.CanvasObject {
	scroll := container.NewVScroll(container.NewPadded(f.box))
	if bottom == nil {
		return scroll
	}
	return container.NewBorder(nil, container.NewPadded(bottom), nil, nil, scroll)
}

func (f *pinForm) onOK() {
	if f.ok.Disabled() {
		return
	}
	pin := f.entry.Text
	f.entry.SetText("")
	f.onEnter(pin)
}

// submit runs work off the UI goroutine (checking or setting a PIN
// derives a key), the form taking no other PIN meanwhile; then it renders
// the screen again and hands work's result to then, if set.
func (f *pinForm) submit(work func() bool, render func(), then func(ok bool)) {
	if f.busy {
		return
	}
	f.busy = true
	render()
	ok := false
	goBackground(func() { ok = work() }, func() {
		f.busy = false
		render()
		if then != nil {
			then(ok)
		}
	})
}

// show renders what a model says: the title, why the last PIN was
// refused, the notes, and whether a PIN may be typed now (never while one
// is being checked).
func (f *pinForm) show(title session.Message, problem session.Message, notes []session.Message, enabled bool) {
	f.title.SetText(say(f.p, title))
	f.problem.SetText(say(f.p, problem))
	var ns []string
	for _, m := range notes {
		ns = append(ns, say(f.p, m))
	}
	f.notes.SetText(strings.Join(ns, " "))
	f.notes.Hidden = len(ns) == 0
	if enabled && !f.busy {
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
// tries how many records a wipe would lose (session.LockModel).
type LockScreen struct {
	model   *session.LockModel
	form    *pinForm
	title   session.Message
	forgot  *widget.Button // nil on the hand-over screen
	bottom  fyne.CanvasObject
	neutral bool
	stop    func()
	onDone  func()
}

// lockOptions shape a LockScreen.
type lockOptions struct {
	title    string // a message key
	intro    string // a message key; "" for none
	neutral  bool   // the hand-over's neutral view: no warning shown
	onDone   func() // after the right PIN
	onCancel func() // nil: no way back
	onForgot func() // nil: no forgotten-PIN button
}

func newLockScreen(p *i18n.Printer, model *session.LockModel, o lockOptions) *LockScreen {
	l := &LockScreen{model: model, neutral: o.neutral, onDone: o.onDone, title: session.Message{Key: o.title}}
	intro := ""
	if o.intro != "" {
		intro = p.T(o.intro)
	}
	l.form = newPINForm(p, intro, p.T("lock.unlock"), l.onEnter, o.onCancel)
	if o.onForgot != nil {
		l.forgot, l.bottom = newButton(p.T("lock.forgot"), theme.HelpIcon(), widget.LowImportance, o.onForgot)
	}
	l.render()
	l.stop = everySecond(l.tick)
	return l
}

// Content is the screen.
func (l *LockScreen) Content() fyne.CanvasObject { return l.form.content(l.bottom) }

// Close stops the countdown.
func (l *LockScreen) Close() { l.stop() }

func (l *LockScreen) tick() {
	if l.form.busy {
		return
	}
	l.model.Refresh()
	l.render()
}

func (l *LockScreen) render() {
	m := l.model
	problem := m.Problem
	if d := m.Delay(); !d.None() {
		problem = d
	}
	var notes []session.Message
	if !l.neutral {
		notes = m.Warning()
	}
	l.form.show(l.title, problem, notes, m.CanTry())
}

func (l *LockScreen) onEnter(pin string) {
	l.form.submit(func() bool { return l.model.Submit(context.Background(), pin) }, l.render, func(ok bool) {
		if ok && l.onDone != nil {
			l.onDone()
		}
	})
}
