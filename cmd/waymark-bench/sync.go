package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"sync/atomic"
	"time"

	"github.com/waymark-app/waymark/sim"
	"github.com/waymark-app/waymark/sync/faultproxy"
	"github.com/waymark-app/waymark/sync/wire"
)

// sync times one device pushing n queued encounters to a fresh server
// over loopback and pulling them back, then the cost of a sync with
// nothing new.
func (b *bench) sync(ctx context.Context, n int) error {
	srv, err := b.startServer(ctx)
	if err != nil {
		return err
	}
	defer srv.stop()
	d, err := sim.OpenDevice(ctx, sim.DeviceOptions{Dir: b.fresh("sync-device"), Key: newKey(), Seed: 2, Enrol: srv.enrol})
	if err != nil {
		return err
	}
	defer d.Close()
	b.t.logf("bench: recording %d encounters…", n)
	if _, err := d.Record(ctx, n, 1); err != nil {
		return err
	}
	d.Meter.Reset()
	stopProfile := b.profileDevice()
	t0 := time.Now()
	if err := d.Engine.SyncOnce(ctx); err != nil {
		return err
	}
	took := time.Since(t0)
	stopProfile()
	c := d.Meter.Counts()
	push := c.FirstPull.Sub(t0)
	rate := float64(n) / took.Seconds()
	b.t.goal(fmt.Sprintf("sync %d encounters over loopback (push, then pull back)", n),
		fmt.Sprintf("%.0f encounters/s (%v); push alone %.0f/s (%v)", rate, took.Round(time.Millisecond), float64(n)/push.Seconds(), push.Round(time.Millisecond)),
		"≥ 5,000/s", rate >= 5000)
	b.record(fmt.Sprintf("one device pushing %d encounters: push alone", n), fmt.Sprintf("%.0f/s", float64(n)/push.Seconds()), "≥ 10,000/s")
	b.record(fmt.Sprintf("one device: push %d, then pull back", n), fmt.Sprintf("%.0f/s", rate), "")
	b.t.add("  bytes per encounter on the wire (TLS included)",
		fmt.Sprintf("push %.0f B up + %.0f B down; pull %.0f B down", float64(c.PushUp)/float64(n), float64(c.PushDown)/float64(n), float64(c.Down-c.PushDown)/float64(n)))
	prog, err := d.Store.Progress(ctx)
	if err != nil {
		return err
	}
	// Pull everything again from the start, as this device, straight from
	// the wire: the server must serve none of the device's own records.
	ops, err := sim.PullAll(ctx, srv.url, d.Credential)
	if err != nil {
		return err
	}
	own := 0
	for _, op := range ops {
		if op.Device == d.Store.DeviceID() {
			own++
		}
	}
	b.t.goal("  own records pulled back (a pull from cursor 0 as this device)", fmt.Sprintf("%d of %d; %d ops served in all; the sync's pulls moved the cursor to %d in %d requests",
		own, n, len(ops), prog.Cursor, c.Requests[wire.PathPull]), "0", own == 0)
	if p := sim.Percentiles(c.Pushes); p.N > 0 {
		b.t.add("  push request latency (adaptive batches from 200 entries): p50 / p99", fmt.Sprintf("%s / %s (n=%d pushes)", ms(p.P50), ms(p.P99), p.N))
		b.record("one device: a push (adaptive batch), p50 / p99", fmt.Sprintf("%s / %s", ms(p.P50), ms(p.P99)), "")
	}
	if _, peak, ok := srv.rss(); ok {
		b.serverRSS = append(b.serverRSS, fmt.Sprintf("%.0f MiB peak after taking %d encounters from one device", peak, n))
	}

	const empty = 100
	d.Meter.Reset()
	var times []time.Duration
	for range empty {
		t0 := time.Now()
		if err := d.Engine.SyncOnce(ctx); err != nil {
			return err
		}
		times = append(times, time.Since(t0))
	}
	c = d.Meter.Counts()
	p := sim.Percentiles(times)
	b.t.add("sync with nothing new: p50 / p99, bytes", fmt.Sprintf("%s / %s; %d B up + %d B down; %d request each",
		ms(p.P50), ms(p.P99), c.Up/empty, c.Down/empty, (c.Requests[wire.PathPush]+c.Requests[wire.PathPull])/empty))
	return nil
}

// profileDevice starts a CPU profile of this process (the device's side
// of a sync: its store, engine and the requests it signs), if profiles
// are asked for, and returns what stops it.
func (b *bench) profileDevice() func() {
	if b.profiles == "" {
		return func() {}
	}
	f, err := os.Create(filepath.Join(b.profiles, fmt.Sprintf("device-%s.pprof", strings.Fields(b.be.name)[0])))
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}

// resume measures what a sync resends after a connection is cut: a
// device with 1,000 queued encounters is copied, byte for byte, so that
// a clean sync and cut ones send exactly the same outbox; each cut run
// then resumes, and its total traffic is compared with the clean run's.
func (b *bench) resume(ctx context.Context) error {
	const n = 1000
	key := newKey()
	orig := b.fresh("resume-device")
	d, err := b.offlineDevice(ctx, orig, key, 3)
	if err != nil {
		return err
	}
	if _, err := d.Record(ctx, n, 1); err != nil {
		return err
	}
	d.Close()

	// clean pushes a copy of the device to a fresh server through a proxy
	// with the given cut, resumes after a failure, and reports the
	// traffic of both attempts, the entries the server already held when
	// the device resumed, and the server's address.
	type outcome struct {
		first, all   sim.Counts
		failed       bool
		resent, held int
		server       string
	}
	run := func(cut func() (int64, int64), srv *server, dir string) (outcome, error) {
		var o outcome
		u, _ := url.Parse(srv.url)
		p, err := faultproxy.New(u.Host)
		if err != nil {
			return o, err
		}
		defer p.Close()
		p.Set(faultproxy.Faults{Cut: cut})
		if err := reenrol(ctx, dir, key, srv); err != nil {
			return o, err
		}
		dev, err := sim.OpenDevice(ctx, sim.DeviceOptions{Dir: dir, Key: key, Server: p.URL(), Seed: 4})
		if err != nil {
			return o, err
		}
		defer dev.Close()
		if err := dev.Engine.SyncOnce(ctx); err != nil {
			o.failed = true
		}
		o.first = dev.Meter.Counts()
		prog, err := dev.Store.Progress(ctx)
		if err != nil {
			return o, err
		}
		auditor, err := srv.enrol.Auditor(ctx)
		if err != nil {
			return o, err
		}
		ops, err := sim.PullAll(ctx, srv.url, auditor)
		if err != nil {
			return o, err
		}
		mine := 0
		for _, op := range ops {
			if op.Device == dev.Store.DeviceID() {
				mine++
			}
		}
		o.held = mine
		o.resent = mine - int(prog.Acked) // on the server, but not acknowledged: sent again
		p.Set(faultproxy.Faults{})
		if o.failed {
			if _, err := dev.Sync(ctx); err != nil {
				return o, err
			}
		}
		o.all = dev.Meter.Counts()
		return o, nil
	}
	copyDev := func() (string, error) {
		dst := b.fresh("resume-copy")
		return dst, copyDir(orig, dst)
	}
	fresh := func() (*server, error) { return b.startServer(ctx) }

	srv, err := fresh()
	if err != nil {
		return err
	}
	dir, err := copyDev()
	if err != nil {
		return err
	}
	clean, err := run(nil, srv, dir)
	srv.stop()
	if err != nil {
		return err
	}
	up, down := clean.all.PushUp, clean.all.PushDown
	cases := []struct {
		name string
		cut  func() (int64, int64)
	}{
		{"request cut halfway through the pushes", once(up/2, -1)},
		{"answer cut halfway through the pushes", once(-1, down/2)},
		{"pull cut halfway through pulling back", once(-1, down+(clean.all.Down-down)/2)},
	}
	for _, c := range cases {
		srv, err := fresh()
		if err != nil {
			return err
		}
		dir, err := copyDev()
		if err != nil {
			srv.stop()
			return err
		}
		o, err := run(c.cut, srv, dir)
		srv.stop()
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		if !o.failed {
			b.t.add("resumed sync, "+c.name, "the cut missed: the first sync succeeded")
			continue
		}
		extraUp, extraDown := o.all.Up-clean.all.Up, o.all.Down-clean.all.Down
		b.t.add("resumed sync, "+c.name, fmt.Sprintf("%d of %d entries sent again; %+.1f KiB up, %+.1f KiB down beyond a clean sync",
			o.resent, n, float64(extraUp)/1024, float64(extraDown)/1024))
	}
	return nil
}

// once cuts the first connection after up and down bytes, then none.
func once(up, down int64) func() (int64, int64) {
	var done atomic.Bool
	return func() (int64, int64) {
		if done.Swap(true) {
			return -1, -1
		}
		return up, down
	}
}

// copyDir copies a closed store's files.
func copyDir(src, dst string) error {
	return filepath.Walk(src, func(path string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if fi.IsDir() {
			return os.MkdirAll(target, 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, fi.Mode())
	})
}
