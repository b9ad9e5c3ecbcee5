package app

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/client"
)

// fullDisk is a real store whose writes fail as they do on a full device
// while full is set. (The store's own tests, and the fault harness, fill
// a real file system.)
type fullDisk struct {
	*store.Store
	full atomic.Bool
}

func (d *fullDisk) SaveDraft(ctx context.Context, r encounter.Record) error {
	if d.full.Load() {
		return fmt.Errorf("save draft %s: %w", r.ID, store.ErrDiskFull)
	}
	return d.Store.SaveDraft(ctx, r)
}

func (d *fullDisk) Finalise(ctx context.Context, id uuid.UUID) (encounter.Record, error) {
	if d.full.Load() {
		return encounter.Record{}, fmt.Errorf("finalise %s: %w", id, store.ErrDiskFull)
	}
	return d.Store.Finalise(ctx, id)
}

// TestDiskFullMessage: on a full device the flow says so in plain words
// in its notice line, keeps what was saved, refuses to finalise, and
// saves again once there is room.
func TestDiskFullMessage(t *testing.T) {
	var disk *fullDisk
	h := newHarnessWith(t, harnessOptions{noServer: true, records: func(st *store.Store) Records {
		disk = &fullDisk{Store: st}
		return disk
	}})
	h.tapButton("New encounter")
	h.typeInto(nameHint, "Example Nails")
	h.tapChoice("Nail bar")
	disk.full.Store(true)
	h.typeInto(nameHint, " Ltd")
	full := h.ui.p.T("form.disk_full")
	if h.ui.status.detail.Text != full {
		t.Fatalf("the flow says %q, not that the device is full", h.ui.status.detail.Text)
	}
	if r := h.only(); r.Premises.Name != "Example Nails" {
		t.Errorf("saved draft changed: %q", r.Premises.Name)
	}
	saveShot(t, h.win, "form-disk-full")
	h.tapButton("Next: People")
	h.tapButton("Next: What you see")
	h.tapButton("Next: Assessment")
	h.tapButton("Finalise…")
	h.confirm("Finalise")
	if r := h.only(); r.State != encounter.Draft {
		t.Errorf("finalised on a full disk: %v", r.State)
	}
	if !h.hasText(full) {
		t.Error("the finalise does not say the device is full")
	}
	h.confirm("Close")
	disk.full.Store(false)
	h.ui.flow.goTo(0)
	h.settle()
	h.typeInto(nameHint, ".")
	if r := h.only(); r.Premises.Name != "Example Nails Ltd." || r.Premises.Business != encounter.NailBar {
		t.Errorf("after space was freed the draft is %+v", r.Premises)
	}
	if h.ui.status.detail.Text != "Saved on this device again." {
		t.Errorf("the flow says %q, not that the draft is saved again", h.ui.status.detail.Text)
	}
}

// TestDiskFullSyncStatus: a sync that fails because the device is full
// says so, not that the device cannot read its records.
func TestDiskFullSyncStatus(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	err := &client.Error{Kind: client.DeviceFault, Err: fmt.Errorf("apply pulled operations: %w", store.ErrDiskFull)}
	if got := h.ui.status.m.ErrorText(err); got != h.ui.p.T("sync.err.disk_full") {
		t.Errorf("status says %q", got)
	}
}
