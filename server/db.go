package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/sync/wire"
)

// What the server keeps, by collection of its storage (package
// storage; each backend lays the collections out as it does: Badger
// under a key prefix each, PostgreSQL as a table each). uuids are their
// 16 raw bytes, numbers uint64 big-endian.
//
//	Meta "cursor"                 the last cursor handed out
//	Acks <device>                 the device's contiguous ack: every entry 1..n is here
//	Entries <device><seq>         entryValue: what became of that entry
//	Records <record>              recordValue: the stored body of a record
//	Ops <cursor>                  opValue: the change stored at that cursor
//	Aside <device><seq><h8>       asideValue: an entry kept aside for review, one per
//	                              distinct body (h8: the first 8 bytes of its hash)
//	Quotas <device>               asideQuota: what the device has kept aside
//	Chain <seq>, Meta "head"      the hash-chained log (chain.go)
//
// A record is written once and never overwritten. Entries that would
// change it are kept aside and answered with a rejection.
//
// Cursors follow commit order: a cursor is taken from Meta "cursor" in
// the transaction that stores its record, and the store serialises
// transactions (storage.Store.Update), across replicas too, so the
// transaction holding cursor n+1 starts only once the one holding n has
// committed. A pull that has read up to n never misses n+1 later.
var metaCursor = []byte("cursor")

func deviceKey(dev uuid.UUID) []byte { return bytes.Clone(dev[:]) }

func quotaKey(dev uuid.UUID) []byte { return bytes.Clone(dev[:]) }

func entryKey(dev uuid.UUID, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(bytes.Clone(dev[:]), seq)
}

func recordKey(id uuid.UUID) []byte { return bytes.Clone(id[:]) }

func logKey(cursor uint64) []byte { return binary.BigEndian.AppendUint64(nil, cursor) }

func asideKey(dev uuid.UUID, seq uint64, h [32]byte) []byte {
	return append(entryKey(dev, seq), h[:8]...)
}

// Entry outcomes, as stored in entryValue.Status.
const (
	statusStored   = "stored"   // its record is in r/
	statusConflict = "conflict" // another body holds its record id; kept aside
	statusInvalid  = "invalid"  // broke the record rules; not kept at all
)

type entryValue struct {
	ID      uuid.UUID `json:"id"`
	Kind    wire.Kind `json:"kind"`
	Hash    [32]byte  `json:"hash"`
	Status  string    `json:"status"`
	Code    wire.Code `json:"code,omitempty"`    // for statusInvalid: invalid_record or identity_mismatch
	Message string    `json:"message,omitempty"` // why, for statusInvalid
}

// recordValue is a stored record: its canonical body, the device's
// signature of it and the key that verified it, when it was received,
// the scope that decides who reads it and the account that pushed it.
// It is written once; its hash is in the log.
type recordValue struct {
	Kind     wire.Kind       `json:"kind"`
	Hash     [32]byte        `json:"hash"` // of Body
	Device   uuid.UUID       `json:"device"`
	Seq      uint64          `json:"seq"`
	Cursor   uint64          `json:"cursor"`
	Body     json.RawMessage `json:"body"`
	Sig      []byte          `json:"sig,omitempty"`
	Key      []byte          `json:"key,omitempty"`
	Received time.Time       `json:"received,omitzero"`
	Author   string          `json:"author"`
	Scope    Scope           `json:"scope"`
}

// opValue is a log entry: what was stored, and its scope, so that a pull
// decides what to serve without reading the record.
type opValue struct {
	Kind   wire.Kind `json:"kind"`
	ID     uuid.UUID `json:"id"`
	Device uuid.UUID `json:"device"`
	Seq    uint64    `json:"seq"`
	Scope  Scope     `json:"scope"`
}

type asideValue struct {
	ID       uuid.UUID       `json:"id"`
	Kind     wire.Kind       `json:"kind"`
	Code     wire.Code       `json:"code"`
	Received time.Time       `json:"received"`
	Body     json.RawMessage `json:"body"`
	Sig      []byte          `json:"sig,omitempty"`
}

// asideQuota is what one device has kept aside, against its quota, and
// whether the quota's alert was logged.
type asideQuota struct {
	Entries int   `json:"entries"`
	Bytes   int64 `json:"bytes"`
	Alerted bool  `json:"alerted,omitempty"`
}

// getJSON decodes the value at key of c into v, and reports whether
// there was one.
func getJSON(r storage.Reader, c *storage.Collection, key []byte, v any) (bool, error) {
	b, found, err := r.Get(c, key)
	if err != nil || !found {
		return false, err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return true, fmt.Errorf("decode %s %x: %w", c.Name, key, err)
	}
	return true, nil
}

// setJSON stores v at key of c and returns the bytes it took.
func setJSON(tx storage.Tx, c *storage.Collection, key []byte, v any) (int, error) {
	b, err := putJSON(tx, c, key, v)
	return len(key) + len(b), err
}

// putJSON stores v at key and returns the bytes stored, whose hash the
// log keeps.
func putJSON(tx storage.Tx, c *storage.Collection, key []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return b, tx.Put(c, key, b)
}

func hexOf(h [32]byte) string { return hex.EncodeToString(h[:]) }

// getUint reads the number at key of c (0 if none).
func getUint(r storage.Reader, c *storage.Collection, key []byte) (uint64, error) {
	b, found, err := r.Get(c, key)
	if err != nil || !found {
		return 0, err
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("%s %s holds %d bytes, want 8", c.Name, key, len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

func setUint(tx storage.Tx, c *storage.Collection, key []byte, v uint64) error {
	return tx.Put(c, key, binary.BigEndian.AppendUint64(nil, v))
}

func hashBody(body json.RawMessage) [32]byte { return sha256.Sum256(body) }
