package content

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
)

// Storage keeps the content packs a device installed, as bundles.
// *store.Store implements it.
type Storage interface {
	SavePack(ctx context.Context, id string, version int, bundle []byte) error
	Packs(ctx context.Context) ([][]byte, error)
}

// Library holds the packs a device knows: the one embedded in the app,
// those pulled from the server since, and which is in use. Records and
// drafts name the pack they were made under, and keep being shown with
// it, so a pack update never clashes with a draft half-way through. It is
// safe for concurrent use.
type Library struct {
	store Storage
	log   *slog.Logger

	mu        sync.Mutex // guards current, packs, listeners
	current   *Pack
	packs     map[packKey]*Pack
	listeners []func(*Pack)
}

type packKey struct {
	id      string
	version int
}

// OpenLibrary returns a library of base (the app's own pack) and the packs
// saved in st. The pack in use is the newest that is a proper upgrade of
// base; a saved pack that no longer passes validation is skipped and
// logged. log may be nil.
func OpenLibrary(ctx context.Context, st Storage, base *Pack, log *slog.Logger) (*Library, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &Library{store: st, log: log, current: base, packs: map[packKey]*Pack{}}
	l.packs[packKey{base.ID, base.Version}] = base
	bundles, err := st.Packs(ctx)
	if err != nil {
		return nil, fmt.Errorf("read installed content packs: %w", err)
	}
	for _, b := range bundles {
		p, err := ParseBundle(b)
		if err != nil {
			log.Warn("installed content pack no longer valid; skipped", "err", err)
			continue
		}
		l.packs[packKey{p.ID, p.Version}] = p
		if CheckUpgrade(l.current, p) == nil {
			l.current = p
		}
	}
	return l, nil
}

// Current returns the pack in use for new encounters.
func (l *Library) Current() *Pack {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.current
}

// Get returns the pack id at version, if the device has it: the pack a
// record or draft was made under.
func (l *Library) Get(id string, version int) (*Pack, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.packs[packKey{id, version}]
	return p, ok
}

// For returns the pack a record made under (id, version) is shown with:
// that pack if the device has it, else the pack in use.
func (l *Library) For(id string, version int) *Pack {
	if p, ok := l.Get(id, version); ok {
		return p
	}
	return l.Current()
}

// ContentVersion is the version of the pack in use.
func (l *Library) ContentVersion() int { return l.Current().Version }

// ErrRefused wraps every reason InstallContent refuses a pack.
var ErrRefused = errors.New("content pack refused")

// InstallContent validates bundle as a pack and, if it is a proper upgrade
// of the pack in use, saves it and puts it in use for new encounters. A
// pack that fails is refused with every problem found, and the pack in
// use stays. Subscribers hear of the new pack.
func (l *Library) InstallContent(ctx context.Context, bundle []byte) error {
	next, err := ParseBundle(bundle)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	l.mu.Lock()
	cur := l.current
	l.mu.Unlock()
	if err := CheckUpgrade(cur, next); err != nil {
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	if err := l.store.SavePack(ctx, next.ID, next.Version, next.Bundle()); err != nil {
		return fmt.Errorf("save content pack %s: %w", next.name(), err)
	}
	l.mu.Lock()
	l.packs[packKey{next.ID, next.Version}] = next
	if l.current == cur {
		l.current = next
	}
	fns := append([]func(*Pack){}, l.listeners...)
	l.mu.Unlock()
	l.log.Info("content pack installed", "pack", next.ID, "version", next.Version)
	for _, fn := range fns {
		fn(next)
	}
	return nil
}

// Subscribe calls fn, from the installing goroutine, with each pack put in
// use. fn must not block.
func (l *Library) Subscribe(fn func(*Pack)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.listeners = append(l.listeners, fn)
}
