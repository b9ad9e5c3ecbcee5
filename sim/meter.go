package sim

import (
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

// Meter counts what one device's sync engine sends and receives: bytes on
// its TCP connections (HTTP headers included) and the time each push takes,
// from the request starting to the answer read in full.
type Meter struct {
	up, down atomic.Int64

	mu        sync.Mutex // guards the fields below
	pushes    []time.Duration
	requests  map[string]int
	failed    int
	firstPull time.Time
	pushUp    int64 // bytes up and down when the first pull began
	pushDown  int64
}

// NewMeter returns a meter with nothing counted.
func NewMeter() *Meter { return &Meter{requests: map[string]int{}} }

// Client returns an HTTP client of its own (its own connections, as a
// separate phone would have), with TLS pinned to pin, whose traffic the
// meter counts: bytes on the TCP connections, TLS included.
func (m *Meter) Client(pin string) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &countedConn{Conn: c, m: m}, nil
		},
		ResponseHeaderTimeout: time.Minute,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   2,
	}
	if pin != "" {
		tr.TLSClientConfig = client.PinnedTLS(pin)
	}
	return &http.Client{Timeout: 2 * time.Minute, Transport: &timedTransport{next: tr, m: m}}
}

// Reset forgets everything counted so far.
func (m *Meter) Reset() {
	m.up.Store(0)
	m.down.Store(0)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pushes, m.failed, m.firstPull, m.pushUp, m.pushDown = nil, 0, time.Time{}, 0, 0
	clear(m.requests)
}

// Counts is what a meter has counted.
type Counts struct {
	Up, Down  int64           // bytes sent and received
	Pushes    []time.Duration // each completed push, in completion order
	Requests  map[string]int  // requests started, by path
	Failed    int             // requests that got no full answer
	FirstPull time.Time       // when the first pull started: pushing was over
	// PushUp and PushDown are the bytes up and down before the first
	// pull: the pushes' share of the traffic.
	PushUp, PushDown int64
}

// Counts returns a copy of the counts.
func (m *Meter) Counts() Counts {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := Counts{
		Up: m.up.Load(), Down: m.down.Load(),
		Pushes: append([]time.Duration(nil), m.pushes...), Requests: map[string]int{},
		Failed: m.failed, FirstPull: m.firstPull, PushUp: m.pushUp, PushDown: m.pushDown,
	}
	for k, v := range m.requests {
		c.Requests[k] = v
	}
	return c
}

// Add adds o's counts to c.
func (c *Counts) Add(o Counts) {
	c.Up += o.Up
	c.Down += o.Down
	c.Pushes = append(c.Pushes, o.Pushes...)
	c.Failed += o.Failed
	c.PushUp += o.PushUp
	c.PushDown += o.PushDown
	if c.Requests == nil {
		c.Requests = map[string]int{}
	}
	for k, v := range o.Requests {
		c.Requests[k] += v
	}
	if !o.FirstPull.IsZero() && o.FirstPull.After(c.FirstPull) {
		c.FirstPull = o.FirstPull // the latest: when the last device finished pushing
	}
}

type countedConn struct {
	net.Conn
	m *Meter
}

func (c *countedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.m.down.Add(int64(n))
	return n, err
}

func (c *countedConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.m.up.Add(int64(n))
	return n, err
}

// timedTransport times pushes until their answer's body is closed.
type timedTransport struct {
	next http.RoundTripper
	m    *Meter
}

func (t *timedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	t.m.mu.Lock()
	t.m.requests[r.URL.Path]++
	if r.URL.Path == wire.PathPull && t.m.firstPull.IsZero() {
		t.m.firstPull = start
		t.m.pushUp, t.m.pushDown = t.m.up.Load(), t.m.down.Load()
	}
	t.m.mu.Unlock()
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		t.m.mu.Lock()
		t.m.failed++
		t.m.mu.Unlock()
		return nil, err
	}
	push := r.URL.Path == wire.PathPush && resp.StatusCode == http.StatusOK
	resp.Body = &timedBody{ReadCloser: resp.Body, start: start, push: push, m: t.m}
	return resp, nil
}

// timedBody records a request's outcome when its answer is closed.
type timedBody struct {
	io.ReadCloser
	start  time.Time
	push   bool  // a push answered 200: its time counts
	broken error // a read failed other than at the end
	once   sync.Once
	m      *Meter
}

func (b *timedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF {
		b.broken = err
	}
	return n, err
}

func (b *timedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(func() {
		took := time.Since(b.start)
		b.m.mu.Lock()
		defer b.m.mu.Unlock()
		switch {
		case b.broken != nil:
			b.m.failed++
		case b.push:
			b.m.pushes = append(b.m.pushes, took)
		}
	})
	return err
}
