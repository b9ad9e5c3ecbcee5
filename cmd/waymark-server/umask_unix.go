//go:build unix

package main

import "syscall"

// syscallUmask sets the process's file mode mask, so that the admin
// socket is created 0600 from the start.
func syscallUmask(m int) int { return syscall.Umask(m) }
