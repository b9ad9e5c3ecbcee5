package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/sim"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

// memCredentials keeps a load device's credential in memory: the load
// devices have no store.
type memCredentials struct {
	id uuid.UUID
	b  []byte
}

func (m *memCredentials) DeviceID() uuid.UUID                              { return m.id }
func (m *memCredentials) SaveCredential(_ context.Context, b []byte) error { m.b = b; return nil }
func (m *memCredentials) Credential(context.Context) ([]byte, error) {
	if m.b == nil {
		return nil, store.ErrNotEnrolled
	}
	return m.b, nil
}

// load has devices push at the same moment to a fresh server, each over
// connections of its own (a TLS handshake each, inside the timing), in
// batches of 10 entries, and times every push. Every device enrols first.
// The requests are encoded and signed before the clock starts, from real
// encounter documents, so that the figures are the server's and the
// network's, not the cost of 200 device stores sharing this machine's CPUs
// (see simulate for that).
func (b *bench) load(ctx context.Context, devices, perDevice int) error {
	const batch = 10
	srv, err := b.startServer(ctx)
	if err != nil {
		return err
	}
	defer srv.stop()
	_, idle, _ := srv.rss()

	type device struct {
		id       uuid.UUID
		cred     *client.Credential
		requests [][]byte
		sigs     []string // each request's Authorization, signed before the clock starts
	}
	devs := make([]device, devices)
	// Every device enrols first, two at a time (the key derivation is
	// memory-hard), as a supervisor's box of phones would.
	b.t.logf("bench: enrolling %d devices…", devices)
	var enrolErr error
	var emu sync.Mutex
	var ewg sync.WaitGroup
	slots := make(chan struct{}, 2)
	for i := range devs {
		devs[i].id = uuid.New()
		ewg.Add(1)
		go func() {
			defer ewg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			cred, err := srv.enrol.Device(ctx, &memCredentials{id: devs[i].id}, i)
			emu.Lock()
			defer emu.Unlock()
			if err != nil && enrolErr == nil {
				enrolErr = err
			}
			devs[i].cred = cred
		}()
	}
	ewg.Wait()
	if enrolErr != nil {
		return enrolErr
	}
	for i := range devs {
		var entries []wire.Entry
		for seq := 1; seq <= perDevice; seq++ {
			r, err := encounter.New(devs[i].id, time.Now().Add(-time.Hour))
			if err != nil {
				return err
			}
			r.Officer = devs[i].cred.Officer()
			r.Premises = encounter.Premises{Name: fmt.Sprintf("Example Premises %d-%d", i, seq), Address: "1 Example Street, Testtown", Business: encounter.Businesses[seq%len(encounter.Businesses)]}
			r.PeoplePresent = seq % 9
			r.Notes = "Workers sleeping on site; manager answered for them; cash only; no protective equipment."
			r.FinalisedAt = time.Now()
			doc, err := r.Document()
			if err != nil {
				return err
			}
			// Signed as the phone signs a record it finalises.
			seal, err := evidence.Sign(devs[i].cred, evidence.KindEncounter, doc)
			if err != nil {
				return err
			}
			entries = append(entries, wire.Entry{Seq: uint64(seq), ID: r.ID, Kind: wire.KindEncounter, Body: doc, Sig: seal.Sig})
			if len(entries) == batch || seq == perDevice {
				body, err := wire.EncodeGzip(wire.PushRequest{Entries: entries})
				if err != nil {
					return err
				}
				// Signed now, on this machine's shared CPUs, as each phone
				// would sign on its own: the figures are the server's.
				sig, err := auth.Sign(devs[i].cred, http.MethodPost, wire.PathPush, time.Now(), body)
				if err != nil {
					return err
				}
				devs[i].requests = append(devs[i].requests, body)
				devs[i].sigs = append(devs[i].sigs, sig)
				entries = nil
			}
		}
	}

	var (
		mu      sync.Mutex
		times   []time.Duration
		errs    int
		wg      sync.WaitGroup
		start   = make(chan struct{})
		acked   = make([]uint64, devices)
		upBytes int64
		why     = map[string]int{} // failed pushes by what failed
		retries atomic.Int64
	)
	for i, d := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 1, TLSClientConfig: client.PinnedTLS(d.cred.Pin)}}
			<-start
			for k, body := range d.requests {
				t0 := time.Now()
				ack, err := push(ctx, c, srv.url, d.sigs[k], body)
				// A push refused for load is sent again after the wait
				// the server asks for, signed afresh, up to three times,
				// as the engine does; its time counts from the first try.
				for try := 0; try < 3 && isBusy(err); try++ {
					time.Sleep(err.(*busyError).wait)
					sig, serr := auth.Sign(d.cred, http.MethodPost, wire.PathPush, time.Now(), body)
					if serr != nil {
						err = serr
						break
					}
					retries.Add(1)
					ack, err = push(ctx, c, srv.url, sig, body)
				}
				took := time.Since(t0)
				mu.Lock()
				if err != nil {
					errs++
					why[failure(err)]++
				} else {
					times = append(times, took)
					acked[i] = ack
					upBytes += int64(len(body))
				}
				mu.Unlock()
			}
		}()
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	took := time.Since(t0)

	total := devices * perDevice
	short := 0
	for _, a := range acked {
		if a != uint64(perDevice) {
			short++
		}
	}
	auditor, err := srv.enrol.Auditor(ctx)
	if err != nil {
		return err
	}
	ops, err := sim.PullAll(ctx, srv.url, auditor)
	if err != nil {
		return err
	}
	seen := map[uuid.UUID]int{}
	dups := 0
	for _, op := range ops {
		if seen[op.ID]++; seen[op.ID] == 2 {
			dups++
		}
	}
	p := sim.Percentiles(times)
	// The ambitions: 250 ms for 200 devices, 500 ms for 1,000.
	limit := 250 * time.Millisecond
	if devices >= 1000 {
		limit = 500 * time.Millisecond
	}
	b.t.goal(fmt.Sprintf("%d devices pushing at once to the server (TLS, signed): p50 / p95 / p99", devices),
		fmt.Sprintf("%s / %s / %s (%d pushes of %d, max %s)", ms(p.P50), ms(p.P95), ms(p.P99), p.N, batch, ms(p.Max)),
		fmt.Sprintf("p99 ≤ %d ms", limit.Milliseconds()), p.P99 <= limit)
	b.t.add("  server push throughput", fmt.Sprintf("%.0f encounters/s (%d in %v; %.0f B per encounter up, gzip)",
		float64(total)/took.Seconds(), total, took.Round(time.Millisecond), float64(upBytes)/float64(total)))
	b.record(fmt.Sprintf("%d devices at once (batches of %d): push p50 / p99", devices, batch), fmt.Sprintf("%s / %s", ms(p.P50), ms(p.P99)), fmt.Sprintf("p99 ≤ %d ms", limit.Milliseconds()))
	b.record(fmt.Sprintf("%d devices at once: encounters/s stored", devices), fmt.Sprintf("%.0f", float64(total)/took.Seconds()), "")
	b.record(fmt.Sprintf("%d devices at once: lost / duplicated", devices), fmt.Sprintf("%d / %d (%d failed pushes%s; %d retried after 429)", total-len(seen), dups, errs, reasons(why), retries.Load()), "0 / 0")
	b.t.goal("  lost / duplicated after the load", fmt.Sprintf("%d lost, %d duplicated (%d stored of %d; %d failed pushes, %d devices short of their ack)",
		total-len(seen), dups, len(seen), total, errs, short), "0 / 0", len(seen) == total && dups == 0 && short == 0)
	if now, peak, ok := srv.rss(); ok {
		b.serverRSS = append(b.serverRSS, fmt.Sprintf("%.0f MiB idle at start; %.0f MiB after, %.0f MiB peak, with %d devices at once", idle, now, peak, devices))
		b.t.add("server RSS (a real waymark-server process)", b.serverRSS[len(b.serverRSS)-1])
	} else {
		b.t.add("server RSS", "not measured: the server ran in this process (no --server-bin)")
	}
	return nil
}

// push sends one encoded push request with its signature and returns the
// ack.
func push(ctx context.Context, c *http.Client, server, sig string, body []byte) (uint64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, server+wire.PathPush, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", wire.Gzip)
	req.Header.Set(wire.VersionHeader, strconv.Itoa(wire.Version))
	req.Header.Set(auth.Header, sig)
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var pr wire.PushResponse
	if resp.StatusCode == http.StatusTooManyRequests {
		if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && n > 0 && n <= 5 {
			return 0, &busyError{wait: time.Duration(n) * time.Second}
		}
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("push: HTTP %s", resp.Status)
	}
	if err := wire.DecodeResponse(resp.Body, resp.Header.Get("Content-Encoding"), &pr); err != nil {
		return 0, err
	}
	return pr.Ack, nil
}

// busyError is a push refused for load (429) with a Retry-After short
// enough for the engine to wait out.
type busyError struct{ wait time.Duration }

func (e *busyError) Error() string { return fmt.Sprintf("push: HTTP 429, retry after %v", e.wait) }

func isBusy(err error) bool {
	_, ok := err.(*busyError)
	return ok
}

// failure names what failed, for the table: the HTTP status, or the
// kind of transport error (never a body: there is none in these errors).
func failure(err error) string {
	var ne net.Error
	switch {
	case isBusy(err):
		return "429 after 3 retries"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case strings.HasPrefix(err.Error(), "push: HTTP "):
		return strings.TrimPrefix(err.Error(), "push: ")
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:] // the cause, without the address
	}
	return "connection: " + msg
}

// reasons lists failures by kind, most first.
func reasons(why map[string]int) string {
	if len(why) == 0 {
		return ""
	}
	keys := make([]string, 0, len(why))
	for k := range why {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return why[keys[i]] > why[keys[j]] })
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", why[k], k))
	}
	return ": " + strings.Join(parts, ", ")
}

// simulate runs the day-of-action simulation with real devices (a store
// and an engine each, all in this process) against a server process:
// every device records, then all sync at once, pushing and pulling
// everything back.
func (b *bench) simulate(ctx context.Context, devices int) error {
	srv, err := b.startServer(ctx)
	if err != nil {
		return err
	}
	defer srv.stop()
	rep, err := sim.Run(ctx, sim.Options{Server: srv.url, Enrol: srv.enrol, Devices: devices, Encounters: 10, Edits: 2, Batch: 10, Dir: b.fresh("sim")})
	if err != nil {
		return err
	}
	p := sim.Percentiles(rep.Wire.Pushes)
	b.t.add(fmt.Sprintf("%d real devices (store + engine each, this process) at once: push p50 / p99", devices),
		fmt.Sprintf("%s / %s; pushed %.0f encounters/s; all pulled back in %v", ms(p.P50), ms(p.P99), rep.Throughput(), rep.Synced.Round(time.Millisecond)))
	b.t.goal("  lost / duplicated (audit)", fmt.Sprintf("%d lost, %d duplicated, %d altered of %d", len(rep.Audit.Lost), len(rep.Audit.Duplicated), len(rep.Audit.Altered), rep.Audit.Acked),
		"0 / 0", rep.OK())
	return nil
}
