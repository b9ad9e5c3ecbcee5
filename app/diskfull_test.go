package app

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
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

// TestDiskFullMessage: on a full device the form says so in plain words,
// keeps what was saved, and saves again once there is room.
func TestDiskFullMessage(t *testing.T) {
	test.NewTempApp(t)
	st, err := store.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bundle, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	p := bundle.Printer(i18n.Source)
	disk := &fullDisk{Store: st}
	win := test.NewWindow(nil)
	win.Resize(fyne.NewSize(420, 760))
	t.Cleanup(win.Close)
	eng := client.New(st, client.Options{Server: "http://127.0.0.1:1"}) // never run
	ui := New(win, Deps{Records: disk, Sync: eng, Printer: p})
	t.Cleanup(ui.Close)
	h := &harness{t: t, win: win, ui: ui, st: st, eng: eng}

	test.Tap(h.button("New encounter"))
	name := h.entry("Trading name, or what is on the sign")
	test.Type(name, "Example Nails")
	disk.full.Store(true)
	test.Type(name, " Ltd")
	full := p.T("form.disk_full")
	if !h.hasText(full) {
		t.Fatal("the form does not say the device is full")
	}
	if r := h.only(); r.Premises.Name != "Example Nails" {
		t.Errorf("saved draft changed: %q", r.Premises.Name)
	}
	find(h, "business select", func(*widget.Select) bool { return true }).SetSelected("Nail bar")
	test.Tap(h.button("Save and queue"))
	if r := h.only(); r.State != encounter.Draft {
		t.Errorf("finalised on a full disk: %v", r.State)
	}
	// The long message has the height its wrapped lines need, so it does
	// not run under the Save button.
	msg := find(h, "problems label", func(l *widget.Label) bool {
		return l.Text == full && l.Importance == widget.DangerImportance && l.SizeName == ""
	})
	if got, need := msg.Size().Height, msg.MinSize().Height; got < need {
		t.Errorf("the message is laid out %v high but needs %v: it runs under the Save button", got, need)
	}
	saveShot(t, win, "form-disk-full")

	disk.full.Store(false)
	test.Type(name, ".")
	if r := h.only(); r.Premises.Name != "Example Nails Ltd." || r.Premises.Business != encounter.NailBar {
		t.Errorf("after space was freed the draft is %+v", r.Premises)
	}
	if !h.hasText("Draft saved on this device") {
		t.Error("the form does not say the draft is saved again")
	}
}
