package server

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/sync/wire"
)

// Key schema of the server's Badger store. uuids are their 16 raw bytes,
// numbers uint64 big-endian.
//
//	m/cursor              the last cursor handed out
//	d/<device>            the device's contiguous ack: every entry 1..n is here
//	e/<device><seq>       entryValue: what became of that entry
//	r/<record>            recordValue: the stored body of a record
//	l/<cursor>            opValue: the change stored at that cursor
//	x/<device><seq><h8>   asideValue: an entry kept aside for review, one per
//	                      distinct body (h8: the first 8 bytes of its hash)
//	q/<device>            asideQuota: what the device has kept aside
//	h/<seq>, m/head       the hash-chained log (chain.go)
//
// A record is written once and never overwritten. Entries that would
// change it are kept under x/ and answered with a rejection.
var (
	keyCursor    = []byte("m/cursor")
	prefixDevice = []byte("d/")
	prefixEntry  = []byte("e/")
	prefixRecord = []byte("r/")
	prefixLog    = []byte("l/")
	prefixAside  = []byte("x/")
	prefixQuota  = []byte("q/")
)

func quotaKey(dev uuid.UUID) []byte { return append(append([]byte{}, prefixQuota...), dev[:]...) }

func deviceKey(dev uuid.UUID) []byte { return append(append([]byte{}, prefixDevice...), dev[:]...) }

func entryKey(dev uuid.UUID, seq uint64) []byte {
	k := append(append([]byte{}, prefixEntry...), dev[:]...)
	return binary.BigEndian.AppendUint64(k, seq)
}

func recordKey(id uuid.UUID) []byte { return append(append([]byte{}, prefixRecord...), id[:]...) }

func logKey(cursor uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte{}, prefixLog...), cursor)
}

func asideKey(dev uuid.UUID, seq uint64, h [32]byte) []byte {
	k := append(append([]byte{}, prefixAside...), dev[:]...)
	k = binary.BigEndian.AppendUint64(k, seq)
	return append(k, h[:8]...)
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

func getJSON(txn *badger.Txn, key []byte, v any) (bool, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, item.Value(func(b []byte) error {
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("decode %x: %w", key, err)
		}
		return nil
	})
}

func setJSON(txn *badger.Txn, key []byte, v any) (int, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, err
	}
	return len(key) + len(b), txn.Set(key, b)
}

// putJSON stores v at key and returns the bytes stored, whose hash the
// log keeps.
func putJSON(txn *badger.Txn, key []byte, v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return b, txn.Set(key, b)
}

func hexOf(h [32]byte) string { return hex.EncodeToString(h[:]) }

func getUint(txn *badger.Txn, key []byte) (uint64, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var n uint64
	err = item.Value(func(b []byte) error {
		if len(b) != 8 {
			return fmt.Errorf("%s holds %d bytes, want 8", key, len(b))
		}
		n = binary.BigEndian.Uint64(b)
		return nil
	})
	return n, err
}

func setUint(txn *badger.Txn, key []byte, v uint64) error {
	return txn.Set(key, binary.BigEndian.AppendUint64(nil, v))
}

func hashBody(body json.RawMessage) [32]byte { return sha256.Sum256(body) }
