package app

import (
	"context"
	"image/color"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/encounter"
)

// listScreen is the home screen: every encounter on the device with its
// state, and the button to start a new one.
type listScreen struct {
	u       *UI
	box     *fyne.Container
	head    *fyne.Container // the new button and the notice
	list    *widget.List
	empty   *widget.Label
	notice  *widget.Label
	newBtn  *widget.Button
	records []encounter.Record
}

func newListScreen(u *UI) *listScreen {
	s := &listScreen{u: u}
	s.newBtn = widget.NewButtonWithIcon(u.p.T("list.new"), theme.ContentAddIcon(), s.onNew)
	s.newBtn.Importance = widget.HighImportance
	s.empty = widget.NewLabel(u.p.T("list.empty"))
	s.empty.Wrapping = fyne.TextWrapWord
	s.notice = widget.NewLabel("")
	s.notice.Wrapping = fyne.TextWrapWord
	s.notice.Importance = widget.SuccessImportance
	s.notice.Hide()
	s.list = widget.NewList(
		func() int { return len(s.records) },
		s.newRow,
		func(i widget.ListItemID, o fyne.CanvasObject) { s.updateRow(s.records[i], o) },
	)
	s.list.OnSelected = s.onSelected
	s.head = container.NewVBox(s.newBtn, s.notice)
	s.box = container.NewBorder(s.head, nil, nil, nil,
		container.NewStack(s.list, container.NewPadded(container.NewVBox(s.empty))))
	return s
}

// reload reads the records from the store. It runs on the UI thread.
func (s *listScreen) reload() {
	records, err := s.u.deps.Records.List(context.Background())
	if err != nil {
		s.showNotice(s.u.p.T("sync.err.device"), widget.DangerImportance)
		return
	}
	s.set(records)
}

// set shows records.
func (s *listScreen) set(records []encounter.Record) {
	s.records = records
	if len(records) == 0 {
		s.empty.Show()
	} else {
		s.empty.Hide()
	}
	s.list.Refresh()
	relayout(s.box)
}

func (s *listScreen) showNotice(text string, imp widget.Importance) {
	s.notice.SetText(text)
	s.notice.Importance = imp
	s.notice.Show()
	relayout(s.box)
}

func (s *listScreen) hideNotice() {
	s.notice.Hide()
	relayout(s.box)
}

func (s *listScreen) onNew() {
	s.hideNotice()
	if !s.u.officerKnown() {
		// Records carry their author: ask once, then carry on.
		s.u.openOfficer(s.onNew)
		return
	}
	r, err := encounter.New(s.u.deps.Records.DeviceID(), s.u.deps.Now())
	if err != nil {
		s.showNotice(s.u.p.T("form.save_failed"), widget.DangerImportance)
		return
	}
	r.Officer = s.u.officer()
	s.u.openFlow(r, false)
}

func (s *listScreen) onSelected(i widget.ListItemID) {
	s.list.UnselectAll()
	if i < 0 || i >= len(s.records) {
		return
	}
	s.hideNotice()
	r := s.records[i]
	if r.State == encounter.Draft {
		s.u.openFlow(r, true)
		return
	}
	s.u.openDetail(r)
}

// row widgets: title, subtitle, and a state badge.
func (s *listScreen) newRow() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	sub := widget.NewLabel("")
	sub.SizeName = theme.SizeNameCaptionText
	sub.Truncation = fyne.TextTruncateEllipsis
	crime := newBadge()
	crime.Hide()
	return container.NewBorder(nil, nil, nil, container.NewVBox(newBadge(), crime), container.NewVBox(title, sub))
}

func (s *listScreen) updateRow(r encounter.Record, o fyne.CanvasObject) {
	c := o.(*fyne.Container)
	texts := c.Objects[0].(*fyne.Container).Objects
	title := r.Title()
	if title == "" {
		title = s.u.p.T("list.untitled")
	}
	texts[0].(*widget.Label).SetText(title)
	parts := []string{timeText(r.OccurredAt)}
	if b := s.u.businessLabel(r.Premises.Business); b != "" {
		parts = append(parts, b)
	}
	texts[1].(*widget.Label).SetText(strings.Join(parts, " · "))
	badges := c.Objects[1].(*fyne.Container).Objects
	setBadge(badges[0], s.u.stateLabel(r.State), stateColor(r.State))
	if text, col, ok := s.u.crimeClock(r); ok {
		setBadge(badges[1], text, col)
		badges[1].Show()
	} else {
		badges[1].Hide()
	}
	c.Refresh() // the badges' widths change with their words
}

// stateColor gives each state a colour; the badge always says the state
// in words too, so colour is never the only signal.
func stateColor(s encounter.State) color.Color {
	switch s {
	case encounter.Queued:
		return color.NRGBA{R: 0xb4, G: 0x5f, B: 0x06, A: 0xff} // amber, dark enough for white text
	case encounter.Synced:
		return color.NRGBA{R: 0x1e, G: 0x7b, B: 0x34, A: 0xff}
	case encounter.Held:
		return color.NRGBA{R: 0xb3, G: 0x26, B: 0x1e, A: 0xff}
	}
	return color.NRGBA{R: 0x5f, G: 0x63, B: 0x68, A: 0xff}
}

// newBadge makes a coloured pill holding a word.
func newBadge() fyne.CanvasObject {
	bg := canvas.NewRectangle(color.Transparent)
	bg.CornerRadius = 6
	text := canvas.NewText("", color.White)
	text.TextStyle.Bold = true
	text.TextSize = theme.CaptionTextSize()
	return container.NewCenter(container.NewStack(bg, container.NewPadded(text)))
}

func setBadge(o fyne.CanvasObject, label string, c color.Color) {
	st := o.(*fyne.Container).Objects[0].(*fyne.Container)
	bg := st.Objects[0].(*canvas.Rectangle)
	text := st.Objects[1].(*fyne.Container).Objects[0].(*canvas.Text)
	bg.FillColor = c
	text.Text = label
	bg.Refresh()
	text.Refresh()
	o.(*fyne.Container).Refresh()
}
