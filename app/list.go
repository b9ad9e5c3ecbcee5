package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/encounter"
)

// listScreen is the home screen (model.List): every encounter on the
// device, each with its risk level and its sync state, searchable and
// filtered; the button to start a new one.
type listScreen struct {
	u             *UI
	m             *model.List
	box           *fyne.Container
	list          *widget.List
	empty         *widget.Label
	notice        *widget.Label
	newBtn        *widget.Button
	search        *widget.Entry
	filterBtn     *widget.Button
	detailsButton fyne.CanvasObject
	todayBtn      *widget.Button
	todayBox      fyne.CanvasObject
}

// setToday shows the Today button with label, or hides it if "".
func (s *listScreen) setToday(label string) {
	if label == "" {
		s.todayBox.Hide()
		return
	}
	s.todayBtn.SetText(label)
	s.todayBox.Show()
}

func newListScreen(u *UI) *listScreen {
	p := u.p
	s := &listScreen{u: u, m: model.NewList(p, u.packFor, u.deps.Now)}
	var newBtn fyne.CanvasObject
	s.newBtn, newBtn = newButton(p.T("list.new"), theme.ContentAddIcon(), widget.HighImportance, s.onNew)
	_, s.detailsButton = newButton(p.T("officer.title"), theme.AccountIcon(), widget.LowImportance, func() { u.openOfficer(nil) })
	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(p.T("list.search"))
	s.search.OnChanged = func(q string) {
		f := s.m.Filters()
		f.Query = q
		s.m.SetFilters(f)
		s.show()
	}
	var filter fyne.CanvasObject
	s.filterBtn, filter = newButton("", theme.SearchIcon(), widget.MediumImportance, s.openFilters)
	s.empty = wrapped("")
	s.notice = wrapped("")
	s.notice.Hide()
	s.list = widget.NewList(
		func() int { return len(s.m.Rows()) },
		newRow,
		func(i widget.ListItemID, o fyne.CanvasObject) { updateRow(s.m.Rows()[i], o) },
	)
	s.list.OnSelected = s.onSelected
	s.todayBtn, s.todayBox = newButton("", theme.CalendarIcon(), widget.MediumImportance, u.openToday)
	s.todayBox.Hide()
	head := container.NewVBox(s.todayBox, newBtn, container.NewBorder(nil, nil, nil, filter, tall(s.search)), s.notice)
	s.box = container.NewBorder(head, nil, nil, nil,
		container.NewStack(s.list, container.NewPadded(container.NewVBox(s.empty))))
	s.show()
	return s
}

// openFilters lets the officer narrow the list by risk level, state
// and date, each a row of choices.
func (s *listScreen) openFilters() {
	p := s.u.p
	f := s.m.Filters()
	group := func(title string, opts []model.Option, cur *string) fyne.CanvasObject {
		grid, _ := newChoices(opts, *cur, func(v string) string {
			*cur = v
			s.m.SetFilters(f)
			s.show()
			return v
		})
		return field(title, grid, nil)
	}
	body := container.NewVBox(
		group(p.T("filter.level"), s.m.LevelOptions(), &f.Level),
		group(p.T("filter.state"), s.m.StateOptions(), &f.State),
		group(p.T("filter.period"), s.m.PeriodOptions(), &f.Period))
	scroll := container.NewVScroll(body)
	scroll.SetMinSize(fyne.NewSize(280, 360))
	s.u.ask(p.T("filter.title"), scroll, choice{label: p.T("dialog.close"), imp: widget.MediumImportance, run: s.show})
}

// set shows records.
func (s *listScreen) set(records []encounter.Record) {
	s.m.Set(records)
	s.show()
}

func (s *listScreen) show() {
	s.filterBtn.SetText(s.u.p.T("filter.button"))
	if n := s.m.Active(); n > 0 {
		s.filterBtn.SetText(s.u.p.T("filter.button_n", n))
	}
	if e := s.m.Empty(); e != "" {
		s.empty.SetText(e)
		s.empty.Show()
	} else {
		s.empty.Hide()
	}
	s.list.Refresh()
}

func (s *listScreen) showNotice(text string, kind model.NoticeKind) {
	s.notice.SetText(text)
	s.notice.Importance = importance(kind)
	s.notice.Show()
}

func (s *listScreen) hideNotice() { s.notice.Hide() }

// importance is how a notice of kind is coloured.
func importance(kind model.NoticeKind) widget.Importance {
	switch kind {
	case model.NoticeDanger:
		return widget.DangerImportance
	case model.NoticeSuccess:
		return widget.SuccessImportance
	case model.NoticeWarning:
		return widget.WarningImportance
	}
	return widget.MediumImportance
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
		s.showNotice(s.u.p.T("form.save_failed"), model.NoticeDanger)
		return
	}
	r.Officer = s.u.officer()
	s.u.openFlow(r, false)
}

func (s *listScreen) onSelected(i widget.ListItemID) {
	s.list.UnselectAll()
	rows := s.m.Rows()
	if i < 0 || i >= len(rows) {
		return
	}
	s.hideNotice()
	r, ok := s.m.Record(rows[i].ID)
	if !ok {
		return
	}
	if r.State == encounter.Draft {
		s.u.openFlow(r, true)
		return
	}
	s.u.openDetail(r)
}

// A row: the risk level as a coloured word, the premises and when, and
// under them the sync state as a chip and the crime clock.
func newRow() fyne.CanvasObject {
	title := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Truncation = fyne.TextTruncateEllipsis
	sub := widget.NewLabel("")
	sub.SizeName = theme.SizeNameCaptionText
	sub.Truncation = fyne.TextTruncateEllipsis
	crime := widget.NewLabel("")
	crime.TextStyle.Bold = true
	crime.SizeName = theme.SizeNameCaptionText
	crime.Truncation = fyne.TextTruncateEllipsis
	state := newChip("", nil)
	level := newPill("", nil)
	bottom := container.NewBorder(nil, nil, state, nil, crime)
	return container.NewBorder(nil, nil, container.NewCenter(level), nil, container.NewVBox(title, sub, bottom))
}

func updateRow(r model.Row, o fyne.CanvasObject) {
	c := o.(*fyne.Container)
	texts := c.Objects[0].(*fyne.Container).Objects
	texts[0].(*widget.Label).SetText(r.Title)
	texts[1].(*widget.Label).SetText(r.Sub)
	bottom := texts[2].(*fyne.Container).Objects
	crime := bottom[0].(*widget.Label)
	bottom[1].(*tag).SetState(r.StateText, stateIcon(r.State))
	crime.Importance = crimeImportance(r.CrimeStatus)
	crime.SetText(r.Crime)
	c.Objects[1].(*fyne.Container).Objects[0].(*tag).Set(r.LevelWord, ragColor(r.Level))
	c.Refresh()
}
