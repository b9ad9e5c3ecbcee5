package session

import (
	"context"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/store"
)

// Records is the store as the officer's screens use it. Opening a record
// and every change count as the officer's activity for the idle lock
// (listing does not: the screens list again after each sync, on their
// own), and every change marks the count of records not on the server
// for a recount.
type Records struct {
	*store.Store
	s *Session
}

// SaveDraft saves a draft (store.Store.SaveDraft).
func (r *Records) SaveDraft(ctx context.Context, rec encounter.Record) error {
	defer r.changed()
	return r.Store.SaveDraft(ctx, rec)
}

// DeleteDraft deletes a draft (store.Store.DeleteDraft).
func (r *Records) DeleteDraft(ctx context.Context, id uuid.UUID) error {
	defer r.changed()
	return r.Store.DeleteDraft(ctx, id)
}

// Finalise finalises a draft (store.Store.Finalise).
func (r *Records) Finalise(ctx context.Context, id uuid.UUID) (encounter.Record, error) {
	defer r.changed()
	return r.Store.Finalise(ctx, id)
}

// Amend amends a finalised record (store.Store.Amend).
func (r *Records) Amend(ctx context.Context, a encounter.Amendment) (encounter.Record, error) {
	defer r.changed()
	return r.Store.Amend(ctx, a)
}

// Get reads a record (store.Store.Get).
func (r *Records) Get(ctx context.Context, id uuid.UUID) (encounter.Record, error) {
	r.s.Touch()
	return r.Store.Get(ctx, id)
}

func (r *Records) changed() {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.s.lastActive = r.s.now()
	r.s.dirty = true
}
