package vault

import (
	"crypto/rand"
	"time"
)

// Clock is where the lockout reads the time. Delays are measured on both
// of its clocks, and the stricter one counts.
type Clock interface {
	// Now returns the wall-clock time, which whoever holds the device can
	// change.
	Now() time.Time
	// Elapsed returns the reading of a clock nobody can set, which only
	// moves forward, and the epoch it counts from: only readings of the
	// same epoch may be subtracted. On Linux and Android it is the time
	// since boot, sleep included, and the epoch is the boot; elsewhere it
	// is the time since the app started, and the epoch is this run.
	Elapsed() (epoch string, since time.Duration)
}

// SystemClock returns the device's clocks.
func SystemClock() Clock { return systemClock{} }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Elapsed() (string, time.Duration) {
	if epoch, since, ok := bootClock(); ok {
		return epoch, since
	}
	return runEpoch, time.Since(runStart)
}

// runStart and runEpoch are the fallback elapsed clock: Go's monotonic
// clock since this process started, in an epoch of its own.
var (
	runStart = time.Now()
	runEpoch = "run:" + rand.Text()
)
