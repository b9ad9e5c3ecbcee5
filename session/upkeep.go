package session

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

// Policy defaults, used until the server has said otherwise (they are
// the server's defaults too).
const (
	DefaultRetentionDays   = 30
	DefaultOfflineLockDays = 14
)

// How often the device does its upkeep while it syncs.
const (
	policyEvery = 12 * time.Hour // asks the server for its policy
	purgeEvery  = 6 * time.Hour  // removes records past their retention
)

// day is the unit of the server's policy.
const day = 24 * time.Hour

// settingUpkeep is the store setting the upkeep is kept in.
const settingUpkeep = "upkeep"

// policy is what the server told the device to enforce.
type policy struct {
	RetentionDays   int       `json:"retention_days"`
	OfflineLockDays int       `json:"offline_lock_days"`
	At              time.Time `json:"at,omitzero"` // when the server said so; zero: never
}

func (p policy) retention() time.Duration {
	if p.RetentionDays <= 0 {
		return DefaultRetentionDays * day
	}
	return time.Duration(p.RetentionDays) * day
}

func (p policy) offlineDays() int {
	if p.OfflineLockDays <= 0 {
		return DefaultOfflineLockDays
	}
	return p.OfflineLockDays
}

// upkeep is what the session keeps in the store about its own upkeep:
// the server's policy and when the device last reached the server.
type upkeep struct {
	policy  policy
	reached time.Time
	purged  time.Time // in memory: a restart purges once more
}

type upkeepRecord struct {
	Policy  policy    `json:"policy"`
	Reached time.Time `json:"reached,omitzero"`
}

// loadUpkeep reads the upkeep kept in st.
func loadUpkeep(ctx context.Context, st *store.Store, log *slog.Logger) upkeep {
	b, err := st.Setting(ctx, settingUpkeep)
	if errors.Is(err, store.ErrNotFound) {
		return upkeep{}
	}
	var r upkeepRecord
	if err == nil {
		err = json.Unmarshal(b, &r)
	}
	if err != nil {
		log.Warn("read the device's upkeep; defaults used", "err", err)
		return upkeep{}
	}
	return upkeep{policy: r.Policy, reached: r.Reached}
}

func (u upkeep) save(ctx context.Context, st *store.Store) error {
	b, err := json.Marshal(upkeepRecord{Policy: u.policy, Reached: u.reached})
	if err != nil {
		return err
	}
	return st.SetSetting(ctx, settingUpkeep, b)
}

// offline reports whether the device has gone longer than the policy
// allows without reaching its server.
func (u *upkeep) offline(now time.Time) bool {
	if u.reached.IsZero() {
		return false
	}
	return now.Sub(u.reached) > time.Duration(u.policy.offlineDays())*day
}

// checkOffline moves an open session to OfflineLocked when the device has
// not reached its server for too long, and back once it has; mu is held.
// It never deletes anything.
func (s *Session) checkOffline() {
	off := s.upkeep.offline(s.now())
	switch {
	case s.state.Phase == Unlocked && off:
		s.setPhase(OfflineLocked)
	case s.state.Phase == OfflineLocked && !off:
		s.setPhase(Unlocked)
	}
}

// Tick does what is due at now: the idle lock, the offline lock, and
// the count of records not on the server. The session runs it every few
// seconds; tests call it with their own clock.
func (s *Session) Tick(ctx context.Context) {
	s.mu.Lock()
	before := s.state
	lock := false
	switch s.state.Phase {
	case Unlocked, OfflineLocked:
		s.checkOffline()
		lock = s.now().Sub(s.lastActive) >= s.idle
	}
	changed := s.state != before
	st, dirty := s.st, s.dirty
	s.dirty = false
	s.mu.Unlock()
	if changed {
		s.emit()
	}
	if lock {
		s.Lock()
		return
	}
	if dirty {
		s.refreshUnsent(ctx, st)
	}
}

func (s *Session) ticker(every time.Duration) {
	defer close(s.tickDone)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stopTick:
			return
		case <-t.C:
			s.Tick(context.Background())
		}
	}
}

// afterOpen runs once the store is open: the count of records not on the
// server, and the retention.
func (s *Session) afterOpen() {
	ctx := context.Background()
	s.purge(ctx)
	s.mu.Lock()
	st := s.st
	s.mu.Unlock()
	s.refreshUnsent(ctx, st)
}

// afterSync runs after every sync: it wipes the device if the server
// says it is revoked or its account disabled; otherwise it notes that the
// server was reached (lifting an offline lock), asks for the policy now
// and then, applies the retention, and counts what is not on the server.
func (s *Session) afterSync(from *client.Engine, cs client.Status) {
	ctx := context.Background()
	if client.KindOf(cs.LastError) == client.Revoked {
		s.revoked(ctx, from, cs.LastError)
		return
	}
	s.mu.Lock()
	st, eng := s.st, s.eng
	if st == nil || eng == nil || eng != from {
		// A status of an engine stopped since (a wipe, a close) that
		// arrived late: the session has moved on.
		s.mu.Unlock()
		return
	}
	before := s.state
	if cs.LastError == nil && cs.LastSuccess.After(s.upkeep.reached) {
		s.upkeep.reached = cs.LastSuccess
		if err := s.upkeep.save(ctx, st); err != nil {
			s.log.Warn("keep the time the server was reached", "err", err)
		}
		s.checkOffline()
	}
	askPolicy := cs.LastError == nil && s.now().Sub(s.upkeep.policy.At) >= policyEvery
	changed := s.state != before
	s.mu.Unlock()
	if changed {
		s.emit()
	}
	if askPolicy {
		me, err := eng.Me(ctx)
		if client.KindOf(err) == client.Revoked {
			s.revoked(ctx, eng, err)
			return
		}
		if err == nil {
			s.setPolicy(ctx, me.Policy)
		} else {
			s.log.Warn("ask the server for its policy", "err", err)
		}
	}
	s.purge(ctx)
	s.refreshUnsent(ctx, st)
}

// revoked wipes the device: the server refused it as revoked, or its
// account as disabled, in an answer to the engine from, which must still
// be the session's.
func (s *Session) revoked(ctx context.Context, from *client.Engine, err error) {
	why := WipedRevoked
	if errors.Is(err, wire.ErrAccountDisabled) {
		why = WipedDisabled
	}
	if s.State().Phase == Wiped {
		return
	}
	if werr := s.wipe(ctx, why, from); werr != nil {
		s.log.Error("wipe after the server refused the device", "err", werr)
	}
}

// setPolicy keeps the server's policy.
func (s *Session) setPolicy(ctx context.Context, p wire.Policy) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st == nil {
		return
	}
	s.upkeep.policy = policy{RetentionDays: p.RetentionDays, OfflineLockDays: p.OfflineLockDays, At: s.now()}
	if err := s.upkeep.save(ctx, s.st); err != nil {
		s.log.Warn("keep the server's policy", "err", err)
	}
}

// purge removes the records past the retention, at most every few hours.
func (s *Session) purge(ctx context.Context) {
	s.mu.Lock()
	st, now := s.st, s.now()
	if st == nil || now.Sub(s.upkeep.purged) < purgeEvery {
		s.mu.Unlock()
		return
	}
	s.upkeep.purged = now
	cutoff := now.Add(-s.upkeep.policy.retention())
	s.mu.Unlock()
	var n int
	err := s.use(st, func() (err error) {
		n, err = st.Purge(ctx, now, cutoff)
		return err
	})
	if err != nil {
		if !errors.Is(err, store.ErrClosed) {
			s.log.Warn("retention", "err", err)
		}
		return
	}
	if n > 0 {
		s.log.Info("records past their retention removed", "records", n)
		s.mu.Lock()
		s.dirty = true
		s.mu.Unlock()
	}
}

// Unsent counts what is not on the server yet, for the lock screen.
type Unsent struct {
	// Known is false until the count was first taken.
	Known  bool `json:"known"`
	Drafts int  `json:"drafts"`
	Queued int  `json:"queued"`
	Held   int  `json:"held"`
}

// Total is everything not on the server.
func (u Unsent) Total() int { return u.Drafts + u.Queued + u.Held }

// refreshUnsent counts what st, if still open, holds that is not on the
// server (countUnsent).
func (s *Session) refreshUnsent(ctx context.Context, st *store.Store) {
	s.use(st, func() error {
		s.countUnsent(ctx, st)
		return nil
	})
}

// countUnsent counts what st holds that is not on the server and keeps
// the count in unsent.json (three numbers, nothing else), for the lock
// screen before the store is open. st must be open.
func (s *Session) countUnsent(ctx context.Context, st *store.Store) {
	u, err := st.Unsent(ctx)
	if err != nil {
		s.log.Warn("count records not on the server", "err", err)
		return
	}
	next := Unsent{Known: true, Drafts: u.Drafts, Queued: u.Queued, Held: u.Held}
	s.umu.Lock()
	defer s.umu.Unlock()
	if next == s.unsent {
		return
	}
	s.unsent = next
	if err := writePrivate(s.path(unsentFile), next); err != nil {
		s.log.Warn("keep the count of records not on the server", "err", err)
	}
}

// readUnsent reads the count kept by countUnsent.
func readUnsent(path string) Unsent {
	var u Unsent
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &u) != nil || u.Drafts < 0 || u.Queued < 0 || u.Held < 0 {
		return Unsent{}
	}
	return u
}

// writePrivate replaces path with v as JSON, atomically, mode 0600.
func writePrivate(path string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
