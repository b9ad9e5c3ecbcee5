package server

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/sync/wire"
)

// populated is a server holding what a day brings: records and
// amendments from two officers, a conflict kept aside, refusals, account
// changes and a supervisor's reads.
func populated(t *testing.T) *Server {
	t.Helper()
	s, hs := newServer(t, Options{})
	ctx := context.Background()
	a := enrolDevice(t, s, account("north", ""))
	b := enrolDevice(t, s, account("north", ""))
	sup := enrolDevice(t, s, account("", "", wire.RoleSupervisor))
	var ids []uuid.UUID
	for i, d := range []testDevice{a, b, a, b, a} {
		id := uuid.Must(uuid.NewV7())
		ids = append(ids, id)
		var resp wire.PushResponse
		seq := uint64(i/2 + 1)
		if code, raw := post(t, hs, d, wire.PathPush, wire.PushRequest{Entries: []wire.Entry{{Seq: seq, ID: id, Kind: wire.KindEncounter, Body: body(d, id, "Premises")}}}, &resp); code != http.StatusOK || len(resp.Rejected) != 0 {
			t.Fatalf("push: %d %s", code, raw)
		}
	}
	am, _ := encounter.NewAmendment(ids[0], a.id(), a.officer(), t0)
	am.Reason, am.Changes = "typo", []encounter.Change{{Field: encounter.FieldNotes, To: "corrected"}}
	adoc, _ := am.Document()
	var resp wire.PushResponse
	post(t, hs, a, wire.PathPush, wire.PushRequest{Entries: []wire.Entry{
		{Seq: 4, ID: am.ID, Kind: wire.KindAmendment, Body: adoc},
		{Seq: 5, ID: ids[1], Kind: wire.KindEncounter, Body: body(a, ids[1], "Conflict")}, // b's record id: kept aside
		{Seq: 6, ID: ids[0], Kind: wire.KindEncounter, Body: body(a, ids[0], "Changed")},  // a's own: kept aside
		{Seq: 7, ID: ids[0], Kind: wire.KindEncounter, Body: []byte(`{"id":"` + ids[0].String() + `"}`)},
	}}, &resp)
	if resp.Ack != 7 || len(resp.Rejected) != 3 {
		t.Fatalf("setup push: %+v", resp)
	}
	if _, err := s.Admin("cli:test").SetDisabled(ctx, b.account.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Admin("cli:test").SetDisabled(ctx, b.account.ID, false); err != nil {
		t.Fatal(err)
	}
	var pr wire.PullResponse
	if code, raw := post(t, hs, sup, wire.PathPull, wire.PullRequest{}, &pr); code != http.StatusOK || len(pr.Ops) != 6 {
		t.Fatalf("supervisor pull: %d %d ops %.300s", code, len(pr.Ops), raw)
	}
	return s
}

func TestVerifyClean(t *testing.T) {
	s := populated(t)
	rep, err := s.Verify(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("problems in an untouched store: %v", rep.Problems)
	}
	if rep.Records != 6 || rep.Signed != 6 || rep.Aside != 2 || rep.Legacy != 0 {
		t.Errorf("report %+v", rep)
	}
	head, _ := s.chain.Head(context.Background())
	if rep.Head.Seq != head.Seq || rep.Head.Hash != head.Hash {
		t.Errorf("verify's head %v, the chain's %v", rep.Head, head)
	}
	// Every kind of event is there.
	kinds := map[string]int{}
	s.chain.Events(context.Background(), 1, func(ev Event, _ string) error { kinds[ev.Type]++; return nil })
	for _, k := range []string{EventChainStart, EventEntryStored, EventEntryAside, EventEntryRefused, EventRead,
		EventAdminPrefix + ActionAccountAdd, EventAdminPrefix + ActionEnrolDevice, EventAdminPrefix + ActionAccountDisable} {
		if kinds[k] == 0 {
			t.Errorf("no %s event in %v", k, kinds)
		}
	}
	if _, err := s.Verify(context.Background(), rep.Head); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Verify(context.Background(), Head{Seq: 3, Hash: strings.Repeat("ab", 32)}); r.OK() {
		t.Error("a wrong anchor passed")
	}
}

// TestVerifyCatchesTampering changes one byte, deletes one value, or
// swaps two values of the same kind, at a random place of the log,
// records, operations, entries kept aside or the head, hundreds of
// times; verify must catch every one, and pass again once it is undone.
func TestVerifyCatchesTampering(t *testing.T) {
	s := populated(t)
	ctx := context.Background()
	type kv struct {
		c    *storage.Collection
		k, v []byte
	}
	var all [][]kv // by collection
	s.st.View(ctx, func(r storage.Reader) error {
		for _, c := range []*storage.Collection{storage.Chain, storage.Records, storage.Ops, storage.Aside, storage.Meta} {
			var group []kv
			r.Scan(c, nil, false, func(k, v []byte) error {
				if c == storage.Meta && string(k) != string(metaHead) {
					return nil
				}
				group = append(group, kv{c, bytes.Clone(k), bytes.Clone(v)})
				return nil
			})
			all = append(all, group)
		}
		return nil
	})
	set := func(pairs ...kv) {
		t.Helper()
		if err := s.st.Update(ctx, func(tx storage.Tx) error {
			for _, p := range pairs {
				if p.v == nil {
					if err := tx.Delete(p.c, p.k); err != nil {
						return err
					}
				} else if err := tx.Put(p.c, p.k, p.v); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(11, 2026))
	counts := map[string]int{}
	const rounds = 300
	for round := range rounds {
		g := all[rng.IntN(len(all))]
		x := g[rng.IntN(len(g))]
		var what string
		var undo []kv
		switch op := rng.IntN(3); {
		case op == 0:
			b := bytes.Clone(x.v)
			b[rng.IntN(len(b))] ^= byte(1 + rng.IntN(255))
			set(kv{x.c, x.k, b})
			undo, what = []kv{x}, "byte changed"
		case op == 1:
			set(kv{x.c, x.k, nil})
			undo, what = []kv{x}, "deleted"
		default:
			y := g[rng.IntN(len(g))]
			if bytes.Equal(x.k, y.k) {
				continue // only one of its kind (the head)
			}
			set(kv{x.c, x.k, y.v}, kv{y.c, y.k, x.v})
			undo, what = []kv{x, y}, "swapped"
		}
		where := x.c.Name
		counts[what+" in "+where]++
		rep, err := s.Verify(ctx)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if rep.OK() {
			t.Fatalf("round %d: %s at %x not caught", round, what, x.k)
		}
		set(undo...)
		if round%25 == 0 {
			if rep, _ := s.Verify(ctx); !rep.OK() {
				t.Fatalf("round %d: undone, still %v", round, rep.Problems)
			}
		}
	}
	t.Logf("caught every one of %d tamperings: %v", rounds, counts)
}

// TestVerifyNamesThePlace: a changed record and a removed event are each
// reported where they are.
func TestVerifyNamesThePlace(t *testing.T) {
	s := populated(t)
	ctx := context.Background()
	var recKey, recVal []byte
	s.st.View(ctx, func(r storage.Reader) error {
		return r.Scan(storage.Records, nil, false, func(k, v []byte) error {
			recKey, recVal = bytes.Clone(k), bytes.Clone(v)
			return storage.ErrStop
		})
	})
	id := uuid.UUID(recKey)
	changed := bytes.Replace(recVal, []byte("Premises"), []byte("Premizes"), 1)
	s.st.Update(ctx, func(tx storage.Tx) error {
		tx.Put(storage.Records, recKey, changed)
		return tx.Delete(storage.Chain, chainKey(3))
	})
	rep, _ := s.Verify(ctx)
	var sawRecord, sawGap bool
	for _, p := range rep.Problems {
		sawRecord = sawRecord || (p.Where == "record "+id.String() && strings.Contains(p.What, "signature does not verify"))
		sawGap = sawGap || (p.Where == "log event 4" && strings.Contains(p.What, "events 3 to 3 are missing"))
	}
	if !sawRecord || !sawGap {
		t.Errorf("problems %v", rep.Problems)
	}
}

// TestHeadPrinted: the head the server prints reads back, and anchors
// verify.
func TestHeadParse(t *testing.T) {
	h := Head{Seq: 42, Hash: strings.Repeat("0f", 32), At: time.Now()}
	got, err := ParseHead(h.String())
	if err != nil || got.Seq != 42 || got.Hash != h.Hash {
		t.Fatalf("ParseHead(%q) = %v, %v", h.String(), got, err)
	}
	for _, bad := range []string{"", "42", "x:" + h.Hash, "0:" + h.Hash, "42:abc", "42:" + strings.Repeat("zz", 32)} {
		if _, err := ParseHead(bad); err == nil {
			t.Errorf("ParseHead(%q) accepted", bad)
		}
	}
}
