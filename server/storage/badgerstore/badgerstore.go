// Package badgerstore is the server's embedded storage backend: one
// Badger key space, encrypted with the store key, in the data folder.
// Each collection's keys start with its prefix (storage.Collection), so
// a store written before this package existed (issue 13's layout) is
// read as it is.
package badgerstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/waymark-app/waymark/server/storage"
)

// Options configures Open. The zero value keeps an unencrypted store in
// memory, for tests.
type Options struct {
	// Dir is the store's folder. Empty keeps it in memory.
	Dir string
	// Key encrypts the store: 16, 24 or 32 bytes. Nil leaves it plain.
	Key []byte
	// Logger receives Badger's warnings and errors. Nil discards them.
	Logger *slog.Logger
}

// Store is the Badger storage.Store. Its Updates are serialised by a
// mutex: one process holds a Badger store.
type Store struct {
	db     *badger.DB
	opts   Options    // as opened: Backup opens its copy alike
	mu     sync.Mutex // held by the one Update at a time
	nonces *nonceMemory
}

var _ storage.Store = (*Store)(nil)
var _ storage.Migrator = (*Store)(nil)

// Open opens or creates the store.
func Open(o Options) (*Store, error) {
	db, err := badger.Open(o.badgerOptions())
	if err != nil {
		return nil, fmt.Errorf("open server store %s: %w", o.Dir, err)
	}
	s := &Store{db: db, opts: o, nonces: newNonceMemory()}
	if _, err := s.Migrate(context.Background()); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// badgerOptions are the server's Badger options: synced writes, small
// tables and caches (a block cache is required with a key).
func (o Options) badgerOptions() badger.Options {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	bo := badger.DefaultOptions(o.Dir).
		WithSyncWrites(true).
		WithDetectConflicts(false). // one writer at a time: Update's mutex
		WithMemTableSize(32 << 20).
		WithNumMemtables(3).
		WithValueLogFileSize(128 << 20).
		WithValueThreshold(64 << 10).
		WithBlockCacheSize(64 << 20).
		WithIndexCacheSize(32 << 20).
		WithMetricsEnabled(false).
		WithLogger(badgerLogger{log})
	if o.Dir == "" {
		// In memory there is no value log: every value must fit under the
		// threshold, so raise it to Badger's most (1 MiB), or records
		// over 64 KiB fail. Bodies within 1 KiB of wire.MaxBodyBytes
		// still do not fit; on disk they do.
		bo = bo.WithInMemory(true).WithSyncWrites(false).WithValueThreshold(1 << 20)
	}
	if o.Key != nil {
		bo = bo.WithEncryptionKey(o.Key)
	}
	return bo
}

// Backend is "badger".
func (s *Store) Backend() string { return "badger" }

// Shared is false: a Badger store belongs to one process.
func (s *Store) Shared() bool { return false }

// Close closes the store.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close server store: %w", err)
	}
	return nil
}

func key(c *storage.Collection, k []byte) []byte {
	return append([]byte(c.Prefix), k...)
}

// Update runs fn in one Badger transaction, with the store's writer
// mutex held, and commits it synced.
func (s *Store) Update(ctx context.Context, fn func(storage.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	txn := s.db.NewTransaction(true)
	defer txn.Discard()
	if err := fn(tx{txn}); err != nil {
		return err
	}
	if err := txn.Commit(); err != nil {
		return tooBig(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// View runs fn on a snapshot.
func (s *Store) View(ctx context.Context, fn func(storage.Reader) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.View(func(txn *badger.Txn) error { return fn(tx{txn}) })
}

// Get reads one committed value.
func (s *Store) Get(ctx context.Context, c *storage.Collection, k []byte) ([]byte, bool, error) {
	var v []byte
	var found bool
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		v, found, err = tx{txn}.Get(c, k)
		return err
	})
	return v, found, err
}

// RememberNonce remembers the pair in this process's memory, for two
// generations of keep: a restarted server has forgotten them, so it
// refuses requests signed before it started (package server).
func (s *Store) RememberNonce(ctx context.Context, device, nonce [16]byte, ts time.Time, keep time.Duration) (bool, error) {
	return s.nonces.remember(device, nonce, time.Now(), keep), nil
}

// tx is a Badger transaction as a storage.Tx.
type tx struct{ txn *badger.Txn }

func (t tx) Get(c *storage.Collection, k []byte) ([]byte, bool, error) {
	item, err := t.txn.Get(key(c, k))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	v, err := item.ValueCopy(nil)
	return v, err == nil, err
}

func (t tx) Scan(c *storage.Collection, from []byte, reverse bool, fn func(k, v []byte) error) error {
	prefix := []byte(c.Prefix)
	it := t.txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 100, Prefix: prefix, Reverse: reverse})
	defer it.Close()
	start := key(c, from)
	if reverse && from == nil {
		// Past every key of the prefix: the prefix with its last byte
		// raised (prefixes end in '/').
		start = append(bytes.Clone(prefix[:len(prefix)-1]), prefix[len(prefix)-1]+1)
	}
	for it.Seek(start); it.ValidForPrefix(prefix); it.Next() {
		item := it.Item()
		var ferr error
		err := item.Value(func(v []byte) error {
			ferr = fn(item.Key()[len(prefix):], v)
			return nil
		})
		if err != nil {
			return err
		}
		if errors.Is(ferr, storage.ErrStop) {
			return nil
		}
		if ferr != nil {
			return ferr
		}
	}
	return nil
}

func (t tx) Put(c *storage.Collection, k, v []byte) error {
	return tooBig(t.txn.Set(key(c, k), v))
}

func (t tx) Delete(c *storage.Collection, k []byte) error {
	return tooBig(t.txn.Delete(key(c, k)))
}

// Prefetch does nothing: reads are local.
func (t tx) Prefetch(*storage.Collection, [][]byte) error { return nil }

func tooBig(err error) error {
	if errors.Is(err, badger.ErrTxnTooBig) {
		return fmt.Errorf("%w: %w", storage.ErrTooBig, err)
	}
	return err
}

// Schema versions of the Badger store, kept under m/schema (8 bytes).
// Version 1 is issue 13's layout, which kept no version: a store with
// none is at 1.
const schemaNewest = 1

var schemaKey = []byte(storage.SchemaKey)

// SchemaVersion reads the store's version.
func (s *Store) SchemaVersion(ctx context.Context) (int, int, error) {
	v, found, err := s.Get(ctx, storage.Meta, schemaKey)
	if err != nil || !found {
		return 1, schemaNewest, err
	}
	if len(v) != 8 {
		return 0, schemaNewest, fmt.Errorf("store schema version holds %d bytes, want 8", len(v))
	}
	return int(binary.BigEndian.Uint64(v)), schemaNewest, nil
}

// Migrate stamps an unversioned store with version 1; there is no later
// version of the Badger layout yet. A store newer than this program is
// an error.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	have, newest, err := s.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if have > newest {
		return nil, fmt.Errorf("the store is at schema version %d, newer than this program's %d: upgrade waymark-server", have, newest)
	}
	_, stamped, err := s.Get(ctx, storage.Meta, schemaKey)
	if err != nil || stamped {
		return nil, err
	}
	err = s.Update(ctx, func(t storage.Tx) error {
		return t.Put(storage.Meta, schemaKey, binary.BigEndian.AppendUint64(nil, schemaNewest))
	})
	if err != nil {
		return nil, fmt.Errorf("stamp the store's schema version: %w", err)
	}
	return []int{1}, nil
}

// badgerLogger sends Badger's warnings and errors to slog and drops the rest.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(f string, args ...any)   { b.l.Error("badger: " + fmt.Sprintf(f, args...)) }
func (b badgerLogger) Warningf(f string, args ...any) { b.l.Warn("badger: " + fmt.Sprintf(f, args...)) }
func (badgerLogger) Infof(string, ...any)             {}
func (badgerLogger) Debugf(string, ...any)            {}

// nonceMemory remembers (device, nonce) pairs in two generations: a pair
// lives in the current map, then the previous one, and is forgotten when
// the previous is dropped, between one and two keeps after it was seen.
// Memory is bounded by two keeps of traffic.
type nonceMemory struct {
	mu        sync.Mutex // guards the fields below
	cur, prev map[[32]byte]struct{}
	started   time.Time // when cur began
}

func newNonceMemory() *nonceMemory {
	return &nonceMemory{cur: map[[32]byte]struct{}{}, prev: map[[32]byte]struct{}{}}
}

func (m *nonceMemory) remember(device, nonce [16]byte, now time.Time, keep time.Duration) bool {
	var k [32]byte
	copy(k[:16], device[:])
	copy(k[16:], nonce[:])
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.started.IsZero() {
		m.started = now
	}
	if now.Sub(m.started) >= keep {
		m.prev, m.cur, m.started = m.cur, map[[32]byte]struct{}{}, now
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
