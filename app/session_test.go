package app

import (
	"path/filepath"
	"sync"
	"testing"

	"github.com/waymark-app/waymark/session"
	"github.com/waymark-app/waymark/vault/vaulttest"
)

func init() {
	// The tests drive the screens on their own goroutine: a PIN is
	// checked at once, and no countdown ticks on its own.
	goBackground = func(work, done func()) { work(); done() }
	everySecond = func(func()) func() { return func() {} }
}

var clocks sync.Map // *session.Session → *vaulttest.Clock

// testSession opens a real session in a temporary folder, its vault made
// with a cheap key derivation and sealed by pin, on a clock of the
// test's.
func testSession(t *testing.T, pin string) (*session.Session, *vaulttest.Clock) {
	t.Helper()
	s := openSession(t)
	if err := s.SetPIN(ctx, []byte(pin)); err != nil {
		t.Fatal(err)
	}
	return s, vaultClock(s)
}

// openSession opens a real session in a temporary folder, a new device
// with no PIN yet, its vault to be made with a cheap key derivation, on
// a clock of the test's.
func openSession(t *testing.T) *session.Session {
	t.Helper()
	clock := vaulttest.NewClock(testNow)
	s, err := session.Open(ctx, session.Options{
		Dir:       filepath.Join(t.TempDir(), "device"),
		Vault:     vaulttest.Options(clock),
		Now:       clock.Now,
		TickEvery: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	clocks.Store(s, clock)
	return s
}

// vaultClock is the clock of a session testSession opened.
func vaultClock(s *session.Session) *vaulttest.Clock {
	c, _ := clocks.Load(s)
	return c.(*vaulttest.Clock)
}
