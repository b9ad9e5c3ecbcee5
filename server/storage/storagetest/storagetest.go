// Package storagetest is the conformance suite of storage.Store: every
// backend runs it (badgerstore's and pgstore's tests), and package server
// runs its own behaviour on every backend too. A backend passes only if
// it keeps the contract written on storage.Store.
package storagetest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/waymark-app/waymark/server/storage"
)

// Backend is what the suite needs of a backend.
type Backend struct {
	// Open returns a fresh, empty store, closed when the test ends.
	Open func(t *testing.T) storage.Store
	// Replica returns another handle on the same store, as another
	// server process would open it, closed when the test ends; for a
	// store that is not shared, s itself.
	Replica func(t *testing.T, s storage.Store) storage.Store
}

// Run runs the suite.
func Run(t *testing.T, b Backend) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Backend)
	}{
		{"PutGetDelete", testPutGetDelete},
		{"KeysOfEveryForm", testKeysOfEveryForm},
		{"ScanOrder", testScanOrder},
		{"ReadsOwnWrites", testReadsOwnWrites},
		{"FailedUpdateStoresNothing", testFailedUpdate},
		{"ViewIsASnapshot", testViewSnapshot},
		{"UpdatesSerialised", testSerialised},
		{"CursorsInCommitOrder", testCommitOrder},
		{"Nonces", testNonces},
		{"LargeValue", testLargeValue},
		{"Schema", testSchema},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, b) })
	}
}

var ctx = context.Background()

func u64(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func update(t *testing.T, s storage.Store, fn func(storage.Tx) error) {
	t.Helper()
	if err := s.Update(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, s storage.Store, c *storage.Collection, k []byte) ([]byte, bool) {
	t.Helper()
	v, found, err := s.Get(ctx, c, k)
	if err != nil {
		t.Fatal(err)
	}
	return v, found
}

func testPutGetDelete(t *testing.T, b Backend) {
	s := b.Open(t)
	if _, found := get(t, s, storage.Records, make([]byte, 16)); found {
		t.Fatal("an empty store holds a record")
	}
	id := bytes.Repeat([]byte{7}, 16)
	update(t, s, func(tx storage.Tx) error { return tx.Put(storage.Records, id, []byte(`{"a":1}`)) })
	if v, found := get(t, s, storage.Records, id); !found || string(v) != `{"a":1}` {
		t.Fatalf("get = %q, %v", v, found)
	}
	update(t, s, func(tx storage.Tx) error { return tx.Put(storage.Records, id, []byte(`{"a":2}`)) })
	if v, _ := get(t, s, storage.Records, id); string(v) != `{"a":2}` {
		t.Fatalf("after overwrite: %q", v)
	}
	update(t, s, func(tx storage.Tx) error { return tx.Delete(storage.Records, id) })
	if _, found := get(t, s, storage.Records, id); found {
		t.Fatal("deleted, still there")
	}
	update(t, s, func(tx storage.Tx) error { return tx.Delete(storage.Records, id) }) // again: no error
	// The same key in two collections is two values.
	update(t, s, func(tx storage.Tx) error {
		if err := tx.Put(storage.Devices, id, []byte("device")); err != nil {
			return err
		}
		return tx.Put(storage.Acks, id, u64(3))
	})
	if v, _ := get(t, s, storage.Devices, id); string(v) != "device" {
		t.Fatalf("devices: %q", v)
	}
	if v, _ := get(t, s, storage.Acks, id); !bytes.Equal(v, u64(3)) {
		t.Fatalf("acks: %x", v)
	}
}

// sampleKey is the n-th key of c, in key order for increasing n (below
// 2^16).
func sampleKey(c *storage.Collection, n int) []byte {
	var k []byte
	for _, p := range c.Key {
		switch p {
		case storage.UUID:
			u := make([]byte, 16)
			binary.BigEndian.PutUint16(u, uint16(n))
			k = append(k, u...)
		case storage.Uint64:
			k = binary.BigEndian.AppendUint64(k, uint64(n)*1_000_003)
		case storage.Uint32:
			k = binary.BigEndian.AppendUint32(k, uint32(n))
		case storage.Bytes8:
			k = binary.BigEndian.AppendUint64(k, uint64(n)<<40|0xff)
		case storage.TextNUL:
			k = append(append(k, fmt.Sprintf("t%05d", n)...), 0)
		case storage.Text:
			k = append(k, fmt.Sprintf("T%05d-é", n)...)
		}
	}
	return k
}

func testKeysOfEveryForm(t *testing.T, b Backend) {
	s := b.Open(t)
	for _, c := range storage.Collections {
		t.Run(c.Name, func(t *testing.T) {
			var keys [][]byte
			for n := range 5 {
				keys = append(keys, sampleKey(c, n*37+1))
			}
			update(t, s, func(tx storage.Tx) error {
				for i, k := range keys {
					if err := tx.Put(c, k, []byte(fmt.Sprintf("%s value %d", c.Name, i))); err != nil {
						return err
					}
				}
				return nil
			})
			var got [][]byte
			err := s.View(ctx, func(r storage.Reader) error {
				return r.Scan(c, nil, false, func(k, v []byte) error {
					if c == storage.Meta && string(k) == storage.SchemaKey {
						return nil // the backend's own
					}
					got = append(got, bytes.Clone(k))
					return nil
				})
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(keys) {
				t.Fatalf("scan found %d keys, want %d", len(got), len(keys))
			}
			for i := range keys {
				if !bytes.Equal(got[i], keys[i]) {
					t.Fatalf("key %d read back as %x, want %x", i, got[i], keys[i])
				}
				if v, _ := get(t, s, c, keys[i]); string(v) != fmt.Sprintf("%s value %d", c.Name, i) {
					t.Fatalf("value %d: %q", i, v)
				}
			}
		})
	}
}

func scanKeys(t *testing.T, r storage.Reader, c *storage.Collection, from []byte, reverse bool, stopAfter int) []uint64 {
	t.Helper()
	var out []uint64
	err := r.Scan(c, from, reverse, func(k, v []byte) error {
		if !bytes.Equal(v, k) {
			return fmt.Errorf("value %x under key %x", v, k)
		}
		out = append(out, binary.BigEndian.Uint64(k))
		if len(out) == stopAfter {
			return storage.ErrStop
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testScanOrder(t *testing.T, b Backend) {
	s := b.Open(t)
	const n = 1300 // more than a backend's read chunk
	update(t, s, func(tx storage.Tx) error {
		for i := n; i >= 1; i-- { // written backwards: order is the store's
			if err := tx.Put(storage.Chain, u64(uint64(i*2)), u64(uint64(i*2))); err != nil {
				return err
			}
		}
		return tx.Put(storage.Ops, u64(1), u64(1)) // another collection: never in a chain scan
	})
	s.View(ctx, func(r storage.Reader) error {
		all := scanKeys(t, r, storage.Chain, nil, false, 0)
		if len(all) != n || all[0] != 2 || all[n-1] != 2*n || !slices.IsSorted(all) {
			t.Fatalf("forward scan: %d keys, %v … %v", len(all), all[:3], all[len(all)-3:])
		}
		rev := scanKeys(t, r, storage.Chain, nil, true, 0)
		if len(rev) != n || rev[0] != 2*n || rev[n-1] != 2 {
			t.Fatalf("reverse scan: %d keys from %d to %d", len(rev), rev[0], rev[n-1])
		}
		for _, tc := range []struct {
			from    uint64
			reverse bool
			stop    int
			want    []uint64
		}{
			{from: 600, want: []uint64{600, 602, 604}, stop: 3}, // from a key: it first
			{from: 601, want: []uint64{602, 604}, stop: 2},      // from between keys
			{from: 601, reverse: true, want: []uint64{600, 598}, stop: 2},
			{from: 600, reverse: true, want: []uint64{600, 598}, stop: 2},
			{from: 2*n + 1, want: nil},
			{from: 1, reverse: true, want: nil},
			{from: 2*n - 2, want: []uint64{2*n - 2, 2 * n}},
		} {
			got := scanKeys(t, r, storage.Chain, u64(tc.from), tc.reverse, tc.stop)
			if !slices.Equal(got, tc.want) {
				t.Errorf("scan from %d (reverse %v): %v, want %v", tc.from, tc.reverse, got, tc.want)
			}
		}
		// A scan that goes on past a chunk from a bound.
		if got := scanKeys(t, r, storage.Chain, u64(3), false, 0); len(got) != n-1 || got[0] != 4 {
			t.Errorf("scan from 3: %d keys from %v", len(got), got[:1])
		}
		return nil
	})
}

func testReadsOwnWrites(t *testing.T, b Backend) {
	s := b.Open(t)
	update(t, s, func(tx storage.Tx) error {
		for i := 1; i <= 3; i++ {
			if err := tx.Put(storage.Ops, u64(uint64(i)), u64(uint64(i))); err != nil {
				return err
			}
		}
		return nil
	})
	update(t, s, func(tx storage.Tx) error {
		if err := tx.Prefetch(storage.Ops, [][]byte{u64(1), u64(2), u64(9)}); err != nil {
			return err
		}
		if err := tx.Put(storage.Ops, u64(4), u64(4)); err != nil {
			return err
		}
		if err := tx.Delete(storage.Ops, u64(2)); err != nil {
			return err
		}
		if err := tx.Put(storage.Ops, u64(9), u64(9)); err != nil {
			return err
		}
		for k, want := range map[uint64]bool{1: true, 2: false, 4: true, 9: true, 5: false} {
			if _, found, err := tx.Get(storage.Ops, u64(k)); err != nil || found != want {
				return fmt.Errorf("in the transaction, key %d found %v (%v), want %v", k, found, err, want)
			}
		}
		got := scanKeys(t, tx, storage.Ops, nil, false, 0)
		if !slices.Equal(got, []uint64{1, 3, 4, 9}) {
			return fmt.Errorf("in the transaction, scan %v", got)
		}
		// Written after a scan, read again.
		if err := tx.Put(storage.Ops, u64(5), u64(5)); err != nil {
			return err
		}
		if _, found, _ := tx.Get(storage.Ops, u64(5)); !found {
			return errors.New("a put after a scan is not read back")
		}
		return nil
	})
	s.View(ctx, func(r storage.Reader) error {
		if got := scanKeys(t, r, storage.Ops, nil, false, 0); !slices.Equal(got, []uint64{1, 3, 4, 5, 9}) {
			t.Errorf("committed: %v", got)
		}
		return nil
	})
}

func testFailedUpdate(t *testing.T, b Backend) {
	s := b.Open(t)
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx storage.Tx) error {
		tx.Put(storage.Meta, []byte("cursor"), u64(5))
		tx.Put(storage.Records, make([]byte, 16), []byte("x"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want fn's error", err)
	}
	if _, found := get(t, s, storage.Meta, []byte("cursor")); found {
		t.Fatal("a failed Update stored its write")
	}
	if _, found := get(t, s, storage.Records, make([]byte, 16)); found {
		t.Fatal("a failed Update stored its write")
	}
}

func testViewSnapshot(t *testing.T, b Backend) {
	s := b.Open(t)
	other := b.Replica(t, s)
	update(t, s, func(tx storage.Tx) error { return tx.Put(storage.Meta, []byte("cursor"), u64(1)) })
	err := s.View(ctx, func(r storage.Reader) error {
		if v, _, err := r.Get(storage.Meta, []byte("cursor")); err != nil || !bytes.Equal(v, u64(1)) {
			return fmt.Errorf("first read %x, %v", v, err)
		}
		if err := other.Update(ctx, func(tx storage.Tx) error {
			if err := tx.Put(storage.Meta, []byte("cursor"), u64(2)); err != nil {
				return err
			}
			return tx.Put(storage.Ops, u64(2), u64(2))
		}); err != nil {
			return err
		}
		if v, _, err := r.Get(storage.Meta, []byte("cursor")); err != nil || !bytes.Equal(v, u64(1)) {
			return fmt.Errorf("a View saw a commit made after it began: %x, %v", v, err)
		}
		if got := scanKeys(t, r, storage.Ops, nil, false, 0); len(got) != 0 {
			return fmt.Errorf("a View's scan saw a commit made after it began: %v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := get(t, s, storage.Meta, []byte("cursor")); !bytes.Equal(v, u64(2)) {
		t.Fatalf("after: %x", v)
	}
}

// counterAdd is the read-modify-write that serialisation protects.
func counterAdd(s storage.Store, pause time.Duration) (uint64, error) {
	var n uint64
	err := s.Update(ctx, func(tx storage.Tx) error {
		v, _, err := tx.Get(storage.Meta, []byte("cursor"))
		if err != nil {
			return err
		}
		if len(v) == 8 {
			n = binary.BigEndian.Uint64(v)
		}
		time.Sleep(pause)
		n++
		if err := tx.Put(storage.Ops, u64(n), u64(n)); err != nil {
			return err
		}
		return tx.Put(storage.Meta, []byte("cursor"), u64(n))
	})
	return n, err
}

func testSerialised(t *testing.T, b Backend) {
	s := b.Open(t)
	stores := []storage.Store{s, b.Replica(t, s), b.Replica(t, s)}
	const each = 20
	var wg sync.WaitGroup
	errs := make(chan error, len(stores)*each)
	for _, st := range stores {
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each / 2 {
					if _, err := counterAdd(st, time.Millisecond); err != nil {
						errs <- err
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	v, _ := get(t, s, storage.Meta, []byte("cursor"))
	if got := binary.BigEndian.Uint64(v); got != uint64(len(stores)*each) {
		t.Fatalf("counter %d after %d increments: Updates were not serialised", got, len(stores)*each)
	}
}

// testCommitOrder: writers on several handles take cursors from the
// counter and write ops under them, while a reader follows the ops as a
// pull does (from the last cursor it saw). Because Updates are
// serialised, a cursor is taken only once every lower one has committed:
// the reader must see them with no gap, never a higher one before a
// lower one.
func testCommitOrder(t *testing.T, b Backend) {
	s := b.Open(t)
	stores := []storage.Store{s, b.Replica(t, s), b.Replica(t, s)}
	const total = 90
	var wg sync.WaitGroup
	for i, st := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range total / len(stores) {
				// Vary the time between taking the cursor and committing.
				if _, err := counterAdd(st, time.Duration((i+j)%3)*time.Millisecond); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var last uint64
	reader := b.Replica(t, s)
	for finished := false; !finished; {
		select {
		case <-done:
			finished = true
		default:
		}
		err := reader.View(ctx, func(r storage.Reader) error {
			return r.Scan(storage.Ops, u64(last+1), false, func(k, v []byte) error {
				c := binary.BigEndian.Uint64(k)
				if c != last+1 {
					return fmt.Errorf("the reader saw cursor %d after %d: cursor %d would be skipped", c, last, last+1)
				}
				last = c
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if last != total {
		t.Fatalf("read up to cursor %d of %d", last, total)
	}
}

func testNonces(t *testing.T, b Backend) {
	s := b.Open(t)
	other := b.Replica(t, s)
	dev, nonce := [16]byte{1}, [16]byte{2}
	now := time.Now()
	fresh, err := s.RememberNonce(ctx, dev, nonce, now, time.Minute)
	if err != nil || !fresh {
		t.Fatalf("first use: %v, %v", fresh, err)
	}
	for _, st := range []storage.Store{s, other} {
		if fresh, err := st.RememberNonce(ctx, dev, nonce, now, time.Minute); err != nil || fresh {
			t.Fatalf("second use: %v, %v", fresh, err)
		}
	}
	if fresh, _ := other.RememberNonce(ctx, [16]byte{9}, nonce, now, time.Minute); !fresh {
		t.Fatal("the same nonce from another device is new")
	}
	// Many at once, on every handle: each pair new exactly once.
	var mu sync.Mutex
	newCount := map[byte]int{}
	var wg sync.WaitGroup
	for _, st := range []storage.Store{s, other} {
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 20 {
					n := [16]byte{byte(i)}
					f, err := st.RememberNonce(ctx, [16]byte{3, byte(g % 2)}, n, now, time.Minute)
					if err != nil {
						t.Error(err)
						return
					}
					if f {
						mu.Lock()
						newCount[byte(i)<<1|byte(g%2)]++
						mu.Unlock()
					}
				}
			}()
		}
	}
	wg.Wait()
	for k, n := range newCount {
		if n != 1 {
			t.Errorf("pair %d was new %d times", k, n)
		}
	}
	if len(newCount) != 40 {
		t.Errorf("%d pairs were new, want 40", len(newCount))
	}
}

func testLargeValue(t *testing.T, b Backend) {
	s := b.Open(t)
	v := bytes.Repeat([]byte("0123456789abcdef"), 48<<10) // 768 KiB
	id := bytes.Repeat([]byte{1}, 16)
	update(t, s, func(tx storage.Tx) error { return tx.Put(storage.Records, id, v) })
	if got, _ := get(t, s, storage.Records, id); !bytes.Equal(got, v) {
		t.Fatalf("a %d-byte value read back as %d bytes", len(v), len(got))
	}
}

func testSchema(t *testing.T, b Backend) {
	s := b.Open(t)
	m, ok := s.(storage.Migrator)
	if !ok {
		t.Fatalf("%s store has no schema versions", s.Backend())
	}
	have, newest, err := m.SchemaVersion(ctx)
	if err != nil || have != newest || newest < 1 {
		t.Fatalf("a new store is at version %d of %d (%v)", have, newest, err)
	}
	if applied, err := m.Migrate(ctx); err != nil || len(applied) != 0 {
		t.Fatalf("migrating a new store applied %v (%v)", applied, err)
	}
}
