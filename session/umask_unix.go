//go:build unix

package session

import "syscall"

// PrivateFiles makes every file and folder the process creates from now
// on private to its user (umask 077): Badger's files, Fyne's preferences,
// anything a library writes. The app calls it first thing.
func PrivateFiles() { syscall.Umask(0o077) }
