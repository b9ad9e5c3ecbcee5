package server

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/internal/strictjson"
	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/sync/wire"
)

// The server's log is a hash chain: every event it must be able to
// answer for (an entry stored, kept aside or refused; a request of an
// enrolled device refused; an account or device changed; a record read
// by a supervisor or a partner; a quota reached) is appended as an
// Event, and each event carries the hash of the one before it. Changing,
// removing or reordering any event breaks every link after it; the last
// link is checked against the head the server keeps and prints (see
// docs/security.md, "Anchoring the head").
//
// Hash of an event: SHA-256 over "waymark-log-v1\n" followed by the
// event's JSON bytes exactly as stored. Stored value: the 32-byte hash,
// then those bytes. Event 1 has Prev of 64 zeros.

// Event types, as Event.Type names them. Append-only.
const (
	EventChainStart    = "chain.start"      // the first event: how many records were already held
	EventEntryStored   = "entry.stored"     // a record or amendment stored
	EventEntryAside    = "entry.aside"      // an entry kept aside for review (conflict, sequence reused)
	EventEntryRefused  = "entry.refused"    // an entry refused (code and field path only)
	EventRequestRefuse = "request.refused"  // a request of an enrolled device refused whole
	EventRead          = "read"             // records read by a supervisor or a partner
	EventQuota         = "quota.aside_full" // a device reached its quota of entries kept aside
	EventAdminPrefix   = "admin."           // + the admin log's action: account and device changes
)

// Event is one link of the chain. Only the fields of its type are set.
// Nothing in it is a value from a record: records are named by id and
// hash; refusals by code and the field path and rule.
type Event struct {
	Seq  uint64    `json:"seq"`
	Prev string    `json:"prev"` // hex SHA-256 of the event before
	At   time.Time `json:"at"`   // the server's clock when it happened
	Type string    `json:"type"`
	// Who: the authenticated source. Actor is "device:<id>" (with Account
	// its account), "cli:<os user>" or "server"; Remote the network
	// address a request came from.
	Actor   string    `json:"actor"`
	Account string    `json:"account,omitempty"`
	Device  uuid.UUID `json:"device,omitzero"`
	Remote  string    `json:"remote,omitempty"`
	// What: an entry of the device's outbox and the record it carries.
	EntrySeq uint64    `json:"entry_seq,omitempty"`
	Record   uuid.UUID `json:"record,omitzero"`
	Kind     wire.Kind `json:"kind,omitempty"`
	Cursor   uint64    `json:"cursor,omitempty"`
	// BodyHash is the hex SHA-256 of the record's canonical body (what
	// the device signed); StoredHash of the record's whole stored value
	// (body, signature, key, scope, receipt time); OpHash of its
	// operation; AsideHash of an entry kept aside.
	BodyHash   string `json:"body_hash,omitempty"`
	StoredHash string `json:"stored_hash,omitempty"`
	OpHash     string `json:"op_hash,omitempty"`
	AsideHash  string `json:"aside_hash,omitempty"`
	Sig        []byte `json:"sig,omitempty"`
	KeyID      string `json:"key_id,omitempty"`
	// Why, for a refusal: the code, and the field path and rule.
	Code   wire.Code `json:"code,omitempty"`
	Reason string    `json:"reason,omitempty"`
	// Records read, for EventRead; the count already held, for
	// EventChainStart.
	Records []uuid.UUID `json:"records,omitempty"`
	Count   int         `json:"count,omitempty"`
	// Detail of an admin event: the account's identifying fields and
	// roles, or the code id; KeyID the enrolled device's key.
	Detail string `json:"detail,omitempty"`
}

// Head is the last link of the chain: what to anchor outside the server.
type Head struct {
	Seq  uint64    `json:"seq"`
	Hash string    `json:"hash"` // hex
	At   time.Time `json:"at"`
}

// String is the head as the server prints it and verify --anchor reads
// it: "<seq>:<hash>".
func (h Head) String() string { return fmt.Sprintf("%d:%s", h.Seq, h.Hash) }

// Journal is the server's hash-chained log as later parts (the console,
// verify, a PostgreSQL backend) see it.
//
// The contract: Append assigns each event the next sequence number, its
// Prev, and stores it durably before returning, atomically with any
// other write of the same transaction; two appends never interleave, so
// the chain has one order, even across replicas of a shared backend. An
// event describing a write (a record stored) is appended in the very
// transaction of that write: both are stored or neither. Events are never
// changed or removed. Events calls fn with every event from sequence
// from on, in order, with the hash stored for it.
type Journal interface {
	Append(ctx context.Context, evs ...Event) (Head, error)
	Events(ctx context.Context, from uint64, fn func(ev Event, hash string) error) error
	Head(ctx context.Context) (Head, error)
}

// The chain in the server's storage:
//
//	Chain <seq>      32-byte hash ‖ the event's JSON
//	Meta "head"      JSON of the last Head
var metaHead = []byte("head")

func chainKey(seq uint64) []byte { return binary.BigEndian.AppendUint64(nil, seq) }

// chainContext starts every hashed event.
const chainContext = "waymark-log-v1\n"

// eventHash is the hash of an event's stored JSON.
func eventHash(b []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(chainContext))
	h.Write(b)
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

var zeroHash = hex.EncodeToString(make([]byte, 32))

// chain is the Journal of the server's storage. It appends inside
// storage Updates, which the store serialises (across replicas too), so
// each Update extends the head the last one left: one chain.
type chain struct {
	st storage.Store
}

// chainWriter appends to the chain inside one storage transaction.
type chainWriter struct {
	tx      storage.Tx
	pending Head // the head including this transaction's appends
	loaded  bool
}

func newChainWriter(tx storage.Tx) *chainWriter { return &chainWriter{tx: tx} }

// append adds ev to the transaction as the next link.
func (w *chainWriter) append(ev Event) error {
	if !w.loaded {
		found, err := getJSON(w.tx, storage.Meta, metaHead, &w.pending)
		if err != nil {
			return fmt.Errorf("read log head: %w", err)
		}
		if !found {
			w.pending = Head{Hash: zeroHash}
		}
		w.loaded = true
	}
	ev.Seq = w.pending.Seq + 1
	ev.Prev = w.pending.Hash
	ev.At = ev.At.UTC()
	b, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode log event: %w", err)
	}
	h := eventHash(b)
	if err := w.tx.Put(storage.Chain, chainKey(ev.Seq), append(h[:], b...)); err != nil {
		return err
	}
	w.pending = Head{Seq: ev.Seq, Hash: hex.EncodeToString(h[:]), At: ev.At}
	_, err = setJSON(w.tx, storage.Meta, metaHead, w.pending)
	return err
}

// update runs fn in a storage Update with a chain writer, and commits.
func (c *chain) update(ctx context.Context, fn func(tx storage.Tx, w *chainWriter) error) error {
	return c.st.Update(ctx, func(tx storage.Tx) error { return fn(tx, newChainWriter(tx)) })
}

// Append appends events in one transaction.
func (c *chain) Append(ctx context.Context, evs ...Event) (Head, error) {
	var h Head
	err := c.update(ctx, func(tx storage.Tx, w *chainWriter) error {
		for _, ev := range evs {
			if err := w.append(ev); err != nil {
				return err
			}
		}
		h = w.pending
		return nil
	})
	if err != nil {
		return Head{}, fmt.Errorf("append to the log: %w", err)
	}
	return h, nil
}

// Head returns the last committed link.
func (c *chain) Head(ctx context.Context) (Head, error) {
	return decodeHead(c.st.Get(ctx, storage.Meta, metaHead))
}

// decodeHead decodes the stored head: Get's answer for Meta "head".
func decodeHead(b []byte, found bool, err error) (Head, error) {
	h := Head{Hash: zeroHash}
	if err != nil || !found {
		return h, err
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return h, fmt.Errorf("read log head: %w", err)
	}
	return h, nil
}

// Events reads the chain from sequence from on. It decodes strictly
// and fails on the first link it cannot read; Verify is the one that
// reports everything wrong.
func (c *chain) Events(ctx context.Context, from uint64, fn func(Event, string) error) error {
	return c.st.View(ctx, func(r storage.Reader) error {
		return r.Scan(storage.Chain, chainKey(from), false, func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			ev, hash, err := decodeLink(v)
			if err != nil {
				return fmt.Errorf("log event at key %x: %w", k, err)
			}
			return fn(ev, hash)
		})
	})
}

// errLinkShort is a stored link too short to hold a hash.
var errLinkShort = errors.New("shorter than its hash")

// decodeLink splits a stored link into its event and stored hash.
func decodeLink(v []byte) (Event, string, error) {
	var ev Event
	if len(v) < 32 {
		return ev, "", errLinkShort
	}
	if err := strictjson.Unmarshal(v[32:], &ev); err != nil {
		return ev, hex.EncodeToString(v[:32]), err
	}
	return ev, hex.EncodeToString(v[:32]), nil
}

// printHead writes the log's head to the server's own log (standard
// error: the journal, syslog), which the server cannot rewrite once
// written; kept there, or forwarded off the machine, it anchors the
// chain (docs/security.md).
func (s *Server) printHead(why string) {
	h, _ := s.chain.Head(context.Background())
	s.log.Info("log head", "head", h.String(), "at", h.At.UTC().Format(time.RFC3339Nano), "why", why)
}

// startChain begins the chain of a store that has none: its first event
// says how many records the store held already (stored before records
// were logged), so that verify can tell those from records that lost
// their event. Several replicas may start at once: the count and the
// first event are one Update, and only the first writes them.
func (s *Server) startChain(ctx context.Context) error {
	return s.chain.update(ctx, func(tx storage.Tx, w *chainWriter) error {
		if _, found, err := tx.Get(storage.Meta, metaHead); err != nil || found {
			return err
		}
		n := 0
		err := tx.Scan(storage.Records, nil, false, func(k, v []byte) error { n++; return nil })
		if err != nil {
			return err
		}
		return w.append(Event{At: s.now(), Type: EventChainStart, Actor: "server", Count: n})
	})
}

// hashHex is the hex SHA-256 of b.
func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
