package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

// replica is one server process of several on one PostgreSQL database,
// here in this process: its own Server (committer, catalogue, caches)
// and its own HTTP listener.
type replica struct {
	s  *Server
	hs *httptest.Server
}

// startReplicas opens n servers on one new database.
func startReplicas(t *testing.T, n int) ([]replica, string) {
	t.Helper()
	url := newDatabase(t)
	var rs []replica
	for range n {
		rs = append(rs, startReplica(t, url))
	}
	return rs, url
}

// startReplica opens a server on the database at url.
func startReplica(t *testing.T, url string) replica {
	t.Helper()
	s, err := Open(Options{Store: openPostgres(t, url)})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() { hs.Close(); s.Close() })
	return replica{s, hs}
}

// TestReplicas: three replicas serve devices at once on one database.
// Devices push to whichever replica, each push of a device possibly to
// another (a load balancer); a supervisor pulls from whichever replica
// while the pushes go on. Every record is stored once, every pull sees
// cursors with no gap (a change committing late on one replica is never
// skipped), the chain is one and verify passes on each replica, and the
// console's catalogue of each replica holds every encounter.
func TestReplicas(t *testing.T) {
	rs, _ := startReplicas(t, 3)
	const devices, batches, perBatch = 6, 8, 5
	var devs []testDevice
	for i := range devices {
		devs = append(devs, enrolDevice(t, rs[i%3].s, account("north", "")))
	}
	sup := enrolDevice(t, rs[1].s, account("", "", wire.RoleSupervisor))

	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i, d := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 14))
			seq := uint64(0)
			for range batches {
				var entries []wire.Entry
				for range perBatch {
					seq++
					id := uuid.Must(uuid.NewV7())
					entries = append(entries, wire.Entry{Seq: seq, ID: id, Kind: wire.KindEncounter, Body: body(d, id, "Replicated Premises")})
				}
				// The first try to one replica; sometimes the answer is
				// "lost" and the device sends the same push again, to
				// another replica: moving between replicas mid-sync.
				tries := 1 + rng.IntN(2)
				for range tries {
					var resp wire.PushResponse
					code, raw, err := tryPost(rs[rng.IntN(3)].hs, d, wire.PathPush, wire.PushRequest{Entries: entries}, &resp)
					if err != nil || code != http.StatusOK || resp.Ack != seq || len(resp.Rejected) != 0 {
						errs <- fmt.Errorf("device %d push to seq %d: %d %v %s", i, seq, code, err, raw)
						return
					}
				}
			}
		}()
	}
	// The supervisor pulls while the devices push, each page from any
	// replica, from the cursor the last page gave.
	stop := make(chan struct{})
	pulled := map[uuid.UUID]int{}
	var pullErr error
	var pwg sync.WaitGroup
	pwg.Add(1)
	go func() {
		defer pwg.Done()
		rng := rand.New(rand.NewPCG(99, 14))
		var cursor uint64
		pull := func() bool {
			var pr wire.PullResponse
			code, raw, err := tryPost(rs[rng.IntN(3)].hs, sup, wire.PathPull, wire.PullRequest{Since: cursor, Limit: 7}, &pr)
			if err != nil || code != http.StatusOK {
				pullErr = fmt.Errorf("pull: %d %v %s", code, err, raw)
				return false
			}
			for _, op := range pr.Ops {
				if op.Cursor != cursor+1 {
					pullErr = fmt.Errorf("pull from %d returned cursor %d: cursors %d to %d were skipped", cursor, op.Cursor, cursor+1, op.Cursor-1)
					return false
				}
				cursor = op.Cursor
				pulled[op.ID]++
			}
			cursor = pr.Cursor
			return pr.More
		}
		for {
			select {
			case <-stop:
				for pull() {
				}
				return
			default:
				pull()
			}
			if pullErr != nil {
				return
			}
		}
	}()
	wg.Wait()
	close(stop)
	pwg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if pullErr != nil {
		t.Fatal(pullErr)
	}
	total := devices * batches * perBatch
	if len(pulled) != total {
		t.Fatalf("the supervisor pulled %d records, want %d", len(pulled), total)
	}
	for id, n := range pulled {
		if n != 1 {
			t.Fatalf("record %s pulled %d times", id, n)
		}
	}
	ctx := context.Background()
	var heads []Head
	for i, r := range rs {
		st, err := r.s.Stats(ctx)
		if err != nil || st.Records != total || st.Aside != 0 {
			t.Fatalf("replica %d: %+v %v", i, st, err)
		}
		rep, err := r.s.Verify(ctx)
		if err != nil || !rep.OK() {
			t.Fatalf("verify on replica %d: %v %v", i, rep.Problems, err)
		}
		heads = append(heads, rep.Head)
		if _, n := r.s.Find(Filter{}, 0, 1); n != total {
			t.Errorf("replica %d's catalogue holds %d encounters, want %d", i, n, total)
		}
	}
	if heads[0] != heads[1] || heads[1] != heads[2] {
		t.Errorf("the replicas see different heads: %v", heads)
	}
	// One chain: each stored record logged once, whichever replica took it.
	stored := map[uuid.UUID]int{}
	rs[2].s.chain.Events(ctx, 1, func(ev Event, _ string) error {
		if ev.Type == EventEntryStored {
			stored[ev.Record]++
		}
		return nil
	})
	if len(stored) != total {
		t.Errorf("%d records logged as stored, want %d", len(stored), total)
	}
}

// TestReplayAcrossReplicas: a signed request taken off the wire and sent
// again to another replica (or the same, after a restart) is refused:
// nonces are in the database every replica shares. So a replica that
// restarted accepts requests signed before it started.
func TestReplayAcrossReplicas(t *testing.T) {
	rs, url := startReplicas(t, 2)
	d := enrolDevice(t, rs[0].s, account("north", ""))
	id := uuid.Must(uuid.NewV7())
	b, err := wire.EncodeGzip(signEntries(d, wire.PushRequest{Entries: []wire.Entry{{Seq: 1, ID: id, Kind: wire.KindEncounter, Body: body(d, id, "Replay")}}}))
	if err != nil {
		t.Fatal(err)
	}
	h, err := auth.Sign(d.key, http.MethodPost, wire.PathPush, time.Now(), b)
	if err != nil {
		t.Fatal(err)
	}
	send := func(hs *httptest.Server) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, hs.URL+wire.PathPush, bytes.NewReader(b))
		req.Header.Set(wire.VersionHeader, strconv.Itoa(wire.Version))
		req.Header.Set("Content-Encoding", wire.Gzip)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(auth.Header, h)
		resp, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	// A replica started after the request was signed takes it: it knows
	// the nonces every replica saw.
	time.Sleep(5 * time.Millisecond)
	late := startReplica(t, url)
	if code, raw := send(late.hs); code != http.StatusOK {
		t.Fatalf("first, to a replica started since: %d %s", code, raw)
	}
	for i, r := range append(rs, late) {
		if code, raw := send(r.hs); code != wire.CodeReplayed.HTTPStatus() || !bytes.Contains([]byte(raw), []byte(wire.CodeReplayed)) {
			t.Fatalf("replayed to replica %d: %d %s", i, code, raw)
		}
	}
}
