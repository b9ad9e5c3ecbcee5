package server

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/sync/auth"
)

// Key schema of the directory in the server's Badger store, beside the
// records (db.go). Strings are their bytes.
//
//	A/<account id>             Account
//	N/<agency>\x00<number>     account id: agency and number are unique
//	C/<code id>                Enrolment
//	D/<device>                 Device (16 raw bytes)
//	L/<unix nanos><n>          LogEntry, n a uint32 to keep entries of one
//	                           nanosecond apart
//	P/<account id>             Credential: the console sign-in
//
// Nonces are kept in memory only: see nonceMemory.
var (
	prefixAccount   = []byte("A/")
	prefixNumber    = []byte("N/")
	prefixCode      = []byte("C/")
	prefixDeviceKey = []byte("D/")
	prefixAdminLog  = []byte("L/")
	prefixCred      = []byte("P/")
)

func credKey(id string) []byte { return append(slices.Clone(prefixCred), id...) }

func (d *badgerDirectory) Credential(ctx context.Context, id string) (Credential, error) {
	var c Credential
	err := d.db.View(func(txn *badger.Txn) error {
		if _, err := txn.Get(accountKey(id)); errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("account %s: %w", id, ErrNotFound)
		} else if err != nil {
			return err
		}
		_, err := getJSON(txn, credKey(id), &c)
		return err
	})
	return c, err
}

func (d *badgerDirectory) UpdateCredential(ctx context.Context, id string, change func(*Credential) (LogEntry, error)) (Credential, error) {
	var c Credential
	err := d.update(func(txn *badger.Txn) error {
		if _, err := txn.Get(accountKey(id)); errors.Is(err, badger.ErrKeyNotFound) {
			return fmt.Errorf("account %s: %w", id, ErrNotFound)
		} else if err != nil {
			return err
		}
		if _, err := getJSON(txn, credKey(id), &c); err != nil {
			return err
		}
		e, err := change(&c)
		if err != nil {
			return err
		}
		if _, err := setJSON(txn, credKey(id), c); err != nil {
			return err
		}
		return d.putLog(txn, e)
	})
	return c, err
}

func accountKey(id string) []byte { return append(slices.Clone(prefixAccount), id...) }
func numberKey(agency, number string) []byte {
	return append(append(append(slices.Clone(prefixNumber), agency...), 0), strings.ToUpper(number)...)
}
func codeKey(id string) []byte   { return append(slices.Clone(prefixCode), id...) }
func devKey(id uuid.UUID) []byte { return append(slices.Clone(prefixDeviceKey), id[:]...) }
func logEntryKey(t time.Time, n uint32) []byte {
	k := binary.BigEndian.AppendUint64(slices.Clone(prefixAdminLog), uint64(t.UnixNano()))
	return binary.BigEndian.AppendUint32(k, n)
}

// badgerDirectory is the Directory of the embedded store. Its writes are
// serialised by mu (the store does not detect conflicts: the record
// committer is its only other writer, on other keys).
type badgerDirectory struct {
	db     *badger.DB
	now    func() time.Time
	chain  *chain
	mu     sync.Mutex   // serialises writes
	logN   uint32       // guarded by mu
	cw     *chainWriter // the write in progress's; guarded by mu
	nonces *nonceMemory
}

func newBadgerDirectory(db *badger.DB, now func() time.Time, c *chain) *badgerDirectory {
	return &badgerDirectory{db: db, now: now, chain: c, nonces: newNonceMemory(auth.Window)}
}

// update runs fn in a transaction that may append to the chain: every
// change of the directory is logged in the same transaction.
func (d *badgerDirectory) update(fn func(txn *badger.Txn) error) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.chain.update(func(txn *badger.Txn, w *chainWriter) error {
		d.cw = w
		defer func() { d.cw = nil }()
		return fn(txn)
	})
}

// putLog stores e in the admin log and appends it to the chain. key is
// the public key of a device enrolled, whose id the chain keeps.
func (d *badgerDirectory) putLog(txn *badger.Txn, e LogEntry, key ...[]byte) error {
	d.logN++
	if _, err := setJSON(txn, logEntryKey(e.At, d.logN), e); err != nil {
		return err
	}
	ev := Event{At: e.At, Type: EventAdminPrefix + e.Action, Actor: e.Actor, Account: e.Account, Device: e.Device, Detail: e.Detail}
	if len(key) > 0 {
		ev.KeyID = evidence.KeyID(key[0])
	}
	return d.cw.append(txn, ev)
}

func (d *badgerDirectory) AddAccount(ctx context.Context, a Account, e LogEntry) error {
	return d.update(func(txn *badger.Txn) error {
		for _, k := range [][]byte{accountKey(a.ID), numberKey(a.Agency, a.Number)} {
			if _, err := txn.Get(k); err == nil {
				return fmt.Errorf("account %s: %w", a.ID, ErrExists)
			} else if !errors.Is(err, badger.ErrKeyNotFound) {
				return err
			}
		}
		if _, err := setJSON(txn, accountKey(a.ID), a); err != nil {
			return err
		}
		if err := txn.Set(numberKey(a.Agency, a.Number), []byte(a.ID)); err != nil {
			return err
		}
		return d.putLog(txn, e)
	})
}

func (d *badgerDirectory) UpdateAccount(ctx context.Context, id string, change func(*Account) (LogEntry, error)) (Account, error) {
	var a Account
	err := d.update(func(txn *badger.Txn) error {
		if err := getExisting(txn, accountKey(id), &a, fmt.Sprintf("account %s", id)); err != nil {
			return err
		}
		before := a
		e, err := change(&a)
		if err != nil {
			return err
		}
		if a.ID != before.ID || a.Agency != before.Agency || a.Number != before.Number {
			return fmt.Errorf("account %s: id, agency and number cannot change: %w", id, ErrInvalid)
		}
		if _, err := setJSON(txn, accountKey(id), a); err != nil {
			return err
		}
		return d.putLog(txn, e)
	})
	return a, err
}

func (d *badgerDirectory) Account(ctx context.Context, id string) (Account, error) {
	var a Account
	err := d.db.View(func(txn *badger.Txn) error {
		return getExisting(txn, accountKey(id), &a, fmt.Sprintf("account %s", id))
	})
	return a, err
}

func (d *badgerDirectory) Accounts(ctx context.Context) ([]Account, error) {
	return scanAll[Account](d.db, prefixAccount)
}

func (d *badgerDirectory) AddEnrolment(ctx context.Context, en Enrolment, e LogEntry) error {
	return d.update(func(txn *badger.Txn) error {
		var old Enrolment
		found, err := getJSON(txn, codeKey(en.ID), &old)
		if err != nil {
			return err
		}
		if found && old.Live(en.Created) {
			return fmt.Errorf("enrolment code %s: %w", en.ID, ErrExists)
		}
		// End the account's codes still waiting: one live code each.
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: prefixCode})
		var ended []Enrolment
		for it.Seek(prefixCode); it.ValidForPrefix(prefixCode); it.Next() {
			var c Enrolment
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &c) }); err != nil {
				it.Close()
				return err
			}
			if c.Account == en.Account && c.Live(en.Created) {
				c.Ended = true
				ended = append(ended, c)
			}
		}
		it.Close()
		for _, c := range ended {
			if _, err := setJSON(txn, codeKey(c.ID), c); err != nil {
				return err
			}
		}
		if _, err := setJSON(txn, codeKey(en.ID), en); err != nil {
			return err
		}
		return d.putLog(txn, e)
	})
}

func (d *badgerDirectory) Enrolment(ctx context.Context, id string) (Enrolment, error) {
	var en Enrolment
	err := d.db.View(func(txn *badger.Txn) error {
		return getExisting(txn, codeKey(id), &en, fmt.Sprintf("enrolment code %s", id))
	})
	return en, err
}

func (d *badgerDirectory) FailEnrolment(ctx context.Context, id string, now time.Time) (Enrolment, error) {
	var en Enrolment
	err := d.update(func(txn *badger.Txn) error {
		if err := getExisting(txn, codeKey(id), &en, fmt.Sprintf("enrolment code %s", id)); err != nil {
			return err
		}
		en.Failures++
		if _, err := setJSON(txn, codeKey(id), en); err != nil {
			return err
		}
		if en.Failures == MaxEnrolFailures {
			return d.putLog(txn, LogEntry{At: now, Actor: "server", Action: ActionEnrolBurnt, Account: en.Account,
				Detail: fmt.Sprintf("code %s burnt after %d wrong proofs", en.ID, en.Failures)})
		}
		return nil
	})
	return en, err
}

func (d *badgerDirectory) CompleteEnrolment(ctx context.Context, id string, dev Device, now time.Time, e LogEntry) error {
	return d.update(func(txn *badger.Txn) error {
		var en Enrolment
		if err := getExisting(txn, codeKey(id), &en, fmt.Sprintf("enrolment code %s", id)); err != nil {
			return err
		}
		if !en.Live(now) {
			return fmt.Errorf("enrolment code %s: %w", id, ErrEnrolmentDone)
		}
		if _, err := txn.Get(devKey(dev.ID)); err == nil {
			return fmt.Errorf("device %s: %w", dev.ID, ErrExists)
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		en.Used, en.Device = now, dev.ID
		dev.Account = en.Account
		if _, err := setJSON(txn, codeKey(id), en); err != nil {
			return err
		}
		if _, err := setJSON(txn, devKey(dev.ID), dev); err != nil {
			return err
		}
		return d.putLog(txn, e, dev.PublicKey)
	})
}

func (d *badgerDirectory) Device(ctx context.Context, id uuid.UUID) (Device, error) {
	var dev Device
	err := d.db.View(func(txn *badger.Txn) error {
		return getExisting(txn, devKey(id), &dev, fmt.Sprintf("device %s", id))
	})
	return dev, err
}

func (d *badgerDirectory) Devices(ctx context.Context) ([]Device, error) {
	devs, err := scanAll[Device](d.db, prefixDeviceKey)
	slices.SortStableFunc(devs, func(a, b Device) int { return a.Enrolled.Compare(b.Enrolled) })
	return devs, err
}

func (d *badgerDirectory) RevokeDevice(ctx context.Context, id uuid.UUID, e LogEntry) (Device, error) {
	var dev Device
	err := d.update(func(txn *badger.Txn) error {
		if err := getExisting(txn, devKey(id), &dev, fmt.Sprintf("device %s", id)); err != nil {
			return err
		}
		if dev.IsRevoked() {
			return nil // revoked already: nothing to log
		}
		dev.Revoked = e.At
		if _, err := setJSON(txn, devKey(id), dev); err != nil {
			return err
		}
		return d.putLog(txn, e)
	})
	return dev, err
}

func (d *badgerDirectory) RememberNonce(ctx context.Context, device uuid.UUID, nonce [16]byte, ts time.Time) (bool, error) {
	return d.nonces.remember(device, nonce, d.now()), nil
}

func (d *badgerDirectory) Log(ctx context.Context) ([]LogEntry, error) {
	return scanAll[LogEntry](d.db, prefixAdminLog)
}

// getExisting reads the JSON value at key into v; ErrNotFound, naming
// what, if there is none.
func getExisting(txn *badger.Txn, key []byte, v any, what string) error {
	found, err := getJSON(txn, key, v)
	if err == nil && !found {
		err = fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return err
}

// scanAll decodes every value under prefix, in key order.
func scanAll[T any](db *badger.DB, prefix []byte) ([]T, error) {
	var out []T
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: prefix})
		defer it.Close()
		for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
			var v T
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &v) }); err != nil {
				return fmt.Errorf("decode %s: %w", prefix, err)
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// nonceMemory remembers (device, nonce) pairs for at least window, in two
// generations: a pair lives in the current map, then the previous one,
// and is forgotten when the previous is dropped, between one and two
// windows after it was seen. Memory is bounded by two windows of traffic.
type nonceMemory struct {
	window time.Duration

	mu        sync.Mutex // guards the fields below
	cur, prev map[nonceKey]struct{}
	started   time.Time // when cur began
}

type nonceKey struct {
	device uuid.UUID
	nonce  [16]byte
}

func newNonceMemory(window time.Duration) *nonceMemory {
	return &nonceMemory{window: window, cur: map[nonceKey]struct{}{}, prev: map[nonceKey]struct{}{}}
}

// remember reports whether the pair is new, and remembers it. now is the
// server's clock; a request's own time is within a window of it.
func (m *nonceMemory) remember(device uuid.UUID, nonce [16]byte, now time.Time) bool {
	k := nonceKey{device, nonce}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.started.IsZero() {
		m.started = now
	}
	// A request is accepted within a window either side of the clock,
	// so keep each pair at least two windows: rotate every two.
	if now.Sub(m.started) >= 2*m.window {
		m.prev, m.cur, m.started = m.cur, map[nonceKey]struct{}{}, now
	}
	if _, seen := m.cur[k]; seen {
		return false
	}
	if _, seen := m.prev[k]; seen {
		return false
	}
	m.cur[k] = struct{}{}
	return true
}
