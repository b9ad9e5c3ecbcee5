package client_test

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/operation"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/sync/wire"
)

// TestOperationReachesAssignedDevices: an operation saved on the server
// reaches the devices of the officers and partner staff on it, and no
// one else's; an officer on it reads its records from another team, the
// partner only their own agency's; visit history of a premises comes
// with the briefing; a change reaches the device, which tells what
// changed.
func TestOperationReachesAssignedDevices(t *testing.T) {
	sys := newSystem(t)
	onOp := sys.device() // north team, on the operation
	southID := sys.newAccount("south", wire.RoleOfficer)
	south := sys.deviceOf(southID)                                // another team, on the operation
	off := sys.deviceOf(sys.newAccount("east", wire.RoleOfficer)) // not on it
	if _, err := sys.srv.AddAccount(ctx, server.Account{ID: "glaa1", Name: "Inspector Example", Number: "G 1", Agency: "glaa", Roles: []wire.Role{wire.RolePartner}}); err != nil {
		t.Fatal(err)
	}
	partner := sys.deviceOf("glaa1")

	// Earlier visits to the car wash, with the address written another
	// way: by a north officer (in the officer's scope) and by the east
	// one (not).
	for _, d := range []*device{sys.device(), off} {
		old, _ := encounter.New(d.st.DeviceID(), time.Now().Add(-30*24*time.Hour))
		old.Officer = d.cred.Officer()
		old.Premises = encounter.Premises{Name: "Car wash", Address: "1 Example Rd, Exampleton EX1 1AA", Business: encounter.CarWash}
		finalise(t, d, old)
		if err := d.eng.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}

	premises := uuid.MustParse("0192f1a0-2222-7222-8222-0000000000a1")
	op := operation.Operation{ID: uuid.MustParse("0192f1a0-2222-7222-8222-000000000001"), Name: "Operation Example",
		Start: "2026-03-14", End: "2026-03-14", Briefing: "Car washes.",
		Teams:    []operation.Team{{Name: "A", Members: []string{onOp.cred.Account.ID, southID}}},
		Partners: []operation.Partner{{Agency: "glaa", Members: []string{"glaa1"}}},
		Premises: []operation.Premises{{ID: premises, Name: "Example Car Wash", Address: "1 Example Road", Postcode: "EX1 1AA", Business: encounter.CarWash}}}
	saved, err := sys.srv.Server.Operations().SaveOperation(ctx, op, "sup1")
	if err != nil {
		t.Fatal(err)
	}

	// The south officer visits the premises on the operation.
	r, _ := encounter.New(south.st.DeviceID(), time.Now())
	r.Officer = south.cred.Officer()
	r.OperationID, r.PremisesID = op.ID, premises
	r.Premises = op.Premises[0].Encounter()
	r.Present = []encounter.Presence{{Agency: "glaa", Name: "Inspector Example"}}
	finalise(t, south, r)

	for _, d := range []*device{south, onOp, off, partner} {
		if err := d.eng.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	briefed := func(d *device) store_briefings {
		b, err := d.st.Briefings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return store_briefings{len(b.Operations), len(b.History)}
	}
	if got := briefed(onOp); got.ops != 1 || got.history != 2 {
		t.Errorf("officer on the operation holds %d operations and %d earlier visits, want 1 and 2", got.ops, got.history)
	}
	if got := briefed(partner); got.ops != 1 || got.history != 0 {
		t.Errorf("partner holds %d operations and %d visits, want 1 and none (the visits are police records)", got.ops, got.history)
	}
	if got := briefed(off); got.ops != 0 {
		t.Errorf("an officer not on the operation holds %d operations", got.ops)
	}
	if _, err := onOp.st.Get(ctx, r.ID); err != nil {
		t.Errorf("the officer on the operation did not receive its record from another team: %v", err)
	}
	if _, err := partner.st.Get(ctx, r.ID); err == nil {
		t.Error("the partner received a police record of the operation")
	}
	if _, err := off.st.Get(ctx, r.ID); err == nil {
		t.Error("an officer not on the operation received its record")
	}

	// A change reaches the device, which tells what changed since seen.
	if err := onOp.st.MarkSeen(ctx, op.ID); err != nil {
		t.Fatal(err)
	}
	saved.Briefing = "Car washes and nail bars."
	if _, err := sys.srv.Server.Operations().SaveOperation(ctx, saved, "sup1"); err != nil {
		t.Fatal(err)
	}
	if err := onOp.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	b, _ := onOp.st.Briefings(ctx)
	if ch := operation.Changes(b.Seen[op.ID], b.Operations[0]); len(ch) != 1 || ch[0].What != "briefing" {
		t.Errorf("changes since seen = %+v, want the briefing", ch)
	}
	// Saving over a revision someone else changed is refused.
	if _, err := sys.srv.Server.Operations().SaveOperation(ctx, saved, "sup2"); err == nil {
		t.Error("a stale revision was saved")
	}
}

type store_briefings struct{ ops, history int }

func finalise(t *testing.T, d *device, r encounter.Record) {
	t.Helper()
	if err := d.st.SaveDraft(ctx, r); err != nil {
		t.Fatal(err)
	}
	if _, err := d.st.Finalise(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
}
