package server

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/server/storage/badgerstore"
	"github.com/waymark-app/waymark/sync/wire"
)

// Options configures Open. The zero value keeps an unencrypted embedded
// store in memory, for tests.
type Options struct {
	// Store is where the server keeps everything: a PostgreSQL store
	// (pgstore), shared with other replicas, or any storage.Store. The
	// server owns it: Close closes it. Nil opens the embedded Badger
	// store in Dir with Key.
	Store storage.Store
	// Dir is the folder of the embedded store. Empty keeps it in memory.
	Dir string
	// Key encrypts the embedded store: 16, 24 or 32 bytes. Nil leaves it
	// plain.
	Key []byte
	// Logger receives request and store logs. Nil discards them.
	Logger *slog.Logger
	// Content is the content pack the server publishes to devices, or nil
	// for none. The caller validates it (content.Parse) before passing it.
	Content *Content
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
	// SPKI is the DER SubjectPublicKeyInfo of the certificate the server
	// shows devices: enrolment proofs cover it, so that a man in the
	// middle is found out. Nil only behind --insecure-http.
	SPKI []byte
	// Policy is what devices are told to enforce. Zero fields take the
	// defaults: 30 days' retention, locked after 14 days offline.
	Policy wire.Policy
	// Limits bound what any one device, address or the whole load may
	// cost the server. Zero fields take DefaultLimits'.
	Limits Limits
}

// Policy defaults.
const (
	DefaultRetentionDays   = 30
	DefaultOfflineLockDays = 14
)

// Content is a published content pack: what devices pull to update their
// indicators, rules, checklists and screening questions.
type Content struct {
	ID      string
	Version int
	Bundle  []byte
}

// Server stores what devices push and serves it back to them. Use Handler
// to serve HTTP, and Close once the HTTP server has shut down.
type Server struct {
	st      storage.Store
	log     *slog.Logger
	now     func() time.Time
	content *Content
	dir     *directory
	spki    []byte
	policy  wire.Policy
	started time.Time // requests signed earlier are refused

	enrolLimit rateLimit
	failLimit  rateLimit // unauthenticated failures per address
	limits     Limits
	chain      *chain
	ops        *operations
	cat        *catalogue // what the console and visit history read
	gate       *gate      // requests in flight, decoded bytes in flight
	rates      *deviceRates

	pushes        chan *pushJob
	stopping      chan struct{} // closed by Close
	committerDone chan struct{} // closed when the committer returns
	closeOnce     sync.Once
}

// Open opens or creates the server's store and starts its committer.
func Open(opts Options) (*Server, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	st := opts.Store
	if st == nil {
		var err error
		if st, err = badgerstore.Open(badgerstore.Options{Dir: opts.Dir, Key: opts.Key, Logger: log}); err != nil {
			return nil, err
		}
	}
	s := &Server{
		st:            st,
		log:           log,
		now:           opts.Now,
		content:       opts.Content,
		pushes:        make(chan *pushJob),
		stopping:      make(chan struct{}),
		committerDone: make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.started = s.now()
	s.chain = &chain{st: st}
	s.ops = &operations{st: st, chain: s.chain, now: s.now}
	s.cat = newCatalogue(st, log)
	s.dir = newDirectory(st, s.now, s.chain)
	s.limits = opts.Limits.withDefaults()
	s.gate = newGate(s.limits)
	s.rates = newDeviceRates(s.limits.DeviceRate, s.limits.DeviceBurst)
	s.failLimit.per = s.limits.FailuresPerMinute
	if err := s.startChain(context.Background()); err != nil {
		st.Close()
		return nil, err
	}
	s.spki = opts.SPKI
	s.policy = opts.Policy
	if s.policy.RetentionDays == 0 {
		s.policy.RetentionDays = DefaultRetentionDays
	}
	if s.policy.OfflineLockDays == 0 {
		s.policy.OfflineLockDays = DefaultOfflineLockDays
	}
	s.enrolLimit.per = enrolFailures
	go s.commitLoop()
	return s, nil
}

// Store is the server's storage.
func (s *Server) Store() storage.Store { return s.st }

// Close stops the committer once every push handed to it is stored, then
// closes the store. Shut the HTTP server down first, so no push is cut
// short; pushes arriving after Close get CodeUnavailable.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.stopping)
		<-s.committerDone
		err = s.st.Close()
	})
	return err
}

// maxScan bounds the log entries one pull reads, whatever it returns:
// a pull that skips many entries the account may not see (or its own)
// stops there and answers with the cursor it reached and More set.
const maxScan = 5000

// opRef is an operation chosen for a pull page, before its body is read.
type opRef struct {
	cursor uint64
	op     opValue
	skip   bool // not for this reader: only moves the cursor on
}

// pullPage is what one pull answers, without the bodies: the operations
// chosen, where the scan stopped, and whether there is more.
type pullPage struct {
	refs   []opRef
	cursor uint64
	more   bool
}

// page chooses the operations after req.Since that p may read
// (mayRead), leaving out those p's own device pushed, within the
// request's limit, maxScan log entries and wire.MaxPullBytes of stored
// records (at least one). A read by a supervisor or a partner is logged
// in the chain, with every record read, before anything is sent.
func (s *Server) page(ctx context.Context, p Principal, req *wire.PullRequest) (pullPage, error) {
	if !hasAny(p.Account, pullRoles) {
		return pullPage{}, wire.Errorf(wire.CodeForbidden, "this account's roles do not allow pulling records")
	}
	limit := req.Limit
	if limit == 0 {
		limit = 500
	}
	as, err := s.assignmentOf(ctx, p.Account)
	if err != nil {
		return pullPage{}, err
	}
	var pg pullPage
	err = s.st.View(ctx, func(r storage.Reader) error {
		last, err := getUint(r, storage.Meta, metaCursor)
		if err != nil {
			return err
		}
		since := req.Since
		if since > last {
			// The device has seen cursors this store never handed out: it
			// was restored from a backup. Send everything again; devices
			// apply operations idempotently.
			s.log.Warn("pull cursor ahead of the store; resending from the start",
				"device", p.Device.String(), "since", since, "last", last)
			since = 0
		}
		pg.cursor = since
		scanned, readable, size := 0, 0, int64(0)
		var chosen []opRef
		err = r.Scan(storage.Ops, logKey(since+1), false, func(k, v []byte) error {
			if readable == limit || scanned == maxScan {
				pg.more = true
				return storage.ErrStop
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			scanned++
			cursor := binary.BigEndian.Uint64(k)
			var ov opValue
			if err := json.Unmarshal(v, &ov); err != nil {
				return fmt.Errorf("decode op %d: %w", cursor, err)
			}
			if ov.Device == p.Device || !mayRead(p.Account, as, ov.Scope) {
				chosen = append(chosen, opRef{cursor: cursor, skip: true})
				return nil
			}
			readable++
			chosen = append(chosen, opRef{cursor: cursor, op: ov})
			return nil
		})
		if err != nil {
			return err
		}
		// The records' sizes bound the page: read them in cursor order
		// until the page is full.
		for i, ref := range chosen {
			if ref.skip {
				pg.cursor = ref.cursor
				continue
			}
			b, found, err := r.Get(storage.Records, recordKey(ref.op.ID))
			if err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("op %d names record %s, which is missing", ref.cursor, ref.op.ID)
			}
			if len(pg.refs) > 0 && size+int64(len(b)) > wire.MaxPullBytes {
				pg.more = true
				return nil
			}
			size += int64(len(b))
			pg.cursor = ref.cursor
			pg.refs = append(pg.refs, ref)
			if len(pg.refs) > 0 && size >= wire.MaxPullBytes && i < len(chosen)-1 {
				pg.more = true
				return nil
			}
		}
		return nil
	})
	if err != nil || len(pg.refs) == 0 || !readIsLogged(p.Account) {
		return pg, err
	}
	ids := make([]uuid.UUID, len(pg.refs))
	for i, r := range pg.refs {
		ids[i] = r.op.ID
	}
	if _, err := s.chain.Append(ctx, Event{At: s.now(), Type: EventRead, Actor: "device:" + p.Device.String(),
		Account: p.Account.ID, Device: p.Device, Remote: p.Remote, Records: ids}); err != nil {
		return pullPage{}, err
	}
	return pg, nil
}

// readIsLogged reports whether reads by account a go to the chain: a
// supervisor's and a partner's do (they read beyond their own team).
func readIsLogged(a Account) bool { return a.Has(wire.RoleSupervisor) || a.Has(wire.RolePartner) }

// op reads the operation ref stands for, with its body.
func (s *Server) op(r storage.Reader, ref opRef) (wire.Op, error) {
	var rv recordValue
	found, err := getJSON(r, storage.Records, recordKey(ref.op.ID), &rv)
	if err != nil {
		return wire.Op{}, err
	}
	if !found {
		return wire.Op{}, fmt.Errorf("op %d names record %s, which is missing", ref.cursor, ref.op.ID)
	}
	o := wire.Op{Cursor: ref.cursor, Kind: ref.op.Kind, ID: ref.op.ID, Device: ref.op.Device, Seq: ref.op.Seq,
		Body: rv.Body, Sig: rv.Sig, Key: rv.Key, Received: rv.Received}
	if len(rv.Key) > 0 {
		o.KeyID = evidence.KeyID(rv.Key)
	}
	return o, nil
}

// Pull returns the operations after req.Since that p may read, with
// their bodies, in memory: for callers in this process. The HTTP
// handler streams the same page instead (onPull).
func (s *Server) Pull(ctx context.Context, p Principal, req *wire.PullRequest) (wire.PullResponse, error) {
	pg, err := s.page(ctx, p, req)
	if err != nil {
		return wire.PullResponse{}, err
	}
	resp := wire.PullResponse{Ops: make([]wire.Op, 0, len(pg.refs)), Cursor: pg.cursor, More: pg.more}
	if resp.OperationsVersion, err = s.ops.OperationsVersion(ctx); err != nil {
		return wire.PullResponse{}, err
	}
	if s.content != nil {
		resp.ContentVersion = s.content.Version
	}
	err = s.st.View(ctx, func(r storage.Reader) error {
		for _, ref := range pg.refs {
			o, err := s.op(r, ref)
			if err != nil {
				return err
			}
			resp.Ops = append(resp.Ops, o)
		}
		return nil
	})
	return resp, err
}

// Admin returns the administration of this server's accounts and
// devices, recording actor as who made each change.
func (s *Server) Admin(actor string) *Admin {
	ad := NewAdmin(s.dir, actor, s.now)
	ad.srv = s
	return ad
}

// Stats counts what the server holds.
type Stats struct {
	Records int // distinct records stored
	Devices int // devices that have pushed
	Aside   int // entries kept aside for review
}

// Stats counts records, devices and entries kept aside.
func (s *Server) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.st.View(ctx, func(r storage.Reader) error {
		for _, c := range []struct {
			coll *storage.Collection
			n    *int
		}{{storage.Records, &st.Records}, {storage.Acks, &st.Devices}, {storage.Aside, &st.Aside}} {
			err := r.Scan(c.coll, nil, false, func(k, v []byte) error {
				*c.n++
				return ctx.Err()
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	return st, err
}

// Aside is an entry the server kept aside instead of storing.
type Aside struct {
	Device   uuid.UUID
	Seq      uint64
	ID       uuid.UUID
	Code     wire.Code
	Received time.Time
	Body     []byte
}

// Aside lists the entries kept aside for review, oldest device first.
func (s *Server) Aside(ctx context.Context) ([]Aside, error) {
	var out []Aside
	err := s.st.View(ctx, func(r storage.Reader) error {
		return r.Scan(storage.Aside, nil, false, func(k, v []byte) error {
			var av asideValue
			if err := json.Unmarshal(v, &av); err != nil {
				return err
			}
			out = append(out, Aside{
				Device: uuid.UUID(k[:16]), Seq: binary.BigEndian.Uint64(k[16:24]), ID: av.ID, Code: av.Code,
				Received: av.Received, Body: av.Body,
			})
			return nil
		})
	})
	return out, err
}
