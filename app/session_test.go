package app

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/waymark-app/waymark/session"
	"github.com/waymark-app/waymark/vault"
)

func init() {
	// The tests drive the screens on their own goroutine: a PIN is
	// checked at once, and no countdown ticks on its own.
	goBackground = func(work, done func()) { work(); done() }
	everySecond = func(func()) func() { return func() {} }
}

// testClock is a vault's clocks, moved by the test.
type testClock struct {
	mu    sync.Mutex
	wall  time.Time
	since time.Duration
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wall
}

func (c *testClock) Elapsed() (string, time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return "boot:test", c.since
}

func (c *testClock) pass(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.wall, c.since = c.wall.Add(d), c.since+d
}

var clocks sync.Map // *session.Session → *testClock

// testSession opens a real session in a temporary folder, its vault made
// with a cheap key derivation and sealed by pin, on a clock of the
// test's.
func testSession(t *testing.T, pin string) (*session.Session, *testClock) {
	t.Helper()
	clock := &testClock{wall: testNow, since: time.Hour}
	s, err := session.Open(ctx, session.Options{
		Dir:       filepath.Join(t.TempDir(), "device"),
		Vault:     vault.Options{KDF: vault.KDF{Memory: 64, Time: 1, Threads: 1}, Clock: clock},
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
func vaultClock(s *session.Session) *testClock {
	c, _ := clocks.Load(s)
	return c.(*testClock)
}
