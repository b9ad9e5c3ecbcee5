package app

import (
	"crypto/ed25519"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
)

// TestDetailShowsSignatures: a record read back says who signed it and
// that the signature holds, and so does each amendment in its history; a
// record from another device whose signature no longer matches it says
// not to rely on it.
func TestDetailShowsSignatures(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	r := h.finalisedRecord(nil)
	a, err := encounter.NewAmendment(r.ID, h.st.DeviceID(), testOfficer, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	a.Reason = "spelling"
	a.Changes = []encounter.Change{{Field: encounter.FieldPremisesName, From: "Example Farm", To: "Example Farm Ltd"}}
	if r, err = h.st.Amend(ctx, a); err != nil {
		t.Fatal(err)
	}
	h.ui.openDetail(r)
	h.settle()
	mine := "Signed by device " + h.st.DeviceID().String()[:8] + " of PC 101, verified: not changed since it was signed."
	n := 0
	h.visible(func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == mine {
			n++
		}
	})
	if n != 2 {
		t.Errorf("%d lines say %q, want 2 (the record, the amendment)", n, mine)
	}

	// A record pulled from another device, served with the signature of
	// another of its records.
	got := brokenSeal(h)
	h.ui.popToRoot()
	h.ui.openDetail(got)
	h.settle()
	if !h.hasText("The signature of device " + got.Device.String()[:8] + " does NOT match") {
		t.Error("a broken signature is not shown")
	}
}

// brokenSeal stores a record pulled from another device whose signature
// no longer matches it (it is another record's), as a record view would
// find it, and returns it.
func brokenSeal(h *harness) encounter.Record {
	t := h.t
	other := auth.Key{Device: uuid.MustParse("7c3e9d21-0000-4000-8000-000000000002"), Private: ed25519.NewKeyFromSeed(make([]byte, 32))}
	r, _ := encounter.New(other.Device, time.Now())
	r.Officer = encounter.Officer{Name: "B Example", Number: "PC 202", Agency: "police"}
	r.Premises = encounter.Premises{Name: "Example Farm", Business: encounter.Farm}
	r.FinalisedAt = r.CreatedAt
	body, _ := r.Document()
	q := r
	q.ID = uuid.New()
	qBody, _ := q.Document()
	seal, err := evidence.Sign(other, evidence.KindEncounter, qBody)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.st.ApplyPulled(ctx, []store.Pulled{{Cursor: 1, Kind: store.KindEncounter, ID: r.ID, Device: other.Device, Body: body, Seal: &seal}}, 1); err != nil {
		t.Fatal(err)
	}
	got, err := h.st.Get(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
