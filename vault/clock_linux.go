package vault

import (
	"bytes"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// bootID is this boot's random id, read once: the kernel makes a new one
// at every boot.
var bootID = sync.OnceValue(func() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	id := string(bytes.TrimSpace(b))
	if err != nil || !printable(id, maxEpoch-len("boot:")) {
		return ""
	}
	return "boot:" + id
})

// bootClock reads CLOCK_BOOTTIME, the time since boot including time
// asleep, which no user can set, with the boot as its epoch.
func bootClock() (epoch string, since time.Duration, ok bool) {
	id := bootID()
	if id == "" {
		return "", 0, false
	}
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return "", 0, false
	}
	return id, time.Duration(ts.Nano()), true
}
