//go:build !linux

package vault

import "time"

// bootClock is not available here: the lockout falls back to the time
// since the app started.
func bootClock() (epoch string, since time.Duration, ok bool) { return "", 0, false }
