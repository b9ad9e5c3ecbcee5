package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/operation"
	"github.com/waymark-app/waymark/store"
)

// TestTodayStartsFromPremises: an operation the device holds shows as
// the list's Today button; the Today screen lists its premises with their
// safety notes; "Start encounter here" opens the flow with the premises,
// the operation and the partners present filled in; "I have read this"
// marks what changed as read, where it was.
func TestTodayStartsFromPremises(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	day := time.Now().Format(time.DateOnly)
	op := operation.Operation{ID: uuid.Must(uuid.NewV7()), Revision: 1, Name: "Operation Example", Start: day, End: day,
		Briefing: "Car washes on the ring road.", Rendezvous: "Example Road station, 07:00",
		Partners: []operation.Partner{{Agency: "glaa", Contact: "Inspector on duty"}},
		Premises: []operation.Premises{{ID: uuid.Must(uuid.NewV7()), Name: "Example Car Wash", Address: "1 Example Road",
			Postcode: "EX1 1AA", Business: encounter.CarWash, Safety: "Dog on premises"}}}
	if err := h.st.SaveOperations(ctx, 1, []operation.Operation{op}, nil); err != nil {
		t.Fatal(err)
	}
	h.ui.reload()
	h.settle()
	h.waitUntil(func() bool {
		return has(h, func(b *widget.Button) bool { return b.Text == "Today: Operation Example (new)" })
	})
	h.tapButton("Today: Operation Example (new)")
	for _, s := range []string{"Example Car Wash", "Officer safety: Dog on premises", "Not visited", "No earlier visit on record.", "New operation: read the briefing and the premises."} {
		if !h.hasText(s) {
			t.Errorf("the Today screen does not say %q", s)
		}
	}
	h.tapButton("I have read this")
	// What changed stays where it was, so that nothing moves under the
	// thumb; its button says it was read and takes no more taps.
	h.waitUntil(func() bool {
		return has(h, func(b *widget.Button) bool { return b.Text == "Read" && b.Disabled() })
	})
	h.tapButton("Start encounter here")
	h.settle()
	if h.ui.flow == nil {
		t.Fatal("no encounter opened")
	}
	r := h.ui.flow.m.Record()
	if r.OperationID != op.ID || r.PremisesID != op.Premises[0].ID || r.Premises.Name != "Example Car Wash" ||
		r.Premises.Postcode != "EX1 1AA" || r.Premises.Business != encounter.CarWash || len(r.Present) != 1 {
		t.Errorf("the encounter started as %+v", r)
	}
}

// TestTodayAfterLanguageChange: switching the language rebuilds the
// screens; the Today button comes back in the new language at once, not
// only after the next sync.
func TestTodayAfterLanguageChange(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	day := time.Now().Format(time.DateOnly)
	op := operation.Operation{ID: uuid.Must(uuid.NewV7()), Revision: 1, Name: "Operation Example", Start: day, End: day,
		Premises: []operation.Premises{{ID: uuid.Must(uuid.NewV7()), Name: "Example Car Wash", Address: "1 Example Road",
			Postcode: "EX1 1AA", Business: encounter.CarWash}}}
	if err := h.st.SaveOperations(ctx, 1, []operation.Operation{op}, nil); err != nil {
		t.Fatal(err)
	}
	h.ui.reload()
	h.waitUntil(func() bool {
		return has(h, func(b *widget.Button) bool { return b.Text == "Today: Operation Example (new)" })
	})
	// As the officer does: Your details, the language picker.
	h.tapButton("Your details")
	find(h, "language picker", func(s *widget.Select) bool { return s.Selected == "English" }).SetSelected("Welsh — Cymraeg")
	if !has(h, func(b *widget.Button) bool { return b.Text == "Heddiw: Operation Example (newydd)" }) {
		t.Error("no Today button in Welsh straight after the language changed")
	}
	h.waitUntil(func() bool {
		return has(h, func(b *widget.Button) bool { return b.Text == "Heddiw: Operation Example (newydd)" })
	})
}

// unreadable is the device store whose operations cannot be read (a
// damaged store): the records still can.
type unreadable struct{ *store.Store }

func (unreadable) Briefings(context.Context) (operation.Held, error) {
	return operation.Held{}, errors.New("read operations: damaged value")
}

// TestTodayUnreadable: operations that cannot be read are not silently
// missing from the list: the list says the device could not read what it
// saved, as it does for records.
func TestTodayUnreadable(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	h.ui.deps.Operations = unreadable{h.st}
	h.ui.reload()
	want := h.ui.p.T("sync.err.device")
	h.waitUntil(func() bool { return h.ui.list.notice.Visible() && h.ui.list.notice.Text == want })
}
