package session

import (
	"context"
	"fmt"
	"os"

	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/client"
)

// Wipe crypto-erases the device at once: the vault's keys are destroyed,
// so the store can never be read again, even with the right PIN. Then the
// engine stops, the store closes and its files are removed, and the
// session is Wiped for why. It is the remote wipe (a revoked device or a
// disabled account) and the forgotten-PIN path; too many wrong PINs do
// the same on their own.
func (s *Session) Wipe(ctx context.Context, why Reason) error {
	return s.wipe(ctx, why, nil)
}

// wipe is Wipe; with an engine, only while that engine is the session's
// own: what an engine stopped since (by a wipe and a start again) says
// late must not wipe the device enrolled after it.
func (s *Session) wipe(ctx context.Context, why Reason, from *client.Engine) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return fmt.Errorf("wipe: %w", ErrClosed)
	}
	if from != nil && s.eng != from {
		s.mu.Unlock()
		return nil
	}
	err := s.v.Erase(ctx)
	stop, st := s.wipeLocked(why)
	s.mu.Unlock()
	s.finishWipe(stop, st)
	s.emit()
	if err != nil {
		return fmt.Errorf("wipe: %w", err)
	}
	return nil
}

// wipeLocked moves the session to Wiped once the vault is erased (by
// Wipe, or by the vault itself after the last wrong PIN), and returns
// what finishWipe must stop and close; mu is held.
func (s *Session) wipeLocked(why Reason) (stopEngine func(), st *store.Store) {
	s.log.Warn("device wiped", "reason", why.String())
	stop, st := s.detachLocked()
	s.wiping.Add(1) // finishWipe is to come
	s.state = State{Phase: Wiped, Why: why}
	s.resume = Enrolling
	s.upkeep = upkeep{}
	return stop, st
}

// finishWipe stops the engine, closes the store and removes its files
// (unreadable already), without mu held: the engine's last status may be
// waiting for it.
func (s *Session) finishWipe(stopEngine func(), st *store.Store) {
	defer s.wiping.Done()
	if stopEngine != nil {
		stopEngine()
	}
	if st != nil {
		s.smu.Lock()
		if err := st.Close(); err != nil {
			s.log.Warn("close the wiped store", "err", err)
		}
		s.smu.Unlock()
	}
	if err := os.RemoveAll(s.path(storeDir)); err != nil {
		s.log.Warn("remove the wiped store", "err", err)
	}
	if err := os.Remove(s.path(unsentFile)); err != nil && !os.IsNotExist(err) {
		s.log.Warn("remove the count of unsent records", "err", err)
	}
	s.umu.Lock()
	s.unsent = Unsent{}
	s.umu.Unlock()
}

// StartAgain leaves Wiped for NeedPIN, so that the officer chooses a PIN
// and enrols the device afresh. A damaged vault is erased first.
func (s *Session) StartAgain(ctx context.Context) error {
	s.wiping.Wait() // the wiped store's files are gone before a new one
	s.mu.Lock()
	if s.state.Phase != Wiped {
		s.mu.Unlock()
		return fmt.Errorf("start again: %w", ErrPhase)
	}
	err := s.v.Erase(ctx) // a second erase of an erased vault costs nothing
	if err == nil {
		err = os.RemoveAll(s.path(storeDir))
	}
	if err == nil {
		s.state = State{Phase: NeedPIN}
	}
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("start again: %w", err)
	}
	s.emit()
	return nil
}
