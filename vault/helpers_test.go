package vault

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

var ctx = context.Background()

// testKDF keeps tests fast; DefaultKDF is measured by the benchmarks.
var testKDF = KDF{Memory: 64, Time: 1, Threads: 1}

// Synthetic PINs.
var (
	pinRight = []byte("246810")
	pinWrong = []byte("135799")
	pinNew   = []byte("correct horse")
)

// fakeClock is a device's two clocks, moved by the test.
type fakeClock struct {
	mu    sync.Mutex
	wall  time.Time
	epoch string
	since time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{wall: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC), epoch: "boot:1", since: time.Hour}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall
}

func (c *fakeClock) Elapsed() (string, time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.epoch, c.since
}

// pass moves both clocks on by d: time passes with the device on.
func (c *fakeClock) pass(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall = c.wall.Add(d)
	c.since += d
}

// setWall changes only the wall clock, as a user can.
func (c *fakeClock) setWall(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall = c.wall.Add(d)
}

// reboot starts a new epoch after off, the time the device was off.
func (c *fakeClock) reboot(off time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall = c.wall.Add(off)
	c.epoch += "+"
	c.since = 5 * time.Second
}

// testKeystore is an in-process stand-in for a platform keystore: an
// HMAC-SHA256 by keys that live only in its memory, as a hardware key
// never leaves the hardware.
type testKeystore struct {
	mu   sync.Mutex
	keys map[string][]byte
	n    int
	// during, if set, runs inside Bind: the middle of a PIN check.
	during func()
}

func newTestKeystore() *testKeystore { return &testKeystore{keys: map[string][]byte{}} }

func (k *testKeystore) Name() string { return "test-hmac" }

func (k *testKeystore) NewKey(context.Context) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.n++
	ref := fmt.Sprintf("key-%d", k.n)
	k.keys[ref] = random(32)
	return ref, nil
}

func (k *testKeystore) Bind(_ context.Context, ref string, pinKey []byte) ([]byte, error) {
	if k.during != nil {
		k.during()
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	key, ok := k.keys[ref]
	if !ok {
		return nil, errors.New("no such key")
	}
	m := hmac.New(sha256.New, key)
	m.Write(pinKey)
	return m.Sum(nil), nil
}

func (k *testKeystore) DeleteKey(_ context.Context, ref string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	clear(k.keys[ref])
	delete(k.keys, ref)
	return nil
}

// opened is the vault each test folder has open: openAt closes it before
// opening the folder again, as an app stops before it starts again.
var opened = map[string]*Vault{}

// openAt opens the vault in dir with the test parameters, as a freshly
// started app does.
func openAt(t testing.TB, dir string, clk Clock, opts ...func(*Options)) *Vault {
	t.Helper()
	if old := opened[dir]; old != nil {
		if err := old.Close(); err != nil {
			t.Fatalf("close vault: %v", err)
		}
	}
	o := Options{KDF: testKDF, Clock: clk}
	for _, f := range opts {
		f(&o)
	}
	v, err := Open(ctx, dir, o)
	if err != nil {
		t.Fatalf("open vault: %v", err)
	}
	opened[dir] = v
	t.Cleanup(func() {
		if opened[dir] == v {
			v.Close()
			delete(opened, dir)
		}
	})
	return v
}

// create makes a vault in a new folder and returns the folder and the
// store key.
func create(t testing.TB, clk Clock, opts ...func(*Options)) (string, []byte) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "vault")
	v := openAt(t, dir, clk, opts...)
	k, err := v.Create(ctx, pinRight, nil)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	defer k.Close()
	return dir, k.DataKey()
}

func status(t testing.TB, v *Vault) Status {
	t.Helper()
	st, err := v.Status()
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	return st
}

// readLockout reads lockout.json as it is on disk.
func readLockout(t testing.TB, dir string) *lockoutFile {
	t.Helper()
	return readDecoded(t, dir, lockoutName, decodeLockout)
}

// readVaultFile reads vault.json as it is on disk.
func readVaultFile(t testing.TB, dir string) *vaultFile {
	t.Helper()
	return readDecoded(t, dir, vaultName, decodeVault)
}

func readDecoded[T any](t testing.TB, dir, name string, decode func([]byte) (*T, error)) *T {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	f, err := decode(b)
	if err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
	return f
}

// withDeviceKey unlocks the vault v, seals a new device key into it and
// returns the key.
func withDeviceKey(t testing.TB, v *Vault) ed25519.PrivateKey {
	t.Helper()
	k, err := v.Unlock(ctx, pinRight)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	priv := ed25519.NewKeyFromSeed(random(32))
	if err := k.SetDeviceKey(ctx, priv); err != nil {
		t.Fatal(err)
	}
	return priv
}

// keyMaterial lists everything secret or sealed in the vault file in dir,
// raw and as the file spells it (base64), for scanning the folder later.
func keyMaterial(t testing.TB, dir string, plain ...[]byte) [][]byte {
	t.Helper()
	f := readVaultFile(t, dir)
	secret := append([][]byte{f.Master.Sealed, f.KDF.Salt, f.ID}, plain...)
	for _, s := range f.Secrets {
		secret = append(secret, s.Sealed)
	}
	var out [][]byte
	for _, b := range secret {
		out = append(out, b, []byte(base64.StdEncoding.EncodeToString(b)))
	}
	return out
}

// scan fails the test if any file under dir holds any of needles.
func scan(t testing.TB, dir string, needles [][]byte) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, n := range needles {
			if bytes.Contains(b, n) {
				t.Errorf("%s still holds key material #%d", filepath.Base(path), i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func files(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// wrongTries makes n wrong tries, letting each delay pass first.
func wrongTries(t testing.TB, v *Vault, clk *fakeClock, n int) error {
	t.Helper()
	var err error
	for range n {
		if st := status(t, v); st.State == StateDelayed {
			clk.pass(st.Wait)
		}
		_, err = v.Unlock(ctx, pinWrong)
		if !errors.Is(err, ErrWrongPIN) && !errors.Is(err, ErrErased) {
			t.Fatalf("wrong PIN: %v", err)
		}
	}
	return err
}
