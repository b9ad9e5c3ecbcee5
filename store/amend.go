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

// ErrNotFinalised is returned when amending a record that is still a
// draft: drafts are edited, not amended.
var ErrNotFinalised = errors.New("record is a draft; edit it instead of amending it")

// storedAmendment is an amendment as kept on the device.
type storedAmendment struct {
	State encounter.State     `json:"state"`
	Seq   uint64              `json:"seq,omitempty"`
	Held  string              `json:"held,omitempty"`
	Doc   encounter.Amendment `json:"doc"`
	Seal  *evidence.Seal      `json:"seal,omitempty"`
}

func amendKey(record, id uuid.UUID) []byte {
	k := append(append([]byte{}, prefixAmend...), record[:]...)
	return append(k, id[:]...)
}

// Amend appends amendment a to the finalised record it names and queues
// it to send, in one transaction, and returns the record as now amended.
// The amendment must pass encounter.Record.CheckAmendment against the
// record as it now stands (a change that makes someone a child needs a
// referral made after the event); the record must exist (ErrNotFound)
// and be finalised (ErrNotFinalised).
func (s *Store) Amend(ctx context.Context, a encounter.Amendment) (encounter.Record, error) {
	if err := ctx.Err(); err != nil {
		return encounter.Record{}, err
	}
	if err := a.Check(); err != nil {
		return encounter.Record{}, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var out encounter.Record
	err := s.update(func(txn *badger.Txn) error {
		st, err := getStored(txn, a.Encounter)
		if err != nil {
			return err
		}
		if st.State == encounter.Draft {
			return ErrNotFinalised
		}
		earlier, err := amendmentsOf(txn, a.Encounter)
		if err != nil {
			return err
		}
		if err := st.record().WithAmendments(earlier).CheckAmendment(a); err != nil {
			return err
		}
		body, err := a.Document()
		if err != nil {
			return err
		}
		seal, err := s.sign(KindAmendment, body)
		if err != nil {
			return err
		}
		seq, err := enqueue(txn, outboxValue{ID: a.ID, Kind: KindAmendment, Encounter: a.Encounter, Body: body, Sig: seal.Sig})
		if err != nil {
			return err
		}
		a.State = encounter.Queued
		if err := putAmendment(txn, storedAmendment{State: encounter.Queued, Seq: seq, Doc: a, Seal: &seal}); err != nil {
			return err
		}
		as, err := amendmentsOf(txn, a.Encounter)
		out = st.record().WithAmendments(as)
		return err
	})
	if err != nil {
		return encounter.Record{}, fmt.Errorf("amend %s: %w", a.Encounter, err)
	}
	return out, nil
}

func putAmendment(txn *badger.Txn, sa storedAmendment) error {
	b, err := json.Marshal(sa)
	if err != nil {
		return err
	}
	return txn.Set(amendKey(sa.Doc.Encounter, sa.Doc.ID), b)
}

func getAmendment(txn *badger.Txn, record, id uuid.UUID) (storedAmendment, error) {
	var sa storedAmendment
	b, err := getValue(txn, amendKey(record, id))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return sa, ErrNotFound
	}
	if err != nil {
		return sa, err
	}
	if err := json.Unmarshal(b, &sa); err != nil {
		return sa, fmt.Errorf("decode amendment %s: %w", id, err)
	}
	return sa, nil
}

func (sa storedAmendment) amendment() encounter.Amendment {
	a := sa.Doc
	a.State = sa.State
	return a
}

// amendmentsOf returns the amendments of one record.
func amendmentsOf(txn *badger.Txn, record uuid.UUID) ([]encounter.Amendment, error) {
	prefix := append(append([]byte{}, prefixAmend...), record[:]...)
	var out []encounter.Amendment
	err := scanAmendments(txn, prefix, func(sa storedAmendment) { out = append(out, sa.amendment()) })
	return out, err
}

// allAmendments returns every amendment, by the record it amends.
func allAmendments(txn *badger.Txn) (map[uuid.UUID][]encounter.Amendment, error) {
	out := map[uuid.UUID][]encounter.Amendment{}
	err := scanAmendments(txn, prefixAmend, func(sa storedAmendment) {
		out[sa.Doc.Encounter] = append(out[sa.Doc.Encounter], sa.amendment())
	})
	return out, err
}

func scanAmendments(txn *badger.Txn, prefix []byte, fn func(storedAmendment)) error {
	it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 64, Prefix: prefix})
	defer it.Close()
	for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
		var sa storedAmendment
		if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &sa) }); err != nil {
			return fmt.Errorf("decode amendment %x: %w", it.Item().Key(), err)
		}
		fn(sa)
	}
	return nil
}

// setSent moves the record or amendment an outbox entry carries to state
// (Synced at at, or Held with code), or back to Queued, provided that
// entry is the latest one about it. It is how Acknowledge and a rewind update
// what the officer sees.
func setSent(txn *badger.Txn, seq uint64, ov outboxValue, state encounter.State, code string, at time.Time) error {
	if ov.Kind == KindAmendment {
		sa, err := getAmendment(txn, ov.Encounter, ov.ID)
		if err != nil {
			return fmt.Errorf("amendment of outbox entry %d: %w", seq, err)
		}
		if sa.Seq != seq {
			return nil
		}
		sa.State, sa.Held = state, code
		return putAmendment(txn, sa)
	}
	st, err := getStored(txn, ov.ID)
	if err != nil {
		return fmt.Errorf("record of outbox entry %d: %w", seq, err)
	}
	if st.Seq != seq {
		return nil // a later entry about the same record decides its state
	}
	st.State, st.Held = state, code
	if state == encounter.Synced {
		st.Synced = at.UTC()
	}
	return putStored(txn, st)
}

// getOutbox reads outbox entry seq.
func getOutbox(txn *badger.Txn, seq uint64) (outboxValue, error) {
	var ov outboxValue
	b, err := getValue(txn, outboxKey(seq))
	if err != nil {
		return ov, fmt.Errorf("outbox entry %d: %w", seq, err)
	}
	if err := json.Unmarshal(b, &ov); err != nil {
		return ov, fmt.Errorf("decode outbox entry %d: %w", seq, err)
	}
	return ov, nil
}

// applyPulledAmendment stores an amendment received from the server.
func applyPulledAmendment(txn *badger.Txn, op Pulled) error {
	a, err := encounter.ParseAmendment(op.Body)
	if err != nil {
		return fmt.Errorf("operation %d: %w", op.Cursor, err)
	}
	if a.ID != op.ID {
		return fmt.Errorf("operation %d: body is amendment %s, not %s", op.Cursor, a.ID, op.ID)
	}
	old, err := getAmendment(txn, a.Encounter, a.ID)
	switch {
	case err == nil:
		if old.State == encounter.Queued {
			old.State = encounter.Synced
			return putAmendment(txn, old)
		}
		return nil
	case !errors.Is(err, ErrNotFound):
		return err
	}
	return putAmendment(txn, storedAmendment{State: encounter.Synced, Doc: a, Seal: op.Seal})
}
