package store

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/evidence"
)

// Key schema. Every key starts with a one-letter namespace and a slash.
//
//	m/device        16-byte device id, made on first open
//	m/seq           uint64 big-endian: the last outbox sequence handed out
//	m/acked         uint64: the highest sequence the server acknowledged
//	m/cursor        uint64: the server cursor of the last pulled operation
//	r/<id>          record: JSON of stored, id is the 16 raw UUID bytes
//	a/<id><aid>     amendment aid of record id: JSON of storedAmendment
//	o/<seq>         outbox entry: JSON of outboxValue, seq uint64 big-endian
//	p/<id>/<ver>    content pack bundle (see packs.go)
//	m/credential    the device's enrolment, without its private key (credential.go)
//	m/floor         uint64: the highest outbox sequence retention removed (retention.go)
//	s/<name>        a setting of the app's, such as the server's policy (settings.go)
//
// Outbox entries stay after they are acknowledged: they are the exact bytes
// that were sent, and if a server ever answers with a lower Ack than before
// (restored from a backup), the device can send them again.
var (
	keyDevice   = []byte("m/device")
	keySeq      = []byte("m/seq")
	keyAcked    = []byte("m/acked")
	keyCursor   = []byte("m/cursor")
	keyFloor    = []byte("m/floor")
	prefixRec   = []byte("r/")
	prefixAmend = []byte("a/")
	prefixOutbx = []byte("o/")
)

func recKey(id uuid.UUID) []byte { return append(append([]byte{}, prefixRec...), id[:]...) }

func outboxKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte{}, prefixOutbx...), seq)
}

// Errors callers test for with errors.Is.
var (
	ErrNotFound  = errors.New("record not found")
	ErrFinalised = errors.New("record is finalised and cannot be changed")
	ErrClosed    = errors.New("store is closed")
)

// Outbox kinds: what an entry's body holds.
const (
	KindEncounter = "encounter" // a finalised encounter document
	KindAmendment = "amendment" // an amendment document
)

// Options configures Open. The zero value opens an unencrypted store in
// memory, which only tests want.
type Options struct {
	// Dir is the folder of the store. Empty keeps it in memory.
	Dir string
	// Key is the AES key the store is encrypted with: 16, 24 or 32 bytes.
	// Nil leaves the store unencrypted; the app always sets it.
	Key []byte
	// Logger receives Badger's warnings and errors. Nil discards them.
	Logger *slog.Logger
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
	// Signer signs each record as it is finalised and each amendment as
	// it is made, with the device's enrolled key. Nil: set it with
	// SetSigner once the device is enrolled; until then Finalise and
	// Amend fail with ErrNoSigner.
	Signer evidence.Signer
}

// Store is the device's encrypted record store and sync outbox. It is safe
// for concurrent use.
type Store struct {
	db     *badger.DB
	dir    string // empty in memory; its file system is checked for space
	now    func() time.Time
	device uuid.UUID

	// wmu serialises write transactions, so that they never conflict and
	// outbox sequence numbers are handed out in commit order.
	wmu    sync.Mutex
	signer evidence.Signer // guarded by wmu
}

// SmallMemory returns the Badger options Waymark uses on a device: a phone
// with little memory and a store of thousands, not millions, of records.
// Badger's defaults (64 MiB memtables, five of them, 1 GiB value log files
// mapped twice over, a 256 MiB block cache) suit a server, not a phone.
func SmallMemory(dir string) badger.Options {
	return badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithMemTableSize(4 << 20).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(4).
		WithBaseTableSize(1 << 20).
		WithBaseLevelSize(4 << 20).
		WithValueLogFileSize(16 << 20).
		WithValueThreshold(64 << 10).
		WithBlockCacheSize(4 << 20).
		WithIndexCacheSize(2 << 20).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithMetricsEnabled(false)
}

// Open opens or creates the store described by opts.
func Open(ctx context.Context, opts Options) (*Store, error) {
	bo := SmallMemory(opts.Dir)
	if opts.Dir == "" {
		bo = bo.WithInMemory(true).WithSyncWrites(false)
	}
	if opts.Key != nil {
		bo = bo.WithEncryptionKey(opts.Key)
	}
	bo = bo.WithLogger(badgerLogger{opts.Logger})
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", opts.Dir, err)
	}
	s := &Store{db: db, dir: opts.Dir, now: opts.Now, signer: opts.Signer}
	if s.now == nil {
		s.now = time.Now
	}
	if err := s.loadDevice(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the store. Nothing may be called after it.
func (s *Store) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// DeviceID is this device's identity in the sync protocol, made at random
// when the store was created.
func (s *Store) DeviceID() uuid.UUID { return s.device }

func (s *Store) loadDevice() error {
	// Read first: a store that has its id opens even on a full disk.
	err := s.db.View(func(txn *badger.Txn) error {
		b, err := getValue(txn, keyDevice)
		if err != nil {
			return err
		}
		return s.device.UnmarshalBinary(b)
	})
	if !errors.Is(err, badger.ErrKeyNotFound) {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	return s.update(func(txn *badger.Txn) error {
		b, err := getValue(txn, keyDevice)
		if err == nil {
			return s.device.UnmarshalBinary(b)
		}
		if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		s.device, err = uuid.NewRandom()
		if err != nil {
			return err
		}
		return txn.Set(keyDevice, s.device[:])
	})
}

// LoadOrCreateKey reads a 32-byte store key from path, creating the file
// with a fresh random key and mode 0600 if it does not exist. The server's
// data folder keeps its key so (docs/security.md says what that means);
// the officer app never does: its store key exists on disk only sealed in
// the vault, under the officer's PIN (package session).
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err == nil {
		if len(key) != 32 {
			return nil, fmt.Errorf("key file %s holds %d bytes, want 32", path, len(key))
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read key file: %w", err)
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("make key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("make key folder: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.Write(key); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("write key file: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("sync key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("close key file: %w", err)
	}
	return key, nil
}

// stored is a record as kept in the store: the document plus what only
// this device knows about it.
type stored struct {
	State encounter.State  `json:"state"`
	Seq   uint64           `json:"seq,omitempty"`  // outbox sequence, once queued
	Held  string           `json:"held,omitempty"` // why the server kept it aside
	Doc   encounter.Record `json:"doc"`
	Seal  *evidence.Seal   `json:"seal,omitempty"` // its signature, once finalised
	// Synced is when this device learnt the server holds the record:
	// retention counts from it (see Purge).
	Synced time.Time `json:"synced,omitzero"`
}

func (st stored) record() encounter.Record {
	r := st.Doc
	r.State = st.State
	return r
}

// outboxValue is one outbox entry: the bytes sent, fixed when queued.
// Encounter is set for an amendment: the record it amends.
type outboxValue struct {
	ID        uuid.UUID       `json:"id"`
	Kind      string          `json:"kind"`
	Encounter uuid.UUID       `json:"encounter,omitzero"`
	Body      json.RawMessage `json:"body"`
	Sig       []byte          `json:"sig,omitempty"` // the device's signature of Body (evidence.Message)
}

// SaveDraft writes r, which must be a draft, replacing any earlier version
// of the same draft. It fails with ErrFinalised if r was finalised.
// The write is synced to disk before SaveDraft returns.
func (s *Store) SaveDraft(ctx context.Context, r encounter.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.State != encounter.Draft {
		return fmt.Errorf("save draft %s: %w", r.ID, ErrFinalised)
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err := s.update(func(txn *badger.Txn) error {
		old, err := getStored(txn, r.ID)
		switch {
		case errors.Is(err, ErrNotFound):
		case err != nil:
			return err
		case old.State != encounter.Draft:
			return ErrFinalised
		}
		r.UpdatedAt = s.now().UTC()
		return putStored(txn, stored{State: encounter.Draft, Doc: r})
	})
	if err != nil {
		return fmt.Errorf("save draft %s: %w", r.ID, err)
	}
	return nil
}

// DeleteDraft removes a draft, such as one left empty. Finalised records
// are never deleted: it fails with ErrFinalised.
func (s *Store) DeleteDraft(ctx context.Context, id uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err := s.update(func(txn *badger.Txn) error {
		old, err := getStored(txn, id)
		if err != nil {
			return err
		}
		if old.State != encounter.Draft {
			return ErrFinalised
		}
		return txn.Delete(recKey(id))
	})
	if err != nil {
		return fmt.Errorf("delete draft %s: %w", id, err)
	}
	return nil
}

// Finalise closes draft id for good: it checks it is complete, stamps the
// time (starting the crime-recording clock for a police NRM referral),
// and queues its document in the outbox under the next sequence number,
// all in one transaction. The record is Queued afterwards. A record that
// is incomplete fails with an error wrapping encounter.ErrInvalid and
// stays a draft.
func (s *Store) Finalise(ctx context.Context, id uuid.UUID) (encounter.Record, error) {
	if err := ctx.Err(); err != nil {
		return encounter.Record{}, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var out encounter.Record
	err := s.update(func(txn *badger.Txn) error {
		st, err := getStored(txn, id)
		if err != nil {
			return err
		}
		if st.State != encounter.Draft {
			return ErrFinalised
		}
		if err := st.Doc.Seal(s.now()); err != nil {
			return err
		}
		body, err := st.Doc.Document()
		if err != nil {
			return err
		}
		seal, err := s.sign(KindEncounter, body)
		if err != nil {
			return err
		}
		seq, err := enqueue(txn, outboxValue{ID: id, Kind: KindEncounter, Body: body, Sig: seal.Sig})
		if err != nil {
			return err
		}
		st.State = encounter.Queued
		st.Seq = seq
		st.Seal = &seal
		out = st.record()
		return putStored(txn, st)
	})
	if err != nil {
		return encounter.Record{}, fmt.Errorf("finalise %s: %w", id, err)
	}
	return out, nil
}

// enqueue appends ov to the outbox under the next sequence number, which
// it returns.
func enqueue(txn *badger.Txn, ov outboxValue) (uint64, error) {
	seq, err := getUint(txn, keySeq)
	if err != nil {
		return 0, err
	}
	seq++
	b, err := json.Marshal(ov)
	if err != nil {
		return 0, err
	}
	if err := txn.Set(outboxKey(seq), b); err != nil {
		return 0, err
	}
	return seq, setUint(txn, keySeq, seq)
}

// Get returns record id with its amendments applied (see
// encounter.Record.WithAmendments), or an error wrapping ErrNotFound.
func (s *Store) Get(ctx context.Context, id uuid.UUID) (encounter.Record, error) {
	if err := ctx.Err(); err != nil {
		return encounter.Record{}, err
	}
	var r encounter.Record
	err := s.db.View(func(txn *badger.Txn) error {
		st, err := getStored(txn, id)
		if err != nil {
			return err
		}
		as, err := amendmentsOf(txn, id)
		r = st.record().WithAmendments(as)
		return err
	})
	if err != nil {
		return encounter.Record{}, fmt.Errorf("get %s: %w", id, err)
	}
	return r, nil
}

// List returns every record with its amendments applied, in the order an
// officer needs them: records whose crime-recording deadline has passed
// first, then those nearly due, then drafts, then the rest; within each
// group the earliest deadline or the newest encounter first.
func (s *Store) List(ctx context.Context) ([]encounter.Record, error) {
	var out []encounter.Record
	err := s.db.View(func(txn *badger.Txn) error {
		amends, err := allAmendments(txn)
		if err != nil {
			return err
		}
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 64, Prefix: prefixRec})
		defer it.Close()
		for it.Seek(prefixRec); it.ValidForPrefix(prefixRec); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			var st stored
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &st) }); err != nil {
				return fmt.Errorf("decode record %x: %w", it.Item().Key(), err)
			}
			out = append(out, st.record().WithAmendments(amends[st.Doc.ID]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list records: %w", err)
	}
	SortForOfficer(out, s.now())
	return out, nil
}

// SortForOfficer orders records as List returns them, at time now.
func SortForOfficer(rs []encounter.Record, now time.Time) {
	group := func(r encounter.Record) int {
		switch {
		case r.CrimeStatus(now) == encounter.CrimeOverdue:
			return 0
		case r.CrimeStatus(now) == encounter.CrimeDueSoon:
			return 1
		case r.State == encounter.Draft:
			return 2
		}
		return 3
	}
	sort.SliceStable(rs, func(i, j int) bool {
		gi, gj := group(rs[i]), group(rs[j])
		if gi != gj {
			return gi < gj
		}
		if gi < 2 && !rs[i].Crime.Due.Equal(rs[j].Crime.Due) {
			return rs[i].Crime.Due.Before(rs[j].Crime.Due)
		}
		if !rs[i].OccurredAt.Equal(rs[j].OccurredAt) {
			return rs[i].OccurredAt.After(rs[j].OccurredAt)
		}
		return rs[i].ID.String() > rs[j].ID.String()
	})
}

// update runs fn in a read-write transaction and commits it, unless the
// disk is too full to write safely (ErrDiskFull). Callers hold wmu.
func (s *Store) update(fn func(txn *badger.Txn) error) error {
	if err := checkSpace(s.dir); err != nil {
		return err
	}
	err := s.db.Update(fn)
	if errors.Is(err, badger.ErrDBClosed) {
		return ErrClosed
	}
	return asDiskFull(err)
}

func getValue(txn *badger.Txn, key []byte) ([]byte, error) {
	item, err := txn.Get(key)
	if err != nil {
		return nil, err
	}
	return item.ValueCopy(nil)
}

func getUint(txn *badger.Txn, key []byte) (uint64, error) {
	b, err := getValue(txn, key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("%s holds %d bytes, want 8", key, len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

func setUint(txn *badger.Txn, key []byte, v uint64) error {
	return txn.Set(key, binary.BigEndian.AppendUint64(nil, v))
}

func getStored(txn *badger.Txn, id uuid.UUID) (stored, error) {
	var st stored
	b, err := getValue(txn, recKey(id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return st, ErrNotFound
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("decode record %s: %w", id, err)
	}
	return st, nil
}

func putStored(txn *badger.Txn, st stored) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return txn.Set(recKey(st.Doc.ID), b)
}

// badgerLogger sends Badger's warnings and errors to a slog.Logger and
// drops its chatter.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, args ...any) {
	if b.l != nil {
		b.l.Error("badger: " + fmt.Sprintf(f, args...))
	}
}

func (b badgerLogger) Warningf(f string, args ...any) {
	if b.l != nil {
		b.l.Warn("badger: " + fmt.Sprintf(f, args...))
	}
}

func (badgerLogger) Infof(string, ...any)  {}
func (badgerLogger) Debugf(string, ...any) {}
