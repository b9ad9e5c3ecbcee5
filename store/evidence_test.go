package store

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/sync/auth"
)

// keyFor derives a fixed key for device, so that a store reopened in a
// test signs with the same key.
func keyFor(device uuid.UUID) auth.Key {
	seed := sha256.Sum256(device[:])
	return auth.Key{Device: device, Private: ed25519.NewKeyFromSeed(seed[:])}
}

// withSigner gives s its device's test key, as enrolment does.
func withSigner(s *Store) *Store {
	s.SetSigner(keyFor(s.DeviceID()))
	return s
}

func TestFinaliseNeedsASigner(t *testing.T) {
	s, err := Open(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := draft(t, s, "Example Nails")
	if _, err := s.Finalise(ctx, d.ID); !errors.Is(err, ErrNoSigner) {
		t.Fatalf("Finalise without a key: %v", err)
	}
	if got, _ := s.Get(ctx, d.ID); got.State != encounter.Draft {
		t.Errorf("state %v after a refused finalise, want draft", got.State)
	}
	if p, _ := s.Progress(ctx); p.Last != 0 {
		t.Errorf("%d entries queued", p.Last)
	}
}

// TestSignedWhenFinalised: the outbox entry carries the device's
// signature of exactly the bytes queued, and the record view's verdict
// names the device and the officer.
func TestSignedWhenFinalised(t *testing.T) {
	s := openMem(t)
	d := draft(t, s, "Example Car Wash")
	d.Officer = encounter.Officer{Name: "A Example", Number: "PC 101", Agency: "police"}
	if err := s.SaveDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Finalise(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	a, _ := encounter.NewAmendment(d.ID, s.DeviceID(), d.Officer, time.Now())
	a.Reason = "spelling"
	a.Changes = []encounter.Change{{Field: encounter.FieldPremisesName, To: "Example Hand Car Wash"}}
	if _, err := s.Amend(ctx, a); err != nil {
		t.Fatal(err)
	}
	es, err := s.Pending(ctx, 10, 1<<20)
	if err != nil || len(es) != 2 {
		t.Fatalf("pending %d, %v", len(es), err)
	}
	k := keyFor(s.DeviceID())
	for _, e := range es {
		if err := evidence.Verify(e.Kind, e.Body, evidence.Seal{Key: k.Public(), Sig: e.Sig}); err != nil {
			t.Errorf("outbox entry %d (%s): %v", e.Seq, e.Kind, err)
		}
	}
	ev, err := s.Evidence(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ev.Record.String(), "signed by device "+s.DeviceID().String()[:8]+" of PC 101, verified"; got != want {
		t.Errorf("record: %q, want %q", got, want)
	}
	if v := ev.Amendments[a.ID]; v.State != evidence.Verified || v.By.Number != "PC 101" {
		t.Errorf("amendment: %+v", v)
	}
}

// TestPulledKeepsItsSeal: a record from another device keeps the
// signature the server served, and a record whose document no longer
// matches it shows as broken.
func TestPulledKeepsItsSeal(t *testing.T) {
	s := openMem(t)
	other := keyFor(uuid.New())
	r, _ := encounter.New(other.Device, time.Now())
	r.Officer = encounter.Officer{Name: "B Example", Number: "PC 202", Agency: "police"}
	r.Premises = encounter.Premises{Name: "Example Farm", Business: encounter.Farm}
	r.FinalisedAt = r.CreatedAt
	good, _ := r.Document()
	seal, _ := evidence.Sign(other, evidence.KindEncounter, good)
	r2 := r
	r2.ID = uuid.New()
	doc2, _ := r2.Document()
	if err := s.ApplyPulled(ctx, []Pulled{
		{Cursor: 1, Kind: KindEncounter, ID: r.ID, Device: other.Device, Body: good, Seal: &seal},
		{Cursor: 2, Kind: KindEncounter, ID: r2.ID, Device: other.Device, Body: doc2, Seal: &seal}, // another record's seal
	}, 2); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[uuid.UUID]evidence.State{r.ID: evidence.Verified, r2.ID: evidence.Broken} {
		ev, err := s.Evidence(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Record.State != want {
			t.Errorf("record %s: %v, want %v", id, ev.Record, want)
		}
	}
}

// TestEvidenceKnowsItsOwnKey: a record pulled back that claims to be
// signed by this device, but with a key other than the one this device
// holds, does not pass for its own; a record signed by a device other
// than the one it names says so.
func TestEvidenceKnowsItsOwnKey(t *testing.T) {
	s := withSigner(openMem(t))
	impostor := auth.Key{Device: s.DeviceID(), Private: keyFor(uuid.New()).Private}
	r, _ := encounter.New(s.DeviceID(), time.Now())
	r.Officer = encounter.Officer{Name: "A Example", Number: "PC 101", Agency: "police"}
	r.FinalisedAt = r.CreatedAt
	doc, _ := r.Document()
	forged, _ := evidence.Sign(impostor, evidence.KindEncounter, doc)

	other := keyFor(uuid.New())
	r2, _ := encounter.New(uuid.New(), time.Now()) // names a device that did not sign it
	r2.Officer = encounter.Officer{Name: "B Example", Number: "PC 202", Agency: "police"}
	r2.FinalisedAt = r2.CreatedAt
	doc2, _ := r2.Document()
	byOther, _ := evidence.Sign(other, evidence.KindEncounter, doc2)
	if err := s.ApplyPulled(ctx, []Pulled{
		{Cursor: 1, Kind: KindEncounter, ID: r.ID, Device: s.DeviceID(), Body: doc, Seal: &forged},
		{Cursor: 2, Kind: KindEncounter, ID: r2.ID, Device: other.Device, Body: doc2, Seal: &byOther},
	}, 2); err != nil {
		t.Fatal(err)
	}
	for id, want := range map[uuid.UUID]evidence.State{r.ID: evidence.KeyUnknown, r2.ID: evidence.OtherDevice} {
		ev, err := s.Evidence(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Record.State != want {
			t.Errorf("record %s: %v, want state %v", id, ev.Record, want)
		}
	}
}
