package vault

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"testing/cryptotest"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// goldenStoreKey is the store key sealed in testdata/vault-v1.json.
const goldenStoreKey = "fcda5c88d8b179d2df816daa1b69917aebf290319530799bc277a899a4661c60"

// TestGoldenFiles freezes the two file formats: a vault made with a fixed
// random stream must be byte for byte the one in testdata. A change here
// is a format change: bump fileVersion and keep reading version 1.
func TestGoldenFiles(t *testing.T) {
	cryptotest.SetGlobalRandom(t, 10)
	clk := newFakeClock()
	dir := filepath.Join(t.TempDir(), "vault")
	v := openAt(t, dir, clk)
	k, err := v.Create(ctx, pinRight, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.SetDeviceKey(ctx, ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))); err != nil {
		t.Fatal(err)
	}
	k.Close()
	if err := wrongTries(t, v, clk, 6); !errors.Is(err, ErrWrongPIN) {
		t.Fatal(err)
	}
	for _, name := range []string{vaultName, lockoutName} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "v1-"+name)
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from %s:\n got %s\nwant %s", name, golden, got, want)
		}
	}
}

// TestGoldenVaultOpens: a version 1 vault file opens with its PIN, as it
// will in every later version of the app.
func TestGoldenVaultOpens(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "v1-"+vaultName))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, vaultName), b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, lockoutName), encode(&lockoutFile{Format: lockoutFormat, Version: 1}), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := openAt(t, dir, newFakeClock()).Unlock(ctx, pinRight)
	if err != nil {
		t.Fatalf("unlock the golden vault: %v", err)
	}
	defer k.Close()
	if got := hex.EncodeToString(k.DataKey()); got != goldenStoreKey {
		t.Errorf("golden store key %s, want %s", got, goldenStoreKey)
	}
	if priv, ok := k.DeviceKey(); !ok || !priv.Equal(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))) {
		t.Error("golden device key lost")
	}
}

func goldenBytes(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "v1-"+name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeStrict(t *testing.T) {
	vault := goldenBytes(t, vaultName)
	lockout := goldenBytes(t, lockoutName)
	replace := func(b []byte, old, new string) []byte {
		if !bytes.Contains(b, []byte(old)) {
			t.Fatalf("golden file has no %q", old)
		}
		return bytes.Replace(b, []byte(old), []byte(new), 1)
	}
	for _, tc := range []struct {
		name   string
		b      []byte
		decode func([]byte) error
		ok     bool
	}{
		{"vault", vault, decV, true},
		{"lockout", lockout, decL, true},
		{"vault unknown field", replace(vault, `{"format"`, `{"x":1,"format"`), decV, false},
		{"vault repeated key", replace(vault, `{"format"`, `{"version":1,"format"`), decV, false},
		{"vault repeated nested key", replace(vault, `"alg":"argon2id"`, `"alg":"argon2id","alg":"argon2id"`), decV, false},
		{"vault bad UTF-8", replace(vault, `argon2id`, "argon2\xc3d"), decV, false},
		{"vault escaped name", replace(vault, `"format"`, `"form\u0061t"`), decV, false},
		{"vault other case", replace(vault, `"format"`, `"FORMAT"`), decV, false},
		{"vault newline", append(bytes.Clone(vault), '\n'), decV, false},
		{"vault two objects", append(bytes.Clone(vault), vault...), decV, false},
		{"vault null secrets", replace(vault, `"secrets":[`, `"secrets":null,"s":[`), decV, false},
		{"vault argon2i", replace(vault, `argon2id`, `argon2i`), decV, false},
		{"vault 2 GiB", replace(vault, `"m":64,`, `"m":2097152,`), decV, false},
		{"vault t=0", replace(vault, `"t":1,`, `"t":0,`), decV, false},
		{"vault float", replace(vault, `"t":1,`, `"t":1.0,`), decV, false},
		{"vault empty", nil, decV, false},
		{"vault array", []byte(`[]`), decV, false},
		{"lockout negative", replace(lockout, `"failures":6`, `"failures":-1`), decL, false},
		{"lockout not UTC", replace(lockout, `Z"`, `+01:00"`), decL, false},
		{"lockout no delay", replace(lockout, `"failures":6`, `"failures":0`), decL, true},
		{"lockout erased string", replace(lockout, `"erased":false`, `"erased":"no"`), decL, false},
		{"lockout repeated failures", replace(lockout, `"failures":6`, `"failures":0,"failures":6`), decL, false},
	} {
		err := tc.decode(tc.b)
		if (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok %v", tc.name, err, tc.ok)
		}
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", tc.name, err)
		}
	}
}

func decV(b []byte) error { _, err := decodeVault(b); return err }
func decL(b []byte) error { _, err := decodeLockout(b); return err }

// FuzzDecodeVault: the decoder never panics, and whatever it accepts is
// exactly the canonical encoding of what it read.
func FuzzDecodeVault(f *testing.F) {
	f.Add([]byte(`{"format":"waymark-vault","format":"x"}`))
	fuzzDecoder(f, vaultName, decodeVault, nil)
}

// FuzzDecodeLockout is FuzzDecodeVault for the lockout file.
func FuzzDecodeLockout(f *testing.F) {
	f.Add(encode(&lockoutFile{Format: lockoutFormat, Version: 1}))
	fuzzDecoder(f, lockoutName, decodeLockout, func(l *lockoutFile) {
		if l.Delay != nil {
			l.Delay.left(time.Now()) // must not panic
		}
	})
}

func fuzzDecoder[T any](f *testing.F, name string, decode func([]byte) (*T, error), more func(*T)) {
	f.Add(goldenBytes(f, name))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := decode(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v is not ErrCorrupt", err)
			}
			return
		}
		if !bytes.Equal(encode(v), b) {
			t.Fatal("accepted bytes that are not canonical")
		}
		if more != nil {
			more(v)
		}
	})
}

func TestNoRepeatedKeys(t *testing.T) {
	for _, tc := range []struct {
		json string
		ok   bool
	}{
		{`{"a":1,"b":2}`, true},
		{`{"a":1,"a":2}`, false},
		{`{"a":{"b":1,"b":2}}`, false},
		{`{"a":{"b":1},"b":2}`, true},
		{`[{"a":1},{"a":1}]`, true},
		{`{"a":[{"a":1}],"a":2}`, false},
		{`{"a":[1,{"b":[]}],"c":{"a":{}}}`, true},
		{`{"a":1,"\u0061":2}`, false},
	} {
		if err := noRepeatedKeys([]byte(tc.json)); (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok %v", tc.json, err, tc.ok)
		}
	}
}
