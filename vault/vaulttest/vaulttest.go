// Package vaulttest gives the tests of the vault's users what they need
// to run a real vault quickly: a key derivation cheap enough for tests,
// and clocks the test moves. Nothing in it is a stand-in for the vault
// itself.
package vaulttest

import (
	"sync"
	"time"

	"github.com/waymark-app/waymark/vault"
)

// KDF is an argon2id cost for tests: 64 KiB, one pass. The app's own,
// vault.DefaultKDF, is measured by the benchmarks.
var KDF = vault.KDF{Memory: 64, Time: 1, Threads: 1}

// Clock is a device's wall clock and elapsed clock (a vault.Clock), both
// moved by the test. It is safe for concurrent use.
type Clock struct {
	mu    sync.Mutex
	wall  time.Time
	since time.Duration
}

// NewClock returns a clock at wall time t, an hour after the device
// started.
func NewClock(t time.Time) *Clock { return &Clock{wall: t, since: time.Hour} }

// Now is the wall clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall
}

// Elapsed is the time since the device started, in one boot.
func (c *Clock) Elapsed() (string, time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return "boot:test", c.since
}

// Pass moves both clocks on by d: time passes with the device on.
func (c *Clock) Pass(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall, c.since = c.wall.Add(d), c.since+d
}

// Options are vault options with the cheap key derivation, on clock c
// (nil: the system's).
func Options(c *Clock) vault.Options {
	o := vault.Options{KDF: KDF}
	if c != nil {
		o.Clock = c
	}
	return o
}
