package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/operation"
	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/sync/wire"
)

// OperationStore keeps the force's operations (days of action).
//
// The contract: every method is safe for concurrent use, by this process
// and by other replicas of a shared store. SaveOperation stores a new
// revision and its log event (EventOperation, with the document's hash)
// atomically: both or neither. It refuses, storing nothing, a revision
// that does not follow the stored one (ErrStale: someone else saved in
// between; the caller reads again) and a new operation whose id is taken
// (ErrExists). It sets Revision, UpdatedAt and UpdatedBy itself. Version
// is a number that grows with every save of any operation: a device that
// holds another version fetches the operations again. Operations are
// never deleted (records name them); an operation ends.
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

// Operations in the server's storage:
//
//	Operations <operation id>   the operation's document (operation.Document)
//	Meta "opsver"               uint64: the operations' version
var metaOpsVersion = []byte("opsver")

func operationKey(id uuid.UUID) []byte { return bytes.Clone(id[:]) }

// operations is the OperationStore of the server's storage. It keeps
// every operation in memory too (a force has tens, not thousands), so a
// pull or a push decides scope without reading them all; the copy is
// read again whenever the stored version is not the one it was read at
// (another replica saved one).
type operations struct {
	st    storage.Store
	chain *chain
	now   func() time.Time

	mu      sync.Mutex // guards ops and version
	ops     map[uuid.UUID]operation.Operation
	version uint64
	loaded  bool
}

var _ OperationStore = (*operations)(nil)

// current returns the operations as stored now, reading them again if
// the version moved.
func (bo *operations) current(ctx context.Context) (map[uuid.UUID]operation.Operation, uint64, error) {
	v, err := getUintStore(ctx, bo.st, storage.Meta, metaOpsVersion)
	if err != nil {
		return nil, 0, err
	}
	bo.mu.Lock()
	defer bo.mu.Unlock()
	if bo.loaded && v == bo.version {
		return bo.ops, bo.version, nil
	}
	ops := map[uuid.UUID]operation.Operation{}
	err = bo.st.View(ctx, func(r storage.Reader) error {
		if v, err = getUint(r, storage.Meta, metaOpsVersion); err != nil {
			return err
		}
		return r.Scan(storage.Operations, nil, false, func(k, b []byte) error {
			var o operation.Operation
			if err := json.Unmarshal(b, &o); err != nil {
				return fmt.Errorf("decode operation: %w", err)
			}
			ops[o.ID] = o
			return nil
		})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read operations: %w", err)
	}
	bo.ops, bo.version, bo.loaded = ops, v, true
	return ops, v, nil
}

// getUintStore reads one committed number of c.
func getUintStore(ctx context.Context, st storage.Store, c *storage.Collection, key []byte) (uint64, error) {
	b, found, err := st.Get(ctx, c, key)
	if err != nil || !found {
		return 0, err
	}
	if len(b) != 8 {
		return 0, fmt.Errorf("%s %s holds %d bytes, want 8", c.Name, key, len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}

func (bo *operations) SaveOperation(ctx context.Context, o operation.Operation, by string) (operation.Operation, error) {
	if err := o.Validate(wire.Agencies); err != nil {
		return operation.Operation{}, fmt.Errorf("%w: %w", err, ErrInvalid)
	}
	var saved operation.Operation
	err := bo.chain.update(ctx, func(tx storage.Tx, w *chainWriter) error {
		var old operation.Operation
		exists, err := getJSON(tx, storage.Operations, operationKey(o.ID), &old)
		if err != nil {
			return err
		}
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
		if err := tx.Put(storage.Operations, operationKey(o.ID), doc); err != nil {
			return err
		}
		ver, err := getUint(tx, storage.Meta, metaOpsVersion)
		if err != nil {
			return err
		}
		if err := setUint(tx, storage.Meta, metaOpsVersion, ver+1); err != nil {
			return err
		}
		if err := w.append(Event{At: o.UpdatedAt, Type: EventOperation, Actor: by, Record: o.ID,
			Count: o.Revision, BodyHash: hashHex(doc)}); err != nil {
			return err
		}
		saved = o
		return nil
	})
	if err != nil {
		return operation.Operation{}, fmt.Errorf("save operation: %w", err)
	}
	return saved, nil
}

func (bo *operations) Operation(ctx context.Context, id uuid.UUID) (operation.Operation, error) {
	ops, _, err := bo.current(ctx)
	if err != nil {
		return operation.Operation{}, err
	}
	o, ok := ops[id]
	if !ok {
		return operation.Operation{}, fmt.Errorf("operation %s: %w", id, ErrNotFound)
	}
	return o, nil
}

func (bo *operations) Operations(ctx context.Context) ([]operation.Operation, error) {
	ops, _, err := bo.current(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]operation.Operation, 0, len(ops))
	for _, o := range ops {
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

func (bo *operations) OperationsVersion(ctx context.Context) (uint64, error) {
	return getUintStore(ctx, bo.st, storage.Meta, metaOpsVersion)
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
