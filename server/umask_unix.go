//go:build unix

package server

import "syscall"

// umask sets the file mode mask, so that the admin socket is created 0600.
func umask(m int) int { return syscall.Umask(m) }
