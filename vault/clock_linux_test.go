package vault

import (
	"strings"
	"testing"
	"time"
)

func TestSystemClockIsBootClock(t *testing.T) {
	c := SystemClock()
	e1, s1 := c.Elapsed()
	time.Sleep(time.Millisecond)
	e2, s2 := c.Elapsed()
	if !strings.HasPrefix(e1, "boot:") || e1 != e2 {
		t.Errorf("epochs %q and %q, want one boot epoch", e1, e2)
	}
	if s2 <= s1 || s1 <= 0 {
		t.Errorf("boot clock read %v then %v, want positive and moving forward", s1, s2)
	}
}
