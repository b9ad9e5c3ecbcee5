package model

import (
	"context"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
)

// Records is what the models need from the device store. *store.Store
// implements it; every method may be called from the Saver's goroutine.
type Records interface {
	DeviceID() uuid.UUID
	SaveDraft(ctx context.Context, r encounter.Record) error
	DeleteDraft(ctx context.Context, id uuid.UUID) error
	Finalise(ctx context.Context, id uuid.UUID) (encounter.Record, error)
	Amend(ctx context.Context, a encounter.Amendment) (encounter.Record, error)
	Get(ctx context.Context, id uuid.UUID) (encounter.Record, error)
	List(ctx context.Context) ([]encounter.Record, error)
}
