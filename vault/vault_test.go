package vault

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestCreateAndUnlock(t *testing.T) {
	clk := newFakeClock()
	dir, dataKey := create(t, clk)
	if len(dataKey) != 32 || bytes.Equal(dataKey, make([]byte, 32)) {
		t.Fatalf("store key of %d bytes, or all zero", len(dataKey))
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("vault folder mode %v (%v), want 0700", fi.Mode().Perm(), err)
	}
	if got, want := files(t, dir), []string{lockoutName, vaultName}; !slices.Equal(got, want) {
		t.Errorf("files %v, want %v", got, want)
	}
	for _, name := range files(t, dir) {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v (%v), want 0600", name, fi.Mode().Perm(), err)
		}
	}
	scan(t, dir, [][]byte{dataKey, pinRight})

	// A restart: the vault is read from disk.
	v := openAt(t, dir, clk)
	if st := status(t, v); st.State != StateLocked || st.TriesLeft != 10 || st.Warn {
		t.Errorf("status after restart %+v, want locked with 10 tries", st)
	}
	k, err := v.Unlock(ctx, pinRight)
	if err != nil {
		t.Fatalf("unlock: %v", err)
	}
	if !bytes.Equal(k.DataKey(), dataKey) {
		t.Error("unlock gave another store key")
	}
	k.Close()
	if k.DataKey() != nil {
		t.Error("keys still readable after Close")
	}
	if _, err := v.Create(ctx, pinRight, nil); !errors.Is(err, ErrExists) {
		t.Errorf("second create: %v, want ErrExists", err)
	}
}

func TestCreateWithExistingKey(t *testing.T) {
	v := openAt(t, t.TempDir(), newFakeClock())
	old := random(32)
	k, err := v.Create(ctx, pinRight, old)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(k.DataKey(), old) {
		t.Error("the existing store key was not kept")
	}
	if _, err := openAt(t, t.TempDir(), newFakeClock()).Create(ctx, pinRight, old[:16]); err == nil {
		t.Error("a 16-byte store key was accepted")
	}
}

func TestWrongPIN(t *testing.T) {
	clk := newFakeClock()
	dir, dataKey := create(t, clk)
	v := openAt(t, dir, clk)
	_, err := v.Unlock(ctx, pinWrong)
	var te *TryError
	if !errors.As(err, &te) || !errors.Is(err, ErrWrongPIN) {
		t.Fatalf("wrong PIN: %v, want a TryError with ErrWrongPIN", err)
	}
	if te.Status.State != StateLocked || te.Status.Failures != 1 || te.Status.TriesLeft != 9 {
		t.Errorf("status after one wrong PIN %+v", te.Status)
	}
	if readLockout(t, dir).Failures != 1 {
		t.Error("the wrong try is not on disk")
	}
	k, err := v.Unlock(ctx, pinRight)
	if err != nil || !bytes.Equal(k.DataKey(), dataKey) {
		t.Fatalf("right PIN after a wrong one: %v", err)
	}
	if f := readLockout(t, dir); f.Failures != 0 || f.Delay != nil {
		t.Errorf("lockout after the right PIN %+v, want reset", f)
	}
}

func TestTriesThatCannotBePINsAreNotCounted(t *testing.T) {
	clk := newFakeClock()
	dir, _ := create(t, clk)
	v := openAt(t, dir, clk)
	for name, pin := range map[string][]byte{
		"empty":     {},
		"bad UTF-8": {'1', 0xff, '2'},
		"control":   []byte("1234\n56"),
		"too long":  bytes.Repeat([]byte("9"), 300),
	} {
		if _, err := v.Unlock(ctx, pin); !errors.Is(err, ErrPIN) {
			t.Errorf("%s: %v, want ErrPIN", name, err)
		}
	}
	if f := readLockout(t, dir); f.Failures != 0 {
		t.Errorf("%d tries counted, want 0", f.Failures)
	}
}

func TestLockoutSurvivesRestart(t *testing.T) {
	clk := newFakeClock()
	dir, _ := create(t, clk)
	// Five wrong PINs, each from a freshly started app.
	for i := 1; i <= 5; i++ {
		v := openAt(t, dir, clk)
		if _, err := v.Unlock(ctx, pinWrong); !errors.Is(err, ErrWrongPIN) {
			t.Fatalf("wrong PIN %d: %v", i, err)
		}
	}
	v := openAt(t, dir, clk)
	st := status(t, v)
	if st.State != StateDelayed || st.Failures != 5 || st.Wait != 30*time.Second {
		t.Fatalf("after 5 wrong PINs and a restart: %+v, want delayed 30s", st)
	}
	// A try during the delay is refused, even the right PIN, and not
	// counted.
	if _, err := v.Unlock(ctx, pinRight); !errors.Is(err, ErrDelayed) {
		t.Fatalf("right PIN during the delay: %v, want ErrDelayed", err)
	}
	clk.pass(29 * time.Second)
	v = openAt(t, dir, clk)
	if st := status(t, v); st.State != StateDelayed || st.Wait != time.Second || st.Failures != 5 {
		t.Fatalf("29s later, after a restart: %+v, want 1s left", st)
	}
	clk.pass(time.Second)
	if _, err := v.Unlock(ctx, pinWrong); !errors.Is(err, ErrWrongPIN) {
		t.Fatalf("wrong PIN after the delay: %v", err)
	}
	if st := status(t, openAt(t, dir, clk)); st.Wait != time.Minute || st.Failures != 6 {
		t.Errorf("after the sixth wrong PIN: %+v, want a minute", st)
	}
}

func TestDelaysGrowThenErase(t *testing.T) {
	clk := newFakeClock()
	dir, dataKey := create(t, clk)
	v := openAt(t, dir, clk)
	priv := withDeviceKey(t, v)
	material := keyMaterial(t, dir, dataKey, priv)

	want := []struct {
		wait time.Duration
		warn bool
	}{
		{0, false}, {0, false}, {0, false}, {0, false}, // 1 to 4 wrong
		{30 * time.Second, false}, {time.Minute, false}, // 5, 6
		{5 * time.Minute, true}, {15 * time.Minute, true}, {time.Hour, true}, // 7, 8, 9
	}
	for i, w := range want {
		if err := wrongTries(t, v, clk, 1); !errors.Is(err, ErrWrongPIN) {
			t.Fatalf("wrong PIN %d: %v", i+1, err)
		}
		st := status(t, v)
		if st.Failures != i+1 || st.TriesLeft != 10-(i+1) || st.Wait != w.wait || st.Warn != w.warn {
			t.Errorf("after %d wrong PINs: %+v, want wait %v warn %v", i+1, st, w.wait, w.warn)
		}
	}
	err := wrongTries(t, v, clk, 1)
	var te *TryError
	if !errors.As(err, &te) || !errors.Is(err, ErrErased) || te.Status.State != StateErased {
		t.Fatalf("tenth wrong PIN: %v, want ErrErased", err)
	}

	// Nothing of the keys is left on disk, and the right PIN opens
	// nothing, now or after a restart.
	if got := files(t, dir); !slices.Equal(got, []string{lockoutName}) {
		t.Errorf("files after the erase %v, want only %s", got, lockoutName)
	}
	scan(t, dir, material)
	if _, err := v.Unlock(ctx, pinRight); !errors.Is(err, ErrErased) {
		t.Errorf("right PIN after the erase: %v, want ErrErased", err)
	}
	v = openAt(t, dir, clk)
	if st := status(t, v); st.State != StateErased {
		t.Errorf("state after a restart %v, want erased", st.State)
	}
	if _, err := v.Unlock(ctx, pinRight); !errors.Is(err, ErrErased) {
		t.Errorf("right PIN after a restart: %v, want ErrErased", err)
	}

	// Enrolling afresh makes a new vault with a new store key.
	k, err := v.Create(ctx, pinRight, nil)
	if err != nil {
		t.Fatalf("create after the erase: %v", err)
	}
	if bytes.Equal(k.DataKey(), dataKey) {
		t.Error("the new vault has the old store key")
	}
	if st := status(t, v); st.State != StateLocked || st.Failures != 0 {
		t.Errorf("new vault: %+v, want locked with no failures", st)
	}
}

func TestRemoteErase(t *testing.T) {
	clk := newFakeClock()
	dir, dataKey := create(t, clk)
	v := openAt(t, dir, clk)
	k, err := v.Unlock(ctx, pinRight)
	if err != nil {
		t.Fatal(err)
	}
	material := keyMaterial(t, dir, dataKey)
	if err := v.Erase(ctx); err != nil {
		t.Fatalf("erase: %v", err)
	}
	if k.DataKey() != nil {
		t.Error("keys unlocked before the erase are still readable")
	}
	if err := k.SetDeviceKey(ctx, ed25519.NewKeyFromSeed(random(32))); !errors.Is(err, ErrClosed) {
		t.Errorf("set a secret after the erase: %v, want ErrClosed", err)
	}
	scan(t, dir, material)
	if st := status(t, openAt(t, dir, clk)); st.State != StateErased {
		t.Errorf("state after restart %v, want erased", st.State)
	}
}

func TestChangePIN(t *testing.T) {
	clk := newFakeClock()
	dir, dataKey := create(t, clk)
	v := openAt(t, dir, clk)
	priv := withDeviceKey(t, v)
	before := readVaultFile(t, dir)

	if err := v.ChangePIN(ctx, pinRight, []byte("111111")); !errors.Is(err, ErrPIN) {
		t.Errorf("weak new PIN: %v, want ErrPIN", err)
	}
	if err := v.ChangePIN(ctx, pinRight, pinRight); !errors.Is(err, ErrPIN) {
		t.Errorf("new PIN equal to the old: %v, want ErrPIN", err)
	}
	if err := v.ChangePIN(ctx, pinWrong, pinNew); !errors.Is(err, ErrWrongPIN) {
		t.Errorf("change with a wrong old PIN: %v, want ErrWrongPIN", err)
	}
	if f := readLockout(t, dir); f.Failures != 1 {
		t.Errorf("a wrong old PIN counted %d times, want once", f.Failures)
	}
	if err := v.ChangePIN(ctx, pinRight, pinNew); err != nil {
		t.Fatalf("change PIN: %v", err)
	}

	after := readVaultFile(t, dir)
	if !slices.EqualFunc(before.Secrets, after.Secrets, func(a, b secretBox) bool {
		return a.Name == b.Name && bytes.Equal(a.Nonce, b.Nonce) && bytes.Equal(a.Sealed, b.Sealed)
	}) {
		t.Error("changing the PIN sealed the secrets again; only the master key should be")
	}
	if bytes.Equal(before.KDF.Salt, after.KDF.Salt) {
		t.Error("the new PIN kept the old salt")
	}

	v = openAt(t, dir, clk)
	if _, err := v.Unlock(ctx, pinRight); !errors.Is(err, ErrWrongPIN) {
		t.Errorf("old PIN after the change: %v, want ErrWrongPIN", err)
	}
	k, err := v.Unlock(ctx, pinNew)
	if err != nil {
		t.Fatalf("new PIN: %v", err)
	}
	defer k.Close()
	if !bytes.Equal(k.DataKey(), dataKey) {
		t.Error("the store key changed with the PIN")
	}
	if got, ok := k.DeviceKey(); !ok || !got.Equal(priv) {
		t.Error("the device key did not survive the PIN change")
	}
}

func TestDeviceKey(t *testing.T) {
	clk := newFakeClock()
	dir, _ := create(t, clk)
	v := openAt(t, dir, clk)
	k, err := v.Unlock(ctx, pinRight)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := k.DeviceKey(); ok {
		t.Error("a new vault has a device key")
	}
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.SetDeviceKey(ctx, priv); err != nil {
		t.Fatal(err)
	}
	for name, secret := range map[string][]byte{
		SecretStore:    random(32),
		"Bad Name":     random(8),
		SecretDevice:   random(32),
		"server-token": random(maxSecret + 1),
	} {
		if err := k.SetSecret(ctx, name, secret); err == nil {
			t.Errorf("secret %q of %d bytes accepted", name, len(secret))
		}
	}
	k.Close()
	scan(t, dir, [][]byte{priv, priv.Seed()})

	k, err = openAt(t, dir, clk).Unlock(ctx, pinRight)
	if err != nil {
		t.Fatal(err)
	}
	defer k.Close()
	got, ok := k.DeviceKey()
	if !ok || !ed25519.Verify(pub, []byte("synthetic"), ed25519.Sign(got, []byte("synthetic"))) {
		t.Error("the device key read back does not sign for its public key")
	}
}

func TestKDFUpgradeOnUnlock(t *testing.T) {
	clk := newFakeClock()
	dir, dataKey := create(t, clk)
	stronger := KDF{Memory: 128, Time: 2, Threads: 1}
	v := openAt(t, dir, clk, func(o *Options) { o.KDF = stronger })
	k, err := v.Unlock(ctx, pinRight)
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
	if f := readVaultFile(t, dir).KDF; f.Memory != 128 || f.Time != 2 {
		t.Errorf("KDF after unlock m=%d t=%d, want raised to m=128 t=2", f.Memory, f.Time)
	}
	k, err = openAt(t, dir, clk).Unlock(ctx, pinRight)
	if err != nil || !bytes.Equal(k.DataKey(), dataKey) {
		t.Fatalf("unlock after the upgrade: %v", err)
	}
	k.Close()
}

func TestTamperedVaultFile(t *testing.T) {
	edit := func(f func(v *vaultFile)) func([]byte) []byte {
		return func(b []byte) []byte {
			vf, err := decodeVault(b)
			if err != nil {
				panic(err)
			}
			f(vf)
			return encode(vf)
		}
	}
	for _, tc := range []struct {
		name    string
		tamper  func([]byte) []byte
		want    error // from the right PIN
		counted bool
	}{
		{"secret flipped", edit(func(v *vaultFile) { v.Secrets[0].Sealed[3] ^= 1 }), ErrTampered, false},
		{"secret nonce changed", edit(func(v *vaultFile) { v.Secrets[0].Nonce[0] ^= 1 }), ErrTampered, false},
		{"master flipped", edit(func(v *vaultFile) { v.Master.Sealed[0] ^= 1 }), ErrWrongPIN, true},
		{"kdf lowered", edit(func(v *vaultFile) { v.KDF.Memory = 32 }), ErrWrongPIN, true},
		{"id changed", edit(func(v *vaultFile) { v.ID[0] ^= 1 }), ErrWrongPIN, true},
		{"keystore added", edit(func(v *vaultFile) { v.Keystore = &keystoreRecord{"x", "y"} }), ErrKeystore, false},
		{"truncated", func(b []byte) []byte { return b[:len(b)/2] }, ErrCorrupt, false},
		{"unknown field", func(b []byte) []byte { return append([]byte(`{"extra":1,`), b[1:]...) }, ErrCorrupt, false},
		{"repeated key", func(b []byte) []byte { return append([]byte(`{"format":"waymark-vault",`), b[1:]...) }, ErrCorrupt, false},
		{"bad UTF-8", func(b []byte) []byte { return bytes.Replace(b, []byte("waymark-vault"), []byte("waymark-v\xffult"), 1) }, ErrCorrupt, false},
		{"spaces", func(b []byte) []byte { return bytes.Replace(b, []byte(`":`), []byte(`": `), 1) }, ErrCorrupt, false},
		{"field case", func(b []byte) []byte { return bytes.Replace(b, []byte(`"format"`), []byte(`"Format"`), 1) }, ErrCorrupt, false},
		{"newer version", func(b []byte) []byte { return bytes.Replace(b, []byte(`"version":1`), []byte(`"version":2`), 1) }, ErrCorrupt, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			dir, _ := create(t, clk)
			path := filepath.Join(dir, vaultName)
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.tamper(b), 0o600); err != nil {
				t.Fatal(err)
			}
			v := openAt(t, dir, clk)
			_, err = v.Unlock(ctx, pinRight)
			if !errors.Is(err, tc.want) {
				t.Fatalf("right PIN on a tampered file: %v, want %v", err, tc.want)
			}
			if got := readLockout(t, dir).Failures; (got == 1) != tc.counted {
				t.Errorf("failures on disk %d, counted want %v", got, tc.counted)
			}
			if errors.Is(tc.want, ErrCorrupt) {
				if st := status(t, v); st.State != StateDamaged {
					t.Errorf("state %v, want damaged", st.State)
				}
				if _, err := v.Create(ctx, pinRight, nil); !errors.Is(err, ErrExists) {
					t.Errorf("create over a damaged vault: %v, want ErrExists", err)
				}
				if err := v.Erase(ctx); err != nil {
					t.Fatalf("erase a damaged vault: %v", err)
				}
				if _, err := v.Create(ctx, pinRight, nil); err != nil {
					t.Errorf("create after erasing a damaged vault: %v", err)
				}
			}
		})
	}
}

func TestLockoutFileLost(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(path string) error
	}{
		{"deleted", os.Remove},
		{"damaged", func(path string) error { return os.WriteFile(path, []byte(`{"format":`), 0o600) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			dir, _ := create(t, clk)
			if err := wrongTries(t, openAt(t, dir, clk), clk, 8); !errors.Is(err, ErrWrongPIN) {
				t.Fatal(err)
			}
			if err := tc.do(filepath.Join(dir, lockoutName)); err != nil {
				t.Fatal(err)
			}
			st := status(t, openAt(t, dir, clk))
			if st.Failures != 5 || st.State != StateDelayed || st.Wait != 30*time.Second {
				t.Errorf("after the lockout file was %s: %+v, want 5 failures and a 30s delay", tc.name, st)
			}
			if f := readLockout(t, dir); f.Failures != 5 {
				t.Errorf("rebuilt lockout file says %d failures, want 5", f.Failures)
			}
		})
	}
}

func TestClockChangesDoNotShortenDelays(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(c *fakeClock)
		left   time.Duration // of the 30s delay after the 5th wrong PIN
	}{
		{"nothing happens", func(c *fakeClock) {}, 30 * time.Second},
		{"time passes", func(c *fakeClock) { c.pass(20 * time.Second) }, 10 * time.Second},
		{"wall clock forward a day", func(c *fakeClock) { c.setWall(24 * time.Hour) }, 30 * time.Second},
		{"wall clock back a day", func(c *fakeClock) { c.setWall(-24 * time.Hour) }, 30 * time.Second},
		{"wall clock back a day, then time passes", func(c *fakeClock) { c.setWall(-24 * time.Hour); c.pass(30 * time.Second) }, 0},
		{"wall clock back 10s, then time passes", func(c *fakeClock) { c.pass(15 * time.Second); c.setWall(-10 * time.Second) }, 25 * time.Second},
		// The fake device takes 5s to boot; the time it was off and the
		// 10s before it went off unobserved are not counted.
		{"reboot after an hour off", func(c *fakeClock) { c.reboot(time.Hour) }, 25 * time.Second},
		{"reboot and the wall clock forward", func(c *fakeClock) { c.reboot(0); c.setWall(time.Hour) }, 25 * time.Second},
		{"time passes, reboot, time passes", func(c *fakeClock) { c.pass(10 * time.Second); c.reboot(time.Hour); c.pass(15 * time.Second) }, 10 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clk := newFakeClock()
			dir, _ := create(t, clk)
			if err := wrongTries(t, openAt(t, dir, clk), clk, 5); !errors.Is(err, ErrWrongPIN) {
				t.Fatal(err)
			}
			v := openAt(t, dir, clk)
			// The running app looks at its lock screen before and after.
			status(t, v)
			tc.change(clk)
			status(t, v)
			if st := status(t, openAt(t, dir, clk)); st.Wait != tc.left {
				t.Errorf("after a restart %v left, want %v", st.Wait, tc.left)
			}
			if st := status(t, v); st.Wait != tc.left {
				t.Errorf("in the running app %v left, want %v", st.Wait, tc.left)
			}
		})
	}
}

func TestServedTimeCheckpointed(t *testing.T) {
	clk := newFakeClock()
	dir, _ := create(t, clk)
	if err := wrongTries(t, openAt(t, dir, clk), clk, 6); !errors.Is(err, ErrWrongPIN) {
		t.Fatal(err) // a minute's delay now
	}
	v := openAt(t, dir, clk)
	clk.pass(40 * time.Second)
	status(t, v) // the lock screen ticks: 40s served, written
	if d := readLockout(t, dir).Delay; d == nil || d.Served != 40*time.Second {
		t.Fatalf("delay on disk %+v, want 40s served", d)
	}
	// The device restarts: what was written counts, and the 5s since
	// boot, but not the hour it was off.
	clk.reboot(time.Hour)
	if st := status(t, openAt(t, dir, clk)); st.Wait != 15*time.Second {
		t.Errorf("after a reboot %v left, want 15s", st.Wait)
	}
}

func TestStaleTemporaryFilesShredded(t *testing.T) {
	clk := newFakeClock()
	dir, _ := create(t, clk)
	stale := filepath.Join(dir, tempPrefix+vaultName+"-12345")
	b, err := os.ReadFile(filepath.Join(dir, vaultName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stale, b, 0o600); err != nil {
		t.Fatal(err)
	}
	openAt(t, dir, clk)
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a temporary copy of the vault survived Open: %v", err)
	}
}

func TestModesNarrowed(t *testing.T) {
	clk := newFakeClock()
	dir, _ := create(t, clk)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Join(dir, vaultName), 0o644); err != nil {
		t.Fatal(err)
	}
	openAt(t, dir, clk)
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, vaultName): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s mode %v (%v), want %v", filepath.Base(path), fi.Mode().Perm(), err, want)
		}
	}
}

func TestKeystore(t *testing.T) {
	clk := newFakeClock()
	ks := newTestKeystore()
	withKS := func(o *Options) { o.Keystore = ks }
	dir, dataKey := create(t, clk, withKS)
	if f := readVaultFile(t, dir); f.Keystore == nil || f.Keystore.Name != ks.Name() {
		t.Fatalf("vault file keystore %+v, want %s", f.Keystore, ks.Name())
	}
	copyOfFile, err := os.ReadFile(filepath.Join(dir, vaultName))
	if err != nil {
		t.Fatal(err)
	}

	if _, err := openAt(t, dir, clk).Unlock(ctx, pinRight); !errors.Is(err, ErrKeystore) {
		t.Errorf("unlock without the keystore: %v, want ErrKeystore", err)
	}
	if f := readLockout(t, dir); f.Failures != 0 {
		t.Errorf("a missing keystore counted as a wrong PIN")
	}
	v := openAt(t, dir, clk, withKS)
	k, err := v.Unlock(ctx, pinRight)
	if err != nil || !bytes.Equal(k.DataKey(), dataKey) {
		t.Fatalf("unlock with the keystore: %v", err)
	}
	k.Close()
	if err := v.Erase(ctx); err != nil {
		t.Fatal(err)
	}
	if len(ks.keys) != 0 {
		t.Error("erase left the keystore key")
	}

	// A copy of the vault file taken before the erase (as flash memory
	// may keep one) no longer opens with the right PIN.
	dir2 := filepath.Join(t.TempDir(), "copy")
	v2 := openAt(t, dir2, clk, withKS)
	if err := os.WriteFile(filepath.Join(dir2, vaultName), copyOfFile, 0o600); err != nil {
		t.Fatal(err)
	}
	v2 = openAt(t, dir2, clk, withKS)
	if _, err := v2.Unlock(ctx, pinRight); err == nil || errors.Is(err, ErrWrongPIN) {
		t.Errorf("old copy with the right PIN after the keystore key was deleted: %v, want a keystore error", err)
	}
}

func TestTryCountedBeforeCheck(t *testing.T) {
	clk := newFakeClock()
	ks := newTestKeystore()
	dir, _ := create(t, clk, func(o *Options) { o.Keystore = ks })
	for i := range 5 {
		// In the middle of each check, the count on disk already
		// includes it, and the delay it would bring is already set.
		ks.during = func() {
			f := readLockout(t, dir)
			if f.Failures != i+1 {
				t.Errorf("try %d: %d failures on disk during the check", i+1, f.Failures)
			}
			if want := DefaultPolicy().Delay(i + 1); want > 0 && (f.Delay == nil || f.Delay.Length != want) {
				t.Errorf("try %d: delay on disk during the check %+v, want %v", i+1, f.Delay, want)
			}
		}
		v := openAt(t, dir, clk, func(o *Options) { o.Keystore = ks })
		if _, err := v.Unlock(ctx, pinWrong); !errors.Is(err, ErrWrongPIN) {
			t.Fatal(err)
		}
	}
}

func TestOneVaultAtATime(t *testing.T) {
	dir := t.TempDir()
	v := openAt(t, dir, newFakeClock())
	if _, err := Open(ctx, dir, Options{KDF: testKDF}); !errors.Is(err, ErrBusy) {
		t.Errorf("second open of one folder: %v, want ErrBusy", err)
	}
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Unlock(ctx, pinRight); !errors.Is(err, ErrClosed) {
		t.Errorf("unlock after close: %v, want ErrClosed", err)
	}
	v2, err := Open(ctx, dir, Options{KDF: testKDF})
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	v2.Close()
}
