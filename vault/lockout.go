package vault

import (
	"fmt"
	"time"
)

// Policy is the escalating lockout: how many wrong PINs in a row cost
// only the try, the delays after them, when the lock screen warns, and the
// wrong PIN that erases the vault. The zero value means DefaultPolicy.
type Policy struct {
	// FreeTries is how many wrong PINs in a row bring no delay.
	FreeTries int
	// Delays are the waits after FreeTries wrong PINs, after one more, and
	// so on; the last one repeats.
	Delays []time.Duration
	// MaxTries is the number of wrong PINs in a row that erases the vault.
	MaxTries int
	// WarnLeft is how few tries may be left before the lock screen warns.
	WarnLeft int
}

// DefaultPolicy returns the lockout the app uses: five free tries, then
// 30 seconds, 1, 5 and 15 minutes and an hour, a warning from three
// tries left, and the erase at the tenth wrong PIN. The delays are close
// to those of Android and iOS; they keep a child or a pocket from reaching
// the erase quickly, and give an officer who has forgotten the PIN time
// to call a supervisor before it.
func DefaultPolicy() Policy {
	return Policy{
		FreeTries: 5,
		Delays:    []time.Duration{30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour},
		MaxTries:  10,
		WarnLeft:  3,
	}
}

func (p Policy) orDefault() Policy {
	if p.MaxTries == 0 {
		return DefaultPolicy()
	}
	return p
}

func (p Policy) validate() error {
	switch {
	case p.MaxTries < 1 || p.MaxTries > maxFailures:
		return fmt.Errorf("lockout policy: MaxTries %d out of range", p.MaxTries)
	case p.FreeTries < 0 || p.FreeTries >= p.MaxTries:
		return fmt.Errorf("lockout policy: FreeTries %d must be below MaxTries", p.FreeTries)
	case len(p.Delays) == 0:
		return fmt.Errorf("lockout policy: no delays")
	case p.WarnLeft < 0 || p.WarnLeft >= p.MaxTries:
		return fmt.Errorf("lockout policy: WarnLeft %d out of range", p.WarnLeft)
	}
	for _, d := range p.Delays {
		if d <= 0 {
			return fmt.Errorf("lockout policy: a delay of %v", d)
		}
	}
	return nil
}

// Delay returns the wait before the next try after failures wrong PINs in
// a row.
func (p Policy) Delay(failures int) time.Duration {
	if failures < p.FreeTries {
		return 0
	}
	return p.Delays[min(failures-p.FreeTries, len(p.Delays)-1)]
}

// State is what the lock screen shows.
type State int

// The states of a vault. Append only: the numbers may be kept.
const (
	// StateNew: there is no vault; the officer sets a PIN at enrolment.
	StateNew State = iota
	// StateLocked: the vault waits for the PIN.
	StateLocked
	// StateUnlocking: a PIN is being checked.
	StateUnlocking
	// StateDelayed: after wrong PINs, the next try waits (Status.Wait).
	StateDelayed
	// StateErased: the keys were destroyed; the store can never be opened
	// again, and the device must be enrolled afresh.
	StateErased
	// StateDamaged: the vault file is unreadable (damaged or tampered
	// with); the device must be enrolled afresh.
	StateDamaged
)

var stateNames = [...]string{"new", "locked", "unlocking", "delayed", "erased", "damaged"}

// String returns the state's name, for logs and tests.
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("State(%d)", int(s))
	}
	return stateNames[s]
}

// Status is the lock state the lock screen renders.
type Status struct {
	State State
	// Failures is the number of wrong PINs in a row.
	Failures int
	// TriesLeft is how many more wrong PINs erase the vault.
	TriesLeft int
	// Warn is set when TriesLeft is low: the lock screen says how many
	// tries are left, and how many records are not yet on the server.
	Warn bool
	// Wait is how long until the next try may be made (StateDelayed).
	Wait time.Duration
	// Until is when that is by the wall clock, for display only.
	Until time.Time
}

// status is the lockout model: the state after failures wrong PINs with
// wait left of the delay, at now.
func (p Policy) status(failures int, wait time.Duration, now time.Time) Status {
	st := Status{State: StateLocked, Failures: failures, TriesLeft: max(p.MaxTries-failures, 0)}
	if st.TriesLeft == 0 {
		return Status{State: StateErased, Failures: failures}
	}
	st.Warn = failures > 0 && st.TriesLeft <= p.WarnLeft
	if wait > 0 {
		st.State, st.Wait, st.Until = StateDelayed, wait, now.Add(wait)
	}
	return st
}

// newDelay starts a delay of length now.
func newDelay(length time.Duration, c Clock) *delayRecord {
	epoch, mark := c.Elapsed()
	return &delayRecord{From: c.Now().UTC().Round(0), Length: length, Epoch: epoch, Mark: mark}
}

// advance adds to Served the time the elapsed clock has seen pass since
// its last reading. In a new epoch (the device restarted, or, where there
// is no boot clock, the app did) all of the new epoch so far counts, since
// it began after the last reading; the time between the two epochs (the
// device off) cannot be known and does not count.
func (d *delayRecord) advance(c Clock) {
	epoch, mark := c.Elapsed()
	switch {
	case epoch != d.Epoch:
		d.Served += mark
	case mark >= d.Mark:
		d.Served += mark - d.Mark
	}
	d.Epoch, d.Mark = epoch, mark
}

// left returns how much of the delay is still to wait at wall time now:
// the stricter of the wall clock and the elapsed clock. Setting the wall
// clock forward does not shorten the delay (the elapsed clock has not
// moved); setting it back before the delay began makes the wall clock say
// nothing, and the elapsed clock alone counts.
func (d *delayRecord) left(now time.Time) time.Duration {
	wall := now.Sub(d.From)
	if wall < 0 {
		wall = d.Served
	}
	return max(d.Length-min(wall, d.Served), 0)
}
