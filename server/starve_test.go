package server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

// largeBody is a finalised record of d's with notes of size bytes,
// random (so that no compression makes them small).
func largeBody(d testDevice, id uuid.UUID, size int) []byte {
	notes := make([]byte, size*3/4)
	rand.Read(notes)
	r := encounter.Record{
		ID: id, Schema: encounter.Schema, Device: d.id(), Officer: d.officer(),
		Premises:   encounter.Premises{Name: "Large", Business: encounter.Farm},
		OccurredAt: t0, CreatedAt: t0, UpdatedAt: t0, FinalisedAt: t0,
		Notes: base64.StdEncoding.EncodeToString(notes),
	}
	b, _ := r.Document()
	return b
}

// heapInUse is the heap in use after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// TestUnreadPullsHoldLittleMemory is the regression test of the pulls
// that took a server from 0.5 to 6.1 GB: four pulls of every large
// record, whose answers are never read. Each page is bounded in bytes
// and streamed, so what the server holds for them is a few pages at
// most, whatever the records add up to.
func TestUnreadPullsHoldLittleMemory(t *testing.T) {
	s, hs := newServer(t, Options{Dir: t.TempDir()})
	writer := enrolDevice(t, s, account("north", ""))
	reader := enrolDevice(t, s, account("north", ""))
	const n, size = 160, 256 << 10 // 40 MiB of records
	for batch := 0; batch < n; batch += 40 {
		var es []wire.Entry
		for i := batch; i < batch+40; i++ {
			id := uuid.Must(uuid.NewV7())
			es = append(es, wire.Entry{Seq: uint64(i + 1), ID: id, Kind: wire.KindEncounter, Body: largeBody(writer, id, size)})
		}
		var resp wire.PushResponse
		if code, raw := post(t, hs, writer, wire.PathPush, wire.PushRequest{Entries: es}, &resp); code != 200 || len(resp.Rejected) > 0 {
			t.Fatalf("push: %d %.200s", code, raw)
		}
	}
	before := heapInUse()
	addr := strings.TrimPrefix(hs.URL, "http://")
	var conns []net.Conn
	for range 4 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// The smallest receive buffer: the server's writes block soon.
		c.(*net.TCPConn).SetReadBuffer(4096)
		body := []byte(`{"since":0,"limit":1000}`)
		h, _ := auth.Sign(reader.key, http.MethodPost, wire.PathPull, time.Now(), body)
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: x\r\nWaymark-Protocol: %d\r\nContent-Length: %d\r\nAuthorization: %s\r\n\r\n%s",
			wire.PathPull, wire.Version, len(body), h, body)
		conns = append(conns, c)
	}
	time.Sleep(time.Second) // the handlers write until the connections block
	held := int64(heapInUse()) - int64(before)
	t.Logf("heap: %d MiB before, %+d MiB held for 4 unread pulls of %d MiB of records", before>>20, held>>20, n*size>>20)
	// Before pages were bounded and streamed, each pull built the whole
	// answer: 4 × 40 MiB and more. Now: a page is at most 4 MiB, and
	// only a record at a time of it is in memory.
	if held > 24<<20 {
		t.Errorf("4 unread pulls hold %d MiB", held>>20)
	}
	// A pull that is read gets a page bounded in bytes, and the rest
	// after it.
	var pr wire.PullResponse
	code, raw := post(t, hs, reader, wire.PathPull, wire.PullRequest{Limit: 1000}, &pr)
	if code != 200 || !pr.More || len(raw) > wire.MaxPullBytes+64<<10 || len(pr.Ops) >= n {
		t.Errorf("page: %d, %d ops, %d bytes, more %v", code, len(pr.Ops), len(raw), pr.More)
	}
}

// diskUse is the disk blocks the files under dir take.
func diskUse(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Sys().(*syscall.Stat_t).Blocks * 512
			}
		}
		return nil
	})
	return n
}

// TestConflictFloodBoundedDisk is the regression test of the ten pushes
// of conflicting entries that grew a store by 313 MB: each entry kept
// aside counts against the device's quota; past it the push is answered
// aside_full, the alert is logged once, and the store stops growing.
func TestConflictFloodBoundedDisk(t *testing.T) {
	dir := t.TempDir()
	s, hs := newServer(t, Options{Dir: dir, Limits: Limits{AsideEntries: 100, AsideBytes: 4 << 20}})
	d := enrolDevice(t, s, account("north", ""))
	id := uuid.Must(uuid.NewV7())
	var resp wire.PushResponse
	post(t, hs, d, wire.PathPush, wire.PushRequest{Entries: []wire.Entry{{Seq: 1, ID: id, Kind: wire.KindEncounter, Body: largeBody(d, id, 10)}}}, &resp)
	before := diskUse(dir)
	seq := uint64(1)
	var sent int64
	var last int
	for p := range 10 {
		var es []wire.Entry
		for i := range 500 {
			es = append(es, wire.Entry{Seq: seq + uint64(i) + 1, ID: id, Kind: wire.KindEncounter,
				Body: largeBody(d, id, 14<<10)}) // each a different body: a conflict
		}
		b, _ := wire.EncodeGzip(signEntries(d, wire.PushRequest{Entries: es}))
		sent += int64(len(b))
		var r wire.PushResponse
		code, raw := post(t, hs, d, wire.PathPush, wire.PushRequest{Entries: es}, &r)
		last = code
		if code == 200 {
			seq = r.Ack
		} else if !bytes.Contains(raw, []byte(wire.CodeAsideFull)) {
			t.Fatalf("push %d: %d %s", p, code, raw)
		}
	}
	s.Close() // everything on disk
	grew := diskUse(dir) - before
	t.Logf("10 pushes, %d KiB of gzip: store grew %d MiB", sent>>10, grew>>20)
	if last != http.StatusInsufficientStorage {
		t.Errorf("last push answered %d, want 507", last)
	}
	st, err := s.Stats(context.Background())
	if err == nil && st.Aside > 100 {
		t.Errorf("%d entries kept aside, quota 100", st.Aside)
	}
	if grew > 16<<20 {
		t.Errorf("the store grew by %d MiB under the flood", grew>>20)
	}
	alerts := 0
	s2, err := Open(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	s2.chain.Events(context.Background(), 1, func(ev Event, _ string) error {
		if ev.Type == EventQuota {
			alerts++
		}
		return nil
	})
	if alerts != 1 {
		t.Errorf("%d quota alerts in the log, want 1", alerts)
	}
}

// TestRetryAfter: refusals for load say how long to wait.
func TestRetryAfter(t *testing.T) {
	s, hs := newServer(t, Options{Limits: Limits{DeviceRate: 1, DeviceBurst: 2}})
	d := enrolDevice(t, s, account("north", ""))
	var codes []string
	for range 4 {
		b := []byte(`{}`)
		req, _ := http.NewRequest(http.MethodPost, hs.URL+wire.PathPull, bytes.NewReader(b))
		req.Header.Set(wire.VersionHeader, strconv.Itoa(wire.Version))
		h, _ := auth.Sign(d.key, http.MethodPost, wire.PathPull, time.Now(), b)
		req.Header.Set(auth.Header, h)
		res, err := hs.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		codes = append(codes, res.Status+" "+res.Header.Get("Retry-After"))
	}
	if !strings.HasPrefix(codes[3], "429") || strings.HasSuffix(codes[3], " ") {
		t.Errorf("answers %q: the last should be 429 with Retry-After", codes)
	}
}
