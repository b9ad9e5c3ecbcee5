package client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/operation"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

// Outbox is what the engine needs from the device store. *store.Store
// implements it.
type Outbox interface {
	DeviceID() uuid.UUID
	// PendingAfter returns entries after sequence after, or after the
	// acknowledged one if that is later, in order.
	PendingAfter(ctx context.Context, after uint64, max, maxBytes int) ([]store.OutboxEntry, error)
	// Acknowledge records that the server holds every entry up to ack.
	Acknowledge(ctx context.Context, ack uint64, rejected []store.Rejected) error
	// ApplyPulled stores pulled operations and moves the pull cursor.
	ApplyPulled(ctx context.Context, ops []store.Pulled, cursor uint64) error
	// Progress reports the outbox position and the pull cursor.
	Progress(ctx context.Context) (store.Progress, error)
}

// ContentSink receives content packs the server publishes. The engine
// fetches a pack when the server announces a newer version than the sink
// holds; the sink validates it and either installs it or refuses it,
// keeping the pack it had.
type ContentSink interface {
	ContentVersion() int
	InstallContent(ctx context.Context, bundle []byte) error
}

// OperationSink receives the operations the device's account is on.
// The engine fetches them when a pull announces an operations version
// other than the one the sink holds. *store.Store implements it.
type OperationSink interface {
	OperationsVersion() uint64
	SaveOperations(ctx context.Context, version uint64, ops []operation.Operation, history []operation.Visit) error
}

// Options configures an Engine. Zero values choose the defaults given.
type Options struct {
	// Server is the base URL of the sync server, such as
	// "https://127.0.0.1:8765". Required.
	Server string
	// Signer signs every request: the device's credential. Nil sends
	// unsigned requests, which a protocol 2 server refuses; only a
	// measurement of what signing costs wants that.
	Signer auth.Signer
	// Pin is the server's pinned key (auth.Pin), for the default HTTP
	// client. Empty: no TLS pinning (a development http:// server).
	Pin string
	// HTTPClient sends requests. Nil uses DefaultHTTPClient(Pin).
	HTTPClient *http.Client
	// Interval is how often to sync when nothing else triggers it
	// (default one minute): it brings other devices' changes.
	Interval time.Duration
	// MinBackoff and MaxBackoff bound the wait after failures (default 2
	// seconds and 5 minutes). The wait doubles per failure, with jitter.
	MinBackoff, MaxBackoff time.Duration
	// BatchEntries is the entries in an engine's first push (default
	// 200). After it the size adapts, as TCP slow start does: a push
	// answered within BatchRoundTrip doubles the next one, up to
	// MaxBatchEntries; a push that fails, or is answered after more than
	// twice BatchRoundTrip, halves it, down to MinBatchEntries; one in
	// between keeps it. A fast link then sends few large pushes (fewer
	// requests and disk syncs on both sides), and a slow or cut one small
	// pushes, so that little is sent again.
	BatchEntries int
	// MinBatchEntries and MaxBatchEntries bound the adapted size
	// (defaults 25 and wire.MaxEntries, 1,000, which is also the most
	// allowed); they widen to take BatchEntries in. Both equal to
	// BatchEntries fix the size.
	MinBatchEntries, MaxBatchEntries int
	// BatchBytes caps the bodies of a push of MaxBatchEntries entries
	// (default 4 MiB, a quarter of the wire's decoded limit); a smaller
	// push may carry its share, BatchBytes × entries / MaxBatchEntries.
	// A push always carries at least one entry.
	BatchBytes int
	// BatchRoundTrip is the round trip of a push under which the next
	// push grows (default one second).
	BatchRoundTrip time.Duration
	// PullLimit is the operations asked for per pull (default 500).
	PullLimit int
	// Content, if set, receives newer content packs from the server.
	Content ContentSink
	// Operations, if set, receives the operations the account is on.
	Operations OperationSink
	// Logger receives the engine's log. Nil discards it.
	Logger *slog.Logger
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
}

// Status is what the interface shows about syncing.
type Status struct {
	// Queued counts finalised entries not yet acknowledged by the server.
	Queued int
	// Syncing is true while a sync is running.
	Syncing bool
	// LastSuccess is when a sync last completed; zero if never.
	LastSuccess time.Time
	// LastError is why the last attempt failed, nil if it succeeded. It
	// is an *Error: its Kind says what to tell the user.
	LastError error
	// NextAttempt is when the engine will try again on its own.
	NextAttempt time.Time
	// ContentVersion is the content pack version the server last announced.
	ContentVersion int
	// ContentError is why the last content pack offered was refused, nil
	// if none was. The pack in use stays in use.
	ContentError error
}

// Engine pushes a device's outbox to the server and pulls changes back,
// in the background. It is safe for concurrent use.
type Engine struct {
	box  Outbox
	opts Options
	http *http.Client
	log  *slog.Logger

	notify chan struct{} // something was queued
	now    chan struct{} // the user asked to sync now
	runMu  sync.Mutex    // held while a sync runs: one at a time

	mu        sync.Mutex // guards status, listeners, nextID, failures, offset
	status    Status
	listeners map[int]func(Status)
	nextID    int
	failures  int
	offset    time.Duration // the server's clock minus the device's, once told

	refused int         // content version refused already, not fetched again; guarded by runMu
	batch   *batchSizer // the next push's size; guarded by runMu
}

// New returns an engine for box. Call Run to start it.
func New(box Outbox, opts Options) *Engine {
	if opts.Interval == 0 {
		opts.Interval = time.Minute
	}
	if opts.MinBackoff == 0 {
		opts.MinBackoff = 2 * time.Second
	}
	if opts.MaxBackoff == 0 {
		opts.MaxBackoff = 5 * time.Minute
	}
	if opts.BatchEntries == 0 {
		opts.BatchEntries = 200
	}
	if opts.MinBatchEntries == 0 {
		opts.MinBatchEntries = 25
	}
	if opts.MaxBatchEntries == 0 {
		opts.MaxBatchEntries = wire.MaxEntries
	}
	opts.BatchEntries = min(opts.BatchEntries, wire.MaxEntries)
	opts.MaxBatchEntries = min(opts.MaxBatchEntries, wire.MaxEntries)
	if opts.BatchBytes == 0 {
		opts.BatchBytes = 4 << 20
	}
	if opts.BatchRoundTrip == 0 {
		opts.BatchRoundTrip = time.Second
	}
	if opts.PullLimit == 0 {
		opts.PullLimit = 500
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Server = strings.TrimRight(opts.Server, "/")
	e := &Engine{
		box:       box,
		opts:      opts,
		http:      opts.HTTPClient,
		log:       opts.Logger,
		notify:    make(chan struct{}, 1),
		now:       make(chan struct{}, 1),
		listeners: map[int]func(Status){},
		batch:     newBatchSizer(opts.BatchEntries, opts.MinBatchEntries, opts.MaxBatchEntries, opts.BatchBytes, opts.BatchRoundTrip),
	}
	if e.http == nil {
		e.http = DefaultHTTPClient(opts.Pin)
	}
	if e.log == nil {
		e.log = slog.New(slog.DiscardHandler)
	}
	return e
}

// Notify tells the engine that something was queued. It syncs soon,
// unless it is waiting out a failure, and updates the queued count.
func (e *Engine) Notify() {
	select {
	case e.notify <- struct{}{}:
	default:
	}
}

// SyncNow asks the engine to sync at once, even while it waits out a
// failure.
func (e *Engine) SyncNow() {
	select {
	case e.now <- struct{}{}:
	default:
	}
}

// Status returns the current sync status.
func (e *Engine) Status() Status {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.status
}

// Subscribe calls fn with every new status, from the engine's goroutine,
// until the returned function is called. fn must not block.
func (e *Engine) Subscribe(fn func(Status)) (cancel func()) {
	e.mu.Lock()
	id := e.nextID
	e.nextID++
	e.listeners[id] = fn
	e.mu.Unlock()
	return func() {
		e.mu.Lock()
		delete(e.listeners, id)
		e.mu.Unlock()
	}
}

// update changes the status under the lock and tells the listeners.
func (e *Engine) update(change func(*Status)) {
	e.mu.Lock()
	change(&e.status)
	st := e.status
	fns := make([]func(Status), 0, len(e.listeners))
	for _, fn := range e.listeners {
		fns = append(fns, fn)
	}
	e.mu.Unlock()
	for _, fn := range fns {
		fn(st)
	}
}

// refreshQueued re-reads the queued count from the outbox.
func (e *Engine) refreshQueued(ctx context.Context) {
	p, err := e.box.Progress(ctx)
	if err != nil {
		e.log.Warn("read sync progress", "err", err)
		return
	}
	e.update(func(s *Status) { s.Queued = p.Queued() })
}

// Run syncs at start, then whenever notified, asked, or the interval or a
// backoff passes, until ctx is done. It returns ctx's error.
func (e *Engine) Run(ctx context.Context) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	e.refreshQueued(ctx)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-e.now:
			e.mu.Lock()
			e.failures = 0
			e.mu.Unlock()
		case <-e.notify:
			e.refreshQueued(ctx)
			e.mu.Lock()
			waiting := e.failures > 0
			e.mu.Unlock()
			if waiting {
				continue // the backoff timer will try; Sync now overrides
			}
		case <-timer.C:
		}
		err := e.SyncOnce(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := e.afterSync(err)
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(wait)
	}
}

// afterSync counts failures and returns how long to wait before the next
// attempt: the interval after a success, an exponential backoff with
// jitter after failures.
func (e *Engine) afterSync(err error) time.Duration {
	e.mu.Lock()
	wait := e.opts.Interval
	if err == nil {
		e.failures = 0
	} else {
		e.failures++
		wait = Backoff(e.failures, e.opts.MinBackoff, e.opts.MaxBackoff, rand.Float64())
		switch KindOf(err) {
		case UpdateNeeded, Revoked, NotEnrolled, PinMismatch:
			wait = e.opts.MaxBackoff // retrying soon will not help
		}
		// The server said how long to wait: never come back sooner.
		var ce *Error
		if errors.As(err, &ce) && ce.RetryAfter > wait {
			wait = ce.RetryAfter
		}
	}
	e.mu.Unlock()
	next := e.opts.Now().Add(wait)
	e.update(func(s *Status) { s.NextAttempt = next })
	return wait
}

// Backoff returns the wait after n consecutive failures: min doubled n-1
// times, capped at max, then scaled into [½, 1] of that by r in [0, 1)
// ("equal jitter"), so that many devices coming back at once spread out.
func Backoff(n int, min, max time.Duration, r float64) time.Duration {
	d := min
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	return d/2 + time.Duration(r*float64(d/2))
}

// SyncOnce pushes everything queued, then pulls everything new, and
// updates the status. It is what Run does each time; tests and tools call
// it directly.
func (e *Engine) SyncOnce(ctx context.Context) error {
	e.runMu.Lock()
	defer e.runMu.Unlock()
	e.update(func(s *Status) { s.Syncing = true })
	err := e.push(ctx)
	if err == nil {
		err = e.pull(ctx)
	}
	if err != nil && ctx.Err() == nil {
		// Said once: the same failure again (every backoff while the
		// device is offline) goes to the debug log, and the status bar
		// keeps telling the officer.
		level := slog.LevelWarn
		if prev := e.Status().LastError; prev != nil && KindOf(prev) == KindOf(err) {
			level = slog.LevelDebug
		}
		e.log.Log(ctx, level, "sync failed", "err", err)
	}
	p, perr := e.box.Progress(ctx)
	e.update(func(s *Status) {
		s.Syncing = false
		s.LastError = err
		if err == nil {
			s.LastSuccess = e.opts.Now()
		}
		if perr == nil {
			s.Queued = p.Queued()
		}
	})
	return err
}

// push sends the outbox in batches until it is empty, each sized by
// the last ones' round trips (Options.BatchEntries). It reads and sends
// a batch while the acknowledgement of the one before is being written
// to the store: acknowledgements are written one at a time and in order,
// and a failure of either stops the push. Nothing is marked sent before
// the server has answered for it, so the next sync sends again from the
// last acknowledgement written, and the server answers a resend as it
// did the first time.
func (e *Engine) push(ctx context.Context) (err error) {
	var acking chan error // the acknowledgement being written; nil if none
	defer func() {
		if acking != nil {
			if aerr := <-acking; err == nil {
				err = aerr
			}
		}
	}()
	var sent uint64 // entries up to this one are answered for
	for {
		n, size := e.batch.limits()
		entries, err := e.box.PendingAfter(ctx, sent, n, size)
		if err != nil {
			return &Error{Kind: DeviceFault, Err: err}
		}
		if len(entries) == 0 {
			return nil
		}
		t0 := time.Now()
		resp, err := e.sendPush(ctx, entries)
		e.batch.observe(time.Since(t0), err != nil)
		if err != nil {
			return err
		}
		if acking != nil {
			aerr := <-acking
			acking = nil
			if aerr != nil {
				return aerr
			}
		}
		last := entries[len(entries)-1].Seq
		rejected := make([]store.Rejected, len(resp.Rejected))
		for i, r := range resp.Rejected {
			rejected[i] = store.Rejected{Seq: r.Seq, Code: string(r.Code)}
			e.log.Warn("server kept an entry aside", "seq", r.Seq, "record", r.ID, "code", r.Code)
		}
		if resp.Ack < last {
			// The server holds less than was sent (it lost data, or this
			// device's id is confused). Stop rather than spin; the outbox
			// rewinds and the next attempt resends.
			if err := e.acknowledge(ctx, resp.Ack, rejected); err != nil {
				return err
			}
			return &Error{Kind: ServerFault, Err: fmt.Errorf("server acknowledged %d after receiving up to %d", resp.Ack, last)}
		}
		ch := make(chan error, 1)
		go func(ack uint64) { ch <- e.acknowledge(ctx, ack, rejected) }(resp.Ack)
		acking = ch
		// The server may hold more than this batch (an earlier sync's
		// answer was lost): nothing up to its ack needs sending.
		sent = max(last, resp.Ack)
	}
}

// acknowledge records the server's answer to a push in the outbox.
func (e *Engine) acknowledge(ctx context.Context, ack uint64, rejected []store.Rejected) error {
	if err := e.box.Acknowledge(ctx, ack, rejected); err != nil {
		if errors.Is(err, store.ErrAckAhead) {
			return &Error{Kind: Refused, Err: err}
		}
		return &Error{Kind: DeviceFault, Err: err}
	}
	return nil
}

// pull fetches operations until the server has no more. An account that
// may not pull (an interpreter's) only learns the content version.
func (e *Engine) pull(ctx context.Context) error {
	for {
		p, err := e.box.Progress(ctx)
		if err != nil {
			return &Error{Kind: DeviceFault, Err: err}
		}
		resp, err := e.sendPull(ctx, p.Cursor)
		if KindOf(err) == Forbidden {
			me, err := e.Me(ctx)
			if err != nil {
				return err
			}
			e.update(func(s *Status) { s.ContentVersion = me.ContentVersion })
			return e.updateContent(ctx, me.ContentVersion)
		}
		if err != nil {
			return err
		}
		ops := make([]store.Pulled, len(resp.Ops))
		for i, op := range resp.Ops {
			ops[i] = store.Pulled{Cursor: op.Cursor, Kind: string(op.Kind), ID: op.ID, Device: op.Device, Body: op.Body}
			if len(op.Sig) > 0 {
				ops[i].Seal = &evidence.Seal{Device: op.Device, Key: op.Key, Sig: op.Sig}
			}
		}
		if err := e.box.ApplyPulled(ctx, ops, resp.Cursor); err != nil {
			return &Error{Kind: DeviceFault, Err: err}
		}
		e.update(func(s *Status) { s.ContentVersion = resp.ContentVersion })
		if !resp.More {
			if err := e.updateOperations(ctx, resp.OperationsVersion); err != nil {
				return err
			}
			return e.updateContent(ctx, resp.ContentVersion)
		}
		if resp.Cursor == p.Cursor {
			// A server restored from a backup moves the cursor back, which
			// is fine; one that does not move it at all would loop here.
			return &Error{Kind: ServerFault, Err: fmt.Errorf("pull: more to come, but the cursor stayed at %d", p.Cursor)}
		}
	}
}

// updateOperations fetches the operations the account is on if the
// server announces another version than the sink holds. An operation
// whose document does not parse or validate is left out and logged by
// id: the rest still reach the officer.
func (e *Engine) updateOperations(ctx context.Context, published uint64) error {
	sink := e.opts.Operations
	if sink == nil || published == sink.OperationsVersion() {
		return nil
	}
	var resp wire.OperationsResponse
	if err := e.post(ctx, wire.PathOperations, &wire.OperationsRequest{Have: sink.OperationsVersion()}, &resp); err != nil {
		return err
	}
	ops := make([]operation.Operation, 0, len(resp.Operations))
	for i, doc := range resp.Operations {
		o, err := operation.Parse(doc)
		if err == nil {
			err = o.Validate(wire.Agencies)
		}
		if err != nil {
			e.log.Warn("operation refused", "index", i, "err", err)
			continue
		}
		ops = append(ops, o)
	}
	history := make([]operation.Visit, len(resp.History))
	for i, v := range resp.History {
		history[i] = operation.Visit{Operation: v.Operation, Premises: v.Premises, Record: v.Record, OccurredAt: v.OccurredAt,
			Level: v.Level, Officer: v.Officer, Agency: v.Agency, People: v.People, Children: v.Children, Referrals: v.Referrals, Name: v.Name}
	}
	if err := sink.SaveOperations(ctx, resp.Version, ops, history); err != nil {
		return &Error{Kind: DeviceFault, Err: err}
	}
	return nil
}

// updateContent fetches and installs the published content pack if it is
// newer than the one the sink holds. A pack the sink refuses is reported
// in the status, not as a sync failure, and not fetched again.
func (e *Engine) updateContent(ctx context.Context, published int) error {
	sink := e.opts.Content
	if sink == nil || published <= sink.ContentVersion() || published == e.refused {
		return nil
	}
	var resp wire.ContentResponse
	err := e.post(ctx, wire.PathContent, &wire.ContentRequest{Have: sink.ContentVersion()}, &resp)
	if err != nil {
		return err
	}
	err = sink.InstallContent(ctx, resp.Bundle)
	if err != nil {
		e.refused = published
		e.log.Warn("content pack refused", "version", resp.Version, "err", err)
	}
	e.update(func(s *Status) { s.ContentError = err })
	return nil
}
