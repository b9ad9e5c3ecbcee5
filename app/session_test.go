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
	if err := s.SetPIN(ctx, []byte(pin)); err != nil {
		t.Fatal(err)
	}
	clocks.Store(s, clock)
	return s, clock
}

// vaultClock is the clock of a session testSession opened.
func vaultClock(s *session.Session) *vaulttest.Clock {
	c, _ := clocks.Load(s)
	return c.(*vaulttest.Clock)
}
