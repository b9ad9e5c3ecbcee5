package app

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/app/internal/model"
)

// touchTarget is the smallest size of anything the officer taps, in dp,
// as the Android and Apple guidelines ask: a gloved thumb on a moving
// phone hits it.
const touchTarget float32 = 48

// tall makes o at least a touch target high and wide. The control itself
// is resized, so all of the area takes the tap.
func tall(o fyne.CanvasObject) *fyne.Container { return container.New(minTarget{}, o) }

type minTarget struct{}

func (minTarget) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := objs[0].MinSize()
	return fyne.NewSize(max(m.Width, touchTarget), max(m.Height, touchTarget))
}

func (minTarget) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
}

// newButton is a button at least a touch target in size.
func newButton(label string, icon fyne.Resource, imp widget.Importance, tapped func()) (*widget.Button, fyne.CanvasObject) {
	b := widget.NewButtonWithIcon(label, icon, tapped)
	b.Importance = imp
	return b, tall(b)
}

// wrapped is a label that wraps at its width.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// caption is a small wrapped label.
func caption(text string) *widget.Label {
	l := wrapped(text)
	l.SizeName = theme.SizeNameCaptionText
	return l
}

// heading is a bold label that wraps.
func heading(text string) *widget.Label {
	l := wrapped(text)
	l.TextStyle.Bold = true
	return l
}

// lines holds a wrapping label at exactly n lines of its text size, the
// last cut short with an ellipsis: text that changes under it never
// moves what is below.
func lines(l *widget.Label, n int) *fyne.Container {
	l.Wrapping = fyne.TextWrapWord
	l.Truncation = fyne.TextTruncateEllipsis
	return container.New(&linesLayout{n: n, label: l}, l)
}

type linesLayout struct {
	n     int
	label *widget.Label
}

func (ll *linesLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	th := ll.label.Theme()
	name := ll.label.SizeName
	if name == "" {
		name = theme.SizeNameText
	}
	row := fyne.MeasureText("Ag", th.Size(name), ll.label.TextStyle).Height
	h := float32(ll.n)*row + float32(ll.n-1)*th.Size(theme.SizeNameLineSpacing) + 2*th.Size(theme.SizeNameInnerPadding)
	return fyne.NewSize(objs[0].MinSize().Width, h)
}

func (ll *linesLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
}

// choiceButton is a button whose label wraps, and which shows whether it
// is the answer chosen: the answers to a question, a referral route, the
// business type. Its text is never cut, so a long Welsh answer still
// fits a phone.
type choiceButton struct {
	widget.BaseWidget
	Text     string
	Selected bool
	// Primary draws it as the screen's main action even when not
	// selected.
	Primary bool
	// Danger draws it as an action that destroys something.
	Danger bool
	// Heading draws it flat, its label at the start after Icon: the
	// heading of a fold.
	Heading bool
	// Off draws it greyed, and it takes no tap: there is nothing left for
	// it to do.
	Off      bool
	Icon     fyne.Resource
	OnTapped func()
}

func newChoiceButton(text string, tapped func()) *choiceButton {
	b := &choiceButton{Text: text, OnTapped: tapped}
	b.ExtendBaseWidget(b)
	return b
}

// SetSelected marks the button chosen or not.
func (b *choiceButton) SetSelected(on bool) {
	if b.Selected != on {
		b.Selected = on
		b.Refresh()
	}
}

// SetDisabled greys the button out, or brings it back.
func (b *choiceButton) SetDisabled(off bool) {
	if b.Off != off {
		b.Off = off
		b.Refresh()
	}
}

// Tapped is part of fyne.Tappable.
func (b *choiceButton) Tapped(*fyne.PointEvent) {
	if b.OnTapped != nil && !b.Off {
		b.OnTapped()
	}
}

// CreateRenderer is part of fyne.Widget.
func (b *choiceButton) CreateRenderer() fyne.WidgetRenderer {
	r := &choiceRenderer{b: b, bg: canvas.NewRectangle(color.Transparent), text: widget.NewRichText(&widget.TextSegment{}), icon: widget.NewIcon(nil)}
	r.text.Wrapping = fyne.TextWrapWord
	r.Refresh()
	return r
}

type choiceRenderer struct {
	b    *choiceButton
	bg   *canvas.Rectangle
	text *widget.RichText
	icon *widget.Icon
}

func (r *choiceRenderer) pad() float32 { return r.b.Theme().Size(theme.SizeNameInnerPadding) }

// iconSide is the room the icon takes at the start, if there is one.
func (r *choiceRenderer) iconSide() float32 {
	if r.b.Icon == nil {
		return 0
	}
	return r.b.Theme().Size(theme.SizeNameInlineIcon) + r.pad()
}

func (r *choiceRenderer) MinSize() fyne.Size {
	m := r.text.MinSize()
	return fyne.NewSize(max(m.Width+r.pad()+r.iconSide(), touchTarget), max(m.Height, touchTarget))
}

func (r *choiceRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	pad := r.pad() / 2
	side := r.iconSide()
	if side > 0 {
		is := r.b.Theme().Size(theme.SizeNameInlineIcon)
		r.icon.Resize(fyne.NewSquareSize(is))
		r.icon.Move(fyne.NewPos(pad, (size.Height-is)/2))
	}
	w := size.Width - 2*pad - side
	r.text.Resize(fyne.NewSize(w, size.Height))
	h := r.text.MinSize().Height
	r.text.Move(fyne.NewPos(pad+side, (size.Height-h)/2))
	r.text.Resize(fyne.NewSize(w, h))
}

func (r *choiceRenderer) Refresh() {
	th, v := r.b.Theme(), fyne.CurrentApp().Settings().ThemeVariant()
	seg := r.text.Segments[0].(*widget.TextSegment)
	seg.Text = r.b.Text
	seg.Style = widget.RichTextStyle{Alignment: fyne.TextAlignCenter}
	r.icon.SetResource(r.b.Icon)
	r.icon.Hidden = r.b.Icon == nil
	switch {
	case r.b.Off:
		r.bg.FillColor = th.Color(theme.ColorNameDisabledButton, v)
		seg.Style.ColorName = theme.ColorNameDisabled
	case r.b.Heading:
		r.bg.FillColor = color.Transparent
		seg.Style.Alignment = fyne.TextAlignLeading
		seg.Style.TextStyle.Bold = true
	case r.b.Selected:
		r.bg.FillColor = th.Color(theme.ColorNamePrimary, v)
		seg.Style.ColorName = theme.ColorNameForegroundOnPrimary
		seg.Style.TextStyle.Bold = true
	case r.b.Danger:
		r.bg.FillColor = th.Color(theme.ColorNameError, v)
		seg.Style.ColorName = theme.ColorNameForegroundOnError
	case r.b.Primary:
		r.bg.FillColor = th.Color(theme.ColorNamePrimary, v)
		seg.Style.ColorName = theme.ColorNameForegroundOnPrimary
	default:
		r.bg.FillColor = th.Color(theme.ColorNameButton, v)
	}
	r.bg.CornerRadius = th.Size(theme.SizeNameInputRadius)
	r.bg.Refresh()
	r.text.Refresh()
	r.Layout(r.b.Size())
}

func (r *choiceRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.icon, r.text}
}
func (r *choiceRenderer) Destroy() {}

// choiceGrid lays out choice buttons in as many equal columns (up to
// three) as their labels fit on one line, else one under the other.
// How many rows that makes depends on the width, which a Fyne layout
// learns only when it lays out: the grid keeps the width it was last
// given (so it is used by pointer, newChoiceGrid) and its MinSize is the
// height of its rows at that width, one column until it knows. The
// driver lays the parent out again when the MinSize changes, so no
// blank space is left under a row of three.
type choiceGrid struct {
	width float32 // the width of the last layout; 0 before the first
}

// newChoiceGrid is a container laying out objs as a choiceGrid.
func newChoiceGrid(objs ...fyne.CanvasObject) *fyne.Container {
	return container.New(&choiceGrid{}, objs...)
}

func (*choiceGrid) columns(objs []fyne.CanvasObject, width float32) int {
	pad := theme.Padding()
	for cols := min(3, len(objs)); cols > 1; cols-- {
		w := (width - float32(cols-1)*pad) / float32(cols)
		fits := true
		for _, o := range objs {
			if b, ok := o.(*choiceButton); ok && oneLine(b) > w {
				fits = false
				break
			}
		}
		if fits {
			return cols
		}
	}
	return 1
}

// oneLine is the width b needs to show its label on one line.
func oneLine(b *choiceButton) float32 {
	th := b.Theme()
	return fyne.MeasureText(b.Text, th.Size(theme.SizeNameText), fyne.TextStyle{Bold: true}).Width + 2*th.Size(theme.SizeNameInnerPadding)
}

func (g *choiceGrid) rows(objs []fyne.CanvasObject, width float32) (cols int, heights []float32) {
	cols = 1
	if width > 0 {
		cols = g.columns(objs, width)
	}
	for i, o := range objs {
		if i%cols == 0 {
			heights = append(heights, 0)
		}
		heights[len(heights)-1] = max(heights[len(heights)-1], o.MinSize().Height)
	}
	return cols, heights
}

func (g *choiceGrid) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	var w, h float32
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	_, heights := g.rows(objs, g.width)
	for _, rh := range heights {
		h += rh + pad
	}
	return fyne.NewSize(w, max(h-pad, 0))
}

func (g *choiceGrid) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	g.width = size.Width
	pad := theme.Padding()
	cols, heights := g.rows(objs, size.Width)
	w := (size.Width - float32(cols-1)*pad) / float32(cols)
	y := float32(0)
	for i, o := range objs {
		row, col := i/cols, i%cols
		if col == 0 && row > 0 {
			y += heights[row-1] + pad
		}
		o.Move(fyne.NewPos(float32(col)*(w+pad), y))
		o.Resize(fyne.NewSize(w, heights[row]))
	}
}

// newChoices is a grid of buttons for opts, the one whose value is
// selected marked. tapped gets the value of the button tapped and returns
// the value chosen after it (the same, or "" where tapping the answer
// given again clears it); that button is marked.
func newChoices(opts []model.Option, selected string, tapped func(string) string) (*fyne.Container, map[string]*choiceButton) {
	buttons := map[string]*choiceButton{}
	grid := newChoiceGrid()
	for _, o := range opts {
		b := newChoiceButton(o.Label, func() {
			now := tapped(o.Value)
			for v, b := range buttons {
				b.SetSelected(v == now)
			}
		})
		b.Selected = o.Value == selected
		buttons[o.Value] = b
		grid.Add(b)
	}
	return grid, buttons
}

// column lays objects one under the other at their own heights, as wide
// as it is; its width is width, or the widest object's if width is 0.
type column struct{ width float32 }

func (c column) MinSize(objs []fyne.CanvasObject) fyne.Size {
	pad := theme.Padding()
	var w, h float32
	for _, o := range objs {
		m := o.MinSize()
		w = max(w, m.Width)
		h += m.Height + pad
	}
	if c.width > 0 {
		w = c.width
	}
	return fyne.NewSize(w, max(h-pad, 0))
}

func (column) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	y := float32(0)
	for _, o := range objs {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + theme.Padding()
	}
}

// toggleRow is a sign or an action to tick: a tick box, a label that
// wraps and a hint under it, the whole row taking the tap.
type toggleRow struct {
	widget.BaseWidget
	Text      string
	Hint      string
	On        bool
	OnChanged func(bool)
	// State is a line under the hint that is always there (so ticking
	// never moves what is below), such as who ticked it and when.
	State string
}

func newToggleRow(text, hint string, on bool, changed func(bool)) *toggleRow {
	t := &toggleRow{Text: text, Hint: hint, On: on, OnChanged: changed}
	t.ExtendBaseWidget(t)
	return t
}

// SetOn ticks or unticks the row without calling OnChanged.
func (t *toggleRow) SetOn(on bool) {
	if t.On != on {
		t.On = on
		t.Refresh()
	}
}

// Tapped is part of fyne.Tappable.
func (t *toggleRow) Tapped(*fyne.PointEvent) {
	t.On = !t.On
	t.Refresh()
	if t.OnChanged != nil {
		t.OnChanged(t.On)
	}
}

// CreateRenderer is part of fyne.Widget.
func (t *toggleRow) CreateRenderer() fyne.WidgetRenderer {
	r := &toggleRenderer{t: t, icon: widget.NewIcon(nil), text: wrapped(""), hint: caption(""), state: caption("")}
	r.state.Truncation = fyne.TextTruncateEllipsis
	r.state.Wrapping = fyne.TextWrapOff
	r.Refresh()
	return r
}

type toggleRenderer struct {
	t                 *toggleRow
	icon              *widget.Icon
	text, hint, state *widget.Label
}

func (r *toggleRenderer) parts() []*widget.Label {
	out := []*widget.Label{r.text}
	if r.t.Hint != "" {
		out = append(out, r.hint)
	}
	if r.t.State != "" {
		out = append(out, r.state)
	}
	return out
}

func (r *toggleRenderer) iconSide() float32 {
	th := r.t.Theme()
	return th.Size(theme.SizeNameInlineIcon) + 2*th.Size(theme.SizeNameInnerPadding)
}

func (r *toggleRenderer) MinSize() fyne.Size {
	var w, h float32
	for _, l := range r.parts() {
		m := l.MinSize()
		w = max(w, m.Width)
		h += m.Height
	}
	return fyne.NewSize(r.iconSide()+w, max(h, touchTarget))
}

func (r *toggleRenderer) Layout(size fyne.Size) {
	side := r.iconSide()
	is := r.t.Theme().Size(theme.SizeNameInlineIcon)
	r.icon.Resize(fyne.NewSquareSize(is))
	r.icon.Move(fyne.NewPos((side-is)/2, (touchTarget-is)/2))
	y := float32(0)
	w := size.Width - side
	for _, l := range r.parts() {
		l.Resize(fyne.NewSize(w, l.MinSize().Height))
		h := l.MinSize().Height // after the width is known
		l.Move(fyne.NewPos(side, y))
		l.Resize(fyne.NewSize(w, h))
		y += h
	}
}

func (r *toggleRenderer) Refresh() {
	r.icon.SetResource(theme.CheckButtonIcon())
	if r.t.On {
		r.icon.SetResource(theme.CheckButtonCheckedIcon())
	}
	r.text.SetText(r.t.Text)
	r.hint.SetText(r.t.Hint)
	r.hint.Hidden = r.t.Hint == ""
	r.state.SetText(r.t.State)
	r.state.Hidden = r.t.State == ""
	r.Layout(r.t.Size())
}

func (r *toggleRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.icon, r.text, r.hint, r.state}
}
func (r *toggleRenderer) Destroy() {}

// fold is a heading that opens and closes the part under it; what opens
// pushes down only what is below the heading.
type fold struct {
	box    *fyne.Container
	head   *choiceButton
	body   fyne.CanvasObject
	isOpen bool
}

func newFold(title string, body fyne.CanvasObject, open bool) *fold {
	f := &fold{body: body}
	f.head = newChoiceButton(title, f.toggle)
	f.head.Heading = true
	f.box = container.NewVBox(f.head, body)
	f.set(open)
	return f
}

func (f *fold) toggle() { f.set(!f.isOpen) }

func (f *fold) set(open bool) {
	f.isOpen = open
	f.head.Icon = theme.MenuExpandIcon()
	f.body.Hide()
	if open {
		f.head.Icon = theme.MenuDropDownIcon()
		f.body.Show()
	}
	f.head.Refresh()
	f.box.Refresh()
}

// tag is a word in a small box: a risk level, filled with its colour in
// white bold words (newPill), or a sync state, an icon and a word in the
// text colour, outlined (newChip). A synced Red record shows a red pill
// and a plain "Synced": a state is never mistaken for a level, and the
// word says the level, so colour is never the only signal.
type tag struct {
	widget.BaseWidget
	Text string
	Fill color.Color   // the level's colour; nil for a state
	Icon fyne.Resource // the state's icon
}

func newPill(text string, fill color.Color) *tag { return newTag(text, fill, nil) }

func newChip(text string, icon fyne.Resource) *tag { return newTag(text, nil, icon) }

func newTag(text string, fill color.Color, icon fyne.Resource) *tag {
	t := &tag{Text: text, Fill: fill, Icon: icon}
	t.ExtendBaseWidget(t)
	return t
}

// Set changes the word and the colour of a level.
func (t *tag) Set(text string, fill color.Color) {
	t.Text, t.Fill = text, fill
	t.Refresh()
}

// SetState changes the word and the icon of a state.
func (t *tag) SetState(text string, icon fyne.Resource) {
	t.Text, t.Icon = text, icon
	t.Refresh()
}

// CreateRenderer is part of fyne.Widget.
func (t *tag) CreateRenderer() fyne.WidgetRenderer {
	box := canvas.NewRectangle(color.Transparent)
	r := &tagRenderer{t: t, box: box, icon: widget.NewIcon(nil), text: canvas.NewText("", color.White)}
	r.text.TextStyle.Bold = true
	r.Refresh()
	return r
}

type tagRenderer struct {
	t    *tag
	box  *canvas.Rectangle
	icon *widget.Icon
	text *canvas.Text
}

// iconSide is the room the state's icon takes; none for a level.
func (r *tagRenderer) iconSide() float32 {
	if r.t.Fill != nil {
		return 0
	}
	return r.text.MinSize().Height + r.t.Theme().Size(theme.SizeNamePadding)
}

func (r *tagRenderer) MinSize() fyne.Size {
	pad := r.t.Theme().Size(theme.SizeNamePadding)
	m := r.text.MinSize()
	return fyne.NewSize(r.iconSide()+m.Width+4*pad, m.Height+2*pad)
}

func (r *tagRenderer) Layout(size fyne.Size) {
	pad := r.t.Theme().Size(theme.SizeNamePadding)
	m := r.MinSize()
	top := (size.Height - m.Height) / 2
	r.box.Resize(m)
	r.box.Move(fyne.NewPos(0, top))
	x := 2 * pad
	if side := r.iconSide(); side > 0 {
		is := r.text.MinSize().Height
		r.icon.Resize(fyne.NewSquareSize(is))
		r.icon.Move(fyne.NewPos(x, top+pad))
		x += side
	}
	r.text.Move(fyne.NewPos(x, top+pad))
	r.text.Resize(r.text.MinSize())
}

func (r *tagRenderer) Refresh() {
	th, v := r.t.Theme(), fyne.CurrentApp().Settings().ThemeVariant()
	r.text.Text = r.t.Text
	r.text.TextSize = th.Size(theme.SizeNameCaptionText)
	r.box.CornerRadius = th.Size(theme.SizeNameInputRadius)
	if r.t.Fill != nil {
		r.box.FillColor, r.box.StrokeWidth = r.t.Fill, 0
		r.text.Color, r.text.TextStyle.Bold = color.White, true
		r.icon.Hide()
	} else {
		fg := th.Color(theme.ColorNameForeground, v)
		r.box.FillColor, r.box.StrokeColor, r.box.StrokeWidth = color.Transparent, fg, 1
		r.text.Color, r.text.TextStyle.Bold = fg, false
		r.icon.SetResource(r.t.Icon)
		r.icon.Show()
	}
	r.box.Refresh()
	r.text.Refresh()
	r.Layout(r.t.Size())
}

func (r *tagRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.box, r.icon, r.text}
}
func (r *tagRenderer) Destroy() {}

// narrow lets o be drawn narrower than it would like, down to width: a
// picker whose longest option is long (a language's two names) still
// fits a phone, showing its choice cut short with an ellipsis.
func narrow(o fyne.CanvasObject, width float32) *fyne.Container {
	return container.New(capWidth{width}, o)
}

type capWidth struct{ width float32 }

func (c capWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := objs[0].MinSize()
	return fyne.NewSize(min(m.Width, c.width), m.Height)
}

func (capWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
}

// wheelToPage lies over a multi-line entry and hands the mouse wheel to
// the page's scroller: the entry keeps taps, typing and dragging, but
// turning the wheel over it scrolls the page, as over any other field.
type wheelToPage struct {
	widget.BaseWidget
	page *container.Scroll
}

// overEntry stacks a wheelToPage over e, scrolling page.
func overEntry(e *widget.Entry, page *container.Scroll) fyne.CanvasObject {
	w := &wheelToPage{page: page}
	w.ExtendBaseWidget(w)
	return container.NewStack(e, w)
}

// Scrolled is part of fyne.Scrollable.
func (w *wheelToPage) Scrolled(ev *fyne.ScrollEvent) {
	if w.page != nil {
		w.page.Scrolled(ev)
	}
}

// CreateRenderer is part of fyne.Widget.
func (w *wheelToPage) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}
