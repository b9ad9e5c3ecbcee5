package client_test

import (
	"bytes"
	"testing"

	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
)

// TestRateLimitedSyncCompletes: a server that lets each device make two
// requests at once and two a second answers the rest 429 with
// Retry-After; the engine waits as told and finishes the sync, pushing
// every record once.
func TestRateLimitedSyncCompletes(t *testing.T) {
	sys := newSystemWith(t, servertest.Options{Dir: t.TempDir(), Key: bytes.Repeat([]byte{5}, 32),
		Limits: server.Limits{DeviceRate: 2, DeviceBurst: 2}})
	d := sys.device()
	ids := d.record(t, 45, "limited") // five pushes of ten, then pulls
	if err := d.eng.SyncOnce(ctx); err != nil {
		t.Fatalf("sync under rate limits: %v", err)
	}
	got := sys.serverRecords(t)
	for _, id := range ids {
		if !got[id] {
			t.Errorf("record %s not on the server", id)
		}
	}
}

// TestSignaturesTravel: a record finalised on one device is verified on
// another, which shows who signed it.
func TestSignaturesTravel(t *testing.T) {
	sys := newSystem(t)
	a, b := sys.deviceOf("team"), sys.device()
	id := a.record(t, 1, "signed")[0]
	if err := a.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if err := b.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	ev, err := b.st.Evidence(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	want := "signed by device " + a.st.DeviceID().String()[:8] + " of PC 101, verified"
	if ev.Record.State != evidence.Verified || ev.Record.String() != want || ev.Record.KeyID != evidence.KeyID(a.cred.Public()) {
		t.Errorf("on the other device: %q (key %s), want %q", ev.Record, ev.Record.KeyID, want)
	}
}
