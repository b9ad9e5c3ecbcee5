package vault

import (
	"testing"
	"time"
)

// TestPolicyStatus is the lock screen's model: what it shows after n
// wrong PINs with some of the delay left.
func TestPolicyStatus(t *testing.T) {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	p := DefaultPolicy()
	for _, tc := range []struct {
		failures int
		wait     time.Duration
		want     Status
	}{
		{0, 0, Status{State: StateLocked, TriesLeft: 10}},
		{4, 0, Status{State: StateLocked, Failures: 4, TriesLeft: 6}},
		{5, 30 * time.Second, Status{State: StateDelayed, Failures: 5, TriesLeft: 5, Wait: 30 * time.Second, Until: now.Add(30 * time.Second)}},
		{5, 0, Status{State: StateLocked, Failures: 5, TriesLeft: 5}},
		{6, time.Second, Status{State: StateDelayed, Failures: 6, TriesLeft: 4, Wait: time.Second, Until: now.Add(time.Second)}},
		{7, 0, Status{State: StateLocked, Failures: 7, TriesLeft: 3, Warn: true}},
		{9, time.Hour, Status{State: StateDelayed, Failures: 9, TriesLeft: 1, Warn: true, Wait: time.Hour, Until: now.Add(time.Hour)}},
		{10, 0, Status{State: StateErased, Failures: 10}},
		{12, time.Hour, Status{State: StateErased, Failures: 12}},
	} {
		if got := p.status(tc.failures, tc.wait, now); got != tc.want {
			t.Errorf("%d failures, %v left: %+v, want %+v", tc.failures, tc.wait, got, tc.want)
		}
	}
}

func TestPolicyDelay(t *testing.T) {
	p := DefaultPolicy()
	want := []time.Duration{0, 0, 0, 0, 0, 30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, time.Hour, time.Hour}
	for n, w := range want {
		if got := p.Delay(n); got != w {
			t.Errorf("delay after %d wrong PINs %v, want %v", n, got, w)
		}
	}
}

func TestPolicyValidate(t *testing.T) {
	d := []time.Duration{time.Second}
	for _, tc := range []struct {
		p  Policy
		ok bool
	}{
		{DefaultPolicy(), true},
		{Policy{FreeTries: 3, Delays: d, MaxTries: 5, WarnLeft: 2}, true},
		{Policy{FreeTries: 5, Delays: d, MaxTries: 5, WarnLeft: 2}, false},
		{Policy{FreeTries: 3, MaxTries: 5, WarnLeft: 2}, false},
		{Policy{FreeTries: 3, Delays: []time.Duration{0}, MaxTries: 5}, false},
		{Policy{FreeTries: 3, Delays: d, MaxTries: 5, WarnLeft: 5}, false},
		{Policy{FreeTries: -1, Delays: d, MaxTries: 5}, false},
	} {
		if err := tc.p.validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: %v, want ok %v", tc.p, err, tc.ok)
		}
	}
	if _, err := Open(ctx, t.TempDir(), Options{Policy: Policy{MaxTries: 3}}); err == nil {
		t.Error("Open accepted a policy with no delays")
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{StateNew: "new", StateDelayed: "delayed", StateDamaged: "damaged", State(42): "State(42)"} {
		if got := s.String(); got != want {
			t.Errorf("%d: %q, want %q", int(s), got, want)
		}
	}
}

// TestStatusWhileUnlocking shows the lock screen's "checking" state while
// the key is derived.
func TestStatusWhileUnlocking(t *testing.T) {
	clk := newFakeClock()
	ks := newTestKeystore()
	withKS := func(o *Options) { o.Keystore = ks }
	dir, _ := create(t, clk, withKS)
	v := openAt(t, dir, clk, withKS)
	var during Status
	ks.during = func() { during, _ = v.Status() }
	k, err := v.Unlock(ctx, pinRight)
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
	if during.State != StateUnlocking {
		t.Errorf("state during the check %v, want unlocking", during.State)
	}
	if st := status(t, v); st.State != StateLocked {
		t.Errorf("state after %v, want locked", st.State)
	}
}
