package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/operation"
)

// Operations the device's account is on are kept as the server sent
// them, with the revision the officer last looked at, so that the Today
// screen shows what changed:
//
//	b/ver            uint64: the operations version held
//	b/op/<id>        the operation's document, latest revision
//	b/seen/<id>      the document as the officer last saw it
//	b/hist           JSON of the visit history ([]operation.Visit)
var (
	keyOpsVersion  = []byte("b/ver")
	prefixOpDoc    = []byte("b/op/")
	prefixOpSeen   = []byte("b/seen/")
	keyOpsHistory  = []byte("b/hist")
	prefixOpsSpace = []byte("b/")
)

func opDocKey(id uuid.UUID) []byte  { return append(slices.Clone(prefixOpDoc), id[:]...) }
func opSeenKey(id uuid.UUID) []byte { return append(slices.Clone(prefixOpSeen), id[:]...) }

// Briefings are the operations held on the device.
type Briefings = operation.Held

// OperationsVersion is the operations version held (0: none).
func (s *Store) OperationsVersion() uint64 {
	var v uint64
	s.db.View(func(txn *badger.Txn) error {
		var err error
		v, err = getUint(txn, keyOpsVersion)
		return err
	})
	return v
}

// SaveOperations replaces the operations held with ops, at version, and
// their visit history. An operation the device did not hold before
// rewinds the pull cursor to the start, so that records of it the server
// held before the account was put on it arrive too (pulled records are
// applied idempotently).
func (s *Store) SaveOperations(ctx context.Context, version uint64, ops []operation.Operation, history []operation.Visit) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	hist, err := json.Marshal(history)
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err = s.update(func(txn *badger.Txn) error {
		keep := map[uuid.UUID]bool{}
		rewind := false
		for _, o := range ops {
			keep[o.ID] = true
			if _, err := txn.Get(opDocKey(o.ID)); errors.Is(err, badger.ErrKeyNotFound) {
				rewind = true
			} else if err != nil {
				return err
			}
			doc, err := o.Document()
			if err != nil {
				return err
			}
			if err := txn.Set(opDocKey(o.ID), doc); err != nil {
				return err
			}
		}
		// Operations the account is no longer on go, with what was seen.
		var drop [][]byte
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefixOpsSpace})
		for it.Seek(prefixOpsSpace); it.ValidForPrefix(prefixOpsSpace); it.Next() {
			k := it.Item().KeyCopy(nil)
			var id uuid.UUID
			switch {
			case len(k) == len(prefixOpDoc)+16 && string(k[:len(prefixOpDoc)]) == string(prefixOpDoc):
				copy(id[:], k[len(prefixOpDoc):])
			case len(k) == len(prefixOpSeen)+16 && string(k[:len(prefixOpSeen)]) == string(prefixOpSeen):
				copy(id[:], k[len(prefixOpSeen):])
			default:
				continue
			}
			if !keep[id] {
				drop = append(drop, k)
			}
		}
		it.Close()
		for _, k := range drop {
			if err := txn.Delete(k); err != nil {
				return err
			}
		}
		if err := txn.Set(keyOpsHistory, hist); err != nil {
			return err
		}
		if rewind {
			if err := setUint(txn, keyCursor, 0); err != nil {
				return err
			}
		}
		return setUint(txn, keyOpsVersion, version)
	})
	if err != nil {
		return fmt.Errorf("save operations: %w", err)
	}
	return nil
}

// Briefings returns the operations held.
func (s *Store) Briefings(ctx context.Context) (Briefings, error) {
	b := Briefings{Seen: map[uuid.UUID]operation.Operation{}}
	err := s.db.View(func(txn *badger.Txn) error {
		var err error
		if b.Version, err = getUint(txn, keyOpsVersion); err != nil {
			return err
		}
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: prefixOpsSpace})
		defer it.Close()
		for it.Seek(prefixOpsSpace); it.ValidForPrefix(prefixOpsSpace); it.Next() {
			k := it.Item().Key()
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			switch {
			case string(k) == string(keyOpsHistory):
				if err := json.Unmarshal(v, &b.History); err != nil {
					return fmt.Errorf("read visit history: %w", err)
				}
			case string(k[:min(len(k), len(prefixOpDoc))]) == string(prefixOpDoc):
				o, err := operation.Parse(v)
				if err != nil {
					return err
				}
				b.Operations = append(b.Operations, o)
			case string(k[:min(len(k), len(prefixOpSeen))]) == string(prefixOpSeen):
				o, err := operation.Parse(v)
				if err != nil {
					return err
				}
				b.Seen[o.ID] = o
			}
		}
		return nil
	})
	if err != nil {
		return Briefings{}, fmt.Errorf("read operations: %w", err)
	}
	slices.SortFunc(b.Operations, func(x, y operation.Operation) int {
		if x.Start != y.Start {
			if x.Start < y.Start {
				return 1
			}
			return -1
		}
		if x.Name < y.Name {
			return -1
		}
		return 1
	})
	return b, nil
}

// MarkSeen records that the officer has seen the latest revision of
// operation id: its changes are no longer shown.
func (s *Store) MarkSeen(ctx context.Context, id uuid.UUID) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	err := s.update(func(txn *badger.Txn) error {
		v, err := getValue(txn, opDocKey(id))
		if err != nil {
			return err
		}
		return txn.Set(opSeenKey(id), v)
	})
	if err != nil {
		return fmt.Errorf("mark operation %s seen: %w", id, err)
	}
	return nil
}
