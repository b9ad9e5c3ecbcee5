package store

import (
	"errors"
	"fmt"
	"syscall"
)

// ErrDiskFull is wrapped by the error of any write the device has no room
// for. errors.Is(err, syscall.ENOSPC) matches it too. The write is refused
// before it starts, so nothing already saved is touched; once space is
// freed, writing works again.
var ErrDiskFull error = diskFull{}

type diskFull struct{}

func (diskFull) Error() string { return "device storage is full" }

// Is makes errors.Is(ErrDiskFull, syscall.ENOSPC) true, so callers that
// know only the system's error understand this one.
func (diskFull) Is(target error) bool { return target == syscall.ENOSPC }

// diskReserve is the free space below which the store refuses writes.
//
// Badger writes its log and tables through memory-mapped files that it
// creates sparse and fills later. On a full disk such a write gets no error
// back: the kernel sends SIGBUS and the whole app dies, mid-sentence, with
// no word to the officer (the fault harness showed this on an 8 MiB
// tmpfs). So the store stops short of full, leaving room for what a write
// can set off in the background: the log page it lands on, a memtable
// flushed to a table (up to 4 MiB with SmallMemory), and a compaction whose
// new tables sit beside the old ones until it finishes.
const diskReserve = 32 << 20

// freeSpace reports the bytes free for this user on the file system that
// holds dir, or ok false where the platform cannot tell. Tests replace it.
var freeSpace = diskFree

// checkSpace fails with ErrDiskFull when dir's file system has less than
// diskReserve free. An in-memory store (dir empty) always has room.
func checkSpace(dir string) error {
	if dir == "" {
		return nil
	}
	free, ok := freeSpace(dir)
	if ok && free < diskReserve {
		return fmt.Errorf("%d KiB free, %d KiB needed: %w", free>>10, diskReserve>>10, ErrDiskFull)
	}
	return nil
}

// asDiskFull returns err wrapped with ErrDiskFull if the system reported
// no space left (a write Badger makes with a plain system call, such as
// its manifest), and err unchanged otherwise.
func asDiskFull(err error) error {
	if err != nil && errors.Is(err, syscall.ENOSPC) && !errors.Is(err, ErrDiskFull) {
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	}
	return err
}
