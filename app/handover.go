package app

import (
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/screening"
	"github.com/waymark-app/waymark/session"
)

// HandOver is the screen a possible victim uses alone, on the officer's
// device: full screen, in their language, one question at a time, with
// large buttons and "I prefer not to say" always there.
//
// While it is up, nothing else in the app can be reached: it replaces the
// window's content, swallows keys (Escape, Android's back button), ignores
// the window's close button and goes full screen. Only the officer's PIN
// ends it: the one PIN that unlocks the app, checked by the vault and
// counted by its lockout (package session), so wrong PINs here count
// towards the wipe like those on the lock screen.
//
// A hide button, always on screen, blanks the screen at once to a plain,
// empty view, for when someone walks in. Tapping that view asks for a PIN
// (titled just "PIN", with no warning); the right one brings the question
// back.
type HandOver struct {
	win       fyne.Window
	deps      ScreeningDeps
	p         *i18n.Printer
	lang      *screening.Language
	questions []screening.Question
	pos       int // -1: the introduction; len(questions): the end
	answers   map[string]screening.Answer
	onDone    func()
	errorMsg  bool // the last answer could not be recorded

	root   *fyne.Container // the window's content while handed over
	hidden bool
	prev   struct {
		content fyne.CanvasObject
		onKey   func(*fyne.KeyEvent)
		full    bool
	}

	// The widgets on screen, for tests.
	choices            map[string]*widget.Button
	text               *widget.Entry
	save, next, back   *widget.Button
	hideBtn, unlockBtn *widget.Button
	neutral            *tapArea
	pin                *LockScreen // the PIN asked for, while it is
}

// NewHandOver prepares the hand-over screen for win; Start shows it.
func NewHandOver(win fyne.Window, deps ScreeningDeps) *HandOver {
	h := &HandOver{win: win, deps: deps, p: deps.Officer, pos: -1, answers: map[string]screening.Answer{}}
	h.lang = deps.personLanguage()
	h.questions = deps.Set.Questions
	h.root = container.NewStack()
	h.neutral = newTapArea(h.onNeutralTapped)
	return h
}

// Start hands the device over: it takes over the window until the officer
// unlocks it, then gives the window back as it was and calls onDone.
func (h *HandOver) Start(onDone func()) {
	h.onDone = onDone
	c := h.win.Canvas()
	h.prev.content, h.prev.onKey, h.prev.full = h.win.Content(), c.OnTypedKey(), h.win.FullScreen()
	h.win.SetCloseIntercept(func() {})
	c.SetOnTypedKey(func(*fyne.KeyEvent) {})
	h.win.SetFullScreen(true)
	h.win.SetContent(h.root)
	h.showPage()
}

// end gives the window back.
func (h *HandOver) end() {
	h.closePIN()
	h.win.SetContent(h.prev.content)
	h.win.Canvas().SetOnTypedKey(h.prev.onKey)
	h.win.SetCloseIntercept(nil)
	h.win.SetFullScreen(h.prev.full)
	if h.onDone != nil {
		h.onDone()
	}
}

// Hide blanks the screen to the neutral view at once.
func (h *HandOver) Hide() {
	h.closePIN()
	h.hidden = true
	h.setScreen(h.neutral, false)
}

// setScreen shows o as the whole window; large scales it up for reading.
func (h *HandOver) setScreen(o fyne.CanvasObject, large bool) {
	if large {
		o = container.NewThemeOverride(o, largeTheme{Theme: fyne.CurrentApp().Settings().Theme(), scale: 1.35})
	}
	h.root.Objects = []fyne.CanvasObject{o}
	h.root.Refresh()
}

// personLabel is text in the person's language.
func (h *HandOver) personLabel(s string) *BidiLabel {
	return NewBidiLabel(s, h.lang.Dir)
}

// bigButton is a full-width button whose label, in the person's language,
// is laid out by BidiLabel so mixed text reads right.
func (h *HandOver) bigButton(label string, imp widget.Importance, tapped func()) (*widget.Button, fyne.CanvasObject) {
	b := widget.NewButton("", tapped)
	b.Importance = imp
	l := h.personLabel(label)
	l.Alignment = fyne.TextAlignCenter
	if imp == widget.HighImportance {
		l.ColorName = theme.ColorNameForegroundOnPrimary
	}
	return b, container.NewStack(b, container.NewPadded(l))
}

// showPage shows the introduction, the question at pos, or the end.
func (h *HandOver) showPage() {
	h.closePIN()
	h.hidden = false
	h.choices = map[string]*widget.Button{}
	h.text, h.save, h.next = nil, nil, nil
	body := container.NewVBox()
	n := len(h.questions)

	var progress string
	switch {
	case h.pos < 0:
		body.Add(h.personLabel(h.lang.Get(screening.UIStart).Text))
		b, o := h.bigButton(h.lang.Get(screening.UIStartNow).Text, widget.HighImportance, h.onNext)
		h.next = b
		body.Add(o)
	case h.pos >= n:
		done := h.personLabel(h.lang.Get(screening.UIDone).Text)
		done.TextStyle.Bold = true
		body.Add(done)
	default:
		q := h.questions[h.pos]
		progress = h.lang.Format(screening.UIProgress,
			"{n}", i18n.Number(h.lang.Tag, h.pos+1), "{total}", i18n.Number(h.lang.Tag, n)).Text
		text := h.lang.Get(q.TextKey())
		ql := h.personLabel(text.Text)
		ql.TextStyle.Bold = true
		ql.SizeName = theme.SizeNameSubHeadingText
		body.Add(ql)
		if text.IsDraft() && h.lang.Tag != h.deps.Set.Source {
			d := h.personLabel(h.lang.Get(screening.UIDraft).Text)
			d.SizeName = theme.SizeNameCaptionText
			d.ColorName = theme.ColorNameWarning
			body.Add(d)
		}
		h.addAnswers(body, q)
	}
	if h.errorMsg {
		e := h.personLabel(h.lang.Get(screening.UIError).Text)
		e.ColorName = theme.ColorNameError
		body.Add(e)
	}

	h.hideBtn = widget.NewButtonWithIcon(h.lang.Get(screening.UIHide).Text, theme.VisibilityOffIcon(), h.Hide)
	h.hideBtn.Importance = widget.WarningImportance
	h.unlockBtn = widget.NewButtonWithIcon("", theme.LogoutIcon(), h.onUnlockTapped)
	h.unlockBtn.Importance = widget.LowImportance
	progressLabel := h.personLabel(progress)
	var top fyne.CanvasObject
	if h.lang.Dir == i18n.RightToLeft {
		top = container.NewBorder(nil, nil, container.NewHBox(h.unlockBtn, h.hideBtn), nil, progressLabel)
	} else {
		top = container.NewBorder(nil, nil, nil, container.NewHBox(h.hideBtn, h.unlockBtn), progressLabel)
	}
	var bottom fyne.CanvasObject
	if h.pos >= 0 {
		h.back = widget.NewButton(h.lang.Get(screening.UIBack).Text, h.onBack)
		var forward fyne.CanvasObject = layout.NewSpacer()
		if h.pos < n && h.next == nil && h.answered(h.questions[h.pos]) {
			// Back at an answered question: move on without answering
			// again.
			h.next = widget.NewButton(h.lang.Get(screening.UINext).Text, h.onNext)
			forward = h.next
		}
		bar := container.NewGridWithColumns(2, h.back, forward)
		if h.lang.Dir == i18n.RightToLeft {
			bar.Objects[0], bar.Objects[1] = forward, h.back
		}
		bottom = container.NewVBox(widget.NewSeparator(), bar)
	}
	page := container.NewBorder(container.NewVBox(top, widget.NewSeparator()), bottom, nil, nil,
		container.NewVScroll(container.NewPadded(body)))
	h.setScreen(page, true)
}

func (h *HandOver) answered(q screening.Question) bool {
	_, ok := h.answers[q.ID]
	return ok
}

// addAnswers adds the answer buttons or box for q.
func (h *HandOver) addAnswers(body *fyne.Container, q screening.Question) {
	prev, answered := h.answers[q.ID]
	switch q.Kind {
	case screening.Info:
		b, o := h.bigButton(h.lang.Get(screening.UINext).Text, widget.HighImportance, h.onNext)
		h.next = b
		body.Add(o)
		return
	case screening.Text:
		h.text = widget.NewMultiLineEntry()
		h.text.Wrapping = fyne.TextWrapWord
		h.text.SetMinRowsVisible(4)
		h.text.SetPlaceHolder(h.lang.Get(screening.UITypeHere).Text)
		if answered {
			h.text.SetText(prev.Text)
		}
		body.Add(h.text)
		b, o := h.bigButton(h.lang.Get(screening.UISave).Text, widget.HighImportance, h.onSaveText)
		h.save = b
		body.Add(o)
	}
	for _, c := range q.Choices() {
		imp := widget.MediumImportance
		if answered && prev.Choice == c {
			imp = widget.HighImportance
		}
		b, o := h.bigButton(h.lang.Get(q.ChoiceKey(c)).Text, imp, func() { h.onChoice(c) })
		h.choices[c] = b
		body.Add(o)
	}
}

func (h *HandOver) onNext() {
	h.errorMsg = false
	h.pos++
	h.showPage()
}

func (h *HandOver) onBack() {
	h.errorMsg = false
	if h.pos >= 0 {
		h.pos--
	}
	h.showPage()
}

func (h *HandOver) onChoice(c string) {
	h.record(screening.Answer{Question: h.questions[h.pos].ID, Choice: c})
}

func (h *HandOver) onSaveText() {
	t := strings.TrimSpace(h.text.Text)
	if t == "" {
		return
	}
	h.record(screening.Answer{Question: h.questions[h.pos].ID, Text: t})
}

// record keeps a and moves on, or says on screen that it could not.
func (h *HandOver) record(a screening.Answer) {
	a.Language = h.lang.Tag
	a.Mode = screening.HandOverMode
	a.At = h.deps.now()
	a.SetVersion = h.deps.Set.Version
	if err := h.deps.Record(a); err != nil {
		h.errorMsg = true
		h.showPage()
		return
	}
	h.answers[a.Question] = a
	h.onNext()
}

// Unlocking.

func (h *HandOver) onUnlockTapped() {
	h.showPIN(h.p.T("handover.pin.enter"), false, h.end, h.showPage)
}

func (h *HandOver) onNeutralTapped() {
	h.showPIN(h.p.T("handover.pin.neutral"), true, h.showPage, h.Hide)
}

// showPIN asks for the officer's PIN, titled title; neutral leaves out
// the warning before the last tries. The right PIN runs done; Cancel,
// cancel.
func (h *HandOver) showPIN(title string, neutral bool, done, cancel func()) {
	h.closePIN()
	s := h.deps.Session
	h.pin = newLockScreen(h.p, session.NewLockModel(s, s.CheckPIN), lockOptions{
		title: title, neutral: neutral, onDone: done, onCancel: cancel,
	})
	h.setScreen(h.pin.Content(), false)
	h.win.Canvas().Focus(h.pin.form.entry)
}

// closePIN stops the PIN screen's countdown, if one is up.
func (h *HandOver) closePIN() {
	if h.pin != nil {
		h.pin.Close()
		h.pin = nil
	}
}

// tapArea is the neutral view: the theme's background, nothing else, and
// a tap anywhere.
type tapArea struct {
	widget.BaseWidget
	onTapped func()
}

func newTapArea(onTapped func()) *tapArea {
	t := &tapArea{onTapped: onTapped}
	t.ExtendBaseWidget(t)
	return t
}

// Tapped is part of fyne.Tappable.
func (t *tapArea) Tapped(*fyne.PointEvent) { t.onTapped() }

// CreateRenderer is part of fyne.Widget.
func (t *tapArea) CreateRenderer() fyne.WidgetRenderer {
	bg := canvas.NewRectangle(color.Transparent)
	return widget.NewSimpleRenderer(bg)
}
