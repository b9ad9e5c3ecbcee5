package vault

import (
	"path/filepath"
	"testing"

	"golang.org/x/crypto/argon2"
)

// BenchmarkKDF measures deriving the PIN key with DefaultKDF alone: time
// per unlock spent in argon2id, and its memory (B/op, and MiB-KDF, the
// memory argon2id is set to use).
func BenchmarkKDF(b *testing.B) {
	k := DefaultKDF().record()
	b.ReportAllocs()
	for b.Loop() {
		clear(argon2.IDKey(pinRight, k.Salt, k.Time, k.Memory, k.Threads, keySize))
	}
	b.ReportMetric(float64(k.Memory)/1024, "MiB-KDF")
}

// BenchmarkUnlock measures a whole unlock with DefaultKDF on disk: the
// try counted and synced, the key derived, the master key and secrets
// opened, the count reset and synced.
func BenchmarkUnlock(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "vault")
	v, err := Open(ctx, dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	k, err := v.Create(ctx, pinRight, nil)
	if err != nil {
		b.Fatal(err)
	}
	k.Close()
	b.ReportAllocs()
	for b.Loop() {
		k, err := v.Unlock(ctx, pinRight)
		if err != nil {
			b.Fatal(err)
		}
		k.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/unlock")
}
