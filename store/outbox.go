package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/evidence"
)

// OutboxEntry is one queued entry, exactly as it is to be sent.
type OutboxEntry struct {
	Seq  uint64
	ID   uuid.UUID
	Kind string
	Body []byte
	Sig  []byte // the device's signature of Body, made when it was queued
}

// Pulled is one operation received from the server.
type Pulled struct {
	Cursor uint64
	Kind   string
	ID     uuid.UUID
	Device uuid.UUID
	Body   []byte
	Seal   *evidence.Seal // the signature the server verified, and the key
}

// Rejected is an entry the server kept aside instead of storing, and why.
type Rejected struct {
	Seq  uint64
	Code string
}

// Progress is where the outbox and the pull cursor stand.
type Progress struct {
	Last   uint64 // last sequence queued
	Acked  uint64 // highest sequence the server holds
	Cursor uint64 // server cursor of the last pulled operation
}

// Queued is the number of entries waiting to be acknowledged.
func (p Progress) Queued() int { return int(p.Last - p.Acked) }

// Progress reports where the outbox and pull cursor stand.
func (s *Store) Progress(ctx context.Context) (Progress, error) {
	var p Progress
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		if p.Last, err = getUint(txn, keySeq); err != nil {
			return err
		}
		if p.Acked, err = getUint(txn, keyAcked); err != nil {
			return err
		}
		p.Cursor, err = getUint(txn, keyCursor)
		return err
	})
	if err != nil {
		return Progress{}, fmt.Errorf("read sync progress: %w", err)
	}
	return p, nil
}

// Pending returns up to max outbox entries after the acknowledged one, in
// sequence order, stopping before maxBytes of bodies would be passed
// (but always returning at least one entry if any is pending).
func (s *Store) Pending(ctx context.Context, max, maxBytes int) ([]OutboxEntry, error) {
	return s.PendingAfter(ctx, 0, max, maxBytes)
}

// PendingAfter is Pending from the entry after sequence after, or after
// the acknowledged one if that is later: a sync engine reads the next
// batch with it while the acknowledgement of the batch before, which it
// has sent, is still being written.
func (s *Store) PendingAfter(ctx context.Context, after uint64, max, maxBytes int) ([]OutboxEntry, error) {
	var out []OutboxEntry
	err := s.db.View(func(txn *badger.Txn) error {
		acked, err := getUint(txn, keyAcked)
		if err != nil {
			return err
		}
		if after > acked {
			acked = after // not acknowledged yet, but sent already
		}
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 100, Prefix: prefixOutbx})
		defer it.Close()
		size := 0
		for it.Seek(outboxKey(acked + 1)); it.ValidForPrefix(prefixOutbx) && len(out) < max; it.Next() {
			var ov outboxValue
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &ov) }); err != nil {
				return fmt.Errorf("decode outbox entry %x: %w", it.Item().Key(), err)
			}
			if len(out) > 0 && size+len(ov.Body) > maxBytes {
				break
			}
			size += len(ov.Body)
			seq := seqOf(it.Item().Key())
			if want := acked + uint64(len(out)) + 1; seq != want {
				return fmt.Errorf("outbox has sequence %d where %d was expected", seq, want)
			}
			out = append(out, OutboxEntry{Seq: seq, ID: ov.ID, Kind: ov.Kind, Body: ov.Body, Sig: ov.Sig})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read outbox: %w", err)
	}
	return out, nil
}

func seqOf(key []byte) uint64 {
	var seq uint64
	for _, b := range key[len(prefixOutbx):] {
		seq = seq<<8 | uint64(b)
	}
	return seq
}

// ErrAckAhead is returned when a server acknowledges entries this device
// never queued: the server is confused about who this device is.
var ErrAckAhead = errors.New("server acknowledged more than was sent")

// Acknowledge records that the server holds every entry up to ack. The
// records those entries carry become Synced, or Held if listed in
// rejected. If ack is lower than an earlier one (a server restored from a
// backup), the outbox rewinds so the missing entries are sent again.
func (s *Store) Acknowledge(ctx context.Context, ack uint64, rejected []Rejected) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	held := make(map[uint64]string, len(rejected))
	for _, r := range rejected {
		held[r.Seq] = r.Code
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var acked, last uint64
	err := s.db.View(func(txn *badger.Txn) (err error) {
		if acked, err = getUint(txn, keyAcked); err != nil {
			return err
		}
		last, err = getUint(txn, keySeq)
		return err
	})
	if err != nil {
		return fmt.Errorf("acknowledge %d: %w", ack, err)
	}
	if ack > last {
		return fmt.Errorf("acknowledge %d with %d queued: %w", ack, last, ErrAckAhead)
	}
	if ack <= acked {
		if ack < acked {
			return s.rewind(ack)
		}
		return nil
	}
	now := s.now()
	seqs := make([]uint64, 0, ack-acked)
	for q := acked + 1; q <= ack; q++ {
		seqs = append(seqs, q)
	}
	err = s.chunked(len(seqs), func(txn *badger.Txn, i int) error {
		ov, err := getOutbox(txn, seqs[i])
		if err != nil {
			return err
		}
		if code, ok := held[seqs[i]]; ok {
			return setSent(txn, seqs[i], ov, encounter.Held, code, now)
		}
		return setSent(txn, seqs[i], ov, encounter.Synced, "", now)
	}, func(txn *badger.Txn, done int) error {
		return setUint(txn, keyAcked, seqs[done-1])
	})
	if err != nil {
		return fmt.Errorf("acknowledge %d: %w", ack, err)
	}
	return nil
}

// rewind moves the acknowledged mark back to ack, so that entries after it
// are sent again. Their records go back to Queued. It fails with
// ErrPurged if retention has removed an entry after ack. Callers hold wmu.
func (s *Store) rewind(ack uint64) error {
	return s.update(func(txn *badger.Txn) error {
		floor, err := getUint(txn, keyFloor)
		if err != nil {
			return err
		}
		if ack < floor {
			return fmt.Errorf("rewind to %d: %w", ack, ErrPurged)
		}
		last, err := getUint(txn, keySeq)
		if err != nil {
			return err
		}
		for q := ack + 1; q <= last; q++ {
			ov, err := getOutbox(txn, q)
			if err != nil {
				return err
			}
			if err := setSent(txn, q, ov, encounter.Queued, "", time.Time{}); err != nil {
				return err
			}
		}
		return setUint(txn, keyAcked, ack)
	})
}

// ApplyPulled stores operations pulled from the server and moves the pull
// cursor to cursor once all are applied. Records from other devices are
// added as Synced; this device's own records, already here, are marked
// Synced if still Queued. A record kept here as Held keeps this device's
// version. Operations of kinds this version does not know are skipped.
func (s *Store) ApplyPulled(ctx context.Context, ops []Pulled, cursor uint64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	now := s.now().UTC()
	err := s.chunked(len(ops), func(txn *badger.Txn, i int) error {
		op := ops[i]
		switch op.Kind {
		case KindAmendment:
			return applyPulledAmendment(txn, op)
		case KindEncounter:
		default:
			return nil // a kind this version does not know
		}
		old, err := getStored(txn, op.ID)
		switch {
		case err == nil:
			if old.State == encounter.Queued {
				old.State, old.Synced = encounter.Synced, now
				return putStored(txn, old)
			}
			return nil
		case !errors.Is(err, ErrNotFound):
			return err
		}
		r, err := encounter.ParseDocument(op.Body)
		if err != nil {
			return fmt.Errorf("operation %d: %w", op.Cursor, err)
		}
		if r.ID != op.ID {
			return fmt.Errorf("operation %d: body is record %s, not %s", op.Cursor, r.ID, op.ID)
		}
		return putStored(txn, stored{State: encounter.Synced, Doc: r, Seal: op.Seal, Synced: now})
	}, func(txn *badger.Txn, done int) error {
		c := cursor
		if done > 0 && done < len(ops) {
			c = ops[done-1].Cursor
		}
		return setUint(txn, keyCursor, c)
	})
	if err != nil {
		return fmt.Errorf("apply pulled operations: %w", err)
	}
	return nil
}

// chunked applies step to items 0..n-1 in transactions of at most 256
// items, halving that whenever one is too big for Badger, and calls finish
// with the count done before each commit, so that progress marks move with
// the work they describe. Callers hold wmu.
func (s *Store) chunked(n int, step func(txn *badger.Txn, i int) error, finish func(txn *badger.Txn, done int) error) error {
	size := 256
	for done := 0; ; {
		end := min(done+size, n)
		err := s.update(func(txn *badger.Txn) error {
			for i := done; i < end; i++ {
				if err := step(txn, i); err != nil {
					return err
				}
			}
			return finish(txn, end)
		})
		if errors.Is(err, badger.ErrTxnTooBig) && end-done > 1 {
			size = (end - done) / 2
			continue
		}
		if err != nil {
			return err
		}
		if done = end; done >= n {
			return nil
		}
	}
}
