package main

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"time"

	"github.com/waymark-app/waymark/sim"
	"github.com/waymark-app/waymark/vault"
)

// benchPIN is the synthetic PIN of the vaults the bench makes.
var benchPIN = []byte("482913")

// unlock times whole unlocks of a vault made with the app's own argon2id
// parameters (vault.DefaultKDF), on disk as the app does them: the try
// counted and synced, the key derived, the keys opened, the count reset
// and synced. It also reports the memory each derivation allocates, as
// vault's BenchmarkUnlock and BenchmarkKDF do.
func (b *bench) unlock(ctx context.Context) error {
	v, err := vault.Open(ctx, filepath.Join(b.fresh("unlock"), "vault"), vault.Options{})
	if err != nil {
		return err
	}
	defer v.Close()
	k, err := v.Create(ctx, benchPIN, nil)
	if err != nil {
		return err
	}
	k.Close()
	const n = 10
	var times []time.Duration
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		t0 := time.Now()
		k, err := v.Unlock(ctx, benchPIN)
		if err != nil {
			return err
		}
		times = append(times, time.Since(t0))
		k.Close()
	}
	runtime.ReadMemStats(&after)
	p := sim.Percentiles(times)
	kdf := vault.DefaultKDF()
	b.t.goal(fmt.Sprintf("unlock with the PIN (argon2id m=%d MiB, t=%d, p=%d): p50 / max", kdf.Memory>>10, kdf.Time, kdf.Threads),
		fmt.Sprintf("%s / %s (n=%d)", ms(p.P50), ms(p.Max), p.N), "< 1 s", p.Max < time.Second)
	b.t.add("key derivation memory per unlock", fmt.Sprintf("%d MiB set; %.1f MB allocated",
		kdf.Memory>>10, float64(after.TotalAlloc-before.TotalAlloc)/n/1e6))
	return nil
}
