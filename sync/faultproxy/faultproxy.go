// Package faultproxy is a TCP proxy that injects network faults between a
// sync client and server, for tests: connections cut at chosen byte
// offsets, added latency, limited bandwidth. In front of several server
// replicas it is their load balancer too: each new connection goes to
// the next replica in turn, past any that refuses it.
package faultproxy

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Faults describes what the proxy does to new connections.
type Faults struct {
	// Latency delays every chunk of data, each way.
	Latency time.Duration
	// BytesPerSecond limits each direction of each connection; 0 means
	// no limit.
	BytesPerSecond int
	// Cut, if set, is called for each new connection and returns after
	// how many bytes to cut it, client to server (up) and server to
	// client (down); a negative count never cuts.
	Cut func() (up, down int64)
	// Refuse, if true, closes new connections at once.
	Refuse bool
}

// Proxy forwards connections from its own address to a target.
type Proxy struct {
	ln     net.Listener
	target atomic.Value  // []string
	next   atomic.Uint64 // the replica the next connection tries first
	faults atomic.Pointer[Faults]
	cuts   atomic.Int64

	mu    sync.Mutex // guards conns and closed
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// New starts a proxy on a free loopback port, forwarding to target
// ("host:port").
func New(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, conns: map[net.Conn]bool{}}
	p.target.Store([]string{target})
	p.faults.Store(&Faults{})
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr is the proxy's own address.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URL is "https://" and Addr: every Waymark server speaks TLS, which the
// proxy passes through as bytes.
func (p *Proxy) URL() string { return "https://" + p.Addr() }

// SetTarget changes where new connections go, as when a server restarts
// on another port.
func (p *Proxy) SetTarget(target string) { p.target.Store([]string{target}) }

// SetTargets spreads new connections over several replicas, in turn.
func (p *Proxy) SetTargets(targets ...string) { p.target.Store(append([]string(nil), targets...)) }

// Set replaces the faults applied to new connections.
func (p *Proxy) Set(f Faults) { p.faults.Store(&f) }

// Cuts counts the connections cut so far.
func (p *Proxy) Cuts() int64 { return p.cuts.Load() }

// CutAll closes every open connection now.
func (p *Proxy) CutAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.CutAll()
	p.wg.Wait()
	return err
}

func (p *Proxy) track(c net.Conn, add bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if add {
		p.conns[c] = true
	} else {
		delete(p.conns, c)
	}
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

func (p *Proxy) serve(client net.Conn) {
	defer p.wg.Done()
	f := *p.faults.Load()
	if f.Refuse {
		client.Close()
		return
	}
	server, err := p.dial()
	if err != nil {
		client.Close()
		return
	}
	p.track(client, true)
	p.track(server, true)
	defer p.track(client, false)
	defer p.track(server, false)
	up, down := int64(-1), int64(-1)
	if f.Cut != nil {
		up, down = f.Cut()
	}
	var once sync.Once
	closeBoth := func() {
		once.Do(func() {
			client.Close()
			server.Close()
		})
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		if p.pipe(server, client, up, f) {
			closeBoth()
			return
		}
		// The client finished sending: pass the half-close on.
		if tc, ok := server.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
	}()
	go func() {
		defer wg.Done()
		p.pipe(client, server, down, f)
		closeBoth()
	}()
	wg.Wait()
	closeBoth()
}

// dial connects to the next target in turn, trying the others if it
// refuses (a replica that is down).
func (p *Proxy) dial() (net.Conn, error) {
	targets := p.target.Load().([]string)
	first := p.next.Add(1)
	var err error
	for i := range uint64(len(targets)) {
		var c net.Conn
		if c, err = net.DialTimeout("tcp", targets[(first+i)%uint64(len(targets))], 5*time.Second); err == nil {
			return c, nil
		}
	}
	return nil, err
}

// pipe copies src to dst with the faults applied, and reports whether it
// cut the connection.
func (p *Proxy) pipe(dst, src net.Conn, cutAfter int64, f Faults) (cut bool) {
	buf := make([]byte, 16<<10)
	var sent int64
	for {
		n, err := src.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			if cutAfter >= 0 && sent+int64(n) >= cutAfter {
				chunk = chunk[:cutAfter-sent]
				cut = true
			}
			if f.Latency > 0 {
				time.Sleep(f.Latency)
			}
			if f.BytesPerSecond > 0 {
				time.Sleep(time.Duration(float64(len(chunk)) / float64(f.BytesPerSecond) * float64(time.Second)))
			}
			if _, werr := dst.Write(chunk); werr != nil {
				return false
			}
			sent += int64(len(chunk))
			if cut {
				p.cuts.Add(1)
				return true
			}
		}
		if err != nil {
			return false // EOF or a closed connection: nothing to cut
		}
	}
}
