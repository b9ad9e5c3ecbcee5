package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/sync/auth"
)

// The directory in the server's storage, beside the records (db.go).
// Strings are their bytes.
//
//	Accounts <account id>                   Account
//	Numbers <agency>\x00<NUMBER>            account id: agency and number are unique
//	Codes <code id>                         Enrolment
//	Devices <device>                        Device
//	AdminLog <unix nanos><n>                LogEntry, n a uint32 to keep entries of one
//	                                        nanosecond apart
//	Credentials <account id>                Credential: the console sign-in
//
// Nonces are the store's own (storage.Store.RememberNonce): in memory
// for the embedded store, in a table every replica shares for
// PostgreSQL.

func accountKey(id string) []byte { return []byte(id) }
func numberKey(agency, number string) []byte {
	return append(append([]byte(agency), 0), strings.ToUpper(number)...)
}
func codeKey(id string) []byte   { return []byte(id) }
func devKey(id uuid.UUID) []byte { return bytes.Clone(id[:]) }
func credKey(id string) []byte   { return []byte(id) }
func logEntryKey(t time.Time, n uint32) []byte {
	return binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano())), n)
}

// directory is the Directory of the server's storage. Its changes are
// storage Updates, which the store serialises: the checks it makes
// before a write (an id taken, a code used) hold across replicas.
type directory struct {
	st    storage.Store
	now   func() time.Time
	chain *chain
}

var _ Directory = (*directory)(nil)

func newDirectory(st storage.Store, now func() time.Time, c *chain) *directory {
	return &directory{st: st, now: now, chain: c}
}

// dirTx is one change of the directory: its transaction and the chain
// writer its log entries go to.
type dirTx struct {
	tx storage.Tx
	cw *chainWriter
}

// update runs fn in a transaction that may append to the chain: every
// change of the directory is logged in the same transaction.
func (d *directory) update(ctx context.Context, fn func(t *dirTx) error) error {
	return d.chain.update(ctx, func(tx storage.Tx, w *chainWriter) error { return fn(&dirTx{tx: tx, cw: w}) })
}

// log stores e in the admin log and appends it to the chain. key is the
// public key of a device enrolled, whose id the chain keeps.
func (t *dirTx) log(e LogEntry, key ...[]byte) error {
	// Another change (here or on a replica) may have logged in the same
	// nanosecond: take the first n free.
	var k []byte
	for n := uint32(0); ; n++ {
		k = logEntryKey(e.At, n)
		_, taken, err := t.tx.Get(storage.AdminLog, k)
		if err != nil {
			return err
		}
		if !taken {
			break
		}
	}
	if _, err := setJSON(t.tx, storage.AdminLog, k, e); err != nil {
		return err
	}
	ev := Event{At: e.At, Type: EventAdminPrefix + e.Action, Actor: e.Actor, Account: e.Account, Device: e.Device, Detail: e.Detail}
	if len(key) > 0 {
		ev.KeyID = evidence.KeyID(key[0])
	}
	return t.cw.append(ev)
}

// getExisting reads the JSON value at key of c into v; ErrNotFound,
// naming what, if there is none.
func getExisting(r storage.Reader, c *storage.Collection, key []byte, v any, what string) error {
	found, err := getJSON(r, c, key, v)
	if err == nil && !found {
		err = fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return err
}

// getOne reads one committed value of c into v; ErrNotFound, naming
// what, if there is none.
func (d *directory) getOne(ctx context.Context, c *storage.Collection, key []byte, v any, what string) error {
	b, found, err := d.st.Get(ctx, c, key)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("decode %s: %w", what, err)
	}
	return nil
}

// scanAll decodes every value of c, in key order.
func scanAll[T any](ctx context.Context, st storage.Store, c *storage.Collection) ([]T, error) {
	var out []T
	err := st.View(ctx, func(r storage.Reader) error {
		return r.Scan(c, nil, false, func(k, b []byte) error {
			var v T
			if err := json.Unmarshal(b, &v); err != nil {
				return fmt.Errorf("decode %s: %w", c.Name, err)
			}
			out = append(out, v)
			return nil
		})
	})
	return out, err
}

func (d *directory) Credential(ctx context.Context, id string) (Credential, error) {
	var c Credential
	err := d.st.View(ctx, func(r storage.Reader) error {
		if _, found, err := r.Get(storage.Accounts, accountKey(id)); err != nil {
			return err
		} else if !found {
			return fmt.Errorf("account %s: %w", id, ErrNotFound)
		}
		_, err := getJSON(r, storage.Credentials, credKey(id), &c)
		return err
	})
	return c, err
}

func (d *directory) UpdateCredential(ctx context.Context, id string, change func(*Credential) (LogEntry, error)) (Credential, error) {
	var c Credential
	err := d.update(ctx, func(t *dirTx) error {
		if _, found, err := t.tx.Get(storage.Accounts, accountKey(id)); err != nil {
			return err
		} else if !found {
			return fmt.Errorf("account %s: %w", id, ErrNotFound)
		}
		c = Credential{}
		if _, err := getJSON(t.tx, storage.Credentials, credKey(id), &c); err != nil {
			return err
		}
		e, err := change(&c)
		if err != nil {
			return err
		}
		if _, err := setJSON(t.tx, storage.Credentials, credKey(id), c); err != nil {
			return err
		}
		return t.log(e)
	})
	return c, err
}

func (d *directory) AddAccount(ctx context.Context, a Account, e LogEntry) error {
	return d.update(ctx, func(t *dirTx) error {
		for _, k := range []struct {
			c   *storage.Collection
			key []byte
		}{{storage.Accounts, accountKey(a.ID)}, {storage.Numbers, numberKey(a.Agency, a.Number)}} {
			if _, found, err := t.tx.Get(k.c, k.key); err != nil {
				return err
			} else if found {
				return fmt.Errorf("account %s: %w", a.ID, ErrExists)
			}
		}
		if _, err := setJSON(t.tx, storage.Accounts, accountKey(a.ID), a); err != nil {
			return err
		}
		if err := t.tx.Put(storage.Numbers, numberKey(a.Agency, a.Number), []byte(a.ID)); err != nil {
			return err
		}
		return t.log(e)
	})
}

func (d *directory) UpdateAccount(ctx context.Context, id string, change func(*Account) (LogEntry, error)) (Account, error) {
	var a Account
	err := d.update(ctx, func(t *dirTx) error {
		a = Account{}
		if err := getExisting(t.tx, storage.Accounts, accountKey(id), &a, fmt.Sprintf("account %s", id)); err != nil {
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
		if _, err := setJSON(t.tx, storage.Accounts, accountKey(id), a); err != nil {
			return err
		}
		return t.log(e)
	})
	return a, err
}

func (d *directory) Account(ctx context.Context, id string) (Account, error) {
	var a Account
	err := d.getOne(ctx, storage.Accounts, accountKey(id), &a, fmt.Sprintf("account %s", id))
	return a, err
}

func (d *directory) Accounts(ctx context.Context) ([]Account, error) {
	return scanAll[Account](ctx, d.st, storage.Accounts)
}

func (d *directory) AddEnrolment(ctx context.Context, en Enrolment, e LogEntry) error {
	return d.update(ctx, func(t *dirTx) error {
		var old Enrolment
		found, err := getJSON(t.tx, storage.Codes, codeKey(en.ID), &old)
		if err != nil {
			return err
		}
		if found && old.Live(en.Created) {
			return fmt.Errorf("enrolment code %s: %w", en.ID, ErrExists)
		}
		// End the account's codes still waiting: one live code each.
		var ended []Enrolment
		err = t.tx.Scan(storage.Codes, nil, false, func(k, b []byte) error {
			var c Enrolment
			if err := json.Unmarshal(b, &c); err != nil {
				return err
			}
			if c.Account == en.Account && c.Live(en.Created) {
				c.Ended = true
				ended = append(ended, c)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, c := range ended {
			if _, err := setJSON(t.tx, storage.Codes, codeKey(c.ID), c); err != nil {
				return err
			}
		}
		if _, err := setJSON(t.tx, storage.Codes, codeKey(en.ID), en); err != nil {
			return err
		}
		return t.log(e)
	})
}

func (d *directory) Enrolment(ctx context.Context, id string) (Enrolment, error) {
	var en Enrolment
	err := d.getOne(ctx, storage.Codes, codeKey(id), &en, fmt.Sprintf("enrolment code %s", id))
	return en, err
}

func (d *directory) FailEnrolment(ctx context.Context, id string, now time.Time) (Enrolment, error) {
	var en Enrolment
	err := d.update(ctx, func(t *dirTx) error {
		en = Enrolment{}
		if err := getExisting(t.tx, storage.Codes, codeKey(id), &en, fmt.Sprintf("enrolment code %s", id)); err != nil {
			return err
		}
		en.Failures++
		if _, err := setJSON(t.tx, storage.Codes, codeKey(id), en); err != nil {
			return err
		}
		if en.Failures == MaxEnrolFailures {
			return t.log(LogEntry{At: now, Actor: "server", Action: ActionEnrolBurnt, Account: en.Account,
				Detail: fmt.Sprintf("code %s burnt after %d wrong proofs", en.ID, en.Failures)})
		}
		return nil
	})
	return en, err
}

func (d *directory) CompleteEnrolment(ctx context.Context, id string, dev Device, now time.Time, e LogEntry) error {
	return d.update(ctx, func(t *dirTx) error {
		var en Enrolment
		if err := getExisting(t.tx, storage.Codes, codeKey(id), &en, fmt.Sprintf("enrolment code %s", id)); err != nil {
			return err
		}
		if !en.Live(now) {
			return fmt.Errorf("enrolment code %s: %w", id, ErrEnrolmentDone)
		}
		if _, found, err := t.tx.Get(storage.Devices, devKey(dev.ID)); err != nil {
			return err
		} else if found {
			return fmt.Errorf("device %s: %w", dev.ID, ErrExists)
		}
		en.Used, en.Device = now, dev.ID
		dev.Account = en.Account
		if _, err := setJSON(t.tx, storage.Codes, codeKey(id), en); err != nil {
			return err
		}
		if _, err := setJSON(t.tx, storage.Devices, devKey(dev.ID), dev); err != nil {
			return err
		}
		return t.log(e, dev.PublicKey)
	})
}

func (d *directory) Device(ctx context.Context, id uuid.UUID) (Device, error) {
	var dev Device
	err := d.getOne(ctx, storage.Devices, devKey(id), &dev, fmt.Sprintf("device %s", id))
	return dev, err
}

func (d *directory) Devices(ctx context.Context) ([]Device, error) {
	devs, err := scanAll[Device](ctx, d.st, storage.Devices)
	slices.SortStableFunc(devs, func(a, b Device) int { return a.Enrolled.Compare(b.Enrolled) })
	return devs, err
}

func (d *directory) RevokeDevice(ctx context.Context, id uuid.UUID, e LogEntry) (Device, error) {
	var dev Device
	err := d.update(ctx, func(t *dirTx) error {
		dev = Device{}
		if err := getExisting(t.tx, storage.Devices, devKey(id), &dev, fmt.Sprintf("device %s", id)); err != nil {
			return err
		}
		if dev.IsRevoked() {
			return nil // revoked already: nothing to log
		}
		dev.Revoked = e.At
		if _, err := setJSON(t.tx, storage.Devices, devKey(id), dev); err != nil {
			return err
		}
		return t.log(e)
	})
	return dev, err
}

// Record stores e in the admin log, and appends it to the chain, on its
// own: an action that changes nothing in the directory.
func (d *directory) Record(ctx context.Context, e LogEntry) error {
	return d.update(ctx, func(t *dirTx) error { return t.log(e) })
}

// nonceKeep is how long a nonce is remembered: a request is accepted
// within a window either side of the server's clock.
const nonceKeep = 2 * auth.Window

func (d *directory) RememberNonce(ctx context.Context, device uuid.UUID, nonce [16]byte, ts time.Time) (bool, error) {
	return d.st.RememberNonce(ctx, device, nonce, ts, nonceKeep)
}

func (d *directory) Log(ctx context.Context) ([]LogEntry, error) {
	return scanAll[LogEntry](ctx, d.st, storage.AdminLog)
}
