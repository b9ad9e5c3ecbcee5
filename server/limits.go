package server

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/sync/wire"
)

// Limits bound what one device, one address, or all requests together
// may cost the server, so that no client can starve it of memory, disk,
// connections or time. Every zero field takes DefaultLimits' value.
type Limits struct {
	// AsideEntries and AsideBytes are each device's quota of entries kept
	// aside for review (conflicts, reused sequences). Past it, a push is
	// answered aside_full and the quota's alert is logged.
	AsideEntries int
	AsideBytes   int64
	// DeviceRate is each device's sustained requests a second, and
	// DeviceBurst how many it may make at once; beyond, rate_limited (429)
	// with Retry-After.
	DeviceRate  float64
	DeviceBurst int
	// InFlight caps the requests being answered at once; a request
	// waits up to QueueWait for a place, then is answered rate_limited.
	InFlight  int
	QueueWait time.Duration
	// DecodedBytes caps the request bodies, decompressed, held in memory
	// at once across all requests.
	DecodedBytes int64
	// BodyGrace and BodyRate are the deadline of a request body: it must
	// arrive within BodyGrace plus one second for every BodyRate bytes,
	// so a body trickled a byte at a time is cut off after BodyGrace.
	BodyGrace time.Duration
	BodyRate  int64
	// FailuresPerMinute caps the failed authentications from one network
	// address a minute; beyond, rate_limited before any work is done.
	FailuresPerMinute int
	// Connections caps open connections (Run's listener).
	Connections int
}

// DefaultLimits are the limits of a server given none. A device syncing
// 10,000 records sends about 50 pushes and 20 pulls in a burst; 200
// devices syncing at once stay within the rest.
var DefaultLimits = Limits{
	AsideEntries:      100,
	AsideBytes:        16 << 20,
	DeviceRate:        20,
	DeviceBurst:       120,
	InFlight:          64,
	QueueWait:         2 * time.Second,
	DecodedBytes:      256 << 20,
	BodyGrace:         10 * time.Second,
	BodyRate:          8 << 10,
	FailuresPerMinute: 120,
	Connections:       1024,
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	setDefault(&l.AsideEntries, d.AsideEntries)
	setDefault(&l.AsideBytes, d.AsideBytes)
	setDefault(&l.DeviceRate, d.DeviceRate)
	setDefault(&l.DeviceBurst, d.DeviceBurst)
	setDefault(&l.InFlight, d.InFlight)
	setDefault(&l.QueueWait, d.QueueWait)
	setDefault(&l.DecodedBytes, d.DecodedBytes)
	setDefault(&l.BodyGrace, d.BodyGrace)
	setDefault(&l.BodyRate, d.BodyRate)
	setDefault(&l.FailuresPerMinute, d.FailuresPerMinute)
	setDefault(&l.Connections, d.Connections)
	return l
}

// setDefault sets *v to d if it is the zero value.
func setDefault[T comparable](v *T, d T) {
	var zero T
	if *v == zero {
		*v = d
	}
}

// busy is a refusal for load, with how long to wait.
type busy struct {
	err   *wire.Error
	after time.Duration
}

func (b *busy) Error() string { return b.err.Error() }
func (b *busy) Unwrap() error { return b.err }

// RetryAfter is how long the client should wait.
func (b *busy) RetryAfter() time.Duration { return b.after }

// errBudget is returned by a budgetReader when all requests together hold
// as many decoded bytes as the server allows.
var errBudget = &busy{err: wire.Errorf(wire.CodeRateLimited, "the server holds as many request bodies as it can; try again shortly"), after: time.Second}

// retryAfter is the Retry-After header's value for d: whole seconds,
// at least one.
func retryAfter(d time.Duration) string {
	return strconv.Itoa(max(1, int(math.Ceil(d.Seconds()))))
}

// gate admits requests: at most InFlight at once (waiting QueueWait for
// a place), and at most DecodedBytes of bodies held at once.
type gate struct {
	slots chan struct{}
	wait  time.Duration

	mu      sync.Mutex // guards decoded
	decoded int64
	budget  int64
}

func newGate(l Limits) *gate {
	return &gate{slots: make(chan struct{}, l.InFlight), wait: l.QueueWait, budget: l.DecodedBytes}
}

// enter takes a place, or returns a *busy error once QueueWait has
// passed or r is cancelled. Call leave after.
func (g *gate) enter(r *http.Request) error {
	select {
	case g.slots <- struct{}{}:
		return nil
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return nil
	case <-t.C:
		return &busy{err: wire.Errorf(wire.CodeRateLimited, "the server is answering as many requests as it can; try again shortly"), after: time.Second}
	case <-r.Context().Done():
		return r.Context().Err()
	}
}

func (g *gate) leave() { <-g.slots }

// reserve takes n bytes of the decoded budget, or reports false.
func (g *gate) reserve(n int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.decoded+n > g.budget {
		return false
	}
	g.decoded += n
	return true
}

func (g *gate) release(n int64) {
	g.mu.Lock()
	g.decoded -= n
	g.mu.Unlock()
}

// budgetReader charges what it reads to the gate's decoded budget; the
// holder releases held when the request is done.
type budgetReader struct {
	r    io.Reader
	g    *gate
	held int64
}

func (b *budgetReader) Read(p []byte) (int, error) {
	if !b.g.reserve(int64(len(p))) {
		return 0, errBudget
	}
	n, err := b.r.Read(p)
	b.g.release(int64(len(p) - n))
	b.held += int64(n)
	return n, err
}

func (b *budgetReader) done() { b.g.release(b.held); b.held = 0 }

// deadlineReader cuts a body off when it arrives slower than the limits
// allow: each read must complete by grace plus one second per rate
// bytes received so far (and asked for).
type deadlineReader struct {
	r     io.Reader
	rc    *http.ResponseController
	start time.Time
	grace time.Duration
	rate  int64
	n     int64
}

func (d *deadlineReader) Read(p []byte) (int, error) {
	due := d.start.Add(d.grace + time.Duration(float64(d.n+int64(len(p)))/float64(d.rate)*float64(time.Second)))
	if err := d.rc.SetReadDeadline(due); err != nil && !errors.Is(err, http.ErrNotSupported) {
		return 0, err
	}
	n, err := d.r.Read(p)
	d.n += int64(n)
	return n, err
}

// isTimeout reports whether err is a deadline passing.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// deviceRates is a token bucket per device: rate tokens a second, up to
// burst. Buckets of devices idle long enough to be full are dropped.
type deviceRates struct {
	rate  float64
	burst float64

	mu      sync.Mutex // guards buckets and swept
	buckets map[uuid.UUID]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newDeviceRates(rate float64, burst int) *deviceRates {
	return &deviceRates{rate: rate, burst: float64(burst), buckets: map[uuid.UUID]*bucket{}}
}

// take spends a token of device's bucket at now, or returns how long
// until one is there.
func (d *deviceRates) take(device uuid.UUID, now time.Time) (time.Duration, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	full := time.Duration(d.burst / d.rate * float64(time.Second))
	if now.Sub(d.swept) > full {
		for id, b := range d.buckets {
			if now.Sub(b.at) > full {
				delete(d.buckets, id)
			}
		}
		d.swept = now
	}
	b := d.buckets[device]
	if b == nil {
		b = &bucket{tokens: d.burst, at: now}
		d.buckets[device] = b
	}
	b.tokens = min(d.burst, b.tokens+now.Sub(b.at).Seconds()*d.rate)
	b.at = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / d.rate * float64(time.Second)), false
	}
	b.tokens--
	return 0, true
}

// limitListener accepts at most n connections at once: past that,
// Accept waits for one to close. (golang.org/x/net/netutil has the same;
// it is not a dependency of this module.)
type limitListener struct {
	net.Listener
	sem chan struct{}
}

// LimitListener returns ln accepting at most n connections at once.
func LimitListener(ln net.Listener, n int) net.Listener {
	return &limitListener{Listener: ln, sem: make(chan struct{}, n)}
}

func (l *limitListener) Accept() (net.Conn, error) {
	l.sem <- struct{}{}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// String names the limits for the start-up log.
func (l Limits) String() string {
	return fmt.Sprintf("aside %d entries/%d bytes per device; %.0f req/s (burst %d) per device; %d in flight; %d MiB decoded; body %v + %d B/s; %d failures/min per address; %d connections",
		l.AsideEntries, l.AsideBytes, l.DeviceRate, l.DeviceBurst, l.InFlight, l.DecodedBytes>>20, l.BodyGrace, l.BodyRate, l.FailuresPerMinute, l.Connections)
}
