package app

import (
	"testing"
	"time"

	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/operation"
)

// TestTodayStartsFromPremises: an operation the device holds shows as
// the list's Today button; the Today screen lists its premises with their
// safety notes; "Start encounter here" opens the flow with the premises,
// the operation and the partners present filled in; "I have read this"
// clears what changed.
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
		return has(h, func(b *widget.Button) bool { return b.Text == "Today: Operation Example (changed)" })
	})
	h.tapButton("Today: Operation Example (changed)")
	for _, s := range []string{"Example Car Wash", "Officer safety: Dog on premises", "Not visited", "No earlier visit on record.", "New operation: read the briefing and the premises."} {
		if !h.hasText(s) {
			t.Errorf("the Today screen does not say %q", s)
		}
	}
	h.tapButton("I have read this")
	h.waitUntil(func() bool { return !h.hasText("New operation: read the briefing and the premises.") })
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
