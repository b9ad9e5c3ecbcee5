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
)

// ErrPurged is returned when the server asks for entries again (it was
// restored from a backup) that retention has removed from this device.
var ErrPurged = errors.New("the server asked again for entries this device has removed under its retention")

// Unsent counts what this device holds that the server does not: what a
// wipe would lose.
type Unsent struct {
	// Drafts are records not finalised yet.
	Drafts int
	// Queued are finalised records and amendments waiting to be sent.
	Queued int
	// Held are records and amendments the server kept aside for review.
	Held int
}

// Total is everything not on the server.
func (u Unsent) Total() int { return u.Drafts + u.Queued + u.Held }

// stateOnly decodes only the state of a stored record or amendment.
type stateOnly struct {
	State encounter.State `json:"state"`
}

// Unsent counts the records and amendments the server does not hold.
func (s *Store) Unsent(ctx context.Context) (Unsent, error) {
	var u Unsent
	err := s.db.View(func(txn *badger.Txn) error {
		for _, prefix := range [][]byte{prefixRec, prefixAmend} {
			it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 64, Prefix: prefix})
			for it.Seek(prefix); it.ValidForPrefix(prefix); it.Next() {
				if err := ctx.Err(); err != nil {
					it.Close()
					return err
				}
				var st stateOnly
				if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &st) }); err != nil {
					it.Close()
					return fmt.Errorf("decode %x: %w", it.Item().Key(), err)
				}
				switch st.State {
				case encounter.Draft:
					u.Drafts++
				case encounter.Queued:
					u.Queued++
				case encounter.Held:
					u.Held++
				}
			}
			it.Close()
		}
		return nil
	})
	if err != nil {
		return Unsent{}, fmt.Errorf("count unsent records: %w", err)
	}
	return u, nil
}

// Purge removes from the device the records it no longer needs: every
// record the server holds (Synced, and every amendment of it too) that is
// not Open at now (encounter.Record.Open: no crime to record, no referral
// to make) and has not changed since before cutoff, counting from the
// later of its last change and the time this device learnt the server
// held it. Records of other officers, pulled from the server, follow the
// same rule. A removed record's amendments and the outbox entries that
// carried it go with it, as do amendments pulled for a record already
// removed. It returns how many records it removed.
//
// An outbox entry removed cannot be sent again: if a server restored from
// a backup older than the retention asks for it, the rewind fails with
// ErrPurged. Badger keeps deleted values, encrypted, in its files until
// it compacts them.
func (s *Store) Purge(ctx context.Context, now, cutoff time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	var (
		keys    [][]byte
		records = map[uuid.UUID]bool{} // records removed
		orphans = map[uuid.UUID]bool{} // amendments of records not here
		floor   uint64
	)
	err := s.db.View(func(txn *badger.Txn) error {
		stored, amends, err := allStored(txn)
		if err != nil {
			return err
		}
		for id, st := range stored {
			if st.State != encounter.Synced {
				continue
			}
			as := amends[id]
			synced := true
			for _, sa := range as {
				synced = synced && sa.State == encounter.Synced
			}
			r := st.record().WithAmendments(amendmentList(as))
			last := r.LastChange()
			if st.Synced.After(last) {
				last = st.Synced
			}
			if !synced || r.Open(now) || !last.Before(cutoff) {
				continue
			}
			records[id] = true
			keys = append(keys, recKey(id))
			for _, sa := range as {
				keys = append(keys, amendKey(id, sa.Doc.ID))
			}
		}
		for id, as := range amends {
			if _, here := stored[id]; here {
				continue
			}
			for _, sa := range as {
				if sa.State == encounter.Synced {
					orphans[sa.Doc.ID] = true
					keys = append(keys, amendKey(id, sa.Doc.ID))
				}
			}
		}
		if len(keys) == 0 {
			return nil
		}
		// The outbox entries that carried them, all acknowledged.
		acked, err := getUint(txn, keyAcked)
		if err != nil {
			return err
		}
		if floor, err = getUint(txn, keyFloor); err != nil {
			return err
		}
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 100, Prefix: prefixOutbx})
		defer it.Close()
		for it.Seek(prefixOutbx); it.ValidForPrefix(prefixOutbx); it.Next() {
			seq := seqOf(it.Item().Key())
			if seq > acked {
				break
			}
			var ov outboxValue
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &ov) }); err != nil {
				return fmt.Errorf("decode outbox entry %d: %w", seq, err)
			}
			if records[ov.ID] || ov.Kind == KindAmendment && (records[ov.Encounter] || orphans[ov.ID]) {
				keys = append(keys, outboxKey(seq))
				floor = max(floor, seq)
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("purge: %w", err)
	}
	if len(keys) == 0 {
		return 0, nil
	}
	err = s.chunked(len(keys), func(txn *badger.Txn, i int) error {
		return txn.Delete(keys[i])
	}, func(txn *badger.Txn, _ int) error {
		// With the first deletions, so that no rewind passes an entry
		// already gone.
		return setUint(txn, keyFloor, floor)
	})
	if err != nil {
		return 0, fmt.Errorf("purge: %w", err)
	}
	return len(records), nil
}

// allStored reads every record and every amendment, by record.
func allStored(txn *badger.Txn) (map[uuid.UUID]stored, map[uuid.UUID][]storedAmendment, error) {
	recs := map[uuid.UUID]stored{}
	it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 64, Prefix: prefixRec})
	defer it.Close()
	for it.Seek(prefixRec); it.ValidForPrefix(prefixRec); it.Next() {
		var st stored
		if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &st) }); err != nil {
			return nil, nil, fmt.Errorf("decode record %x: %w", it.Item().Key(), err)
		}
		recs[st.Doc.ID] = st
	}
	amends := map[uuid.UUID][]storedAmendment{}
	err := scanAmendments(txn, prefixAmend, func(sa storedAmendment) {
		amends[sa.Doc.Encounter] = append(amends[sa.Doc.Encounter], sa)
	})
	return recs, amends, err
}

func amendmentList(as []storedAmendment) []encounter.Amendment {
	out := make([]encounter.Amendment, len(as))
	for i, sa := range as {
		out[i] = sa.amendment()
	}
	return out
}
