// Package xvfb starts virtual X screens (Xvfb) for the tests that run
// the officer app as a real window: the launch test (internal/launch)
// and the install test of the Linux package (internal/distinstall).
// scripts/deps.sh installs Xvfb.
package xvfb

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

// First and Last bound the display numbers Start tries.
const (
	First = 150
	Last  = 199
)

// Start starts a 1280x1024 virtual screen on a display no one uses and
// returns its name (":150"); the screen stops when the test ends. Two
// tests starting screens at once never share one: a display another
// Xvfb took first makes this one exit, and Start tries the next.
func Start(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("Xvfb")
	if err != nil {
		t.Fatal("no Xvfb: run scripts/deps.sh (make test does)")
	}
	for n := First; n <= Last; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		display := fmt.Sprintf(":%d", n)
		cmd := exec.Command(bin, display, "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			t.Fatalf("start Xvfb on %s: %v", display, err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		if up(n, exited) {
			t.Cleanup(func() {
				cmd.Process.Signal(syscall.SIGTERM)
				<-exited
			})
			return display
		}
		cmd.Process.Kill()
		<-exited
	}
	t.Fatalf("no free display between :%d and :%d", First, Last)
	return ""
}

// up waits for display n's socket while the Xvfb started for it runs:
// false if that Xvfb exited (another took the display) or never opened
// the socket within ten seconds.
func up(n int, exited <-chan struct{}) bool {
	for range 100 {
		select {
		case <-exited:
			return false
		case <-time.After(100 * time.Millisecond):
		}
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
			select {
			case <-exited:
				return false
			case <-time.After(200 * time.Millisecond):
				return true
			}
		}
	}
	return false
}
