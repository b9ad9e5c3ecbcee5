package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/vault"
)

// Phase is what the app shows.
type Phase int

// The phases of a session. Append only.
const (
	// NeedPIN: there is no vault; the officer chooses a PIN (first
	// start, after a wipe, or to move a store made before the vault into
	// it), then enrols.
	NeedPIN Phase = iota
	// Locked: the PIN opens the app. Once unlocked, the store stays open
	// and the sync engine runs while the app is locked again.
	Locked
	// Enrolling: unlocked, but the device is not enrolled yet.
	Enrolling
	// Unlocked: unlocked and enrolled; the officer's screens.
	Unlocked
	// OfflineLocked: unlocked, but the device has not reached its server
	// for longer than the server's policy allows. It syncs to go on;
	// nothing is deleted for that reason.
	OfflineLocked
	// Wiped: the device's keys were destroyed; the store can never be
	// read again. The officer enrols afresh (StartAgain).
	Wiped
)

var phaseNames = [...]string{"need-pin", "locked", "enrolling", "unlocked", "offline-locked", "wiped"}

// String names the phase, for logs and tests.
func (p Phase) String() string {
	if p < 0 || int(p) >= len(phaseNames) {
		return fmt.Sprintf("Phase(%d)", int(p))
	}
	return phaseNames[p]
}

// Reason says why the device was wiped. Append only.
type Reason int

// Why a device was wiped.
const (
	// WipedEarlier: found wiped at start, for a reason not kept.
	WipedEarlier Reason = iota
	// WipedTries: too many wrong PINs.
	WipedTries
	// WipedRevoked: the administrator revoked the device.
	WipedRevoked
	// WipedDisabled: the officer's account was disabled.
	WipedDisabled
	// WipedForgotten: the officer forgot the PIN and chose to wipe.
	WipedForgotten
	// WipedDamaged: the vault's file was unreadable.
	WipedDamaged
)

var reasonNames = [...]string{"earlier", "wrong-pins", "revoked", "disabled", "forgotten-pin", "damaged"}

// String names the reason, for logs and tests.
func (r Reason) String() string {
	if r < 0 || int(r) >= len(reasonNames) {
		return fmt.Sprintf("Reason(%d)", int(r))
	}
	return reasonNames[r]
}

// State is the session's state: what the app shows.
type State struct {
	Phase Phase
	// Why says why the device was wiped, in Wiped.
	Why Reason
	// Moving is set in NeedPIN when a store made before the vault waits
	// to be moved into it: the PIN chosen will seal its key.
	Moving bool
	// OfflineDays is the policy's limit, in OfflineLocked.
	OfflineDays int
}

// Defaults of the app lock.
const (
	// DefaultIdleLock is how long the app stays open with nothing done.
	DefaultIdleLock = 5 * time.Minute
	// MaxIdleLock is the longest idle time a preference may set.
	MaxIdleLock = 30 * time.Minute
	// tickEvery is how often the session checks the idle and offline
	// locks, and the count of records not on the server.
	tickEvery = 10 * time.Second
)

// Options configures Open. Only Dir is required.
type Options struct {
	// Dir is the app's data folder (made mode 0700).
	Dir string
	// Vault configures the vault: its key derivation, lockout and PIN
	// rules. Zero values take the vault's defaults.
	Vault vault.Options
	// Content is the content pack built into the app; the library of
	// packs is opened with it once the store is. Nil: no library.
	Content *content.Pack
	// Sync is the sync engine's options; Server, Signer and Pin come
	// from the credential, and Content from the library.
	Sync client.Options
	// IdleLock is how long the app stays open with nothing done before
	// it locks. Zero means DefaultIdleLock; it is at most MaxIdleLock.
	IdleLock time.Duration
	// Logger receives the session's log (never a record's content). Nil
	// discards it.
	Logger *slog.Logger
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
	// TickEvery is how often the idle and offline locks are checked in
	// the background. Zero means every 10 seconds; negative, never
	// (tests call Tick).
	TickEvery time.Duration
}

// Session is the app's session on one device. It is safe for concurrent
// use; listeners hear of every change of state.
type Session struct {
	o   Options
	dir string
	v   *vault.Vault
	log *slog.Logger
	now func() time.Time

	stopTick chan struct{}
	tickDone chan struct{}

	// wiping counts wipes whose engine, store and files are still being
	// taken down (finishWipe), which StartAgain and Close wait for.
	wiping sync.WaitGroup

	// smu keeps the open store open while it is used outside mu (use):
	// closing it (a wipe, Close) takes smu, after taking it out of the
	// session under mu. Lock order: smu before mu; nothing holding mu
	// waits for smu.
	smu sync.RWMutex

	// umu guards the count of records not on the server, which the lock
	// screen reads while mu may be held by an unlock.
	umu    sync.Mutex
	unsent Unsent

	// lmu guards the listeners.
	lmu       sync.Mutex
	listeners map[int]func(State)
	nextID    int

	mu         sync.Mutex // guards the fields below
	state      State
	resume     Phase        // the phase an unlock returns to, once the store is open
	keys       *vault.Keys  // while unlocked
	st         *store.Store // open from the first unlock until a wipe or Close
	lib        *content.Library
	cred       *client.Credential
	eng        *client.Engine
	stopEng    func() // stops the engine and waits for it
	lastActive time.Time
	idle       time.Duration
	upkeep     upkeep
	dirty      bool // the records changed since unsent was counted
	closed     bool
}

// Errors callers test for with errors.Is.
var (
	// ErrPhase: the action does not fit the session's phase (unlocking
	// an open app, enrolling a wiped one).
	ErrPhase = errors.New("not possible in this phase of the session")
	// ErrClosed: the session was closed.
	ErrClosed = errors.New("session closed")
)

// Open opens the session in o.Dir: the vault, locked, and nothing else
// until the PIN is given. It finds the phase to start in: NeedPIN with no
// vault, Locked with one, Wiped if its keys were destroyed.
func Open(ctx context.Context, o Options) (*Session, error) {
	if o.Dir == "" {
		return nil, errors.New("open session: no data folder")
	}
	s := &Session{o: o, dir: o.Dir, log: o.Logger, now: o.Now, listeners: map[int]func(State){}}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.idle = clampIdle(o.IdleLock)
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	if err := Narrow(s.dir); err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	v, err := vault.Open(ctx, s.path(vaultDir), o.Vault)
	if err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	s.v = v
	vs, err := v.Status()
	if err != nil {
		s.log.Warn("vault status", "err", err)
	}
	switch vs.State {
	case vault.StateNew:
		s.state = State{Phase: NeedPIN, Moving: s.hasOldKey()}
	case vault.StateErased:
		why := WipedEarlier
		if vs.Failures >= s.policy().MaxTries {
			why = WipedTries
		}
		s.state = State{Phase: Wiped, Why: why}
	case vault.StateDamaged:
		s.state = State{Phase: Wiped, Why: WipedDamaged}
	default:
		s.state = State{Phase: Locked}
	}
	s.resume = Enrolling
	s.unsent = readUnsent(s.path(unsentFile))
	if o.TickEvery >= 0 {
		every := o.TickEvery
		if every == 0 {
			every = tickEvery
		}
		s.stopTick, s.tickDone = make(chan struct{}), make(chan struct{})
		go s.ticker(every)
	}
	return s, nil
}

// Names in the data folder.
const (
	vaultDir   = "vault"
	storeDir   = "store"
	unsentFile = "unsent.json"
	oldKeyFile = "device.key" // the raw store key of versions before the vault
)

func (s *Session) path(name string) string { return filepath.Join(s.dir, name) }

func (s *Session) policy() vault.Policy {
	if s.o.Vault.Policy.MaxTries == 0 {
		return vault.DefaultPolicy()
	}
	return s.o.Vault.Policy
}

func clampIdle(d time.Duration) time.Duration {
	if d <= 0 {
		return DefaultIdleLock
	}
	return min(d, MaxIdleLock)
}

// State returns the session's state.
func (s *Session) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// Subscribe calls fn whenever the state changes, from the goroutine that
// changed it, until the returned function is called. fn must not block,
// and reads the state it needs with State.
func (s *Session) Subscribe(fn func(State)) (cancel func()) {
	s.lmu.Lock()
	id := s.nextID
	s.nextID++
	s.listeners[id] = fn
	s.lmu.Unlock()
	return func() {
		s.lmu.Lock()
		delete(s.listeners, id)
		s.lmu.Unlock()
	}
}

// emit tells the listeners the state now. It is called without mu held.
func (s *Session) emit() {
	st := s.State()
	s.lmu.Lock()
	fns := make([]func(State), 0, len(s.listeners))
	for _, fn := range s.listeners {
		fns = append(fns, fn)
	}
	s.lmu.Unlock()
	for _, fn := range fns {
		fn(st)
	}
}

// setPhase changes the phase; mu is held. The caller emits.
func (s *Session) setPhase(p Phase) {
	s.state = State{Phase: p}
	if p == OfflineLocked {
		s.state.OfflineDays = s.upkeep.policy.offlineDays()
	}
}

// Records is the store as the officer's screens use it, or nil while
// there is none open.
func (s *Session) Records() *Records {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st == nil {
		return nil
	}
	return &Records{Store: s.st, s: s}
}

// Engine is the sync engine, or nil while the device is not enrolled or
// not yet unlocked.
func (s *Session) Engine() *client.Engine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.eng
}

// Library is the content library, or nil before the first unlock.
func (s *Session) Library() *content.Library {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lib
}

// Officer is the account the device is enrolled to; zero if it is not.
func (s *Session) Officer() encounter.Officer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cred == nil {
		return encounter.Officer{}
	}
	return s.cred.Officer()
}

// Server is the address of the server the device is enrolled with, or
// "".
func (s *Session) Server() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cred == nil {
		return ""
	}
	return s.cred.Server
}

// SetIdleLock changes how long the app stays open with nothing done.
func (s *Session) SetIdleLock(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.idle = clampIdle(d)
}

// Touch records that the officer did something: the idle lock counts
// from the last touch.
func (s *Session) Touch() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastActive = s.now()
}

// Close stops the sync engine, closes the store and the vault, and wipes
// the keys from memory. Nothing may be called after it.
func (s *Session) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrClosed
	}
	s.closed = true
	stop, st := s.detachLocked()
	s.mu.Unlock()
	s.wiping.Wait()
	if s.stopTick != nil {
		close(s.stopTick)
		<-s.tickDone
	}
	if stop != nil {
		stop()
	}
	var errs []error
	if st != nil {
		s.smu.Lock()
		s.countUnsent(context.Background(), st)
		errs = append(errs, st.Close())
		s.smu.Unlock()
	}
	errs = append(errs, s.v.Close())
	return errors.Join(errs...)
}

// use runs fn while st is the session's open store, keeping it open
// meanwhile; store.ErrClosed if it was closed or replaced (a wipe, a new
// PIN, Close). fn must not call use.
func (s *Session) use(st *store.Store, fn func() error) error {
	s.smu.RLock()
	defer s.smu.RUnlock()
	s.mu.Lock()
	live := st != nil && s.st == st
	s.mu.Unlock()
	if !live {
		return store.ErrClosed
	}
	return fn()
}

// detachLocked takes the engine, store, library, credential and keys out
// of the session, for a wipe or Close, and returns what stops the engine
// and the store to close. mu is held.
func (s *Session) detachLocked() (stopEngine func(), st *store.Store) {
	stop := s.stopEng
	if s.cred != nil {
		cred := s.cred
		prev := stop
		// The engine signs with the credential's key until it stops.
		stop = func() {
			if prev != nil {
				prev()
			}
			clear(cred.PrivateKey)
		}
	}
	if s.keys != nil {
		s.keys.Close()
	}
	st = s.st
	s.st, s.lib, s.cred, s.eng, s.stopEng, s.keys = nil, nil, nil, nil, nil, nil
	return stop, st
}

// startEngine starts syncing for the enrolled device; mu is held.
func (s *Session) startEngine() {
	o := s.o.Sync
	o.Server, o.Signer, o.Pin = s.cred.Server, s.cred, s.cred.Pin
	s.st.SetSigner(s.cred) // records are signed as they are finalised
	if o.Logger == nil {
		o.Logger = s.log
	}
	if s.lib != nil {
		o.Content = s.lib
	}
	if o.Operations == nil {
		o.Operations = s.st // the operations the account is on (issue 13)
	}
	if o.HTTPClient == nil {
		// The session's own, so that stopping the engine (a wipe, a
		// close) also closes its connections to the server.
		o.HTTPClient = client.DefaultHTTPClient(s.cred.Pin)
	}
	hc := o.HTTPClient
	eng := client.New(s.st, o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	unwatch := eng.Subscribe(func(st client.Status) {
		if !st.Syncing {
			// Not on the engine's goroutine: what follows may stop it.
			go s.afterSync(eng, st)
		}
	})
	go func() {
		defer close(done)
		eng.Run(ctx)
	}()
	s.eng = eng
	s.stopEng = func() {
		unwatch()
		cancel()
		<-done
		hc.CloseIdleConnections()
	}
}

// hasOldKey reports whether a store made before the vault waits to be
// moved into it.
func (s *Session) hasOldKey() bool {
	_, err := os.Stat(s.path(oldKeyFile))
	return err == nil
}

// Dir is the session's data folder.
func (s *Session) Dir() string { return s.dir }
