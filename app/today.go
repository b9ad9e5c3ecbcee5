package app

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/operation"
	"github.com/waymark-app/waymark/store"
)

// Operations is what the Today screen needs from the device store: the
// operations held, and a way to say the officer has seen the latest.
// *store.Store implements it.
type Operations interface {
	Briefings(ctx context.Context) (operation.Held, error)
	MarkSeen(ctx context.Context, id uuid.UUID) error
}

// todayScreen is the Today screen: the operation of the day, what
// changed, its premises with their state and visit history, and a
// button on each to start an encounter there, pre-filled.
type todayScreen struct {
	u   *UI
	m   *model.Today
	box *fyne.Container
	// changes are what changed when the screen opened, or since, while
	// it is open; read is set once the officer said they read them. The
	// card stays, its button greyed out, until the screen is left, so
	// nothing moves under the thumb.
	changes []string
	read    bool
}

// loadToday reads the operations held (off the interface's goroutine)
// and shows them on the list's Today button, and on the Today screen if
// it is open. A store that cannot be read says so in the list's notice,
// as the records' own reload does.
func (u *UI) loadToday() {
	if u.deps.Operations == nil {
		return
	}
	go func() {
		held, err := u.deps.Operations.Briefings(context.Background())
		u.deps.Do(func() {
			if err != nil {
				if !errors.Is(err, store.ErrClosed) { // closed: a wipe is under way
					u.list.showNotice(u.p.T("sync.err.device"), model.NoticeDanger)
				}
				return
			}
			u.today.Set(held, u.list.m.All())
			u.list.setToday(u.today.Button())
			if u.todayView != nil {
				u.todayView.show()
			}
		})
	}()
}

// openToday opens the Today screen.
func (u *UI) openToday() {
	ts := &todayScreen{u: u, m: u.today, box: container.NewVBox()}
	u.todayView = ts
	ts.show()
	u.push(screen{title: u.p.T("today.title"), content: container.NewVScroll(container.NewPadded(ts.box)),
		onLeave: func() { u.todayView = nil }})
}

// show draws the model.
func (ts *todayScreen) show() {
	m, p := ts.m, ts.u.p
	ts.box.Objects = nil
	add := func(o ...fyne.CanvasObject) { ts.box.Objects = append(ts.box.Objects, o...) }
	o, ok := m.Operation()
	if !ok {
		ts.box.Refresh()
		return
	}
	add(heading(o.Name), caption(m.Dates()))
	if o.Rendezvous != "" {
		add(wrapped(p.T("today.rendezvous", o.Rendezvous)))
	}
	if changes := m.Changes(); len(changes) > 0 {
		ts.changes, ts.read = changes, false
	} else if len(ts.changes) > 0 {
		ts.read = true
	}
	if len(ts.changes) > 0 {
		card := container.NewVBox(heading(p.T("today.changes")))
		for _, c := range ts.changes {
			card.Add(wrapped("• " + c))
		}
		seen, box := newButton(p.T("today.seen"), theme.ConfirmIcon(), widget.HighImportance, func() { ts.onSeen(o.ID) })
		if ts.read {
			seen.SetText(p.T("today.read"))
			seen.Disable()
		}
		card.Add(box)
		add(widget.NewCard("", "", card))
	}
	if o.Briefing != "" {
		add(heading(p.T("today.briefing")), wrapped(o.Briefing))
	}
	if len(o.Partners) > 0 {
		var names []string
		for _, pa := range o.Partners {
			n := model.AgencyLabel(p, pa.Agency)
			if pa.Contact != "" {
				n += " (" + pa.Contact + ")"
			}
			names = append(names, n)
		}
		add(wrapped(p.T("today.partners", strings.Join(names, ", "))))
	}
	if lines := m.Interpreters(); len(lines) > 0 {
		add(heading(p.T("today.interpreters")))
		for _, l := range lines {
			add(wrapped(l))
		}
	}
	add(widget.NewSeparator(), heading(p.T("today.premises")))
	for _, row := range m.Premises() {
		row := row
		card := container.NewVBox(heading(row.Name), wrapped(row.Address), caption(row.Business))
		state := widget.NewLabel(row.State)
		state.Importance = levelImportance(row.Level)
		if !row.Visited {
			state.Importance = widget.MediumImportance
		}
		card.Add(state)
		if row.Safety != "" {
			s := wrapped(p.T("today.safety", row.Safety))
			s.Importance = widget.DangerImportance
			card.Add(s)
		}
		if row.Intelligence != "" {
			card.Add(wrapped(p.T("today.intelligence", row.Intelligence)))
		}
		card.Add(heading(p.T("today.history")))
		if len(row.History) == 0 {
			card.Add(caption(p.T("today.history.none")))
		}
		for _, h := range row.History {
			card.Add(caption(h))
		}
		_, start := newButton(p.T("today.start"), theme.ContentAddIcon(), widget.HighImportance, func() { ts.onStart(row.ID) })
		card.Add(start)
		add(widget.NewCard("", "", card))
	}
	ts.box.Refresh()
}

// levelImportance is the colour of a RAG level's words.
func levelImportance(level string) widget.Importance {
	switch level {
	case "red":
		return widget.DangerImportance
	case "amber":
		return widget.WarningImportance
	case "green":
		return widget.SuccessImportance
	}
	return widget.MediumImportance
}

// onSeen records that the officer read the latest revision.
func (ts *todayScreen) onSeen(id uuid.UUID) {
	u := ts.u
	go func() {
		err := u.deps.Operations.MarkSeen(context.Background(), id)
		u.deps.Do(func() {
			if err == nil {
				u.loadToday()
			}
		})
	}()
}

// onStart starts an encounter at the premises, pre-filled from it.
func (ts *todayScreen) onStart(id uuid.UUID) {
	u := ts.u
	if !u.officerKnown() {
		u.openOfficer(func() { ts.onStart(id) })
		return
	}
	r, err := ts.m.Start(id, u.deps.Records.DeviceID(), u.officer())
	if err != nil {
		u.message(u.p.T("form.save_failed"))
		return
	}
	u.openFlow(r, false)
}
