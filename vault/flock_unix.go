//go:build unix

package vault

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockDir takes an exclusive lock on the folder itself (no lock file), so
// that a second instance of the app cannot use the vault at the same time
// and make its own count of the tries. The lock goes with the process.
func lockDir(dir string) (release func() error, err error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("open vault folder to lock: %w", err)
	}
	if err := syscall.Flock(int(d.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		d.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrBusy
		}
		return nil, fmt.Errorf("lock vault folder: %w", err)
	}
	return d.Close, nil
}
