// Package storage is the one interface through which the Waymark server
// keeps everything: records and their cursors, entries and acks, entries
// kept aside, accounts, devices, enrolment codes, the admin log, console
// credentials, operations and the hash-chained log. Two backends
// implement it: badgerstore (the embedded default) and pgstore
// (PostgreSQL, which several server replicas can share).
//
// The server's logic (package server) is written once against Store; a
// backend keeps bytes under keys in named collections and guarantees the
// transactions described on Store. The conformance suite
// (storagetest.Run) holds every backend to the same contract.
package storage

import (
	"context"
	"errors"
	"time"
)

// Part is one component of a collection's key, in the order the key's
// bytes hold them. Keys compare as their bytes do (big-endian numbers,
// raw uuids, text as bytes): every backend scans in that order.
type Part int

// Key parts.
const (
	UUID    Part = iota // 16 raw bytes
	Uint64              // 8 bytes, big-endian; below 2^63
	Uint32              // 4 bytes, big-endian
	Bytes8              // 8 raw bytes
	TextNUL             // text ended by a 0 byte (not the last part)
	Text                // text to the end of the key (the last part only)
)

// Collection is a named set of keys and their values.
type Collection struct {
	// Name is the collection's name, and its table's in PostgreSQL.
	Name string
	// Prefix starts the collection's keys in a single key space (Badger).
	// Never change one: stores on disk use them.
	Prefix string
	// Key is the form of the collection's keys.
	Key []Part
	// Sealed values may hold what a record, an answer or a secret holds:
	// a backend that does not encrypt the whole store (PostgreSQL)
	// encrypts these values with the store key.
	Sealed bool
}

// The collections. What each value holds is written beside the code of
// package server that writes it. Append-only: a collection is never
// renamed, re-keyed or re-prefixed once stores hold it.
var (
	Meta        = &Collection{Name: "meta", Prefix: "m/", Key: []Part{Text}}
	Records     = &Collection{Name: "records", Prefix: "r/", Key: []Part{UUID}, Sealed: true}
	Ops         = &Collection{Name: "ops", Prefix: "l/", Key: []Part{Uint64}}
	Entries     = &Collection{Name: "entries", Prefix: "e/", Key: []Part{UUID, Uint64}}
	Acks        = &Collection{Name: "acks", Prefix: "d/", Key: []Part{UUID}}
	Aside       = &Collection{Name: "aside", Prefix: "x/", Key: []Part{UUID, Uint64, Bytes8}, Sealed: true}
	Resolutions = &Collection{Name: "resolutions", Prefix: "X/", Key: []Part{UUID, Uint64, Bytes8}}
	Quotas      = &Collection{Name: "quotas", Prefix: "q/", Key: []Part{UUID}}
	Chain       = &Collection{Name: "chain", Prefix: "h/", Key: []Part{Uint64}}
	Accounts    = &Collection{Name: "accounts", Prefix: "A/", Key: []Part{Text}}
	Numbers     = &Collection{Name: "account_numbers", Prefix: "N/", Key: []Part{TextNUL, Text}}
	Codes       = &Collection{Name: "enrolment_codes", Prefix: "C/", Key: []Part{Text}, Sealed: true}
	Devices     = &Collection{Name: "devices", Prefix: "D/", Key: []Part{UUID}}
	AdminLog    = &Collection{Name: "admin_log", Prefix: "L/", Key: []Part{Uint64, Uint32}}
	Credentials = &Collection{Name: "credentials", Prefix: "P/", Key: []Part{Text}, Sealed: true}
	Operations  = &Collection{Name: "operations", Prefix: "o/", Key: []Part{UUID}, Sealed: true}
)

// SchemaKey is the key in Meta where a backend that keeps its schema
// version among the collections (Badger) keeps it; it is the backend's.
const SchemaKey = "schema"

// Collections lists every collection, in the order an export writes them.
var Collections = []*Collection{Meta, Accounts, Numbers, Codes, Devices, AdminLog, Credentials, Operations,
	Chain, Records, Ops, Entries, Acks, Aside, Resolutions, Quotas}

// ErrStop, returned by a Scan callback, ends the scan without error.
var ErrStop = errors.New("stop scanning")

// ErrTooBig is an Update whose writes do not fit one transaction of the
// backend: nothing was stored; write less per Update.
var ErrTooBig = errors.New("transaction too big")

// Reader reads a consistent view of the store.
type Reader interface {
	// Get returns the value at key in c, and whether there is one. The
	// bytes are the caller's.
	Get(c *Collection, key []byte) ([]byte, bool, error)
	// Scan calls fn with every key and value of c in key order, from
	// the first key ≥ from (nil: the first), or, with reverse, in
	// reverse order from the last key ≤ from (nil: the last). The bytes
	// passed to fn are valid only until it returns. fn returning ErrStop
	// ends the scan; any other error ends it and is returned.
	Scan(c *Collection, from []byte, reverse bool, fn func(key, value []byte) error) error
}

// Tx is a read-write transaction: it reads what it wrote.
type Tx interface {
	Reader
	// Put sets the value at key in c.
	Put(c *Collection, key, value []byte) error
	// Delete removes key from c; deleting what is not there is no error.
	Delete(c *Collection, key []byte) error
	// Prefetch says that keys of c will be read soon, so that a backend
	// across a network reads them in one round trip. It changes nothing
	// that Get answers.
	Prefetch(c *Collection, keys [][]byte) error
}

// Store is the server's storage.
//
// The contract, which storagetest.Run checks of every backend:
//
//   - Update runs fn in one read-write transaction and commits it
//     durably (synced to disk) before returning nil; if fn or the commit
//     fails, nothing fn wrote is stored. fn runs once. Updates are
//     serialised: while fn runs, no other Update of this store, in this
//     process or in any other process sharing the backend (a replica),
//     commits. So an Update that reads a counter and writes it back
//     never loses an increment, and an Update that starts after another
//     committed sees all it wrote. Serialisation is what makes cursors
//     follow commit order (package server, "cursors").
//   - View calls fn with a consistent snapshot: everything committed
//     before View began, nothing committed after.
//   - Get reads one committed value outside any transaction.
//   - RememberNonce records (device, nonce) and reports whether it was
//     new, atomically: of two callers with the same pair, anywhere,
//     exactly one is told it is new. The pair is kept at least until
//     keep after ts.
//   - Shared reports whether other processes may write the same store
//     at the same time (replicas): what a process caches of it must
//     then be checked against the store before it is trusted, and
//     nonces outlive this process.
//   - Close releases the store; Update, View and Get fail after it.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Reader) error) error
	Get(ctx context.Context, c *Collection, key []byte) ([]byte, bool, error)
	RememberNonce(ctx context.Context, device, nonce [16]byte, ts time.Time, keep time.Duration) (bool, error)
	Shared() bool
	// Backend names the backend: "badger" or "postgres".
	Backend() string
	Close() error
}

// Migrator is a store whose schema has versions. Open migrates a store
// to the newest version unless told not to; Migrate does it by hand.
type Migrator interface {
	// SchemaVersion is the version the store is at, and the newest this
	// program knows.
	SchemaVersion(ctx context.Context) (have, newest int, err error)
	// Migrate brings the store to the newest version, one step at a
	// time, each step and the version it reaches stored together; it
	// returns the versions it applied. A store newer than this program
	// is an error.
	Migrate(ctx context.Context) ([]int, error)
}
