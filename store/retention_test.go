package store

import (
	"errors"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
)

// testClock is a store's clock, moved by the test.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time            { return c.t }
func (c *testClock) days(n int)                { c.t = c.t.Add(time.Duration(n) * 24 * time.Hour) }
func (c *testClock) cutoff(days int) time.Time { return c.t.Add(-time.Duration(days) * 24 * time.Hour) }

// TestPurge keeps what the officer still needs and removes the rest once
// the retention has passed: synced and closed records, their
// amendments, the outbox entries that carried them, records of other
// officers pulled from the server, and amendments pulled later for a
// record already removed.
func TestPurge(t *testing.T) {
	clock := &testClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s, err := Open(ctx, Options{Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	withSigner(s)

	finalise := func(name string, mutate func(*encounter.Record)) encounter.Record {
		t.Helper()
		r, _ := encounter.New(s.DeviceID(), clock.t)
		r.Officer = officer
		r.Premises = encounter.Premises{Name: name, Address: "1 Example Street", Business: encounter.CarWash}
		r.PeoplePresent = 1
		if mutate != nil {
			mutate(&r)
		}
		if err := s.SaveDraft(ctx, r); err != nil {
			t.Fatal(err)
		}
		r, err := s.Finalise(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	policeNRM := func(r *encounter.Record) {
		r.People = []encounter.Person{{ID: uuid.New(), Label: "Person 1", AgeYears: 30, Referral: &encounter.Referral{
			NRM: &encounter.NRM{Explained: &encounter.Explained{By: "PC 1", At: clock.t}, Consent: true}}}}
	}
	syncAll := func() {
		t.Helper()
		p, _ := s.Progress(ctx)
		if err := s.Acknowledge(ctx, p.Last, nil); err != nil {
			t.Fatal(err)
		}
	}

	closed := finalise("Closed Wash", nil)           // seq 1
	crime := finalise("Crime Wash", policeNRM)       // seq 2: crime to record
	recorded := finalise("Recorded Wash", policeNRM) // seq 3
	syncAll()
	other := uuid.New()
	foreign, _ := encounter.New(other, clock.t)
	foreign.Premises = encounter.Premises{Name: "Other Officer's Farm", Business: encounter.Farm}
	foreign.FinalisedAt = clock.t
	body, _ := foreign.Document()
	if err := s.ApplyPulled(ctx, []Pulled{{Cursor: 1, Kind: KindEncounter, ID: foreign.ID, Device: other, Body: body}}, 1); err != nil {
		t.Fatal(err)
	}
	draftRec := draft(t, s, "Draft Wash")

	clock.days(2)
	// A crime reference, by amendment: the record is closed from now.
	if _, err := s.Amend(ctx, amendmentAt(t, s, recorded.ID, clock.t, encounter.FieldCrimeReference, "CR/0001/26")); err != nil { // seq 4
		t.Fatal(err)
	}
	syncAll()
	pending := finalise("Amended Wash", nil) // seq 5
	syncAll()
	if _, err := s.Amend(ctx, amendmentAt(t, s, pending.ID, clock.t, encounter.FieldPremisesName, "Amended Wash Ltd")); err != nil { // seq 6, never sent
		t.Fatal(err)
	}
	queued := finalise("Queued Wash", nil) // seq 7, never sent

	before, err := s.Unsent(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Unsent{Drafts: 1, Queued: 2}); before != want {
		t.Errorf("unsent %+v, want %+v", before, want)
	}

	has := func(id uuid.UUID) bool {
		_, err := s.Get(ctx, id)
		return err == nil
	}
	purge := func(wantN int) {
		t.Helper()
		n, err := s.Purge(ctx, clock.t, clock.cutoff(30))
		if err != nil {
			t.Fatal(err)
		}
		if n != wantN {
			t.Errorf("purged %d records, want %d", n, wantN)
		}
	}

	clock.days(27) // day 29: nothing is old enough
	purge(0)
	clock.days(2) // day 31
	purge(2)
	for _, c := range []struct {
		name string
		id   uuid.UUID
		kept bool
	}{
		{"synced and closed", closed.ID, false},
		{"another officer's, synced and closed", foreign.ID, false},
		{"crime to record", crime.ID, true},
		{"crime recorded 29 days ago", recorded.ID, true},
		{"draft", draftRec.ID, true},
		{"queued", queued.ID, true},
		{"amendment not sent", pending.ID, true},
	} {
		if has(c.id) != c.kept {
			t.Errorf("%s: kept %v, want %v", c.name, !c.kept, c.kept)
		}
	}
	clock.days(2) // day 33: the recorded crime's amendment is 31 days old
	purge(1)
	if has(recorded.ID) {
		t.Error("record closed by its crime reference was kept")
	}

	// Nothing of the removed records is left: no amendment, no outbox
	// entry. Those still needed keep theirs.
	err = s.db.View(func(txn *badger.Txn) error {
		for seq, want := range map[uint64]bool{1: false, 2: true, 3: false, 4: false, 5: true, 6: true, 7: true} {
			_, err := txn.Get(outboxKey(seq))
			if got := err == nil; got != want {
				t.Errorf("outbox entry %d kept %v, want %v", seq, got, want)
			}
		}
		if as, _ := amendmentsOf(txn, recorded.ID); len(as) != 0 {
			t.Errorf("%d amendments of a removed record kept", len(as))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if after, _ := s.Unsent(ctx); after != before {
		t.Errorf("unsent changed by a purge: %+v, want %+v", after, before)
	}

	// An amendment pulled for a record already removed is removed too.
	late := amendmentAt(t, s, closed.ID, clock.t, encounter.FieldAddendum, "Seen again.")
	late.Device = other
	lateBody, _ := late.Document()
	if err := s.ApplyPulled(ctx, []Pulled{{Cursor: 2, Kind: KindAmendment, ID: late.ID, Device: other, Body: lateBody}}, 2); err != nil {
		t.Fatal(err)
	}
	purge(0)
	s.db.View(func(txn *badger.Txn) error {
		if as, _ := amendmentsOf(txn, closed.ID); len(as) != 0 {
			t.Error("an amendment of a removed record was kept")
		}
		return nil
	})

	// A server restored from a backup asks for entries again: those
	// removed cannot be sent, and the device says so instead of sending
	// a gap.
	if err := s.Acknowledge(ctx, 2, nil); !errors.Is(err, ErrPurged) {
		t.Errorf("rewind past removed entries: %v, want ErrPurged", err)
	}
	if err := s.Acknowledge(ctx, 4, nil); err != nil {
		t.Errorf("rewind to the newest removed entry: %v", err)
	}
	pend, err := s.Pending(ctx, 10, 1<<20)
	if err != nil || len(pend) != 3 || pend[0].Seq != 5 {
		t.Errorf("pending after a rewind: %d entries, %v", len(pend), err)
	}
}

func amendmentAt(t *testing.T, s *Store, id uuid.UUID, at time.Time, field, to string) encounter.Amendment {
	t.Helper()
	a := amendment(t, s, id, field, to)
	a.At = at
	return a
}

func TestSettings(t *testing.T) {
	s := openMem(t)
	if _, err := s.Setting(ctx, "policy"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unset setting: %v, want ErrNotFound", err)
	}
	for _, v := range []string{`{"a":1}`, `{"a":2}`} {
		if err := s.SetSetting(ctx, "policy", []byte(v)); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Setting(ctx, "policy"); err != nil || string(got) != v {
			t.Errorf("setting %q, %v; want %q", got, err, v)
		}
	}
	for range 2 { // deleting twice is not an error
		if err := s.DeleteSetting(ctx, "policy"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Setting(ctx, "policy"); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted setting: %v, want ErrNotFound", err)
	}
}
