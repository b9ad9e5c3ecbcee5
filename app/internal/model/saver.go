package model

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/store"
)

// Saver makes the device's durable writes, and the reads that must see
// them, on a goroutine of its own, so the interface never waits for the
// disk. Drafts are coalesced: the latest version of a record wins, and an
// older one not yet written is dropped. Every other job (finalise,
// discard, amend, a read) runs in the order it was asked for, after the
// drafts asked for before it. Results go to deliver, which the app sets
// to fyne.Do, so they reach widgets on the interface's goroutine.
type Saver struct {
	records Records
	deliver func(func())

	mu       sync.Mutex // guards queue, drafts, settings, busy and closed
	queue    []job
	drafts   map[uuid.UUID]draft // the latest draft of each record waiting
	settings map[string]string   // settings kept but not yet written; "" removes
	busy     bool                // a job is running
	closed   bool
	wake     chan struct{} // a job was queued
	idle     *sync.Cond    // signalled when the queue empties and nothing runs
	done     chan struct{} // closed when the goroutine has stopped
}

// job is one piece of work. A draft job holds no work of its own: it
// writes whatever draft of its record is latest when its turn comes.
type job struct {
	draft uuid.UUID // the record whose latest draft to write, or uuid.Nil
	run   func(ctx context.Context) func()
}

type draft struct {
	rec  encounter.Record
	then func(error)
}

// NewSaver starts a saver writing to records. deliver runs each result
// callback; nil runs them on the saver's goroutine.
func NewSaver(records Records, deliver func(func())) *Saver {
	if deliver == nil {
		deliver = func(f func()) { f() }
	}
	s := &Saver{
		records: records, deliver: deliver,
		drafts: map[uuid.UUID]draft{},
		wake:   make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	s.idle = sync.NewCond(&s.mu)
	go s.loop()
	return s
}

// SaveDraft writes r as a draft; then, if not nil, receives the result.
// A draft of the same record still waiting is replaced, and its then is
// not called: only the latest result matters. The Saver keeps a copy of
// r of its own: the caller may go on editing r at once.
func (s *Saver) SaveDraft(r encounter.Record, then func(error)) {
	r = detach(r)
	s.mu.Lock()
	_, waiting := s.drafts[r.ID]
	s.drafts[r.ID] = draft{rec: r, then: then}
	if !waiting {
		s.queue = append(s.queue, job{draft: r.ID})
	}
	s.mu.Unlock()
	s.kick()
}

// Do runs work on the saver's goroutine after everything asked for
// before it; the function work returns, if not nil, is delivered.
func (s *Saver) Do(work func(ctx context.Context) func()) {
	s.mu.Lock()
	s.queue = append(s.queue, job{run: work})
	s.mu.Unlock()
	s.kick()
}

// Finalise finalises record id once its drafts are written.
func (s *Saver) Finalise(id uuid.UUID, then func(encounter.Record, error)) {
	s.Do(func(ctx context.Context) func() {
		r, err := s.records.Finalise(ctx, id)
		return func() { then(r, err) }
	})
}

// Discard deletes draft id once its drafts are written.
func (s *Saver) Discard(id uuid.UUID, then func(error)) {
	s.Do(func(ctx context.Context) func() {
		err := s.records.DeleteDraft(ctx, id)
		if then == nil {
			return nil
		}
		return func() { then(err) }
	})
}

// Amend appends amendment a to its record.
func (s *Saver) Amend(a encounter.Amendment, then func(encounter.Record, error)) {
	s.Do(func(ctx context.Context) func() {
		r, err := s.records.Amend(ctx, a)
		return func() { then(r, err) }
	})
}

// List reads every record, after the writes asked for before.
func (s *Saver) List(then func([]encounter.Record, error)) {
	s.Do(func(ctx context.Context) func() {
		rs, err := s.records.List(ctx)
		return func() { then(rs, err) }
	})
}

// Get reads record id, after the writes asked for before.
func (s *Saver) Get(id uuid.UUID, then func(encounter.Record, error)) {
	s.Do(func(ctx context.Context) func() {
		r, err := s.records.Get(ctx, id)
		return func() { then(r, err) }
	})
}

// Evidence checks the signatures of record id and its amendments, after
// the writes asked for before.
func (s *Saver) Evidence(id uuid.UUID, then func(store.Evidence, error)) {
	s.Do(func(ctx context.Context) func() {
		ev, err := s.records.Evidence(ctx, id)
		return func() { then(ev, err) }
	})
}

// Wait blocks until every job asked for so far has run and its result
// has been handed to deliver.
func (s *Saver) Wait() {
	s.mu.Lock()
	for len(s.queue) > 0 || s.busy {
		s.idle.Wait()
	}
	s.mu.Unlock()
}

// Close runs what is queued, then stops the saver. Jobs asked for after
// Close are dropped.
func (s *Saver) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.kick()
	<-s.done
}

func (s *Saver) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Saver) loop() {
	defer func() {
		// However the loop ends (a result that stops its goroutine, as a
		// failing test's t.Fatal does), waiters are released, not hung.
		s.mu.Lock()
		s.closed, s.busy, s.queue = true, false, nil
		s.idle.Broadcast()
		s.mu.Unlock()
		close(s.done)
	}()
	ctx := context.Background()
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			closed := s.closed
			s.idle.Broadcast()
			s.mu.Unlock()
			if closed {
				return
			}
			<-s.wake
			continue
		}
		j := s.queue[0]
		s.queue = s.queue[1:]
		var d draft
		if j.draft != uuid.Nil {
			d = s.drafts[j.draft]
			delete(s.drafts, j.draft)
		}
		s.busy = true
		s.mu.Unlock()

		var result func()
		if j.run != nil {
			result = j.run(ctx)
		} else {
			err := s.records.SaveDraft(ctx, d.rec)
			if d.then != nil {
				result = func() { d.then(err) }
			}
		}
		if result != nil {
			s.deliver(result)
		}
		s.mu.Lock()
		s.busy = false
		s.mu.Unlock()
	}
}

// detach returns a copy of r that shares no memory with it. The Saver
// writes a draft on its own goroutine while the interface's goes on
// editing it, and a record's people, answers and referrals are slices,
// maps and pointers: written as they were being changed, a draft could
// be torn (go test -race found it). The store keeps a record as JSON, so
// a JSON copy is what it would write; the fields JSON leaves out (State,
// Amendments, Original; a draft has neither of the last two) are copied
// as they are.
func detach(r encounter.Record) encounter.Record {
	b, err := json.Marshal(r)
	if err != nil {
		return r // not a record the store could write either; it says so
	}
	var c encounter.Record
	if err := json.Unmarshal(b, &c); err != nil {
		return r
	}
	c.State, c.Amendments, c.Original = r.State, r.Amendments, r.Original
	return c
}
