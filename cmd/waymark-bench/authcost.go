package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"time"

	srvpkg "github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/sim"
	"github.com/waymark-app/waymark/sync/wire"
)

// authCost measures what authentication costs a sync. The same outbox of
// n encounters (one device's store, copied byte for byte) is pushed
//
//   - signed: by the enrolled device over TLS pinned to the server's key,
//     every request signed and checked (signature, nonce, device, account,
//     identity of every entry), to the server's real handler; and
//   - unsigned: over plain HTTP, with no Authorization header, to a
//     handler that takes the device's word for who it is, as protocol 1
//     did, and calls the same server code (Server.Push) to store it.
//
// Both servers run in this process on stores on disk with synced writes,
// alternately, three times each, each on a fresh store; push throughput is
// the encounters over the time until the engine's first pull, and the
// medians are compared.
func (b *bench) authCost(ctx context.Context, n int) error {
	key := newKey()
	orig := b.fresh("auth-device")
	d, err := b.offlineDevice(ctx, orig, key, 6)
	if err != nil {
		return err
	}
	b.t.logf("bench: recording %d encounters for the authentication cost…", n)
	if _, err := d.Record(ctx, n, 1); err != nil {
		return err
	}
	device, officer, pub := d.Store.DeviceID(), d.Credential.Account, d.Credential.Public()
	d.Close()

	var signed, unsigned []float64
	for round := range 3 {
		for _, sign := range []bool{true, false} {
			dir := b.fresh("auth-copy")
			if err := copyDir(orig, dir); err != nil {
				return err
			}
			var rate float64
			if sign {
				rate, err = b.pushSigned(ctx, dir, key)
				signed = append(signed, rate)
			} else {
				acc := srvpkg.Account{ID: officer.ID, Name: officer.Name, Number: officer.Number, Agency: officer.Agency, Team: officer.Team, Roles: officer.Roles}
				rate, err = b.pushUnsigned(ctx, dir, key, srvpkg.Principal{Device: device, Account: acc, Key: pub})
				unsigned = append(unsigned, rate)
			}
			if err != nil {
				return fmt.Errorf("round %d: %w", round, err)
			}
		}
	}
	ms, mu := median(signed), median(unsigned)
	ratio := ms / mu
	b.t.goal(fmt.Sprintf("push with authentication ÷ without, same %d encounters (median of 3 each)", n),
		fmt.Sprintf("%.2f× (signed over TLS %.0f/s; unsigned plain HTTP %.0f/s; runs %s vs %s)", ratio, ms, mu, rates(signed), rates(unsigned)),
		"≥ 0.9×", ratio >= 0.9)
	return nil
}

// pushSigned pushes the device store in dir to a fresh server over TLS,
// enrolled and signing, and returns encounters per second of pushing.
func (b *bench) pushSigned(ctx context.Context, dir string, key []byte) (float64, error) {
	srv, err := servertest.Start(servertest.Options{Dir: b.fresh("auth-server"), Key: newKey()})
	if err != nil {
		return 0, err
	}
	defer srv.Close()
	s := &server{url: srv.URL, local: srv, enrol: sim.EnrollerFor(srv)}
	if err := reenrol(ctx, dir, key, s); err != nil {
		return 0, err
	}
	d, err := sim.OpenDevice(ctx, sim.DeviceOptions{Dir: dir, Key: key, Seed: 7})
	if err != nil {
		return 0, err
	}
	defer d.Close()
	return timePush(ctx, d)
}

// pushUnsigned pushes the device store in dir, unsigned over plain HTTP,
// to a fresh server whose handler stores what it is sent as p's.
func (b *bench) pushUnsigned(ctx context.Context, dir string, key []byte, p srvpkg.Principal) (float64, error) {
	srv, err := srvpkg.Open(srvpkg.Options{Dir: b.fresh("noauth-server"), Key: newKey()})
	if err != nil {
		return 0, err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	hs := &http.Server{Handler: unsignedHandler(srv, p), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	d, err := sim.OpenDevice(ctx, sim.DeviceOptions{Dir: dir, Key: key, Seed: 7, Server: "http://" + ln.Addr().String(), Unsigned: true})
	if err != nil {
		return 0, err
	}
	defer d.Close()
	return timePush(ctx, d)
}

// unsignedHandler serves pushes as protocol 1 did: no signature, the
// device taken at its word (here, p); pulls answer that nothing is new.
// It reads, decodes and answers as the real handler does.
func unsignedHandler(srv *srvpkg.Server, p srvpkg.Principal) http.Handler {
	mux := http.NewServeMux()
	answer := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", wire.Gzip)
		zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		json.NewEncoder(zw).Encode(v)
		zw.Close()
	}
	mux.HandleFunc("POST "+wire.PathPush, func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wire.MaxRequestBytes))
		var req wire.PushRequest
		if err == nil {
			err = wire.Decode(bytes.NewReader(body), r.Header.Get("Content-Encoding"), &req)
		}
		if err == nil {
			err = req.Validate()
		}
		var resp wire.PushResponse
		if err == nil {
			resp, err = srv.Push(r.Context(), p, &req)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		answer(w, resp)
	})
	mux.HandleFunc("POST "+wire.PathPull, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		answer(w, wire.PullResponse{Ops: []wire.Op{}})
	})
	return mux
}

// timePush syncs d once and returns its outbox's encounters per second
// of pushing (until the first pull).
func timePush(ctx context.Context, d *sim.Device) (float64, error) {
	prog, err := d.Store.Progress(ctx)
	if err != nil {
		return 0, err
	}
	d.Meter.Reset()
	t0 := time.Now()
	if err := d.Engine.SyncOnce(ctx); err != nil {
		return 0, err
	}
	c := d.Meter.Counts()
	if c.FirstPull.IsZero() {
		return 0, errors.New("the sync never pulled")
	}
	after, _ := d.Store.Progress(ctx)
	if after.Queued() != 0 {
		return 0, fmt.Errorf("%d entries still queued after the push", after.Queued())
	}
	return float64(prog.Queued()) / c.FirstPull.Sub(t0).Seconds(), nil
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func rates(xs []float64) string {
	var b bytes.Buffer
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.0f", x)
	}
	return b.String()
}
