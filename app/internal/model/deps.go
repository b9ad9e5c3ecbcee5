package model

import (
	"context"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/store"
)

// Records is what the models need from the device store. *store.Store
// implements it; every method may be called from the Saver's goroutine.
// Settings are small values kept encrypted with the records: what the
// app remembers about an encounter outside the record itself (Saver's
// DraftStep and PersonLanguage).
type Records interface {
	DeviceID() uuid.UUID
	SaveDraft(ctx context.Context, r encounter.Record) error
	DeleteDraft(ctx context.Context, id uuid.UUID) error
	Finalise(ctx context.Context, id uuid.UUID) (encounter.Record, error)
	Amend(ctx context.Context, a encounter.Amendment) (encounter.Record, error)
	Get(ctx context.Context, id uuid.UUID) (encounter.Record, error)
	List(ctx context.Context) ([]encounter.Record, error)
	// Evidence checks the signatures of a record and its amendments.
	Evidence(ctx context.Context, id uuid.UUID) (store.Evidence, error)
	Setting(ctx context.Context, name string) ([]byte, error)
	SetSetting(ctx context.Context, name string, b []byte) error
	DeleteSetting(ctx context.Context, name string) error
}
