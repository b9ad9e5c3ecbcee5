package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/screening"
	"github.com/waymark-app/waymark/session"
)

// HandOver is the screen a possible victim uses alone, on the officer's
// device: full screen, in their language, one question at a time, with
// large buttons and "I prefer not to say" always there. Its rules are
// model.Session (the questions) and session.LockModel (the PIN); this
// renders them.
//
// While it is up, nothing else in the app can be reached: it replaces the
// window's content, swallows keys (Escape, Android's back button), ignores
// the window's close button and goes full screen. Only the officer's PIN
// ends it, and then the window is given back as it was, at its size. That
// PIN is the one that unlocks the app, checked by the vault and counted
// by its lockout (package session): wrong PINs here count towards the
// wipe as on the lock screen. There is no hand-over PIN of its own.
//
// A hide button, always on screen, blanks the screen at once to a plain,
// empty view, for when someone walks in. Tapping that view asks for the
// PIN (titled just "PIN", with no warning); the right one brings the
// question back.
type HandOver struct {
	win     fyne.Window
	deps    ScreeningDeps
	p       *i18n.Printer
	lang    *screening.Language
	officer *screening.Language // where a missing string falls back to
	session *model.Session
	onDone  func()

	root *fyne.Container // the window's content while handed over
	prev struct {
		content fyne.CanvasObject
		onKey   func(*fyne.KeyEvent)
		full    bool
		size    fyne.Size
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
	h := &HandOver{win: win, deps: deps, p: deps.Officer}
	h.lang = deps.personLanguage()
	h.session = model.NewSession(deps.Set, h.lang.Tag, deps.Previous, deps.Record, deps.Now)
	h.officer = deps.officerLanguage()
	h.root = container.NewStack()
	h.neutral = newTapArea(h.onNeutralTapped)
	return h
}

// Start hands the device over: it takes over the window until the officer
// unlocks it, then gives the window back as it was and calls onDone.
func (h *HandOver) Start(onDone func()) {
	h.onDone = onDone
	c := h.win.Canvas()
	h.prev.content, h.prev.onKey, h.prev.full, h.prev.size = h.win.Content(), c.OnTypedKey(), h.win.FullScreen(), c.Size()
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
	if !h.prev.full {
		h.win.Resize(h.prev.size) // some window managers keep the full-screen size
	}
	if h.onDone != nil {
		h.onDone()
	}
}

// Hide blanks the screen to the neutral view at once.
func (h *HandOver) Hide() {
	h.closePIN()
	h.session.Hide()
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

// str is the string for key in the person's language or, if it has no
// translation, in the officer's (then the source), marked as such.
func (h *HandOver) str(key string) screening.String {
	return h.lang.Lookup(key, h.officer)
}

// personLabel is a string in the person's language, laid out in the
// direction and font of the language it is really in: a string that fell
// back to English is left to right even on a right-to-left page.
func (h *HandOver) personLabel(s screening.String) *BidiLabel {
	return NewLangLabel(s.Text, s.Tag, s.Dir)
}

// marked is l, with a "not translated" mark under it when s fell back to
// another language.
func (h *HandOver) marked(s screening.String, l *BidiLabel) fyne.CanvasObject {
	if !s.Fallback {
		return l
	}
	m := h.personLabel(h.str(screening.UINotTranslated))
	m.SizeName = theme.SizeNameCaptionText
	m.ColorName = theme.ColorNameWarning
	m.Alignment = l.Alignment
	return container.NewVBox(l, m)
}

// bigButton is a full-width button whose label, in the person's language,
// is laid out by BidiLabel so mixed text reads right.
func (h *HandOver) bigButton(s screening.String, imp widget.Importance, tapped func()) (*widget.Button, fyne.CanvasObject) {
	b, o, _ := h.iconButton(s, nil, imp, tapped)
	return b, o
}

// iconButton is a button with an icon and a label in the person's
// language, drawn by BidiLabel in the language's font: Fyne's own button
// text would take the theme's font (Naskh for Urdu) and order mixed text
// wrongly. The icon goes at the start of the reading direction.
func (h *HandOver) iconButton(s screening.String, icon fyne.Resource, imp widget.Importance, tapped func()) (*widget.Button, fyne.CanvasObject, *BidiLabel) {
	b := widget.NewButton("", tapped)
	b.Importance = imp
	l := h.personLabel(s)
	l.Alignment = fyne.TextAlignCenter
	switch imp {
	case widget.HighImportance:
		l.ColorName = theme.ColorNameForegroundOnPrimary
	case widget.WarningImportance:
		l.ColorName = theme.ColorNameForegroundOnWarning
	}
	var face fyne.CanvasObject = h.marked(s, l)
	if icon != nil {
		l.Alignment = fyne.TextAlignLeading
		ic := widget.NewIcon(icon)
		if h.lang.Dir == i18n.RightToLeft {
			face = container.NewBorder(nil, nil, nil, ic, face)
		} else {
			face = container.NewBorder(nil, nil, ic, nil, face)
		}
	}
	return b, container.NewStack(b, container.NewPadded(face)), l
}

// showPage shows the introduction, the question at pos, or the end.
func (h *HandOver) showPage() {
	h.closePIN()
	h.session.Reveal()
	h.choices = map[string]*widget.Button{}
	h.text, h.save, h.next = nil, nil, nil
	body := container.NewVBox()
	pos, n := h.session.Position()

	var progress screening.String
	switch h.session.Page() {
	case model.PageIntro:
		start := h.str(screening.UIStart)
		body.Add(h.marked(start, h.personLabel(start)))
		b, o := h.bigButton(h.str(screening.UIStartNow), widget.HighImportance, h.onNext)
		h.next = b
		body.Add(o)
	case model.PageEnd:
		doneStr := h.str(screening.UIDone)
		done := h.personLabel(doneStr)
		done.TextStyle.Bold = true
		body.Add(h.marked(doneStr, done))
	default:
		q := h.session.Question()
		progress = h.lang.Format(screening.UIProgress,
			[]string{"{n}", i18n.Number(h.lang.Tag, pos), "{total}", i18n.Number(h.lang.Tag, n)}, h.officer)
		text := h.str(q.TextKey())
		ql := h.personLabel(text)
		ql.TextStyle.Bold = true
		ql.SizeName = theme.SizeNameSubHeadingText
		body.Add(h.marked(text, ql))
		if text.IsDraft() && !text.Fallback && h.lang.Tag != h.deps.Set.Source {
			d := h.personLabel(h.str(screening.UIDraft))
			d.SizeName = theme.SizeNameCaptionText
			d.ColorName = theme.ColorNameWarning
			body.Add(d)
		}
		h.addAnswers(body, q)
	}
	if h.session.Failed() {
		e := h.personLabel(h.str(screening.UIError))
		e.ColorName = theme.ColorNameError
		body.Add(e)
	}

	var hide fyne.CanvasObject
	var hideLabel *BidiLabel
	h.hideBtn, hide, hideLabel = h.iconButton(h.str(screening.UIHide), theme.VisibilityOffIcon(), widget.WarningImportance, h.Hide)
	h.unlockBtn = widget.NewButtonWithIcon("", theme.LogoutIcon(), h.onUnlockTapped)
	h.unlockBtn.Importance = widget.LowImportance
	progressLabel := NewLangLabel(progress.Text, progress.Tag, progress.Dir)
	top := container.New(&topBar{rtl: h.lang.Dir == i18n.RightToLeft, progress: progressLabel, hideLabel: hideLabel},
		progressLabel, hide, h.unlockBtn)
	var bottom fyne.CanvasObject
	if h.session.Page() != model.PageIntro {
		var back fyne.CanvasObject
		h.back, back = h.bigButton(h.str(screening.UIBack), widget.MediumImportance, h.onBack)
		var forward fyne.CanvasObject = layout.NewSpacer()
		if h.next == nil && h.session.CanPass() {
			// Back at an answered question: move on without answering
			// again.
			h.next, forward = h.bigButton(h.str(screening.UINext), widget.MediumImportance, h.onNext)
		}
		bar := container.NewGridWithColumns(2, back, forward)
		if h.lang.Dir == i18n.RightToLeft {
			bar.Objects[0], bar.Objects[1] = forward, back
		}
		bottom = container.NewVBox(widget.NewSeparator(), bar)
	}
	page := container.NewBorder(container.NewVBox(top, widget.NewSeparator()), bottom, nil, nil,
		container.NewVScroll(container.NewPadded(body)))
	h.setScreen(page, true)
}

// addAnswers adds the answer buttons or box for q.
func (h *HandOver) addAnswers(body *fyne.Container, q screening.Question) {
	prev, answered := h.session.Answer(q.ID)
	switch q.Kind {
	case screening.Info:
		b, o := h.bigButton(h.str(screening.UINext), widget.HighImportance, h.onNext)
		h.next = b
		body.Add(o)
		return
	case screening.Text:
		h.text = widget.NewMultiLineEntry()
		h.text.Wrapping = fyne.TextWrapWord
		h.text.SetMinRowsVisible(4)
		h.text.SetPlaceHolder(h.str(screening.UITypeHere).Text)
		if answered {
			h.text.SetText(prev.Text)
		}
		body.Add(h.text)
		b, o := h.bigButton(h.str(screening.UISave), widget.HighImportance, h.onSaveText)
		h.save = b
		body.Add(o)
	}
	for _, c := range q.Choices() {
		imp := widget.MediumImportance
		if answered && prev.Choice == c {
			imp = widget.HighImportance
		}
		b, o := h.bigButton(h.str(q.ChoiceKey(c)), imp, func() { h.onChoice(c) })
		h.choices[c] = b
		body.Add(o)
	}
}

func (h *HandOver) onNext() {
	h.session.Next()
	h.showPage()
}

func (h *HandOver) onBack() {
	h.session.Back()
	h.showPage()
}

func (h *HandOver) onChoice(c string) {
	h.session.Choose(c)
	h.showPage()
}

func (h *HandOver) onSaveText() {
	h.session.SaveText(h.text.Text)
	h.showPage()
}

// Unlocking.

func (h *HandOver) onUnlockTapped() {
	h.showPIN("handover.pin.enter", false, h.end, h.showPage)
}

func (h *HandOver) onNeutralTapped() {
	h.showPIN("handover.pin.neutral", true, h.showPage, h.Hide)
}

// showPIN asks for the officer's PIN, titled by the message title;
// neutral leaves out the warning before the last tries, which would tell
// anyone looking what the screen is. The right PIN runs done; the way
// back, cancel.
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

// topBar lays out the hand-over's top row: the progress at the start of
// the reading direction, then the hide button, then the exit button at
// the far end. The hide button is as wide as its label on one line, but
// on a narrow phone the progress keeps up to half the row (the hide label
// then wraps), so a long label in Malayalam or Tamil does not squeeze the
// progress into a column of single letters.
type topBar struct {
	rtl       bool
	progress  *BidiLabel // for its width on one line
	hideLabel *BidiLabel // the hide button's label, likewise
}

func (b *topBar) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	w, h := float32(0), float32(0)
	for _, o := range objs {
		m := o.MinSize()
		w += m.Width + pad
		h = max(h, m.Height)
	}
	return fyne.NewSize(w, h)
}

func (b *topBar) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	pad := theme.Padding()
	progress, hide, exit := objs[0], objs[1], objs[2]
	exitW := exit.MinSize().Width
	oneLine := hide.MinSize().Width - b.hideLabel.MinSize().Width + b.hideLabel.oneLineWidth()
	progressNeeds := min(b.progress.oneLineWidth(), (size.Width-exitW)/2)
	if b.progress.Text == "" {
		progressNeeds = 0
	}
	hideW := max(min(oneLine, size.Width-exitW-2*pad-progressNeeds), 0)
	progressW := max(size.Width-exitW-hideW-2*pad, 0)
	hide.Resize(fyne.NewSize(hideW, hide.MinSize().Height)) // the label wraps to this width first
	h := max(progress.MinSize().Height, hide.MinSize().Height, exit.MinSize().Height)
	x := func(start, width float32) float32 { // from the reading start
		if b.rtl {
			return size.Width - start - width
		}
		return start
	}
	progress.Resize(fyne.NewSize(progressW, progress.MinSize().Height))
	progress.Move(fyne.NewPos(x(0, progressW), (h-progress.MinSize().Height)/2))
	hide.Resize(fyne.NewSize(hideW, h))
	hide.Move(fyne.NewPos(x(progressW+pad, hideW), 0))
	exit.Resize(fyne.NewSize(exitW, h))
	exit.Move(fyne.NewPos(x(size.Width-exitW, exitW), 0))
}
