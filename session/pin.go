package session

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/vault"
)

// CheckNewPIN reports whether pin may be chosen: nil, or a
// *vault.PINError naming the rule it breaks.
func (s *Session) CheckNewPIN(pin []byte) error {
	return s.o.Vault.Rules.Check(pin)
}

// SetPIN makes the vault, sealed by pin, and opens a new store with the
// key it seals: the first step on a new device, after a wipe, or to move
// a store made before the vault (its raw key file is sealed in the vault,
// then shredded). The session is then Enrolling, or Unlocked if the moved
// store was enrolled. The caller clears pin.
func (s *Session) SetPIN(ctx context.Context, pin []byte) error {
	s.mu.Lock()
	err := s.setPIN(ctx, pin)
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("set PIN: %w", err)
	}
	s.emit()
	return nil
}

func (s *Session) setPIN(ctx context.Context, pin []byte) error {
	if s.closed {
		return ErrClosed
	}
	if s.state.Phase != NeedPIN {
		return ErrPhase
	}
	var old []byte
	if s.hasOldKey() {
		b, err := os.ReadFile(s.path(oldKeyFile))
		if err != nil {
			return fmt.Errorf("read the old store key: %w", err)
		}
		if len(b) != 32 {
			return fmt.Errorf("the old store key holds %d bytes, want 32", len(b))
		}
		old = b
		defer clear(old)
	} else if err := os.RemoveAll(s.path(storeDir)); err != nil {
		// A store whose key is gone (wiped) can never be read: it goes.
		return fmt.Errorf("remove a store no key opens: %w", err)
	}
	k, err := s.v.Create(ctx, pin, old)
	if err != nil {
		return err
	}
	if err := s.open(ctx, k); err != nil {
		// The vault is made and holds the key: the next start asks for
		// the PIN and opens the store then.
		s.setPhase(Locked)
		return err
	}
	return nil
}

// Unlock checks pin and opens the app. The first unlock opens the store,
// the content library, the credential and the sync engine; later ones
// (after the app locked) find them running. A refused PIN is a
// *vault.TryError (vault.ErrWrongPIN, vault.ErrDelayed); the tenth wrong
// PIN wipes the device (vault.ErrErased) and the session is Wiped. The
// caller clears pin.
func (s *Session) Unlock(ctx context.Context, pin []byte) error {
	s.mu.Lock()
	err := s.unlock(ctx, pin)
	wiped := errors.Is(err, vault.ErrErased)
	var stop func()
	var st *store.Store
	if wiped {
		stop, st = s.wipeLocked(WipedTries)
	}
	s.mu.Unlock()
	if wiped {
		s.finishWipe(stop, st)
	}
	if err == nil || wiped {
		s.emit()
	}
	if err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	return nil
}

func (s *Session) unlock(ctx context.Context, pin []byte) error {
	if s.closed {
		return ErrClosed
	}
	if s.state.Phase != Locked {
		return ErrPhase
	}
	k, err := s.v.Unlock(ctx, pin)
	if err != nil {
		return err
	}
	if s.st != nil {
		// The app was locked with the store open: back where it was.
		s.keys = k
		s.lastActive = s.now()
		s.setPhase(s.resume)
		s.checkOffline()
		return nil
	}
	return s.open(ctx, k)
}

// open opens the store with the unlocked keys k, and what needs it; mu is
// held. On failure k is closed and nothing is left open.
func (s *Session) open(ctx context.Context, k *vault.Keys) (err error) {
	st, err := store.Open(ctx, store.Options{Dir: s.path(storeDir), Key: k.DataKey(), Logger: s.log, Now: s.now})
	if err != nil {
		k.Close()
		return err
	}
	defer func() {
		if err != nil {
			st.Close()
			k.Close()
		}
	}()
	if s.hasOldKey() {
		// The vault holds the key now (moved by SetPIN, or found so by an
		// unlock after a crash in between).
		if err := vault.Shred(s.path(oldKeyFile)); err != nil {
			return fmt.Errorf("shred the old store key: %w", err)
		}
	}
	var lib *content.Library
	if s.o.Content != nil {
		if lib, err = content.OpenLibrary(ctx, st, s.o.Content, s.log); err != nil {
			return err
		}
	}
	cred, err := client.LoadSealedCredential(ctx, st, k)
	switch {
	case errors.Is(err, store.ErrNotEnrolled), errors.Is(err, client.ErrNoSealedKey):
		cred = nil
	case err != nil:
		return err
	}
	s.st, s.lib, s.keys, s.cred = st, lib, k, cred
	s.lastActive = s.now()
	s.upkeep = loadUpkeep(ctx, st, s.log)
	if cred != nil && s.upkeep.reached.IsZero() {
		// Enrolled before the time of the last sync was kept: the
		// offline lock counts from now.
		s.upkeep.reached = s.now()
		if err := s.upkeep.save(ctx, st); err != nil {
			s.log.Warn("keep the time the server was reached", "err", err)
		}
	}
	if cred == nil {
		s.setPhase(Enrolling)
	} else {
		s.startEngine()
		s.setPhase(Unlocked)
		s.checkOffline()
	}
	s.dirty = true
	go s.afterOpen()
	return nil
}

// Enrol enrols the device with the server l names and keeps the
// credential: its private key sealed in the vault, the rest in the store.
// The session is then Unlocked and syncing. It is an app.Enroller.
func (s *Session) Enrol(ctx context.Context, l auth.Link, allowHTTP bool) error {
	s.mu.Lock()
	if s.state.Phase != Enrolling || s.st == nil {
		s.mu.Unlock()
		return fmt.Errorf("enrol: %w", ErrPhase)
	}
	device := s.st.DeviceID()
	s.mu.Unlock()

	// Not under mu: enrolment goes over the network.
	cred, err := client.Enrol(ctx, client.EnrolOptions{Link: l, Device: device, AllowHTTP: allowHTTP})
	if err != nil {
		return err
	}
	s.mu.Lock()
	err = s.enrolled(ctx, cred)
	s.mu.Unlock()
	if err != nil {
		clear(cred.PrivateKey)
		return fmt.Errorf("enrol: %w", err)
	}
	s.emit()
	return nil
}

func (s *Session) enrolled(ctx context.Context, cred *client.Credential) error {
	if s.state.Phase != Enrolling || s.st == nil || s.keys == nil {
		return ErrPhase
	}
	if err := client.SaveSealedCredential(ctx, s.st, s.keys, cred); err != nil {
		return err
	}
	s.cred = cred
	s.upkeep.reached = s.now()
	if err := s.upkeep.save(ctx, s.st); err != nil {
		s.log.Warn("keep the time of enrolment", "err", err)
	}
	s.startEngine()
	s.lastActive = s.now()
	s.setPhase(Unlocked)
	return nil
}

// CheckPIN checks pin without changing the phase: the hand-over screen's
// exit. It is the same PIN, counted by the same lockout: a refused PIN is
// a *vault.TryError, and the tenth wrong one wipes the device as Unlock
// does. The caller clears pin.
func (s *Session) CheckPIN(ctx context.Context, pin []byte) error {
	return s.tryPIN(ctx, func() error {
		k, err := s.v.Unlock(ctx, pin)
		if err == nil {
			k.Close()
		}
		return err
	})
}

// ChangePIN seals the vault under newPIN after checking oldPIN, counted
// like Unlock. Only the vault's master key is sealed again: the store is
// not rewritten. The caller clears both.
func (s *Session) ChangePIN(ctx context.Context, oldPIN, newPIN []byte) error {
	return s.tryPIN(ctx, func() error { return s.v.ChangePIN(ctx, oldPIN, newPIN) })
}

// tryPIN runs a counted check of the PIN while the app is open, and wipes
// the device if it was the last try.
func (s *Session) tryPIN(ctx context.Context, try func() error) error {
	err := try()
	if !errors.Is(err, vault.ErrErased) {
		if err == nil {
			s.Touch()
		}
		return err
	}
	s.mu.Lock()
	stop, st := s.wipeLocked(WipedTries)
	s.mu.Unlock()
	s.finishWipe(stop, st)
	s.emit()
	return err
}

// Lock locks the app: the lock screen replaces the officer's screens and
// the vault's keys are wiped from memory. The store stays open and the
// engine syncs on, so records keep reaching the server. A session not
// open (asking for a PIN, enrolling, wiped) does not lock.
func (s *Session) Lock() {
	s.mu.Lock()
	switch s.state.Phase {
	case Unlocked, OfflineLocked:
	default:
		s.mu.Unlock()
		return
	}
	s.resume = s.state.Phase
	if s.keys != nil {
		s.keys.Close()
		s.keys = nil
	}
	s.setPhase(Locked)
	s.dirty = true
	st := s.st
	s.mu.Unlock()
	s.refreshUnsent(context.Background(), st)
	s.emit()
}

// LockStatus is what the lock screen shows: the vault's lockout, and how
// many records a wipe would lose.
type LockStatus struct {
	vault.Status
	// Unsent counts what is not on the server yet; Known is false when
	// the count was never taken.
	Unsent Unsent
}

// LockStatus returns the lock screen's status. It does not wait for a
// PIN being checked.
func (s *Session) LockStatus() LockStatus {
	vs, err := s.v.Status()
	if err != nil {
		s.log.Warn("vault status", "err", err)
	}
	s.umu.Lock()
	defer s.umu.Unlock()
	return LockStatus{Status: vs, Unsent: s.unsent}
}
