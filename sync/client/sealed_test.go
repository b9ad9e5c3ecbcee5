package client_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"

	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/vault"
	"github.com/waymark-app/waymark/vault/vaulttest"
)

// testVault opens a real vault with a cheap key derivation and returns
// its unlocked keys.
func testVault(t *testing.T) (*vault.Vault, *vault.Keys) {
	t.Helper()
	v, err := vault.Open(ctx, filepath.Join(t.TempDir(), "vault"), vaulttest.Options(nil))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	k, err := v.Create(ctx, []byte("246810"), nil)
	if err != nil {
		t.Fatal(err)
	}
	return v, k
}

// TestSealedCredential keeps the device's key in the vault, not in the
// store; moves the key of a credential kept whole (before the vault) into
// the vault; and signs with the key it loads.
func TestSealedCredential(t *testing.T) {
	sys := newSystem(t)
	st := memStore(t)
	cred, err := client.Enrol(ctx, client.EnrolOptions{Link: auth.Link{Server: sys.srv.URL, Code: code(t, sys.srv, "team"), Pin: sys.srv.Pin}, Device: st.DeviceID()})
	if err != nil {
		t.Fatal(err)
	}
	_, keys := testVault(t)
	if err := client.SaveSealedCredential(ctx, st, keys, cred); err != nil {
		t.Fatal(err)
	}
	raw, _ := st.Credential(ctx)
	if bytes.Contains(raw, []byte("private_key")) || bytes.Contains(raw, cred.PrivateKey.Seed()) {
		t.Fatalf("the store holds the private key: %s", raw)
	}
	if priv, ok := keys.DeviceKey(); !ok || !priv.Equal(cred.PrivateKey) {
		t.Fatal("the vault does not hold the device key")
	}
	back, err := client.LoadSealedCredential(ctx, st, keys)
	if err != nil || !back.PrivateKey.Equal(cred.PrivateKey) || back.Account.ID != "team" {
		t.Fatalf("loaded %+v, %v", back, err)
	}
	if me, err := servertest.Engine(st, back, "", client.Options{}).Me(ctx); err != nil || me.Device != st.DeviceID() {
		t.Fatalf("signing with the sealed key: %+v, %v", me, err)
	}

	// A vault without the key: the credential is of no use.
	_, empty := testVault(t)
	if _, err := client.LoadSealedCredential(ctx, st, empty); !errors.Is(err, client.ErrNoSealedKey) {
		t.Errorf("no sealed key: %v, want ErrNoSealedKey", err)
	}

	// A credential kept whole, as before the vault: its key moves.
	old := memStore(t)
	if err := client.SaveCredential(ctx, old, cred); err != nil {
		t.Fatal(err)
	}
	_, moved := testVault(t)
	back, err = client.LoadSealedCredential(ctx, old, moved)
	if err != nil || !back.PrivateKey.Equal(cred.PrivateKey) {
		t.Fatalf("moving the key: %+v, %v", back, err)
	}
	if raw, _ := old.Credential(ctx); bytes.Contains(raw, []byte("private_key")) {
		t.Error("the moved key is still in the store")
	}
	if priv, ok := moved.DeviceKey(); !ok || !priv.Equal(cred.PrivateKey) {
		t.Error("the moved key is not in the vault")
	}
}
