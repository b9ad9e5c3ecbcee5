package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/vault"
)

// TestStoreKeyFromVault opens the real store with the key the vault
// seals, and shows that after the vault's crypto-erase the store's files,
// still on disk, cannot be opened: not without a key, not with the right
// PIN.
func TestStoreKeyFromVault(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	pin := []byte("246810")
	const canary = "CANARY-vault-7c1f-not-a-real-note"
	opts := vault.Options{KDF: vault.KDF{Memory: 64, Time: 1, Threads: 1}}

	v, err := vault.Open(ctx, filepath.Join(dir, "vault"), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer v.Close()
	k, err := v.Create(ctx, pin, nil)
	if err != nil {
		t.Fatal(err)
	}
	storeDir := filepath.Join(dir, "store")
	st, err := store.Open(ctx, store.Options{Dir: storeDir, Key: k.DataKey()})
	if err != nil {
		t.Fatal(err)
	}
	r, err := encounter.New(st.DeviceID(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r.Notes = canary
	if err := st.SaveDraft(ctx, r); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	k.Close()

	// Unlocked again, the store opens and the draft is there.
	k, err = v.Unlock(ctx, pin)
	if err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(ctx, store.Options{Dir: storeDir, Key: k.DataKey()})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.Get(ctx, r.ID); err != nil || got.Notes != canary {
		t.Fatalf("draft after unlock: %v", err)
	}
	st.Close()

	// Nothing under the data folder holds the note in the clear.
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(canary)) {
				t.Errorf("%s holds the note in the clear", filepath.Base(path))
			}
		}
		return err
	})

	if err := v.Erase(ctx); err != nil {
		t.Fatal(err)
	}
	if k.DataKey() != nil {
		t.Error("keys unlocked before the erase still readable")
	}
	if _, err := v.Unlock(ctx, pin); !errors.Is(err, vault.ErrErased) {
		t.Errorf("right PIN after the erase: %v, want ErrErased", err)
	}
	if st, err := store.Open(ctx, store.Options{Dir: storeDir}); err == nil {
		st.Close()
		t.Error("the erased store opened without a key")
	}
	if st, err := store.Open(ctx, store.Options{Dir: storeDir, Key: bytes.Repeat([]byte{1}, 32)}); err == nil {
		st.Close()
		t.Error("the erased store opened with another key")
	}
}
