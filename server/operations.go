package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/operation"
	"github.com/waymark-app/waymark/sync/wire"
)

// OperationStore keeps the force's operations (days of action). The
// embedded store implements it; a shared backend (PostgreSQL, issue 14)
// can too.
//
// The contract: every method is safe for concurrent use, by this process
// and, for a shared backend, by other replicas. SaveOperation stores a
// new revision and its log event (EventOperation, with the document's
// hash) atomically: both or neither. It refuses, storing nothing, a
// revision that does not follow the stored one (ErrStale: someone else
// saved in between; the caller reads again) and a new operation whose id
// is taken (ErrExists). It sets Revision, UpdatedAt and UpdatedBy itself.
// Version is a number that grows with every save of any operation: a
// device that holds another version fetches the operations again.
// Operations are never deleted (records name them); an operation ends.
type OperationStore interface {
	SaveOperation(ctx context.Context, o operation.Operation, by string) (operation.Operation, error)
	Operation(ctx context.Context, id uuid.UUID) (operation.Operation, error)
	Operations(ctx context.Context) ([]operation.Operation, error)
	OperationsVersion(ctx context.Context) (uint64, error)
}

// ErrStale is a save of an operation that someone else changed first.
var ErrStale = errors.New("changed by someone else since it was read")

// EventOperation is the chain event of an operation saved.
const EventOperation = "operation.saved"

// Key schema of operations in the server's store:
//
//	o/<operation id>   the operation's document (operation.Document)
//	m/opsver           uint64: the operations' version
var (
	prefixOperation = []byte("o/")
	keyOpsVersion   = []byte("m/opsver")
)

func operationKey(id uuid.UUID) []byte { return append(slices.Clone(prefixOperation), id[:]...) }

// badgerOperations is the OperationStore of the embedded store. It keeps
// every operation in memory too (a force has tens, not thousands), so a
// pull or a push decides scope without reading the store.
type badgerOperations struct {
	db    *badger.DB
	chain *chain
	now   func() time.Time

	mu      sync.RWMutex // guards ops and version; writers also hold the chain
	ops     map[uuid.UUID]operation.Operation
	version uint64
}

func openOperations(db *badger.DB, c *chain, now func() time.Time) (*badgerOperations, error) {
	bo := &badgerOperations{db: db, chain: c, now: now, ops: map[uuid.UUID]operation.Operation{}}
	err := db.View(func(txn *badger.Txn) error {
		v, err := getUint(txn, keyOpsVersion)
		if err != nil {
			return err
		}
		bo.version = v
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: prefixOperation})
		defer it.Close()
		for it.Seek(prefixOperation); it.ValidForPrefix(prefixOperation); it.Next() {
			var o operation.Operation
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &o) }); err != nil {
				return fmt.Errorf("decode operation: %w", err)
			}
			bo.ops[o.ID] = o
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read operations: %w", err)
	}
	return bo, nil
}

func (bo *badgerOperations) SaveOperation(ctx context.Context, o operation.Operation, by string) (operation.Operation, error) {
	if err := o.Validate(wire.Agencies); err != nil {
		return operation.Operation{}, fmt.Errorf("%w: %w", err, ErrInvalid)
	}
	var saved operation.Operation
	err := bo.chain.update(func(txn *badger.Txn, w *chainWriter) error {
		bo.mu.RLock()
		old, exists := bo.ops[o.ID]
		bo.mu.RUnlock()
		switch {
		case !exists && o.Revision != 0:
			return fmt.Errorf("operation %s: %w", o.ID, ErrNotFound)
		case exists && o.Revision == 0:
			return fmt.Errorf("operation %s: %w", o.ID, ErrExists)
		case exists && o.Revision != old.Revision:
			return fmt.Errorf("operation %s revision %d: %w", o.ID, o.Revision, ErrStale)
		}
		o.Revision++
		o.UpdatedAt = bo.now().UTC()
		o.UpdatedBy = by
		doc, err := o.Document()
		if err != nil {
			return err
		}
		if err := txn.Set(operationKey(o.ID), doc); err != nil {
			return err
		}
		bo.mu.RLock()
		ver := bo.version + 1
		bo.mu.RUnlock()
		if err := setUint(txn, keyOpsVersion, ver); err != nil {
			return err
		}
		if err := w.append(txn, Event{At: o.UpdatedAt, Type: EventOperation, Actor: by, Record: o.ID,
			Count: o.Revision, BodyHash: hashHex(doc)}); err != nil {
			return err
		}
		saved = o
		return nil
	})
	if err != nil {
		return operation.Operation{}, fmt.Errorf("save operation: %w", err)
	}
	bo.mu.Lock()
	bo.ops[saved.ID] = saved
	bo.version++
	bo.mu.Unlock()
	return saved, nil
}

func (bo *badgerOperations) Operation(ctx context.Context, id uuid.UUID) (operation.Operation, error) {
	bo.mu.RLock()
	defer bo.mu.RUnlock()
	o, ok := bo.ops[id]
	if !ok {
		return operation.Operation{}, fmt.Errorf("operation %s: %w", id, ErrNotFound)
	}
	return o, nil
}

func (bo *badgerOperations) Operations(ctx context.Context) ([]operation.Operation, error) {
	bo.mu.RLock()
	defer bo.mu.RUnlock()
	out := make([]operation.Operation, 0, len(bo.ops))
	for _, o := range bo.ops {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b operation.Operation) int {
		if a.Start != b.Start {
			return -compareString(a.Start, b.Start) // newest first
		}
		return compareString(a.Name, b.Name)
	})
	return out, nil
}

func (bo *badgerOperations) OperationsVersion(ctx context.Context) (uint64, error) {
	bo.mu.RLock()
	defer bo.mu.RUnlock()
	return bo.version, nil
}

func compareString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// assignment is what operations add to an account's scope: the
// operations it is on as an officer of a team (whose records it reads)
// and those it is on at all (whose briefing it receives).
type assignment struct {
	team map[uuid.UUID]bool // in a team: reads the operation's records
	any  map[uuid.UUID]bool // in a team or a partner's staff: the briefing
}

// assignmentOf works out a's assignment from the operations held.
func (s *Server) assignmentOf(ctx context.Context, a Account) (assignment, error) {
	as := assignment{team: map[uuid.UUID]bool{}, any: map[uuid.UUID]bool{}}
	ops, err := s.ops.Operations(ctx)
	if err != nil {
		return as, err
	}
	for _, o := range ops {
		if o.InTeam(a.ID) {
			as.team[o.ID] = true
		}
		if o.Assigned(a.ID) || a.Has(wire.RoleSupervisor) {
			as.any[o.ID] = true
		}
	}
	return as, nil
}

// Operations returns the operations store.
func (s *Server) Operations() OperationStore { return s.ops }

// maxHistory bounds the earlier visits sent for one premises.
const maxHistory = 20

// OperationsFor answers PathOperations: every operation p's account is
// on, with the visit history of each premises within what the account
// may read (mayRead). A read of history by a supervisor or a partner is
// logged in the chain, like a pull, before it is answered.
func (s *Server) OperationsFor(ctx context.Context, p Principal, req *wire.OperationsRequest) (wire.OperationsResponse, error) {
	as, err := s.assignmentOf(ctx, p.Account)
	if err != nil {
		return wire.OperationsResponse{}, err
	}
	var resp wire.OperationsResponse
	// The version first: a save after this is announced by the next pull.
	if resp.Version, err = s.ops.OperationsVersion(ctx); err != nil {
		return wire.OperationsResponse{}, err
	}
	ops, err := s.ops.Operations(ctx)
	if err != nil {
		return wire.OperationsResponse{}, err
	}
	may := func(sc Scope) bool { return mayRead(p.Account, as, sc) }
	resp.Operations = []json.RawMessage{}
	var read []uuid.UUID
	for _, o := range ops {
		if !o.Assigned(p.Account.ID) {
			continue // a supervisor reads every record, but is sent only what they are on
		}
		doc, err := o.Document()
		if err != nil {
			return wire.OperationsResponse{}, err
		}
		resp.Operations = append(resp.Operations, doc)
		for _, pr := range o.Premises {
			for _, v := range s.AtPlace(pr.Place(), may, maxHistory) {
				resp.History = append(resp.History, visitOf(o.ID, pr.ID, v, s.operationName(ctx, v)))
				read = append(read, v.ID)
			}
		}
	}
	if len(read) > 0 && readIsLogged(p.Account) {
		if _, err := s.chain.Append(ctx, Event{At: s.now(), Type: EventRead, Actor: "device:" + p.Device.String(),
			Account: p.Account.ID, Device: p.Device, Remote: p.Remote, Records: read, Reason: "visit history"}); err != nil {
			return wire.OperationsResponse{}, err
		}
	}
	return resp, nil
}

// operationName is the name of the operation v was made on, if any.
func (s *Server) operationName(ctx context.Context, v Summary) string {
	if v.OperationID != uuid.Nil {
		if o, err := s.ops.Operation(ctx, v.OperationID); err == nil {
			return o.Name
		}
	}
	return v.Operation
}

func visitOf(op, premises uuid.UUID, v Summary, name string) wire.Visit {
	return wire.Visit{Operation: op, Premises: premises, Record: v.ID, OccurredAt: v.OccurredAt, Level: v.Level,
		Officer: v.Officer.String(), Agency: v.Officer.Agency, People: v.PeoplePresent, Children: v.Children,
		Referrals: v.NRM + v.DtN, Name: name}
}
