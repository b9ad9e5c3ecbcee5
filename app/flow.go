package app

import (
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/encounter"
)

// flowScreen shows the encounter flow (model.Flow) one step at a time:
// the step numbers to jump with, the assessment banner, the step, and
// the buttons to move on, which never scroll away. The banner, the notice
// line and the footer keep their height whatever they say, and nothing is
// ever inserted above what the officer taps: the page does not move under
// the thumb.
type flowScreen struct {
	u *UI
	m *model.Flow

	box      *fyne.Container
	stepBar  *fyne.Container
	stepBtns map[model.Step]*widget.Button
	bannerBg *canvas.Rectangle
	level    *widget.Label
	note     *widget.Label
	line     *widget.Label
	scroll   *container.Scroll
	prev     *widget.Button
	next     *widget.Button
	footer   *fyne.Container
	discard  *widget.Button

	// updates refresh the parts of the step on screen that show what
	// other events change (a person's level, a sign ticked in two groups).
	updates []func()
	// the widgets of the step on screen, for tests
	steps *stepWidgets
}

// openFlow starts or continues the flow for draft r; stored says whether
// r is already on the device.
func (u *UI) openFlow(r encounter.Record, stored bool) *flowScreen {
	m := model.NewFlow(model.FlowDeps{
		Pack: u.packFor(r.Content), Printer: u.p, Saver: u.saver,
		Officer: u.officer, Now: u.deps.Now,
		Finalised: func(encounter.Record) { u.deps.Sync.Notify() },
	}, r, stored)
	fs := &flowScreen{u: u, m: m}
	m.OnUpdate = fs.update
	fs.build()
	u.flow = fs
	var discard fyne.CanvasObject
	fs.discard, discard = newButton("", theme.DeleteIcon(), widget.LowImportance, fs.onDiscard)
	u.push(screen{title: m.StepTitle(), content: fs.box, action: discard, onLeave: fs.onLeave})
	fs.showStep()
	return fs
}

func (fs *flowScreen) build() {
	fs.stepBar = container.NewHBox()
	fs.bannerBg = canvas.NewRectangle(color.Transparent)
	fs.level = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	fs.level.Truncation = fyne.TextTruncateEllipsis
	fs.note = widget.NewLabel("")
	fs.note.Truncation = fyne.TextTruncateEllipsis
	fs.note.SizeName = theme.SizeNameCaptionText
	fs.line = widget.NewLabel("")
	banner := container.NewStack(fs.bannerBg, container.NewThemeOverride(
		container.NewVBox(container.NewBorder(nil, nil, nil, fs.note, fs.level), lines(fs.line, 2)),
		onColour{fyne.CurrentApp().Settings().Theme()}))
	fs.scroll = container.NewVScroll(container.NewVBox())
	var prev, next fyne.CanvasObject
	fs.prev, prev = newButton("", theme.NavigateBackIcon(), widget.MediumImportance, fs.onPrev)
	fs.next, next = newButton("", theme.NavigateNextIcon(), widget.HighImportance, fs.onNext)
	fs.next.IconPlacement = widget.ButtonIconTrailingText
	// The way back is an arrow of a fixed width, the way on takes the
	// rest: whatever the steps are called, neither moves from one step
	// to the next, and a long step name in Welsh still fits a phone.
	fs.footer = container.NewBorder(nil, nil, prev, nil, next)
	fs.box = container.NewBorder(
		container.NewVBox(fs.stepBar, banner),
		fs.footer,
		nil, nil, fs.scroll)
}

// onColour is the app's theme with white text, for words on a coloured
// background.
type onColour struct{ fyne.Theme }

func (t onColour) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if n == theme.ColorNameForeground {
		return color.White
	}
	return t.Theme.Color(n, v)
}

// showStep lays out the step the model is at, from the top.
func (fs *flowScreen) showStep() {
	fs.updates = nil
	fs.steps = &stepWidgets{}
	body := fs.stepBody(fs.m.Step())
	fs.scroll.Content = container.NewPadded(body)
	fs.scroll.Offset = fyne.NewPos(0, 0)
	fs.scroll.Refresh()
	fs.update()
}

// update shows what the model says now, in place: the banner, the step
// numbers, the notice and the buttons, and the parts of the step that
// other events change.
func (fs *flowScreen) update() {
	m := fs.m
	if top := fs.u.stack[len(fs.u.stack)-1]; top.content == fs.box {
		// Not over a screen the flow opened (the identifier check, the
		// form answers) when a save finishes under it.
		fs.u.setTitle(m.StepTitle())
	}
	b := m.Banner()
	fs.bannerBg.FillColor = ragColor(b.Level)
	fs.bannerBg.Refresh()
	fs.level.SetText(b.Title)
	fs.note.SetText(b.Note)
	fs.line.SetText(b.Line)
	fs.updateSteps()
	fs.u.status.setNotice(m.Notice())
	if _, ok := m.Prev(); ok {
		fs.prev.Enable()
	} else {
		fs.prev.Disable()
	}
	fs.next.SetText(m.NextLabel())
	if _, ok := m.Next(); ok {
		fs.next.SetIcon(theme.NavigateNextIcon())
	} else {
		fs.next.SetIcon(theme.ConfirmIcon())
	}
	for _, f := range fs.updates {
		f()
	}
}

// updateSteps shows a number for each step, the current one marked.
// Steps are only ever added at the end, so a number never moves.
func (fs *flowScreen) updateSteps() {
	steps := fs.m.Steps()
	if len(fs.stepBar.Objects) != len(steps) {
		fs.stepBar.Objects = nil
		fs.stepBtns = map[model.Step]*widget.Button{}
		for i, s := range steps {
			b, o := newButton(fmt.Sprint(i+1), nil, widget.LowImportance, func() { fs.goTo(s) })
			fs.stepBtns[s] = b
			fs.stepBar.Add(o)
		}
		fs.stepBar.Refresh()
	}
	for s, b := range fs.stepBtns {
		imp := widget.LowImportance
		if s == fs.m.Step() {
			imp = widget.HighImportance
		}
		if b.Importance != imp {
			b.Importance = imp
			b.Refresh()
		}
	}
}

func (fs *flowScreen) goTo(s model.Step) {
	if s == fs.m.Step() {
		return
	}
	fs.m.GoTo(s)
	fs.showStep()
}

func (fs *flowScreen) onPrev() {
	if s, ok := fs.m.Prev(); ok {
		fs.goTo(s)
	}
}

// onNext moves on; on the last step it finalises: first the check of
// identifying details, if that is all that stands in the way, then the
// confirmation of what finalising locks.
func (fs *flowScreen) onNext() {
	if s, ok := fs.m.Next(); ok {
		fs.goTo(s)
		return
	}
	if fs.m.Plan().Identifiers {
		fs.openIdentifiers()
		return
	}
	fs.confirmFinalise()
}

// reveal scrolls the step so that o, one of its widgets, is in view. A
// step just shown is laid out first: the driver would do it only at the
// next frame, and until then o has no place to scroll to (nor does the
// driver know where it is, so its place is found here).
func (fs *flowScreen) reveal(o fyne.CanvasObject) {
	c := fs.scroll.Content
	c.Resize(fyne.NewSize(fs.scroll.Size().Width, c.MinSize().Height))
	if at, ok := placeIn(c, o); ok {
		fs.scroll.ScrollToOffset(fyne.NewPos(0, max(0, at.Y-4*theme.Padding())))
	}
}

// placeIn is where o is within root, through the containers and cards
// that hold it.
func placeIn(root, o fyne.CanvasObject) (fyne.Position, bool) {
	if root == o {
		return fyne.Position{}, true
	}
	var kids []fyne.CanvasObject
	switch v := root.(type) {
	case *fyne.Container:
		kids = v.Objects
	case *widget.Card:
		kids = []fyne.CanvasObject{v.Content}
	}
	for _, k := range kids {
		if k == nil {
			continue
		}
		if at, ok := placeIn(k, o); ok {
			return k.Position().Add(at), true
		}
	}
	return fyne.Position{}, false
}

// onLeave runs when the officer goes back out of the flow.
func (fs *flowScreen) onLeave() {
	fs.u.status.setNotice(model.Notice{})
	fs.m.Leave()
	fs.u.reload()
}

// onDiscard deletes the draft, once the officer confirms.
func (fs *flowScreen) onDiscard() {
	p := fs.u.p
	fs.u.confirm(p.T("discard.title"), p.T("discard.body"), p.T("discard.yes"), p.T("discard.no"), func() {
		fs.m.Discard(func(err error) {
			if err != nil {
				fs.u.message(p.T("form.save_failed"))
				return
			}
			fs.u.popToRoot()
			fs.u.list.showNotice(p.T("discard.done"), model.NoticeInfo)
		})
	})
}

// confirmFinalise shows what finalising locks and what is missing, and
// finalises only when the officer says so.
func (fs *flowScreen) confirmFinalise() {
	p := fs.u.p
	pl := fs.m.Plan()
	body := container.NewVBox()
	level := newPill(model.LevelWord(p, fs.m.Result().Level), ragColor(fs.m.Result().Level))
	body.Add(container.NewBorder(nil, nil, container.NewCenter(level), nil, wrapped(pl.LevelText)))
	list := func(title string, items []string, imp widget.Importance) {
		if len(items) == 0 {
			return
		}
		body.Add(heading(title))
		for _, it := range items {
			l := wrapped("• " + it)
			l.Importance = imp
			body.Add(l)
		}
	}
	list(p.T("finalise.fix"), pl.Blocking, widget.DangerImportance)
	list(p.T("finalise.missing"), pl.Missing, widget.WarningImportance)
	list(p.T("finalise.locks"), pl.Locks, widget.MediumImportance)
	content := container.NewVScroll(body)
	content.SetMinSize(fyne.NewSize(280, 320))
	if !pl.Ready {
		fs.steps.dialog = fs.u.ask(p.T("finalise.cannot"), content, choice{label: p.T("finalise.back"), imp: widget.HighImportance})
		return
	}
	fs.steps.dialog = fs.u.ask(p.T("finalise.title"), content,
		choice{label: p.T("finalise.no"), imp: widget.MediumImportance},
		choice{label: p.T("finalise.yes"), imp: widget.HighImportance, run: fs.finalise})
}

func (fs *flowScreen) finalise() {
	p := fs.u.p
	fs.next.Disable()
	fs.m.Finalise(func(problem string) {
		fs.next.Enable()
		if problem != "" {
			fs.u.message(problem)
			return
		}
		fs.u.popToRoot()
		fs.u.list.showNotice(p.T("form.saved"), model.NoticeSuccess)
	})
}

// stepWidgets are the widgets of the step on screen that tests drive.
type stepWidgets struct {
	entries   map[string]*widget.Entry // by field
	choices   map[string]*choiceButton // the business types
	questions []questionWidgets
	actions   []*toggleRow
	routes    []map[string]*choiceButton
	screening *Interpreter
	dialog    dialog.Dialog
	// identifiers is the check of identifying details, once opened.
	identifiers *identifierScreen
	// hints are the lines under free-text fields that say what looks
	// identifying, by field.
	hints map[string]*widget.Label
}
