package model

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/store"
)

// gated is the real store, with a gate its draft writes wait at, so a
// test can queue work while the saver is busy, as the disk makes it on a
// phone.
type gated struct {
	*store.Store
	gate    chan struct{}
	started chan struct{} // if not nil, told (without blocking) when a draft write begins
	mu      sync.Mutex
	writes  []string // the premises names written, in order
}

func (g *gated) SaveDraft(ctx context.Context, r encounter.Record) error {
	select {
	case g.started <- struct{}{}:
	default:
	}
	<-g.gate
	g.mu.Lock()
	g.writes = append(g.writes, r.Premises.Name)
	g.mu.Unlock()
	return g.Store.SaveDraft(ctx, r)
}

// TestSaverLatestWins: drafts asked for while the saver is busy are
// coalesced to the latest; a finalise waits for the drafts before it;
// every result goes through deliver.
func TestSaverLatestWins(t *testing.T) {
	e := newEnv(t)
	g := &gated{Store: e.st, gate: make(chan struct{})}
	var mu sync.Mutex
	var delivered []string
	s := NewSaver(g, func(f func()) {
		mu.Lock()
		delivered = append(delivered, "result")
		mu.Unlock()
		f()
	})
	defer s.Close()
	r, _ := encounter.New(e.st.DeviceID(), testNow)
	r.Officer = testOfficer
	r.Premises.Business = encounter.Farm
	var errs []error
	g.started = make(chan struct{}, 1)
	for i, name := range []string{"A", "AB", "ABC", "ABCD"} {
		r.Premises.Name = name
		s.SaveDraft(r, func(err error) { errs = append(errs, err) })
		if i == 0 {
			<-g.started // the saver is busy with A at the gate: the rest queue behind it
		}
	}
	var final encounter.Record
	s.Finalise(r.ID, func(got encounter.Record, err error) {
		if err != nil {
			t.Error(err)
		}
		final = got
	})
	close(g.gate) // let the disk go
	s.Wait()
	if !slices.Equal(g.writes, []string{"A", "ABCD"}) {
		t.Errorf("drafts written %q: want the first (already running) and the latest only", g.writes)
	}
	if final.State != encounter.Queued || final.Premises.Name != "ABCD" {
		t.Errorf("finalised %v %q: want the latest draft", final.State, final.Premises.Name)
	}
	if len(errs) > 2 || len(delivered) != len(errs)+1 {
		t.Errorf("%d draft results, %d delivered", len(errs), len(delivered))
	}
}

// TestSaverReadsAfterWrites: a read sees every write asked for before it.
func TestSaverReadsAfterWrites(t *testing.T) {
	e := newEnv(t)
	var ids []uuid.UUID
	for range 3 {
		r, _ := encounter.New(e.st.DeviceID(), testNow)
		r.Premises.Name = "x"
		ids = append(ids, r.ID)
		e.saver.SaveDraft(r, nil)
	}
	e.saver.Discard(ids[1], nil)
	var got []encounter.Record
	e.saver.List(func(rs []encounter.Record, err error) { got = rs })
	e.settle()
	if len(got) != 2 {
		t.Errorf("listed %d records, want 2", len(got))
	}
}

// TestSaverKeepsItsOwnCopy: a draft handed to the saver is written as it
// was handed over, even when the caller edits its people (slices it
// shares) before the disk is free.
func TestSaverKeepsItsOwnCopy(t *testing.T) {
	e := newEnv(t)
	g := &gated{Store: e.st, gate: make(chan struct{})}
	s := NewSaver(g, nil)
	defer s.Close()
	r, _ := encounter.New(e.st.DeviceID(), testNow)
	r.Premises.Name = "Example Wash"
	r.People = []encounter.Person{{ID: uuid.New(), Label: "As handed over", AgeYears: 30}}
	s.SaveDraft(r, nil)
	r.People[0].Label, r.People[0].AgeYears = "Edited afterwards", 15
	close(g.gate)
	s.Wait()
	got, err := e.st.Get(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p := got.People[0]; p.Label != "As handed over" || p.AgeYears != 30 {
		t.Errorf("written %q aged %d: the saver's copy changed under it", p.Label, p.AgeYears)
	}
}
