package client_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/assets"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/faultproxy"
	"github.com/waymark-app/waymark/sync/wire"
)

var ctx = context.Background()

// system is one server over TLS, behind a fault proxy, and the devices
// syncing with it, all in this process.
type system struct {
	t     *testing.T
	srv   *servertest.Server
	proxy *faultproxy.Proxy
	up    bool
}

func newSystem(t *testing.T) *system {
	return newSystemWith(t, servertest.Options{Dir: t.TempDir(), Key: bytes.Repeat([]byte{5}, 32)})
}

func newSystemWith(t *testing.T, o servertest.Options) *system {
	srv, err := servertest.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	sys := &system{t: t, srv: srv, up: true}
	p, err := faultproxy.New(srv.Addr)
	if err != nil {
		t.Fatal(err)
	}
	sys.proxy = p
	t.Cleanup(func() {
		p.Close()
		sys.stop()
	})
	// Every device of a test belongs to the north team: they see each
	// other's records.
	if _, err := srv.AddAccount(ctx, server.Account{ID: "team", Name: "A Example", Number: "PC 101", Agency: "police", Team: "north", Roles: []wire.Role{wire.RoleOfficer}}); err != nil {
		t.Fatal(err)
	}
	return sys
}

func (sys *system) start() {
	if err := sys.srv.Start(); err != nil {
		sys.t.Fatal(err)
	}
	sys.up = true
}

func (sys *system) stop() {
	if sys.up {
		sys.srv.Close()
		sys.up = false
	}
}

type device struct {
	st   *store.Store
	eng  *client.Engine
	cred *client.Credential
}

// device enrols a new device of a new account of the north team (the
// first one is "team"), syncing through the proxy.
func (sys *system) device() *device {
	return sys.deviceOf(sys.newAccount("north", wire.RoleOfficer))
}

var accountN int

func (sys *system) newAccount(team string, roles ...wire.Role) string {
	accountN++
	id := fmt.Sprintf("pc%d", accountN)
	if _, err := sys.srv.AddAccount(ctx, server.Account{ID: id, Name: "Officer " + id, Number: strings.ToUpper(id), Agency: "police", Team: team, Roles: roles}); err != nil {
		sys.t.Fatal(err)
	}
	return id
}

func (sys *system) deviceOf(account string) *device {
	return sys.deviceWith(account, client.Options{BatchEntries: 10})
}

// deviceWith enrols a device of account whose engine has options o.
func (sys *system) deviceWith(account string, o client.Options) *device {
	st, err := store.Open(ctx, store.Options{Dir: sys.t.TempDir(), Key: bytes.Repeat([]byte{9}, 32)})
	if err != nil {
		sys.t.Fatal(err)
	}
	sys.t.Cleanup(func() { st.Close() })
	cred, err := sys.srv.Enrol(ctx, st, account)
	if err != nil {
		sys.t.Fatal(err)
	}
	return &device{st: st, cred: cred, eng: servertest.Engine(st, cred, sys.proxy.URL(), o)}
}

// record finalises n encounters on the device and returns their ids.
func (d *device) record(t *testing.T, n int, label string) []uuid.UUID {
	t.Helper()
	var ids []uuid.UUID
	for i := range n {
		r, err := encounter.New(d.st.DeviceID(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		r.Officer = d.cred.Officer()
		r.Premises = encounter.Premises{Name: fmt.Sprintf("%s premises %d", label, i), Business: encounter.NailBar}
		r.PeoplePresent = i % 5
		if err := d.st.SaveDraft(ctx, r); err != nil {
			t.Fatal(err)
		}
		if _, err := d.st.Finalise(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	return ids
}

// states counts the device's records by state.
func (d *device) states(t *testing.T) map[encounter.State]int {
	t.Helper()
	list, err := d.st.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	m := map[encounter.State]int{}
	for _, r := range list {
		m[r.State]++
	}
	return m
}

// serverRecords pulls everything from the server as a fresh supervisor's
// device would, and fails on any record served twice.
func (sys *system) serverRecords(t *testing.T) map[uuid.UUID]bool {
	t.Helper()
	fresh := sys.deviceOf(sys.newAccount("", wire.RoleSupervisor))
	if err := fresh.eng.SyncOnce(ctx); err != nil {
		t.Fatalf("fresh device sync: %v", err)
	}
	st, err := sys.srv.Server.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := fresh.st.List(ctx)
	got := map[uuid.UUID]bool{}
	for _, r := range list {
		got[r.ID] = true
	}
	if st.Records != len(got) {
		t.Errorf("server holds %d records, a fresh device pulled %d", st.Records, len(got))
	}
	return got
}

func TestIdenticalResend(t *testing.T) {
	sys := newSystem(t)
	a := sys.device()
	ids := a.record(t, 25, "a")

	// The server stores the first batch, but the answer never arrives: the
	// connection is cut 20 bytes into what follows the TLS handshake.
	sys.proxy.Set(faultproxy.Faults{Cut: oneCut(-1, handshakeBytes(t, sys.srv.Addr)+20)})
	err := a.eng.SyncOnce(ctx)
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Kind != client.Unreachable {
		t.Fatalf("sync with the answer cut: %v, want an unreachable error", err)
	}
	if got := a.eng.Status().Queued; got != 25 {
		t.Errorf("queued after a lost answer: %d, want 25", got)
	}
	st, _ := sys.srv.Server.Stats(ctx)
	if st.Records != 10 {
		t.Fatalf("server stored %d records from the cut push, want the first batch of 10", st.Records)
	}

	// The resend is answered as if new; nothing is stored twice.
	sys.proxy.Set(faultproxy.Faults{})
	if err := a.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := a.states(t); got[encounter.Synced] != 25 {
		t.Errorf("device states %v, want 25 synced", got)
	}
	got := sys.serverRecords(t)
	if len(got) != 25 {
		t.Errorf("server holds %d records, want 25", len(got))
	}
	for _, id := range ids {
		if !got[id] {
			t.Errorf("record %s missing from server", id)
		}
	}
	if st := a.eng.Status(); st.Queued != 0 || st.LastError != nil || st.LastSuccess.IsZero() {
		t.Errorf("status after success: %+v", st)
	}
}

// handshakeBytes is how many bytes a server sends a client for a TLS
// handshake, session tickets included: what comes before any answer.
func handshakeBytes(t *testing.T, addr string) int64 {
	t.Helper()
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	cc := &countConn{Conn: raw}
	tc := tls.Client(cc, &tls.Config{InsecureSkipVerify: true})
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	// Tickets follow the server's Finished; read until nothing more comes.
	raw.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	tc.Read(make([]byte, 1))
	return cc.n
}

type countConn struct {
	net.Conn
	n int64
}

func (c *countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n += int64(n)
	return n, err
}

// oneCut cuts the first connection after up and down bytes, then none.
func oneCut(up, down int64) func() (int64, int64) {
	var mu sync.Mutex
	done := false
	return func() (int64, int64) {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return -1, -1
		}
		done = true
		return up, down
	}
}

func TestPushCutHalfway(t *testing.T) {
	sys := newSystem(t)
	a := sys.device()
	a.record(t, 8, "a")
	// Measure a whole push request, then cut the next one in its middle.
	entries, _ := a.st.Pending(ctx, 10, 1<<20)
	if len(entries) != 8 {
		t.Fatalf("%d pending", len(entries))
	}
	req := wire.PushRequest{}
	for _, e := range entries {
		req.Entries = append(req.Entries, wire.Entry{Seq: e.Seq, ID: e.ID, Kind: wire.Kind(e.Kind), Body: e.Body})
	}
	gz, _ := wire.EncodeGzip(req)
	n := int64(len(gz)) // the headers come first, so every cut below is inside the request
	for _, at := range []int64{1, 100, n / 2, n - 10} {
		sys.proxy.Set(faultproxy.Faults{Cut: oneCut(at, -1)})
		if err := a.eng.SyncOnce(ctx); err == nil {
			t.Fatalf("sync succeeded through a connection cut at byte %d", at)
		}
		if st, _ := sys.srv.Server.Stats(ctx); st.Records != 0 {
			t.Fatalf("cut at %d: server stored %d records from a truncated request", at, st.Records)
		}
		if q := a.eng.Status().Queued; q != 8 {
			t.Fatalf("cut at %d: %d queued, want 8", at, q)
		}
	}
	sys.proxy.Set(faultproxy.Faults{})
	if err := a.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(sys.serverRecords(t)); n != 8 {
		t.Errorf("server holds %d records, want 8", n)
	}
	if cuts := sys.proxy.Cuts(); cuts != 4 {
		t.Errorf("proxy cut %d connections, want 4", cuts)
	}
}

func TestServerRestartBetweenPushes(t *testing.T) {
	sys := newSystem(t)
	a := sys.device()
	a.record(t, 12, "before")
	if err := a.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	sys.stop()
	a.record(t, 5, "while down")
	err := a.eng.SyncOnce(ctx)
	var ce *client.Error
	if !errors.As(err, &ce) || ce.Kind != client.Unreachable {
		t.Fatalf("sync with the server down: %v", err)
	}
	if got := a.states(t); got[encounter.Queued] != 5 || got[encounter.Synced] != 12 {
		t.Errorf("states while down: %v", got)
	}
	sys.start()
	a.record(t, 3, "after")
	if err := a.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := a.states(t); got[encounter.Synced] != 20 {
		t.Errorf("states after restart: %v", got)
	}
	if n := len(sys.serverRecords(t)); n != 20 {
		t.Errorf("server holds %d records, want 20", n)
	}
}

func TestTwoDevicesAtOnce(t *testing.T) {
	sys := newSystem(t)
	a, b := sys.device(), sys.device()
	idsA := a.record(t, 40, "a")
	idsB := b.record(t, 40, "b")
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, d := range []*device{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- d.eng.SyncOnce(ctx)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	// A second round brings each the other's records.
	for _, d := range []*device{a, b} {
		if err := d.eng.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if got := d.states(t); got[encounter.Synced] != 80 || len(got) != 1 {
			t.Errorf("device states %v, want 80 synced", got)
		}
	}
	got := sys.serverRecords(t)
	for _, id := range append(idsA, idsB...) {
		if !got[id] {
			t.Errorf("record %s missing", id)
		}
	}
	if len(got) != 80 {
		t.Errorf("server holds %d, want 80", len(got))
	}
}

// TestRunTriggers drives the background loop: a notify after a save syncs,
// an unreachable server backs off, and Sync now retries at once.
func TestRunTriggers(t *testing.T) {
	sys := newSystem(t)
	d := sys.device()
	st := d.st
	eng := servertest.Engine(st, d.cred, sys.proxy.URL(), client.Options{Interval: time.Hour, MinBackoff: time.Hour, MaxBackoff: time.Hour})
	d.eng = eng
	statuses := make(chan client.Status, 100)
	eng.Subscribe(func(s client.Status) {
		select {
		case statuses <- s:
		default:
		}
	})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- eng.Run(rctx) }()
	defer func() {
		cancel()
		<-done
	}()
	waitFor := func(what string, ok func(client.Status) bool) {
		t.Helper()
		deadline := time.After(10 * time.Second)
		for {
			select {
			case s := <-statuses:
				if ok(s) {
					return
				}
			case <-deadline:
				t.Fatalf("timed out waiting for %s; last status %+v", what, eng.Status())
			}
		}
	}
	waitFor("first sync", func(s client.Status) bool { return !s.Syncing && !s.LastSuccess.IsZero() })

	d.record(t, 2, "n")
	eng.Notify()
	waitFor("notified sync", func(s client.Status) bool { return !s.Syncing && s.Queued == 0 && s.LastError == nil })
	if n := len(sys.serverRecords(t)); n != 2 {
		t.Fatalf("server holds %d, want 2", n)
	}

	sys.proxy.Set(faultproxy.Faults{Refuse: true})
	sys.proxy.CutAll() // the network is gone: kept-alive connections too
	d.record(t, 1, "down")
	eng.SyncNow()
	waitFor("failed sync", func(s client.Status) bool { return !s.Syncing && s.LastError != nil })
	if s := eng.Status(); s.Queued != 1 || !strings.Contains(s.LastError.Error(), "unreachable") || !s.NextAttempt.After(time.Now().Add(10*time.Minute)) {
		t.Errorf("status while unreachable: %+v", s)
	}
	// A save during backoff waits for the backoff (an hour here)...
	d.record(t, 1, "down")
	eng.Notify()
	waitFor("queued count", func(s client.Status) bool { return s.Queued == 2 })
	// ...but Sync now tries at once.
	sys.proxy.Set(faultproxy.Faults{})
	eng.SyncNow()
	waitFor("recovered sync", func(s client.Status) bool { return !s.Syncing && s.LastError == nil && s.Queued == 0 })
}

func TestProtocolMismatch(t *testing.T) {
	old := httptest.NewServer(nil)
	defer old.Close()
	// Protocol 1 servers: they know no /v2 path and answer 404.
	// A server of a newer protocol refuses our version; the wire error
	// tells the engine which way the mismatch goes.
	newer := httptest.NewServer(newerServer{})
	defer newer.Close()
	st, _ := store.Open(ctx, store.Options{})
	defer st.Close()
	r, _ := encounter.New(st.DeviceID(), time.Now())
	r.Premises = encounter.Premises{Name: "x", Business: encounter.Farm}
	st.SaveDraft(ctx, r)
	st.Finalise(ctx, r.ID)
	for _, tc := range []struct {
		url  string
		kind client.Kind
	}{
		{newer.URL, client.UpdateNeeded},
		{old.URL, client.Unreachable}, // 404 from something that is not a Waymark server
	} {
		err := client.New(st, client.Options{Server: tc.url}).SyncOnce(ctx)
		var ce *client.Error
		if !errors.As(err, &ce) || ce.Kind != tc.kind {
			t.Errorf("%s: %v, want kind %d", tc.url, err, tc.kind)
		}
	}
}

func TestBackoff(t *testing.T) {
	min, max := 2*time.Second, 5*time.Minute
	for n, want := range map[int]time.Duration{1: 2 * time.Second, 2: 4 * time.Second, 3: 8 * time.Second, 9: 5 * time.Minute, 50: 5 * time.Minute} {
		if got := client.Backoff(n, min, max, 0.999999); got > want || got < want*99/100 {
			t.Errorf("Backoff(%d, r≈1) = %v, want ≈%v", n, got, want)
		}
		if got := client.Backoff(n, min, max, 0); got != want/2 {
			t.Errorf("Backoff(%d, r=0) = %v, want %v", n, got, want/2)
		}
	}
}

// newerServer answers every request as a server of protocol 3 would.
type newerServer struct{}

func (newerServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set(wire.VersionHeader, "3")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(wire.CodeProtocolVersion.HTTPStatus())
	json.NewEncoder(w).Encode(wire.ErrorResponse{Error: wire.Error{Code: wire.CodeProtocolVersion, Message: "this server speaks protocol 3"}})
}

// TestAmendmentReachesOtherDevice amends a record on one device and shows
// the amendment as history on a second device after sync, and the other
// way round.
func TestAmendmentReachesOtherDevice(t *testing.T) {
	sys := newSystem(t)
	a, b := sys.device(), sys.device()
	id := a.record(t, 1, "amended")[0]
	sync := func(ds ...*device) {
		t.Helper()
		for _, d := range ds {
			if err := d.eng.SyncOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	sync(a, b)
	if _, err := b.st.Get(ctx, id); err != nil {
		t.Fatalf("second device lacks the record: %v", err)
	}

	amend := func(d *device, who encounter.Officer, field, to, why string) {
		t.Helper()
		am, err := encounter.NewAmendment(id, d.st.DeviceID(), who, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		am.Reason = why
		am.Changes = []encounter.Change{{Field: field, To: to}}
		if _, err := d.st.Amend(ctx, am); err != nil {
			t.Fatal(err)
		}
	}
	amend(a, a.cred.Officer(), encounter.FieldPremisesAddress, "4 Example Street", "Address confirmed with the landlord")
	sync(a, b)
	got, err := b.st.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Premises.Address != "4 Example Street" || len(got.Amendments) != 1 {
		t.Fatalf("second device view: address %q, %d amendments", got.Premises.Address, len(got.Amendments))
	}
	h := got.Amendments[0]
	if h.Author.Number != a.cred.Account.Number || h.Reason != "Address confirmed with the landlord" || h.State != encounter.Synced || h.At.IsZero() {
		t.Errorf("history on the second device: %+v", h)
	}

	amend(b, b.cred.Officer(), encounter.FieldCrimeReference, "CR/0042/26", "Crime recorded")
	sync(b, a)
	got, _ = a.st.Get(ctx, id)
	if len(got.Amendments) != 2 || got.Amendments[1].Author.Number != b.cred.Account.Number || got.Crime == nil || got.Crime.Reference != "CR/0042/26" {
		t.Errorf("first device after the second amended: %+v", got.Amendments)
	}
	if got.Original == nil || got.Original.Premises.Address != "" {
		t.Errorf("original record changed: %+v", got.Original)
	}
}

// packFiles returns the default content pack's files at another version,
// with its name changed so it can be told apart.
func packFiles(t *testing.T, version int) fstest.MapFS {
	t.Helper()
	files := fstest.MapFS{}
	err := fs.WalkDir(assets.Content, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets.Content, path)
		files[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]any
	json.Unmarshal(files["pack.json"].Data, &meta)
	meta["version"] = version
	meta["name"] = map[string]any{"en": fmt.Sprintf("Pack version %d", version)}
	files["pack.json"].Data, _ = json.Marshal(meta)
	return files
}

// brokenBundle zips the pack files with the rules file cut short, as a
// faulty server might publish them: the device must refuse it.
func brokenBundle(files fstest.MapFS) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, f := range files {
		data := f.Data
		if name == "rules.json" {
			data = data[:len(data)/2]
		}
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
		w.Write(data)
	}
	zw.SetComment("waymark content bundle 1")
	zw.Close()
	return buf.Bytes()
}

func TestContentUpdate(t *testing.T) {
	base, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	v2, err := content.Parse(packFiles(t, base.Version+1))
	if err != nil {
		t.Fatal(err)
	}
	sys := newSystemWith(t, servertest.Options{Content: &server.Content{ID: v2.ID, Version: v2.Version, Bundle: v2.Bundle()}})
	st, _ := store.Open(ctx, store.Options{})
	defer st.Close()
	lib, err := content.OpenLibrary(ctx, st, base, nil)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := sys.srv.Enrol(ctx, st, "team")
	if err != nil {
		t.Fatal(err)
	}
	eng := servertest.Engine(st, cred, "", client.Options{Content: lib})
	if err := eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if lib.ContentVersion() != v2.Version || lib.Current().Name.In("en") != fmt.Sprintf("Pack version %d", v2.Version) {
		t.Fatalf("after sync the device uses version %d", lib.ContentVersion())
	}

	// Another server publishes a broken version 3: refused, version 2
	// stays. The device enrols with it afresh.
	bundle := brokenBundle(packFiles(t, base.Version+2))
	sys = newSystemWith(t, servertest.Options{Content: &server.Content{ID: base.ID, Version: base.Version + 2, Bundle: bundle}})
	if cred, err = sys.srv.Enrol(ctx, st, "team"); err != nil {
		t.Fatal(err)
	}
	eng = servertest.Engine(st, cred, "", client.Options{Content: lib})
	if err := eng.SyncOnce(ctx); err != nil {
		t.Fatalf("a refused pack failed the sync: %v", err)
	}
	if lib.ContentVersion() != v2.Version {
		t.Errorf("broken pack put in use: version %d", lib.ContentVersion())
	}
	if s := eng.Status(); !errors.Is(s.ContentError, content.ErrRefused) {
		t.Errorf("status does not report the refused pack: %v", s.ContentError)
	}
}
