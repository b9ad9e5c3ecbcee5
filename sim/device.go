package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/client"
)

// Device is one simulated officer's phone: a real encrypted store in a
// folder of its own, and a real sync engine whose traffic Meter counts.
type Device struct {
	Store  *store.Store
	Engine *client.Engine
	Meter  *Meter
	// Credential is the device's enrolment: records name its account.
	Credential *client.Credential
	rng        *rand.Rand
}

// DeviceOptions configures OpenDevice.
type DeviceOptions struct {
	// Dir is the store's folder, created if need be. Required.
	Dir string
	// Key is the store's 32-byte key. Required.
	Key []byte
	// Server is the base URL the device reaches the server at (a fault
	// proxy, say). Empty: the server it enrolled with.
	Server string
	// Enrol enrols the device as simulated officer Officer if its store
	// holds no credential yet. Nil: the store must hold one.
	Enrol   *Enroller
	Officer int
	// Unsigned sends requests unsigned and over plain HTTP: only a
	// measurement of what authentication costs wants it (a protocol 2
	// server refuses such requests).
	Unsigned bool
	// Batch is the most entries per push; 0 is the engine's default.
	Batch int
	// Seed makes the synthetic encounters reproducible.
	Seed uint64
}

// OpenDevice opens (or creates) a device's store and its engine. The
// engine is not running: call Sync.
func OpenDevice(ctx context.Context, o DeviceOptions) (*Device, error) {
	st, err := store.Open(ctx, store.Options{Dir: o.Dir, Key: o.Key})
	if err != nil {
		return nil, err
	}
	cred, err := client.LoadCredential(ctx, st)
	if errors.Is(err, store.ErrNotEnrolled) && o.Enrol != nil {
		cred, err = o.Enrol.Device(ctx, st, o.Officer)
	}
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("device credential: %w", err)
	}
	st.SetSigner(cred)
	m := NewMeter()
	url := o.Server
	if url == "" {
		url = cred.Server
	}
	co := client.Options{Server: url, Signer: cred, Pin: cred.Pin, HTTPClient: m.Client(cred.Pin), BatchEntries: o.Batch}
	if o.Unsigned {
		co.Signer, co.Pin, co.HTTPClient = nil, "", m.Client("")
	}
	eng := client.New(st, co)
	return &Device{Store: st, Engine: eng, Meter: m, Credential: cred, rng: rand.New(rand.NewPCG(o.Seed, 0x5eed))}, nil
}

// Close closes the device's store.
func (d *Device) Close() error { return d.Store.Close() }

// Record types n synthetic encounters, saving each draft edits times as
// an officer fills its fields, then finalises them. It returns their ids.
func (d *Device) Record(ctx context.Context, n, edits int) ([]uuid.UUID, error) {
	ids := make([]uuid.UUID, 0, n)
	for range n {
		r, err := d.Draft(ctx, edits)
		if err != nil {
			return ids, err
		}
		if _, err := d.Store.Finalise(ctx, r.ID); err != nil {
			return ids, err
		}
		ids = append(ids, r.ID)
	}
	return ids, nil
}

// Draft starts a synthetic encounter and saves it edits times (at least
// once), one more field filled each time as an officer types; the last
// save fills whatever is left. It returns the record as last saved.
func (d *Device) Draft(ctx context.Context, edits int) (encounter.Record, error) {
	r, err := encounter.New(d.Store.DeviceID(), time.Now().Add(-time.Hour))
	if err != nil {
		return r, err
	}
	r.Officer = d.Credential.Officer()
	edits = max(edits, 1)
	for i := range edits {
		d.Fill(&r, i)
		for j := i + 1; i == edits-1 && j < 4; j++ {
			d.Fill(&r, j)
		}
		if err := d.Store.SaveDraft(ctx, r); err != nil {
			return r, err
		}
	}
	return r, nil
}

// Fill sets field i (counting from 0, cycling) of r to synthetic content:
// the premises, the business type, people present, then notes that grow.
func (d *Device) Fill(r *encounter.Record, i int) {
	switch i % 4 {
	case 0:
		r.Premises.Name = fmt.Sprintf("%s %d", names[d.rng.IntN(len(names))], d.rng.IntN(1000))
		r.Premises.Address = fmt.Sprintf("%d Example %s, Testtown TE%d 1ZZ", 1+d.rng.IntN(200), streets[d.rng.IntN(len(streets))], 1+d.rng.IntN(99))
	case 1:
		r.Premises.Business = encounter.Businesses[d.rng.IntN(len(encounter.Businesses))]
	case 2:
		r.PeoplePresent = d.rng.IntN(12)
	default:
		words := make([]string, 20+d.rng.IntN(80))
		for j := range words {
			words[j] = noteWords[d.rng.IntN(len(noteWords))]
		}
		r.Notes = strings.TrimSpace(r.Notes + " " + strings.Join(words, " ") + ".")
	}
}

// Synthetic content: nothing here names a real person or place.
var (
	names     = []string{"Example Hand Car Wash", "Sample Nails", "Test Takeaway", "Placeholder Farm", "Demo Packing Ltd", "Fictional Builders"}
	streets   = []string{"Road", "Street", "Lane", "Parade", "Industrial Estate"}
	noteWords = []string{"workers", "back", "room", "mattresses", "cash", "only", "manager", "spoke", "for", "them", "no", "protective",
		"equipment", "van", "collected", "at", "six", "fearful", "documents", "held", "by", "employer", "long", "hours", "sleeping", "on", "site"}
)

// Sync syncs until everything queued is acknowledged and pulled, retrying
// failures with a short backoff, until ctx is done. It returns how many
// attempts failed, and ctx's error if it gave up.
func (d *Device) Sync(ctx context.Context) (failed int, err error) {
	wait := 20 * time.Millisecond
	for {
		err := d.Engine.SyncOnce(ctx)
		if err == nil {
			p, perr := d.Store.Progress(ctx)
			if perr != nil {
				return failed, perr
			}
			if p.Queued() == 0 {
				return failed, nil
			}
			err = fmt.Errorf("%d entries still queued after a sync", p.Queued())
		}
		var ce *client.Error
		if errors.As(err, &ce) && ce.Kind == client.DeviceFault {
			return failed, err // retrying will not mend the device's own store
		}
		failed++
		select {
		case <-ctx.Done():
			return failed, fmt.Errorf("gave up syncing: %w (last failure: %v)", ctx.Err(), err)
		case <-time.After(wait):
		}
		wait = min(2*wait, time.Second)
	}
}

// Held is what a device holds of its own finalised records (not those
// pulled from other devices), by what the server said of them, each with
// its document.
type Held struct {
	Device uuid.UUID
	// Acked: the server acknowledged and stored them.
	Acked map[uuid.UUID][]byte
	// Queued: not acknowledged yet; the server may hold them or not.
	Queued map[uuid.UUID][]byte
	// Aside: acknowledged, but kept aside by the server because another
	// body holds the id. Never expected in a simulation.
	Aside map[uuid.UUID][]byte
	// Drafts counts drafts.
	Drafts int
}

// Holdings lists the device's own records; see Held.
func (d *Device) Holdings(ctx context.Context) (Held, error) {
	return Holdings(ctx, d.Store)
}

// Holdings lists what st holds; see Held.
func Holdings(ctx context.Context, st *store.Store) (Held, error) {
	h := Held{Device: st.DeviceID(), Acked: map[uuid.UUID][]byte{}, Queued: map[uuid.UUID][]byte{}, Aside: map[uuid.UUID][]byte{}}
	list, err := st.List(ctx)
	if err != nil {
		return h, err
	}
	for _, r := range list {
		if r.State == encounter.Draft {
			h.Drafts++
			continue
		}
		if r.Device != h.Device {
			continue
		}
		doc, err := r.Document()
		if err != nil {
			return h, err
		}
		switch r.State {
		case encounter.Synced:
			h.Acked[r.ID] = doc
		case encounter.Held:
			h.Aside[r.ID] = doc
		default:
			h.Queued[r.ID] = doc
		}
	}
	return h, nil
}
