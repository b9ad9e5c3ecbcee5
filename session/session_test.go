package session

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
	"github.com/waymark-app/waymark/vault"
	"github.com/waymark-app/waymark/vault/vaulttest"
)

var ctx = context.Background()

// Synthetic PINs.
var (
	pinRight = []byte("246810")
	pinWrong = []byte("135799")
)

// world is a real server over TLS and a device's data folder.
type world struct {
	t     *testing.T
	clock *vaulttest.Clock
	srv   *servertest.Server
	dir   string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	PrivateFiles()
	clock := vaulttest.NewClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	srv, err := servertest.Start(servertest.Options{Dir: t.TempDir(), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	if _, err := srv.AddAccount(ctx, server.Account{ID: "pc101", Name: "A Example", Number: "PC 101", Agency: "police", Team: "north", Roles: []wire.Role{wire.RoleOfficer}}); err != nil {
		t.Fatal(err)
	}
	return &world{t: t, clock: clock, srv: srv, dir: t.TempDir()}
}

// open opens a session on the world's data folder, as the app starts.
func (w *world) open() *Session {
	w.t.Helper()
	base, err := content.Default()
	if err != nil {
		w.t.Fatal(err)
	}
	s, err := Open(ctx, Options{
		Dir:       w.dir,
		Vault:     vaulttest.Options(w.clock),
		Content:   base,
		Sync:      client.Options{Interval: time.Hour, MinBackoff: time.Hour, MaxBackoff: time.Hour, Now: w.clock.Now},
		Now:       w.clock.Now,
		TickEvery: -1,
	})
	if err != nil {
		w.t.Fatal(err)
	}
	w.t.Cleanup(func() { s.Close() })
	return s
}

// enrol sets the PIN and enrols the new session s to pc101.
func (w *world) enrol(s *Session) {
	w.t.Helper()
	if err := s.SetPIN(ctx, pinRight); err != nil {
		w.t.Fatal(err)
	}
	if got := s.State().Phase; got != Enrolling {
		w.t.Fatalf("after the PIN: %v, want enrolling", got)
	}
	code, err := w.srv.Admin().Enrol(ctx, "pc101")
	if err != nil {
		w.t.Fatal(err)
	}
	c, _ := auth.ParseCode(code.Code)
	if err := s.Enrol(ctx, auth.Link{Server: w.srv.URL, Code: c, Pin: w.srv.Pin}, false); err != nil {
		w.t.Fatal(err)
	}
	if got := s.State().Phase; got != Unlocked {
		w.t.Fatalf("after enrolment: %v, want unlocked", got)
	}
}

// eventually waits for ok, for what a background goroutine does.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10 s", what)
		}
	}
}

// syncedRecord is a finalised record, once the server holds it.
func syncedRecord(t *testing.T, s *Session, name string) encounter.Record {
	t.Helper()
	r := finalised(t, s, name)
	s.Engine().SyncNow()
	eventually(t, "the record synced", func() bool { return synced(s, r.ID) })
	return r
}

// finalised saves and finalises a closed record through s's Records.
func finalised(t *testing.T, s *Session, name string) encounter.Record {
	t.Helper()
	recs := s.Records()
	r, _ := encounter.New(recs.DeviceID(), s.now())
	r.Officer = s.Officer()
	r.Premises = encounter.Premises{Name: name, Address: "1 Example Street", Business: encounter.CarWash}
	r.PeoplePresent = 1
	if err := recs.SaveDraft(ctx, r); err != nil {
		t.Fatal(err)
	}
	r, err := recs.Finalise(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func synced(s *Session, id uuid.UUID) bool {
	r, err := s.Records().Get(ctx, id)
	return err == nil && r.State == encounter.Synced
}

// TestFirstStartAndUnlock: a new device asks for a PIN, enrols, syncs;
// started again it asks for the PIN, refuses a wrong one, and opens with
// the right one, the store and engine back. The device's key is in the
// vault, not the store, and no raw key file is written.
func TestFirstStartAndUnlock(t *testing.T) {
	w := newWorld(t)
	s := w.open()
	if got := s.State(); got.Phase != NeedPIN || got.Moving {
		t.Fatalf("new device: %+v", got)
	}
	if err := s.SetPIN(ctx, []byte("123456")); !errors.Is(err, vault.ErrPIN) {
		t.Errorf("a sequence as PIN: %v", err)
	}
	w.enrol(s)
	r := syncedRecord(t, s, "Example Wash")
	raw, err := s.Records().Credential(ctx)
	if err != nil || bytes.Contains(raw, []byte("private_key")) {
		t.Errorf("the store's credential holds the private key (%v)", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(w.dir, oldKeyFile)); !os.IsNotExist(err) {
		t.Errorf("a raw key file exists: %v", err)
	}

	s = w.open()
	if got := s.State().Phase; got != Locked {
		t.Fatalf("restarted: %v, want locked", got)
	}
	if s.Records() != nil || s.Engine() != nil {
		t.Fatal("the store or the engine is open before the PIN")
	}
	var te *vault.TryError
	if err := s.Unlock(ctx, pinWrong); !errors.As(err, &te) || !errors.Is(err, vault.ErrWrongPIN) || te.Status.TriesLeft != 9 {
		t.Fatalf("wrong PIN: %v", err)
	}
	if err := s.Unlock(ctx, pinRight); err != nil {
		t.Fatal(err)
	}
	if got := s.State().Phase; got != Unlocked || !synced(s, r.ID) || s.Officer().Number != "PC 101" {
		t.Fatalf("after unlock: %v, record synced %v, officer %+v", got, synced(s, r.ID), s.Officer())
	}
	if me, err := s.Engine().Me(ctx); err != nil || me.Account.ID != "pc101" {
		t.Errorf("signing with the key from the vault: %+v, %v", me, err)
	}
	if err := s.Unlock(ctx, pinRight); !errors.Is(err, ErrPhase) {
		t.Errorf("unlocking an open app: %v", err)
	}
}

// TestIdleLock locks after the idle time with nothing done, keeps the
// engine running while locked, and unlocks back where it was.
func TestIdleLock(t *testing.T) {
	w := newWorld(t)
	s := w.open()
	w.enrol(s)
	s.SetIdleLock(5 * time.Minute)
	w.clock.Pass(4 * time.Minute)
	s.Tick(ctx)
	if got := s.State().Phase; got != Unlocked {
		t.Fatalf("after 4 idle minutes: %v", got)
	}
	r := finalised(t, s, "Idle Wash") // activity
	w.clock.Pass(4 * time.Minute)
	s.Tick(ctx)
	if got := s.State().Phase; got != Unlocked {
		t.Fatalf("4 minutes after saving: %v", got)
	}
	w.clock.Pass(time.Minute)
	s.Tick(ctx)
	if got := s.State().Phase; got != Locked {
		t.Fatalf("after 5 idle minutes: %v, want locked", got)
	}
	s.mu.Lock()
	keys := s.keys
	s.mu.Unlock()
	if keys != nil {
		t.Error("the vault's keys stay in memory while locked")
	}
	// Locked, the engine still sends what was queued.
	s.Engine().SyncNow()
	eventually(t, "the record synced while locked", func() bool { return synced(s, r.ID) })
	eventually(t, "nothing unsent on the lock screen", func() bool {
		u := s.LockStatus().Unsent
		return u.Known && u.Total() == 0
	})
	if err := s.Unlock(ctx, pinRight); err != nil {
		t.Fatal(err)
	}
	if got := s.State().Phase; got != Unlocked {
		t.Errorf("after unlock: %v", got)
	}
}

// TestLockoutAndWipe: wrong PINs are counted on disk across restarts,
// with delays and a warning naming what a wipe would lose; the tenth
// wipes the device: no key material left, and the store's files, copied
// away before, cannot be opened by anything left on the device, nor the
// vault with the right PIN.
func TestLockoutAndWipe(t *testing.T) {
	w := newWorld(t)
	s := w.open()
	w.enrol(s)
	finalised(t, s, "Unsent Wash")
	s.mu.Lock()
	dataKey := s.keys.DataKey()
	devKey, _ := s.keys.DeviceKey()
	s.mu.Unlock()
	s.Close()

	s = w.open()
	for i := 1; i <= 5; i++ {
		if err := s.Unlock(ctx, pinWrong); !errors.Is(err, vault.ErrWrongPIN) {
			t.Fatalf("wrong PIN %d: %v", i, err)
		}
	}
	if err := s.Unlock(ctx, pinRight); !errors.Is(err, vault.ErrDelayed) {
		t.Fatalf("the right PIN during the delay: %v", err)
	}
	// The count and the delay survive a restart.
	s.Close()
	s = w.open()
	m := NewLockModel(s, s.Unlock)
	if m.CanTry() || m.Wait() != 30*time.Second || m.Submit(ctx, string(pinRight)) || m.Problem.Key != keyWait {
		t.Fatalf("after a restart: can try %v, wait %v, problem %+v", m.CanTry(), m.Wait(), m.Problem)
	}
	for i := 6; i <= 9; i++ {
		w.clock.Pass(time.Hour)
		m.Refresh()
		if m.Submit(ctx, string(pinWrong)) || m.Problem.Key != keyWrong {
			t.Fatalf("wrong PIN %d: %+v", i, m.Problem)
		}
	}
	// One try left: the screen warns, with the records a wipe would lose.
	warn := m.Warning()
	if len(warn) != 2 || warn[0].Key != keyWarn || warn[0].Args[0] != 1 || warn[1].Key != keyUnsent || warn[1].Args[0] != 1 {
		t.Fatalf("warning before the last try: %+v", warn)
	}
	stolen := copyTree(t, filepath.Join(w.dir, storeDir))
	w.clock.Pass(time.Hour)
	if m.Submit(ctx, string(pinWrong)) || m.Problem.Key != keyWipedNow {
		t.Fatalf("tenth wrong PIN: %+v", m.Problem)
	}
	if got := s.State(); got.Phase != Wiped || got.Why != WipedTries {
		t.Fatalf("after ten wrong PINs: %+v", got)
	}
	if _, err := os.Stat(filepath.Join(w.dir, storeDir)); !os.IsNotExist(err) {
		t.Errorf("the store's files are still there: %v", err)
	}
	noKeyMaterial(t, w.dir, dataKey, devKey)
	if _, err := store.Open(ctx, store.Options{Dir: stolen}); err == nil {
		t.Error("a copy of the store opens without a key")
	}
	s.Close()

	// Started again: wiped, and the right PIN opens nothing.
	s = w.open()
	if got := s.State(); got.Phase != Wiped || got.Why != WipedTries {
		t.Fatalf("restarted after the wipe: %+v", got)
	}
	s.mu.Lock()
	_, err := s.v.Unlock(ctx, pinRight)
	s.mu.Unlock()
	if !errors.Is(err, vault.ErrErased) {
		t.Errorf("the right PIN after the wipe: %v, want ErrErased", err)
	}
	// Starting again asks for a new PIN, and the device enrols afresh.
	if err := s.StartAgain(ctx); err != nil {
		t.Fatal(err)
	}
	w.enrol(s)
}

// noKeyMaterial fails if any file under dir holds one of keys.
func noKeyMaterial(t *testing.T, dir string, keys ...[]byte) {
	t.Helper()
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, k := range keys {
			if len(k) > 0 && bytes.Contains(b, k) {
				t.Errorf("%s holds key material", path)
			}
		}
		return nil
	})
}

// copyTree copies dir to a new temporary folder, as a thief copies files.
func copyTree(t *testing.T, dir string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestWipeOnRevocation: the server revokes the device, or disables the
// account; the device wipes itself at its next sync, and enrols again.
func TestWipeOnRevocation(t *testing.T) {
	for _, c := range []struct {
		name string
		do   func(w *world, device uuid.UUID) error
		why  Reason
	}{
		{"device revoked", func(w *world, d uuid.UUID) error { _, err := w.srv.Admin().Revoke(ctx, d); return err }, WipedRevoked},
		{"account disabled", func(w *world, _ uuid.UUID) error { _, err := w.srv.Admin().SetDisabled(ctx, "pc101", true); return err }, WipedDisabled},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			s := w.open()
			w.enrol(s)
			finalised(t, s, "Revoked Wash")
			s.mu.Lock()
			dataKey := s.keys.DataKey()
			s.mu.Unlock()
			recs := s.Records() // as the officer's screens hold it
			device := recs.DeviceID()
			oldEngine := s.Engine()
			s.Lock() // a phone in a pocket
			if err := c.do(w, device); err != nil {
				t.Fatal(err)
			}
			s.Engine().SyncNow()
			eventually(t, "the wipe", func() bool { return s.State().Phase == Wiped })
			if got := s.State().Why; got != c.why {
				t.Errorf("wiped for %v, want %v", got, c.why)
			}
			if s.Records() != nil || s.Engine() != nil {
				t.Error("the store or the engine outlived the wipe")
			}
			if _, err := recs.List(ctx); !errors.Is(err, store.ErrClosed) {
				t.Errorf("the screens' records after the wipe: %v, want ErrClosed", err)
			}
			if _, err := recs.Evidence(ctx, uuid.New()); !errors.Is(err, store.ErrClosed) {
				t.Errorf("a record's signatures after the wipe: %v, want ErrClosed", err)
			}
			noKeyMaterial(t, w.dir, dataKey)
			if _, err := os.Stat(filepath.Join(w.dir, vaultDir, "vault.json")); !os.IsNotExist(err) {
				t.Errorf("vault.json after the wipe: %v", err)
			}
			if c.why == WipedDisabled {
				return
			}
			if err := s.StartAgain(ctx); err != nil {
				t.Fatal(err)
			}
			w.enrol(s)
			if s.Records().DeviceID() == device {
				t.Error("the device enrolled again under the revoked id")
			}
			// The old engine's last status, arriving late (its handler runs
			// on a goroutine of its own), must not wipe the new enrolment.
			s.afterSync(oldEngine, client.Status{LastError: &client.Error{Kind: client.Revoked, Err: errors.New("device revoked")}})
			if got := s.State().Phase; got != Unlocked {
				t.Errorf("a late status of the engine before the wipe left the new enrolment %v, want unlocked", got)
			}
		})
	}
}

// TestChangePIN seals the vault under a new PIN without touching the
// store's files.
func TestChangePIN(t *testing.T) {
	w := newWorld(t)
	s := w.open()
	w.enrol(s)
	r := finalised(t, s, "Change Wash")
	s.Close()
	before := hashTree(t, filepath.Join(w.dir, storeDir))

	s = w.open()
	newPIN := []byte("a Welsh passphrase ŵ")
	if err := s.ChangePIN(ctx, pinRight, []byte("111111")); !errors.Is(err, vault.ErrPIN) {
		t.Errorf("a repeated new PIN: %v", err)
	}
	if err := s.ChangePIN(ctx, pinWrong, newPIN); !errors.Is(err, vault.ErrWrongPIN) {
		t.Errorf("a wrong old PIN: %v", err)
	}
	if err := s.ChangePIN(ctx, pinRight, newPIN); err != nil {
		t.Fatal(err)
	}
	if got := hashTree(t, filepath.Join(w.dir, storeDir)); got != before {
		t.Error("changing the PIN rewrote the store")
	}
	if err := s.Unlock(ctx, pinRight); !errors.Is(err, vault.ErrWrongPIN) {
		t.Errorf("the old PIN after the change: %v", err)
	}
	if err := s.Unlock(ctx, newPIN); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Records().Get(ctx, r.ID); err != nil || got.Premises.Name != "Change Wash" {
		t.Errorf("the record after the change: %v", err)
	}
}

// hashTree hashes every file's name and bytes under dir.
func hashTree(t *testing.T, dir string) [32]byte {
	t.Helper()
	h := sha256.New()
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		h.Write([]byte(path))
		h.Write(b)
		return nil
	})
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// TestMoveOldStore: a device of a version before the vault (a raw key
// file beside the store, the device's key in the store) chooses a PIN;
// the key moves into the vault, the key file is shredded, the device's
// key leaves the store, and the records and enrolment are kept.
func TestMoveOldStore(t *testing.T) {
	w := newWorld(t)
	oldKey := bytes.Repeat([]byte{0x5a}, 32)
	if err := os.WriteFile(filepath.Join(w.dir, oldKeyFile), oldKey, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{Dir: filepath.Join(w.dir, storeDir), Key: oldKey})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := w.srv.Enrol(ctx, st, "pc101") // kept whole, as before
	if err != nil {
		t.Fatal(err)
	}
	r, _ := encounter.New(st.DeviceID(), w.clock.Now())
	r.Premises.Name = "Old Draft Wash"
	if err := st.SaveDraft(ctx, r); err != nil {
		t.Fatal(err)
	}
	st.Close()

	s := w.open()
	if got := s.State(); got.Phase != NeedPIN || !got.Moving {
		t.Fatalf("old layout: %+v", got)
	}
	if err := s.SetPIN(ctx, pinRight); err != nil {
		t.Fatal(err)
	}
	if got := s.State().Phase; got != Unlocked || s.Officer().Number != "PC 101" {
		t.Fatalf("after moving: %v, officer %+v", got, s.Officer())
	}
	if _, err := os.Stat(filepath.Join(w.dir, oldKeyFile)); !os.IsNotExist(err) {
		t.Errorf("the raw key file is still there: %v", err)
	}
	if got, err := s.Records().Get(ctx, r.ID); err != nil || got.Premises.Name != "Old Draft Wash" {
		t.Errorf("the old draft: %v", err)
	}
	if raw, _ := s.Records().Credential(ctx); bytes.Contains(raw, []byte("private_key")) {
		t.Error("the device's key is still in the store")
	}
	if me, err := s.Engine().Me(ctx); err != nil || me.Device != cred.Device {
		t.Errorf("the moved credential: %+v, %v", me, err)
	}
}

// TestOfflineLockAndRetention: a device that has not reached its server
// for longer than the policy locks until it syncs, deleting nothing; a
// synced, closed record leaves the device after the retention.
func TestOfflineLockAndRetention(t *testing.T) {
	w := newWorld(t)
	s := w.open()
	w.enrol(s)
	r := syncedRecord(t, s, "Offline Wash")
	draft, _ := encounter.New(s.Records().DeviceID(), w.clock.Now())
	draft.Premises.Name = "Draft Wash"
	if err := s.Records().SaveDraft(ctx, draft); err != nil {
		t.Fatal(err)
	}
	// The server is out of reach for 15 days.
	if err := w.srv.Close(); err != nil {
		t.Fatal(err)
	}
	w.clock.Pass(15 * 24 * time.Hour)
	s.Touch()
	s.Tick(ctx)
	if got := s.State(); got.Phase != OfflineLocked || got.OfflineDays != DefaultOfflineLockDays {
		t.Fatalf("15 days offline: %+v", got)
	}
	if _, err := s.Records().Get(ctx, draft.ID); err != nil {
		t.Fatalf("the offline lock lost a draft: %v", err)
	}
	// Back in reach: a sync lifts the lock.
	if err := w.srv.Start(); err != nil {
		t.Fatal(err)
	}
	s.Engine().SyncNow()
	eventually(t, "the offline lock lifted", func() bool { return s.State().Phase == Unlocked })

	// 31 days after it synced, the closed record leaves the device; the
	// draft stays.
	w.clock.Pass(16 * 24 * time.Hour)
	s.Engine().SyncNow()
	eventually(t, "the retention", func() bool {
		_, err := s.Records().Get(ctx, r.ID)
		return errors.Is(err, store.ErrNotFound)
	})
	if _, err := s.Records().Get(ctx, draft.ID); err != nil {
		t.Errorf("retention removed a draft: %v", err)
	}
}

// TestForgottenPIN: the officer wipes the device from the lock screen
// and enrols it again; everything that had reached the server comes back.
func TestForgottenPIN(t *testing.T) {
	w := newWorld(t)
	s := w.open()
	w.enrol(s)
	r := syncedRecord(t, s, "Remembered Wash")
	unsent, _ := encounter.New(s.Records().DeviceID(), w.clock.Now())
	if err := s.Records().SaveDraft(ctx, unsent); err != nil {
		t.Fatal(err)
	}
	s.Close()

	s = w.open()
	if u := s.LockStatus().Unsent; !u.Known || u.Drafts != 1 || u.Total() != 1 {
		t.Fatalf("unsent before the store is open: %+v", u)
	}
	if err := s.Wipe(ctx, WipedForgotten); err != nil {
		t.Fatal(err)
	}
	if got := s.State(); got.Phase != Wiped || got.Why != WipedForgotten {
		t.Fatalf("after the wipe: %+v", got)
	}
	if err := s.StartAgain(ctx); err != nil {
		t.Fatal(err)
	}
	w.enrol(s)
	eventually(t, "the synced record back", func() bool { return synced(s, r.ID) })
	if _, err := s.Records().Get(ctx, unsent.ID); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the unsent draft: %v, want it lost", err)
	}
}

func secs(n int) time.Duration { return time.Duration(n) * time.Second }
