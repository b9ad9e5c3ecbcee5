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
// for a recount. Once the store is closed (a wipe), every call fails with
// store.ErrClosed instead of reaching it.
type Records struct {
	*store.Store
	s *Session
}

// SaveDraft saves a draft (store.Store.SaveDraft).
func (r *Records) SaveDraft(ctx context.Context, rec encounter.Record) error {
	defer r.changed()
	return r.s.use(r.Store, func() error { return r.Store.SaveDraft(ctx, rec) })
}

// DeleteDraft deletes a draft (store.Store.DeleteDraft).
func (r *Records) DeleteDraft(ctx context.Context, id uuid.UUID) error {
	defer r.changed()
	return r.s.use(r.Store, func() error { return r.Store.DeleteDraft(ctx, id) })
}

// Finalise finalises a draft (store.Store.Finalise).
func (r *Records) Finalise(ctx context.Context, id uuid.UUID) (out encounter.Record, err error) {
	defer r.changed()
	err = r.s.use(r.Store, func() (err error) {
		out, err = r.Store.Finalise(ctx, id)
		return err
	})
	return out, err
}

// Amend amends a finalised record (store.Store.Amend).
func (r *Records) Amend(ctx context.Context, a encounter.Amendment) (out encounter.Record, err error) {
	defer r.changed()
	err = r.s.use(r.Store, func() (err error) {
		out, err = r.Store.Amend(ctx, a)
		return err
	})
	return out, err
}

// Get reads a record (store.Store.Get).
func (r *Records) Get(ctx context.Context, id uuid.UUID) (out encounter.Record, err error) {
	r.s.Touch()
	err = r.s.use(r.Store, func() (err error) {
		out, err = r.Store.Get(ctx, id)
		return err
	})
	return out, err
}

// List lists the records (store.Store.List).
func (r *Records) List(ctx context.Context) (out []encounter.Record, err error) {
	err = r.s.use(r.Store, func() (err error) {
		out, err = r.Store.List(ctx)
		return err
	})
	return out, err
}

func (r *Records) changed() {
	r.s.mu.Lock()
	defer r.s.mu.Unlock()
	r.s.lastActive = r.s.now()
	r.s.dirty = true
}

// Setting reads a setting kept in the store (store.Store.Setting).
func (r *Records) Setting(ctx context.Context, name string) (out []byte, err error) {
	err = r.s.use(r.Store, func() (err error) {
		out, err = r.Store.Setting(ctx, name)
		return err
	})
	return out, err
}

// SetSetting keeps a setting in the store (store.Store.SetSetting).
func (r *Records) SetSetting(ctx context.Context, name string, b []byte) error {
	return r.s.use(r.Store, func() error { return r.Store.SetSetting(ctx, name, b) })
}

// DeleteSetting removes a setting kept in the store
// (store.Store.DeleteSetting).
func (r *Records) DeleteSetting(ctx context.Context, name string) error {
	return r.s.use(r.Store, func() error { return r.Store.DeleteSetting(ctx, name) })
}

// Evidence checks the signatures of a record and its amendments
// (store.Store.Evidence).
func (r *Records) Evidence(ctx context.Context, id uuid.UUID) (out store.Evidence, err error) {
	err = r.s.use(r.Store, func() (err error) {
		out, err = r.Store.Evidence(ctx, id)
		return err
	})
	return out, err
}
