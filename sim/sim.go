package sim

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/waymark-app/waymark/sync/faultproxy"
)

// Options configures Run. Zero values choose the defaults given.
type Options struct {
	// Server is the sync server's base URL. Empty starts one in this
	// process on a temporary store, and audits it afterwards.
	Server string
	// Postgres, with Server empty, is the address of an empty PostgreSQL
	// database: Replicas servers (default 3) start in this process on it,
	// behind a proxy that spreads connections over them in turn.
	Postgres string
	Replicas int
	// Enrol makes accounts and enrols devices on Server; required with
	// it (a server started here makes its own).
	Enrol *Enroller
	// Devices is the number of simulated devices (default 10).
	Devices int
	// Encounters is the encounters each device records (default 100).
	Encounters int
	// Edits is the draft saves per encounter before it is finalised, as
	// the officer fills fields in (default 3).
	Edits int
	// SyncEvery is the encounters a device records between syncs, as on a
	// day of action. 0 records everything first, then all devices push
	// at the same moment: a load test of the server.
	SyncEvery int
	// Batch is the most entries per push (default: the engine's, 200).
	Batch int
	// Concurrency is how many devices work at once (default: all).
	Concurrency int
	// Latency, Bandwidth and CutProb put a fault proxy between devices and
	// server: latency added to every chunk each way, a limit in bytes per
	// second per direction per connection, and the chance that a
	// connection is cut at a random byte offset.
	Latency   time.Duration
	Bandwidth int
	CutProb   float64
	// CutWithin bounds the byte offset of a cut (default 64 KiB): a cut
	// lands only if that many bytes pass on the connection.
	CutWithin int64
	// Seed makes the content and the faults reproducible (0: 1).
	Seed uint64
	// Dir holds device stores (and the server's, if started here). Empty
	// uses a temporary folder removed afterwards.
	Dir string
	// Deadline bounds each device's syncing (default 5 minutes): a device
	// still failing then gives up and the run is incomplete.
	Deadline time.Duration
	// Log receives progress; nil discards it.
	Log *slog.Logger
}

func (o *Options) defaults() {
	if o.Devices == 0 {
		o.Devices = 10
	}
	if o.Encounters == 0 {
		o.Encounters = 100
	}
	if o.Edits == 0 {
		o.Edits = 3
	}
	if o.Concurrency <= 0 || o.Concurrency > o.Devices {
		o.Concurrency = o.Devices
	}
	if o.CutWithin <= 0 {
		o.CutWithin = 64 << 10
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Deadline == 0 {
		o.Deadline = 5 * time.Minute
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Report is the outcome of a run.
type Report struct {
	Options Options
	// Recorded is how long recording took before syncing began (when
	// SyncEvery is 0; otherwise recording and syncing interleave).
	Recorded time.Duration
	// Pushed is from the start of syncing until the last device had
	// pushed everything (its first pull); Synced until the last device
	// had also pulled everything back. When recording and syncing
	// interleave, both are the whole run.
	Pushed, Synced time.Duration
	// Wire counts every device's traffic.
	Wire Counts
	// SyncFailures counts failed sync attempts, retried.
	SyncFailures int
	// Cuts counts connections the fault proxy cut.
	Cuts int64
	// Incomplete counts devices that gave up or failed; Errors says why.
	Incomplete int
	Errors     []string
	Audit      Audit
}

// Throughput is acknowledged encounters per second of pushing.
func (r Report) Throughput() float64 {
	if r.Pushed <= 0 {
		return 0
	}
	return float64(r.Audit.Acked) / r.Pushed.Seconds()
}

// BytesPerEncounter is the traffic, both ways, per acknowledged encounter.
func (r Report) BytesPerEncounter() float64 {
	if r.Audit.Acked == 0 {
		return 0
	}
	return float64(r.Wire.Up+r.Wire.Down) / float64(r.Audit.Acked)
}

// OK reports whether every device finished and the audit found nothing
// lost, duplicated or altered.
func (r Report) OK() bool { return r.Incomplete == 0 && r.Audit.OK() }

// Verdict is the report in one line: PASS or FAIL, and the figures.
func (r Report) Verdict() string {
	v := "PASS"
	switch {
	case !r.Audit.OK():
		v = "FAIL"
	case r.Incomplete > 0:
		v = "INCOMPLETE"
	}
	p := Percentiles(r.Wire.Pushes)
	return fmt.Sprintf("%s: %d acknowledged, %d lost, %d duplicated, %d altered; %.0f encounters/s; push p50 %v p95 %v p99 %v; %.0f B/encounter; %d sync failures, %d cuts",
		v, r.Audit.Acked, len(r.Audit.Lost), len(r.Audit.Duplicated), len(r.Audit.Altered), r.Throughput(),
		ms(p.P50), ms(p.P95), ms(p.P99), r.BytesPerEncounter(), r.SyncFailures, r.Cuts)
}

// Print writes the report, ending with the verdict line.
func (r Report) Print(w io.Writer) {
	o := r.Options
	fmt.Fprintf(w, "devices %d × %d encounters (%d edits each), batch %d, sync every %d, seed %d\n",
		o.Devices, o.Encounters, o.Edits, o.Batch, o.SyncEvery, o.Seed)
	if o.Latency > 0 || o.Bandwidth > 0 || o.CutProb > 0 {
		fmt.Fprintf(w, "faults: latency %v, bandwidth %d B/s, cut probability %.2f\n", o.Latency, o.Bandwidth, o.CutProb)
	}
	if r.Recorded > 0 {
		fmt.Fprintf(w, "recorded in %v, then every device synced at once\n", r.Recorded.Round(time.Millisecond))
	}
	if r.Recorded > 0 {
		fmt.Fprintf(w, "pushed in %v (%.0f encounters/s); synced, with pulling everything back, in %v\n",
			r.Pushed.Round(time.Millisecond), r.Throughput(), r.Synced.Round(time.Millisecond))
	} else {
		fmt.Fprintf(w, "recorded and synced as they went in %v (%.0f encounters/s, recording included)\n",
			r.Synced.Round(time.Millisecond), r.Throughput())
	}
	p := Percentiles(r.Wire.Pushes)
	fmt.Fprintf(w, "push latency p50 %v, p95 %v, p99 %v, max %v over %d pushes\n", ms(p.P50), ms(p.P95), ms(p.P99), ms(p.Max), p.N)
	fmt.Fprintf(w, "wire: %d B up, %d B down, %.0f B per encounter; requests %v, failed %d\n",
		r.Wire.Up, r.Wire.Down, r.BytesPerEncounter(), r.Wire.Requests, r.Wire.Failed)
	fmt.Fprintf(w, "errors: %d sync attempts failed and were retried, %d connections cut, %d devices incomplete\n",
		r.SyncFailures, r.Cuts, r.Incomplete)
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  %s\n", e)
	}
	fmt.Fprintf(w, "audit: %s\n", r.Audit)
	fmt.Fprintln(w, r.Verdict())
}

// Stats are percentiles of a set of durations.
type Stats struct {
	N                  int
	P50, P95, P99, Max time.Duration
}

// Percentiles sorts a copy of ds and picks the nearest-rank percentiles.
func Percentiles(ds []time.Duration) Stats {
	if len(ds) == 0 {
		return Stats{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) time.Duration {
		i := int(p*float64(len(s))+0.999999) - 1
		return s[min(max(i, 0), len(s)-1)]
	}
	return Stats{N: len(s), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: s[len(s)-1]}
}

// ms rounds d for printing.
func ms(d time.Duration) time.Duration {
	if d > 10*time.Millisecond {
		return d.Round(time.Millisecond)
	}
	return d.Round(10 * time.Microsecond)
}

// Run simulates opts.Devices devices recording and syncing against the
// server, then audits the server. The error reports a failure to run at
// all; what went wrong during the run is in the Report.
func Run(ctx context.Context, opts Options) (Report, error) {
	opts.defaults()
	rep := Report{Options: opts}
	dir := opts.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "waymark-sim-")
		if err != nil {
			return rep, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	target, enrol := opts.Server, opts.Enrol
	if target == "" && opts.Postgres != "" {
		rs, err := StartReplicas(opts.Postgres, max(opts.Replicas, 3))
		if err != nil {
			return rep, fmt.Errorf("start replicas: %w", err)
		}
		defer rs.Close()
		target, enrol = rs.Balancer.URL(), rs.Enroller()
	}
	if target == "" {
		ls, err := StartServer(filepath.Join(dir, "server"))
		if err != nil {
			return rep, fmt.Errorf("start server: %w", err)
		}
		defer ls.Close()
		target, enrol = ls.URL, EnrollerFor(ls)
	}
	if enrol == nil {
		return rep, errors.New("a simulation against a server of its own needs an Enroller")
	}
	auditor, err := enrol.Auditor(ctx)
	if err != nil {
		return rep, fmt.Errorf("enrol the auditor: %w", err)
	}
	devURL := target
	var cuts func() int64
	if opts.Latency > 0 || opts.Bandwidth > 0 || opts.CutProb > 0 {
		u, err := url.Parse(target)
		if err != nil {
			return rep, fmt.Errorf("server address: %w", err)
		}
		p, err := faultproxy.New(u.Host)
		if err != nil {
			return rep, err
		}
		defer p.Close()
		p.Set(faultproxy.Faults{Latency: opts.Latency, BytesPerSecond: opts.Bandwidth, Cut: RandomCuts(opts.CutProb, opts.CutWithin, opts.Seed)})
		devURL = p.URL()
		cuts = p.Cuts
	}

	var (
		mu       sync.Mutex // guards rep and held
		held     []Held
		wg       sync.WaitGroup
		slots    = make(chan struct{}, opts.Concurrency)
		recorded sync.WaitGroup
		start    = make(chan struct{}) // closed when every device has recorded
		barrier  = opts.SyncEvery == 0 && opts.Concurrency == opts.Devices
	)
	recorded.Add(opts.Devices)
	began := time.Now()
	var syncStart time.Time
	go func() {
		recorded.Wait()
		mu.Lock()
		syncStart = time.Now()
		mu.Unlock()
		close(start)
	}()
	for i := range opts.Devices {
		wg.Add(1)
		go func() {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			h, counts, failures, err := runDevice(ctx, opts, enrol, i, filepath.Join(dir, fmt.Sprintf("device-%03d", i)), devURL, &recorded, barrier, start)
			mu.Lock()
			defer mu.Unlock()
			rep.Wire.Add(counts)
			rep.SyncFailures += failures
			if err != nil {
				rep.Incomplete++
				if len(rep.Errors) < 10 {
					rep.Errors = append(rep.Errors, fmt.Sprintf("device %d: %v", i, err))
				}
			}
			if h.Device != [16]byte{} {
				held = append(held, h)
			}
		}()
	}
	wg.Wait()
	end := time.Now()
	<-start
	if barrier {
		rep.Recorded = syncStart.Sub(began)
	} else {
		syncStart = began
	}
	rep.Synced = end.Sub(syncStart)
	rep.Pushed = rep.Synced
	if barrier && rep.Wire.FirstPull.After(syncStart) {
		rep.Pushed = rep.Wire.FirstPull.Sub(syncStart)
	}

	if cuts != nil {
		rep.Cuts = cuts()
	}
	ops, err := PullAll(ctx, target, auditor)
	if err != nil {
		return rep, fmt.Errorf("audit: %w", err)
	}
	rep.Audit = Compare(ops, held, opts.Server == "")
	return rep, nil
}

// runDevice is one device's day: record, sync, and say what it holds.
func runDevice(ctx context.Context, opts Options, enrol *Enroller, i int, dir, server string, recorded *sync.WaitGroup, barrier bool, start <-chan struct{}) (Held, Counts, int, error) {
	done := sync.OnceFunc(recorded.Done)
	defer done()
	key := make([]byte, 32)
	rand.Read(key)
	d, err := OpenDevice(ctx, DeviceOptions{Dir: dir, Key: key, Server: server, Batch: opts.Batch, Seed: opts.Seed*1000 + uint64(i), Enrol: enrol, Officer: i})
	if err != nil {
		return Held{}, Counts{}, 0, err
	}
	defer d.Close()
	failures := 0
	left := opts.Encounters
	var ferr error
	for left > 0 {
		n := left
		if opts.SyncEvery > 0 {
			n = min(left, opts.SyncEvery)
		}
		if _, err := d.Record(ctx, n, opts.Edits); err != nil {
			ferr = fmt.Errorf("record: %w", err)
			break
		}
		left -= n
		if left == 0 {
			break
		}
		if err := d.Engine.SyncOnce(ctx); err != nil {
			failures++
		}
	}
	done()
	if barrier {
		<-start
		d.Meter.Reset()
	}
	if ferr == nil {
		sctx, cancel := context.WithTimeout(ctx, opts.Deadline)
		n, err := d.Sync(sctx)
		cancel()
		failures += n
		ferr = err
	}
	h, err := d.Holdings(ctx)
	if err != nil {
		return Held{}, d.Meter.Counts(), failures, errors.Join(ferr, err)
	}
	opts.Log.Debug("device done", "device", i, "acked", len(h.Acked), "queued", len(h.Queued), "failures", failures)
	return h, d.Meter.Counts(), failures, ferr
}

// RandomCuts returns a faultproxy Cut function that cuts each new
// connection with probability p, in one direction chosen at random, at a
// byte offset uniform in [0, within). The sequence follows seed.
func RandomCuts(p float64, within int64, seed uint64) func() (int64, int64) {
	if p <= 0 {
		return nil
	}
	var mu sync.Mutex
	rng := mrand.New(mrand.NewPCG(seed, 0xc075))
	return func() (int64, int64) {
		mu.Lock()
		defer mu.Unlock()
		if rng.Float64() >= p {
			return -1, -1
		}
		at := rng.Int64N(within)
		if rng.IntN(2) == 0 {
			return at, -1
		}
		return -1, at
	}
}
