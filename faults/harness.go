package faults

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/waymark-app/waymark/sim"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/faultproxy"
)

// The kinds of cycle. Each injects one sort of fault, with randomised
// timing and sizes.
const (
	KindKillDrafts = "kill-device-drafts" // SIGKILL a device process while it saves drafts
	KindKillPush   = "kill-device-push"   // SIGKILL a device process while it records and pushes
	KindKillServer = "kill-server-push"   // SIGKILL (or SIGTERM) and restart the server under pushes
	KindCuts       = "cut-connections"    // cut connections at random byte offsets
	KindSlow       = "slow-link"          // add latency and a bandwidth limit
	KindDiskFull   = "disk-full"          // fill the device's disk under a device process
	// KindKillReplica SIGKILLs one replica of several on PostgreSQL while
	// devices push through the load balancer, and restarts it later.
	KindKillReplica = "kill-replica-push"
)

// Kinds lists every kind of cycle of one server; with replicas
// (Options.Postgres), KindKillReplica runs too.
var Kinds = []string{KindKillDrafts, KindKillPush, KindKillServer, KindCuts, KindSlow, KindDiskFull}

// Options configures Run. Zero values choose the defaults given.
type Options struct {
	// Cycles is how many cycles to run (default 12). With Duration set,
	// cycles run until both are reached.
	Cycles   int
	Duration time.Duration
	// Seed chooses the cycles and their parameters (0: 1).
	Seed uint64
	// Kinds limits the kinds of cycle (default: all). The first cycles
	// run each kind once, in an order the seed shuffles.
	Kinds []string
	// Scale multiplies the work in each cycle (default 1: a few dozen
	// encounters per device).
	Scale float64
	// ServerBin is a waymark-server binary to run as the server. Empty
	// runs this program again in the server role (see IsChild).
	ServerBin string
	// Dir is the work folder. Empty uses a temporary one, removed
	// afterwards unless a cycle failed.
	Dir string
	// Log receives a line per cycle and the children's complaints; nil
	// discards them.
	Log io.Writer
	// Postgres, if set, is the address of an empty PostgreSQL database:
	// Replicas server processes (default 3) run on it, behind a load
	// balancer (the fault proxy), instead of one on the embedded store.
	Postgres string
	Replicas int
}

// Report is the outcome of a run.
type Report struct {
	Seed     uint64
	Cycles   int
	Elapsed  time.Duration
	ByKind   map[string]int
	Failures []Failure
	// Notes are facts worth telling that are not failures, such as a
	// kind of cycle that could not run here.
	Notes []string

	DeviceKills              int // device processes killed
	KillsInSync              int // of those, during a sync (a push, then a pull)
	KillsInPush              int // of those, with entries of the push still unacknowledged
	ServerKills, ServerTerms int // server processes killed (SIGKILL) and stopped (SIGTERM)
	ServerKillsInSync        int // of those, while devices were syncing
	Cuts                     int64
	Audits                   int // audits of the server against the devices
	Acked, OnServer          int // at the last audit
	DraftsChecked            int // draft checks that passed or failed, over all cycles
	ReplicaKills             int // replicas killed while the others served
	DiskFulls                int // writes refused with ErrDiskFull
	DiskRecoveries           int // disk-full cycles where writing resumed once space was freed
	BrimCrashes              int // disks filled past the reserve where the device then died closing
	Dir                      string
}

// Failure is a cycle whose check found a problem.
type Failure struct {
	Cycle    int
	Kind     string
	Problems []string
}

// OK reports whether every cycle passed.
func (r Report) OK() bool { return len(r.Failures) == 0 }

// Print writes the report; its last line is the verdict.
func (r Report) Print(w io.Writer) {
	kinds := make([]string, 0, len(r.ByKind))
	for k, n := range r.ByKind {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	slices.Sort(kinds)
	fmt.Fprintf(w, "cycles: %d in %v (seed %d): %s\n", r.Cycles, r.Elapsed.Round(time.Second), r.Seed, strings.Join(kinds, ", "))
	fmt.Fprintf(w, "device processes killed: %d (%d during a sync, %d of them with the push unfinished); server processes killed: %d with SIGKILL, %d stopped with SIGTERM (%d of them while devices were syncing); connections cut: %d\n",
		r.DeviceKills, r.KillsInSync, r.KillsInPush, r.ServerKills, r.ServerTerms, r.ServerKillsInSync, r.Cuts)
	if r.ReplicaKills > 0 {
		fmt.Fprintf(w, "replicas killed with SIGKILL while the others served: %d\n", r.ReplicaKills)
	}
	fmt.Fprintf(w, "audits: %d (before and after healing each cycle); at the end %d acknowledged records, %d on the server; draft checks: %d\n",
		r.Audits, r.Acked, r.OnServer, r.DraftsChecked)
	fmt.Fprintf(w, "disk full: %d writes refused with ErrDiskFull; writing resumed after space was freed in %d cycles; %d devices died of SIGBUS closing on a disk filled past the reserve, losing nothing\n",
		r.DiskFulls, r.DiskRecoveries, r.BrimCrashes)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	for _, f := range r.Failures {
		fmt.Fprintf(w, "FAILED cycle %d (%s):\n", f.Cycle, f.Kind)
		for _, p := range f.Problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	if r.Dir != "" && !r.OK() {
		fmt.Fprintf(w, "work folder kept: %s\n", r.Dir)
	}
	fmt.Fprintln(w, r.Verdict())
}

// Verdict is the report in one line.
func (r Report) Verdict() string {
	if !r.OK() {
		return fmt.Sprintf("FAIL: %d of %d fault cycles found lost, duplicated or altered records or damaged drafts (seed %d)",
			len(r.Failures), r.Cycles, r.Seed)
	}
	return fmt.Sprintf("PASS: %d fault cycles (seed %d), %d audits: 0 lost, 0 duplicated, 0 altered of %d acknowledged records; %d draft checks intact",
		r.Cycles, r.Seed, r.Audits, r.Acked, r.DraftsChecked)
}

// harness is the state of a run.
type harness struct {
	opts    Options
	rep     *Report
	log     io.Writer
	dir     string
	srv     *serverProc   // the first replica, or the only server
	servers []*serverProc // every replica (srv first)
	proxy   *faultproxy.Proxy
	devices []*device // devices on the ordinary disk
	disk    *device   // the device on a small tmpfs, if one could be mounted
	ballast string
	auditor *client.Credential // a supervisor's device, for the audits
}

// device is one phone: a store folder, its key, and what child processes
// told the harness about it.
type device struct {
	name  string
	dir   string
	key   []byte
	model *model
}

func newDevice(dir, name string) *device {
	key := make([]byte, 32)
	rand.Read(key)
	return &device{name: name, dir: filepath.Join(dir, name), key: key, model: newModel()}
}

// enrol enrols the device's store as simulated officer n.
func (d *device) enrol(ctx context.Context, e *sim.Enroller, n int) error {
	st, err := store.Open(ctx, store.Options{Dir: d.dir, Key: d.key})
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := e.Device(ctx, st, n); err != nil {
		return fmt.Errorf("enrol %s: %w", d.name, err)
	}
	return st.Close()
}

func (d *device) config() childConfig {
	return childConfig{Dir: d.dir, Key: hex.EncodeToString(d.key)}
}

// Run runs fault cycles and reports. The error is for a harness that
// could not run at all; failed cycles are in the Report.
func Run(ctx context.Context, opts Options) (Report, error) {
	if opts.Cycles == 0 {
		opts.Cycles = 12
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	if len(opts.Kinds) == 0 {
		opts.Kinds = Kinds
		if opts.Postgres != "" {
			opts.Kinds = append(slices.Clone(Kinds), KindKillReplica)
		}
	}
	if opts.Postgres != "" && opts.Replicas == 0 {
		opts.Replicas = 3
	}
	if opts.Scale <= 0 {
		opts.Scale = 1
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	rep := &Report{Seed: opts.Seed, ByKind: map[string]int{}}
	h := &harness{opts: opts, rep: rep, log: opts.Log}
	h.dir = opts.Dir
	if h.dir == "" {
		d, err := os.MkdirTemp("", "waymark-faults-")
		if err != nil {
			return *rep, err
		}
		h.dir = d
		defer func() {
			if rep.OK() {
				os.RemoveAll(d)
			}
		}()
	}
	rep.Dir = h.dir
	if err := h.startServers(); err != nil {
		return *rep, err
	}
	defer func() {
		for _, s := range h.servers {
			s.kill()
		}
	}()
	var err error
	if h.proxy, err = faultproxy.New(h.srv.addr); err != nil {
		return *rep, err
	}
	defer h.proxy.Close()
	var addrs []string
	for _, s := range h.servers {
		addrs = append(addrs, s.addr)
	}
	h.proxy.SetTargets(addrs...)
	// Enrol every device with the server, and the auditor, before the
	// first cycle, as a supervisor hands out phones before a day of action.
	enrol := sim.EnrollerOf(h.srv.remote)
	for i := range 3 {
		dev := newDevice(h.dir, fmt.Sprintf("device-%d", i))
		if err := dev.enrol(ctx, enrol, i); err != nil {
			return *rep, err
		}
		h.devices = append(h.devices, dev)
	}
	if h.auditor, err = enrol.Auditor(ctx); err != nil {
		return *rep, err
	}
	if slices.Contains(opts.Kinds, KindDiskFull) {
		unmount, err := h.mountDisk()
		if err != nil {
			rep.Notes = append(rep.Notes, fmt.Sprintf("%s cycles skipped: %v (store tests inject the failure instead)", KindDiskFull, err))
			opts.Kinds = slices.DeleteFunc(slices.Clone(opts.Kinds), func(k string) bool { return k == KindDiskFull })
		} else {
			defer unmount()
		}
	}
	if len(opts.Kinds) == 0 {
		return *rep, errors.New("no kind of cycle can run here")
	}

	start := time.Now()
	order := slices.Clone(opts.Kinds)
	mrand.New(mrand.NewPCG(opts.Seed, 0)).Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
	for i := 0; i < opts.Cycles || time.Since(start) < opts.Duration; i++ {
		if ctx.Err() != nil {
			break
		}
		rng := mrand.New(mrand.NewPCG(opts.Seed, uint64(i)+1))
		kind := order[i%len(order)]
		if i >= len(order) {
			kind = opts.Kinds[rng.IntN(len(opts.Kinds))]
		}
		began := time.Now()
		cctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		note, problems := h.cycle(cctx, kind, rng)
		problems = append(problems, h.verify(cctx, rng)...)
		cancel()
		rep.Cycles++
		rep.ByKind[kind]++
		status := "ok"
		if len(problems) > 0 {
			status = fmt.Sprintf("FAILED: %d problems", len(problems))
			rep.Failures = append(rep.Failures, Failure{Cycle: i, Kind: kind, Problems: problems})
		}
		fmt.Fprintf(h.log, "cycle %d %s (%v): %s; %d acknowledged, %d on server: %s\n",
			i, kind, time.Since(began).Round(time.Millisecond), note, rep.Acked, rep.OnServer, status)
		for _, p := range problems {
			fmt.Fprintf(h.log, "  %s\n", p)
		}
	}
	rep.Elapsed = time.Since(start)
	rep.Cuts = h.proxy.Cuts()
	return *rep, nil
}

// cycle runs one cycle of kind and describes what it did.
func (h *harness) cycle(ctx context.Context, kind string, rng *mrand.Rand) (string, []string) {
	switch kind {
	case KindKillDrafts:
		return h.killDrafts(ctx, rng)
	case KindKillPush:
		return h.killPush(ctx, rng)
	case KindKillServer:
		return h.killServer(ctx, rng)
	case KindCuts:
		return h.cuts(ctx, rng)
	case KindSlow:
		return h.slow(ctx, rng)
	case KindDiskFull:
		return h.diskFull(ctx, rng)
	case KindKillReplica:
		return h.killReplica(ctx, rng)
	}
	return "", []string{"unknown kind " + kind}
}

// scaled returns n scaled by the run's Scale, at least 1.
func (h *harness) scaled(n int) int { return max(1, int(float64(n)*h.opts.Scale)) }

// verify heals the system and audits it: every device's saved drafts are
// intact (the small-disk device is checked by its own cycle), and every
// acknowledged record is on the server once and unaltered; then, with
// faults gone, every device syncs everything and the audit runs again;
// last, the server's own store is inspected.
func (h *harness) verify(ctx context.Context, rng *mrand.Rand) []string {
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	h.proxy.Set(faultproxy.Faults{})
	h.proxy.CutAll()
	for _, s := range h.servers {
		if s.proc == nil {
			if err := s.start(); err != nil {
				return []string{err.Error()}
			}
		}
	}
	all := h.devices
	var open []*sim.Device
	defer func() {
		for _, d := range open {
			d.Close()
		}
	}()
	for _, dev := range all {
		d, err := sim.OpenDevice(ctx, sim.DeviceOptions{Dir: dev.dir, Key: dev.key, Server: h.proxy.URL(), Seed: rng.Uint64()})
		if err != nil {
			fail("%s: reopen store after the cycle: %v", dev.name, err)
			continue
		}
		open = append(open, d)
		ps, n, err := dev.model.check(ctx, d.Store)
		if err != nil {
			fail("%s: check drafts: %v", dev.name, err)
		}
		h.rep.DraftsChecked += n
		for _, p := range ps {
			fail("%s: %s", dev.name, p)
		}
	}
	audit := func(when string, healed bool) {
		var held []sim.Held
		for _, d := range open {
			hd, err := d.Holdings(ctx)
			if err != nil {
				fail("%s audit: holdings: %v", when, err)
				return
			}
			held = append(held, hd)
		}
		ops, err := sim.PullAll(ctx, h.srv.url(), h.auditor)
		if err != nil {
			fail("%s audit: pull from server: %v", when, err)
			return
		}
		a := sim.Compare(ops, held, true)
		h.rep.Audits++
		h.rep.Acked, h.rep.OnServer = a.Acked, a.OnServer
		if !a.OK() {
			fail("%s audit: %s", when, a)
		}
		if healed && a.Queued > 0 {
			fail("%s audit: %d records still queued after a clean sync", when, a.Queued)
		}
	}
	audit("before healing", false)
	for _, d := range open {
		sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		if _, err := d.Sync(sctx); err != nil {
			fail("sync with faults cleared: %v", err)
		}
		cancel()
	}
	audit("after healing", true)
	for _, d := range open {
		d.Close()
	}
	open = nil

	// The server's own view: stop it (gracefully or not; one replica, the
	// others serving on), open its store here, count, and start it again.
	srv := h.servers[rng.IntN(len(h.servers))]
	if rng.IntN(2) == 0 {
		if err := srv.stop(); err != nil {
			fail("server stop: %v", err)
		}
		h.rep.ServerTerms++
	} else {
		srv.kill()
		h.rep.ServerKills++
	}
	st, aside, err := srv.inspect(ctx)
	switch {
	case err != nil:
		fail("inspect server store: %v", err)
	case st.Records != h.rep.OnServer:
		fail("server store holds %d records but served %d", st.Records, h.rep.OnServer)
	case len(aside) > 0:
		fail("server kept %d entries aside, first %s seq %d (%s): no device ever sent conflicting content", len(aside), aside[0].ID, aside[0].Seq, aside[0].Code)
	}
	if err := srv.start(); err != nil {
		fail("%v", err)
	}
	return problems
}

// startServers starts the server, or the replicas: the first initialises
// its data folder (and the database), and the others get copies of its
// configuration, certificate and store key, as an operator deploys them
// (docs/operations.md), so that devices see one server.
func (h *harness) startServers() error {
	n := max(1, h.opts.Replicas)
	for i := range n {
		s, err := newServerProc(h.opts.ServerBin, filepath.Join(h.dir, fmt.Sprintf("server-%d", i)), h.opts.Postgres, h.log)
		if err != nil {
			return err
		}
		if i > 0 {
			for _, f := range []string{"config.json", "server.key", filepath.Join("tls", "cert.pem"), filepath.Join("tls", "key.pem")} {
				if err := copyFile(filepath.Join(h.srv.dir, f), filepath.Join(s.dir, f)); err != nil {
					return fmt.Errorf("replica %d: %w", i, err)
				}
			}
		}
		if err := s.start(); err != nil {
			return err
		}
		h.servers = append(h.servers, s)
		if i == 0 {
			h.srv = s
		}
	}
	return nil
}

// copyFile copies a file of a data folder, mode 0600, making its folder.
func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o600)
}
