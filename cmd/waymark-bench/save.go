package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/sim"
	"github.com/waymark-app/waymark/store"
)

func newKey() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
}

// saves times n durable saves of one changed answer through the store,
// interleaved with n writes of a value of the same size straight into a
// Badger opened with the store's options (small memory, encryption, synced
// writes), so both meet the same disk at the same moments.
func (b *bench) saves(ctx context.Context, n int) error {
	key := newKey()
	st, err := store.Open(ctx, store.Options{Dir: b.fresh("save-store"), Key: key})
	if err != nil {
		return err
	}
	defer st.Close()
	db, err := badger.Open(store.SmallMemory(b.fresh("save-bare")).WithEncryptionKey(key).WithLogger(nil))
	if err != nil {
		return err
	}
	defer db.Close()

	r, err := encounter.New(st.DeviceID(), time.Now().Add(-time.Hour))
	if err != nil {
		return err
	}
	r.Premises = encounter.Premises{Name: "Example Hand Car Wash", Address: "12 Example Road, Testtown TE1 1ZZ", Business: encounter.CarWash}
	r.Notes = "Four workers; two sleeping in the back room. Manager spoke for them. Cash only."
	bareKey := []byte("r/0123456789abcdef")
	var saves, bare []time.Duration
	for i := range n + 50 {
		r.PeoplePresent = i % 20 // one answer changes
		value, _ := json.Marshal(r)
		value = append(value, bytes.Repeat([]byte(" "), 40)...) // the store's own fields
		t0 := time.Now()
		if err := st.SaveDraft(ctx, r); err != nil {
			return err
		}
		t1 := time.Now()
		if err := db.Update(func(txn *badger.Txn) error { return txn.Set(bareKey, value) }); err != nil {
			return err
		}
		t2 := time.Now()
		if i >= 50 { // warmed up
			saves = append(saves, t1.Sub(t0))
			bare = append(bare, t2.Sub(t1))
		}
	}
	s, w := sim.Percentiles(saves), sim.Percentiles(bare)
	b.t.goal("durable save of one answer, SaveDraft: p50 / p99", fmt.Sprintf("%s / %s (n=%d, max %s)", ms(s.P50), ms(s.P99), s.N, ms(s.Max)),
		"p99 ≤ 2 ms", s.P99 <= 2*time.Millisecond)
	b.t.add("bare Badger write, same options: p50 / p99", fmt.Sprintf("%s / %s (max %s)", ms(w.P50), ms(w.P99), ms(w.Max)))
	r50, r99 := float64(s.P50)/float64(w.P50), float64(s.P99)/float64(w.P99)
	b.t.goal("SaveDraft ÷ bare Badger: p50 / p99", fmt.Sprintf("%.2f× / %.2f×", r50, r99), "≤ 1.5×", r99 <= 1.5 && r50 <= 1.5)
	return nil
}

// open times opening a store that holds 1,000 finalised encounters, and
// creating a new one.
func (b *bench) open(ctx context.Context) error {
	key := newKey()
	dir := b.fresh("open")
	d, err := b.offlineDevice(ctx, dir, key, 1)
	if err != nil {
		return err
	}
	if _, err := d.Record(ctx, 1000, 1); err != nil {
		return err
	}
	if err := d.Close(); err != nil {
		return err
	}
	var opens, creates []time.Duration
	for range 20 {
		t0 := time.Now()
		st, err := store.Open(ctx, store.Options{Dir: dir, Key: key})
		if err != nil {
			return err
		}
		opens = append(opens, time.Since(t0))
		if err := st.Close(); err != nil {
			return err
		}
	}
	for range 5 {
		t0 := time.Now()
		st, err := store.Open(ctx, store.Options{Dir: b.fresh("create"), Key: key})
		if err != nil {
			return err
		}
		creates = append(creates, time.Since(t0))
		st.Close()
	}
	o, c := sim.Percentiles(opens), sim.Percentiles(creates)
	b.t.add("store open, 1,000 encounters: p50 / max", fmt.Sprintf("%s / %s (n=%d)", ms(o.P50), ms(o.Max), o.N))
	b.t.add("store create, empty: p50 / max", fmt.Sprintf("%s / %s (n=%d)", ms(c.P50), ms(c.Max), c.N))
	return nil
}

// ms prints d in milliseconds with sensible precision.
func ms(d time.Duration) string {
	f := float64(d) / float64(time.Millisecond)
	switch {
	case f < 1:
		return fmt.Sprintf("%.3f ms", f)
	case f < 100:
		return fmt.Sprintf("%.1f ms", f)
	}
	return fmt.Sprintf("%.0f ms", f)
}
