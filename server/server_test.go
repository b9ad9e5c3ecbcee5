package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

func TestPushSemantics(t *testing.T) {
	s, hs := newServer(t, Options{})
	team := account("north", "", wire.RoleOfficer)
	devA := enrolDevice(t, s, team)
	devB := enrolDevice(t, s, account("north", "", wire.RoleOfficer))
	reader := enrolDevice(t, s, account("", "", wire.RoleSupervisor))
	r1, r2, r3 := uuid.New(), uuid.New(), uuid.New()

	push := func(dev testDevice, entries ...wire.Entry) (wire.PushResponse, []byte) {
		t.Helper()
		var resp wire.PushResponse
		code, raw := post(t, hs, dev, wire.PathPush, wire.PushRequest{Entries: entries}, &resp)
		if code != http.StatusOK {
			t.Fatalf("push: status %d: %s", code, raw)
		}
		return resp, raw
	}
	e := func(dev testDevice, seq uint64, id uuid.UUID, name string) wire.Entry {
		return wire.Entry{Seq: seq, ID: id, Kind: wire.KindEncounter, Body: body(dev, id, name)}
	}

	first, raw1 := push(devA, e(devA, 1, r1, "one"), e(devA, 2, r2, "two"))
	if first.Ack != 2 || len(first.Rejected) != 0 {
		t.Fatalf("first push: %+v", first)
	}
	_, raw2 := push(devA, e(devA, 1, r1, "one"), e(devA, 2, r2, "two"))
	if !bytes.Equal(raw1, raw2) {
		t.Errorf("identical resend answered differently:\n%s\n%s", raw1, raw2)
	}

	// A gap: 4 arrives before 3. It is stored; the ack waits for 3.
	if resp, _ := push(devA, e(devA, 4, r3, "three")); resp.Ack != 2 {
		t.Errorf("ack with a gap: %d, want 2", resp.Ack)
	}
	// Same body under a new sequence: fine, nothing new stored.
	if resp, _ := push(devA, e(devA, 3, r1, "one")); resp.Ack != 4 || len(resp.Rejected) != 0 {
		t.Errorf("after filling the gap: %+v", resp)
	}

	// Device B sends a different body under r1: kept aside, never stored over.
	conflict, rawC := push(devB, e(devB, 1, r1, "tampered"))
	if conflict.Ack != 1 || len(conflict.Rejected) != 1 || conflict.Rejected[0].Code != wire.CodeConflict {
		t.Fatalf("conflicting push: %+v", conflict)
	}
	if _, again := push(devB, e(devB, 1, r1, "tampered")); !bytes.Equal(rawC, again) {
		t.Errorf("resent conflict answered differently:\n%s\n%s", rawC, again)
	}
	// Device A reuses sequence 2 for something else.
	reused, _ := push(devA, e(devA, 2, uuid.New(), "other"))
	if len(reused.Rejected) != 1 || reused.Rejected[0].Code != wire.CodeSequenceReused {
		t.Errorf("reused sequence: %+v", reused)
	}

	var pulled wire.PullResponse
	post(t, hs, reader, wire.PathPull, wire.PullRequest{}, &pulled)
	if len(pulled.Ops) != 3 || pulled.More {
		t.Fatalf("pull: %d ops, more %v", len(pulled.Ops), pulled.More)
	}
	for _, op := range pulled.Ops {
		if op.ID == r1 && !strings.Contains(string(op.Body), `"one"`) {
			t.Errorf("record r1 was overwritten: %s", op.Body)
		}
	}
}

func TestAsideAndStats(t *testing.T) {
	s, hs := newServer(t, Options{})
	id := uuid.New()
	for i, dev := range []testDevice{enrolDevice(t, s, account("", "")), enrolDevice(t, s, account("", ""))} {
		req := wire.PushRequest{Entries: []wire.Entry{{Seq: 1, ID: id, Kind: wire.KindEncounter, Body: body(dev, id, fmt.Sprint("v", i))}}}
		post(t, hs, dev, wire.PathPush, req, nil)
	}
	st, err := s.Stats(context.Background())
	if err != nil || st.Records != 1 || st.Devices != 2 || st.Aside != 1 {
		t.Errorf("stats %+v, %v", st, err)
	}
	aside, err := s.Aside(context.Background())
	if err != nil || len(aside) != 1 || aside[0].Code != wire.CodeConflict || !strings.Contains(string(aside[0].Body), "v1") {
		t.Errorf("aside %+v, %v", aside, err)
	}
}

func TestPullPages(t *testing.T) {
	s, hs := newServer(t, Options{Content: &Content{ID: "test.pack", Version: 3, Bundle: []byte("bundle")}})
	dev := enrolDevice(t, s, account("north", ""))
	reader := enrolDevice(t, s, account("north", ""))
	var entries []wire.Entry
	for i := range 25 {
		id := uuid.New()
		entries = append(entries, wire.Entry{Seq: uint64(i + 1), ID: id, Kind: wire.KindEncounter, Body: body(dev, id, "p")})
	}
	post(t, hs, dev, wire.PathPush, wire.PushRequest{Entries: entries}, nil)
	var cursor uint64
	var got []uuid.UUID
	for pages := 0; ; pages++ {
		var resp wire.PullResponse
		post(t, hs, reader, wire.PathPull, wire.PullRequest{Since: cursor, Limit: 10}, &resp)
		if resp.ContentVersion != 3 {
			t.Errorf("content version %d, want 3", resp.ContentVersion)
		}
		for _, op := range resp.Ops {
			got = append(got, op.ID)
		}
		cursor = resp.Cursor
		if !resp.More {
			break
		}
		if pages > 5 {
			t.Fatal("pull does not end")
		}
	}
	if len(got) != 25 || cursor != 25 {
		t.Fatalf("pulled %d ops to cursor %d", len(got), cursor)
	}
	for i, id := range got {
		if id != entries[i].ID {
			t.Fatalf("op %d is %s, want %s", i, id, entries[i].ID)
		}
	}
	// A cursor from the future (a server restored from a backup) starts over.
	var resp wire.PullResponse
	post(t, hs, reader, wire.PathPull, wire.PullRequest{Since: 999}, &resp)
	if len(resp.Ops) != 25 {
		t.Errorf("pull from a future cursor returned %d ops, want all 25", len(resp.Ops))
	}
}

func TestRestartKeepsEverything(t *testing.T) {
	dir := t.TempDir()
	key := bytes.Repeat([]byte{3}, 32)
	id := uuid.New()

	s, err := Open(withBackend(t, Options{Dir: dir, Key: key}))
	if err != nil {
		t.Fatal(err)
	}
	dev := enrolDevice(t, s, account("north", ""))
	reader := enrolDevice(t, s, account("north", ""))
	req := wire.PushRequest{Entries: []wire.Entry{{Seq: 1, ID: id, Kind: wire.KindEncounter, Body: body(dev, id, "kept")}}}
	hs := httptest.NewServer(s.Handler())
	post(t, hs, dev, wire.PathPush, req, nil)
	hs.Close()
	s.Close()

	_, hs = newServer(t, Options{Dir: dir, Key: key})
	var resp wire.PushResponse
	post(t, hs, dev, wire.PathPush, req, &resp)
	if resp.Ack != 1 || len(resp.Rejected) != 0 {
		t.Errorf("resend after restart: %+v", resp)
	}
	var pulled wire.PullResponse
	post(t, hs, reader, wire.PathPull, wire.PullRequest{}, &pulled)
	if len(pulled.Ops) != 1 {
		t.Errorf("%d records after restart, want 1", len(pulled.Ops))
	}
}

// TestBadRequests sends malformed requests, signed by an enrolled
// officer's device: each must get a 4xx with a JSON error body, never a
// 500.
func TestBadRequests(t *testing.T) {
	s, hs := newServer(t, Options{})
	dev := enrolDevice(t, s, account("north", ""))
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		io.WriteString(w, s)
		w.Close()
		return b.Bytes()
	}
	id := uuid.New().String()
	v := strconv.Itoa(wire.Version)
	tests := []struct {
		name     string
		method   string
		path     string
		version  string
		encoding string
		ctype    string
		body     []byte
		code     wire.Code
	}{
		{"unknown path", "POST", "/v9/push", v, "", "", []byte(`{}`), wire.CodeNotFound},
		{"v1 push", "POST", "/v1/push", "1", "", "", []byte(`{}`), wire.CodeProtocolVersion},
		{"v2 push", "POST", "/v2/push", "2", "", "", []byte(`{}`), wire.CodeProtocolVersion},
		{"v1 pull", "POST", "/v1/pull", "1", "", "", []byte(`{}`), wire.CodeProtocolVersion},
		{"get push", "GET", wire.PathPush, v, "", "", nil, wire.CodeMethodNotAllowed},
		{"post me", "POST", wire.PathMe, v, "", "", nil, wire.CodeMethodNotAllowed},
		{"post health", "POST", wire.PathHealth, v, "", "", nil, wire.CodeMethodNotAllowed},
		{"no version", "POST", wire.PathPush, "", "", "", []byte(`{}`), wire.CodeProtocolVersion},
		{"old version", "POST", wire.PathPull, "1", "", "", []byte(`{}`), wire.CodeProtocolVersion},
		{"newer version", "POST", wire.PathPush, "4", "", "", []byte(`{}`), wire.CodeProtocolVersion},
		{"previous version", "POST", wire.PathPush, "2", "", "", []byte(`{}`), wire.CodeProtocolVersion},
		{"duplicate key", "POST", wire.PathPull, v, "", "", []byte(`{"since":1,"since":2}`), wire.CodeBadRequest},
		{"key in another case", "POST", wire.PathPull, v, "", "", []byte(`{"Since":1}`), wire.CodeBadRequest},
		{"invalid UTF-8", "POST", wire.PathPush, v, "", "", []byte("{\"entries\":[{\"seq\":1,\"id\":\"" + id + "\",\"kind\":\"encounter\",\"body\":{\"a\":\"\xff\"}}]}"), wire.CodeBadRequest},
		{"deep nesting", "POST", wire.PathPush, v, "", "", []byte(`{"entries":[{"body":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}]}`), wire.CodeBadRequest},
		{"no signature", "POST", wire.PathPush, v, "", "", []byte(`{"entries":[{"seq":1,"id":"` + id + `","kind":"encounter","body":{}}]}`), wire.CodeBadRequest},
		{"xml", "POST", wire.PathPush, v, "", "application/xml", []byte(`<a/>`), wire.CodeUnsupportedEncoding},
		{"brotli", "POST", wire.PathPush, v, "br", "", []byte(`{}`), wire.CodeUnsupportedEncoding},
		{"empty body", "POST", wire.PathPush, v, "", "", nil, wire.CodeBadRequest},
		{"not json", "POST", wire.PathPush, v, "", "", []byte(`hello`), wire.CodeBadRequest},
		{"bad gzip", "POST", wire.PathPush, v, "gzip", "", []byte(`{}`), wire.CodeBadRequest},
		{"no entries", "POST", wire.PathPush, v, "gzip", "", gz(`{"entries":[]}`), wire.CodeBadRequest},
		{"null entries", "POST", wire.PathPush, v, "", "", []byte(`{"entries":null}`), wire.CodeBadRequest},
		{"a device field", "POST", wire.PathPush, v, "", "", []byte(`{"device":"` + id + `","entries":[]}`), wire.CodeBadRequest},
		{"body not object", "POST", wire.PathPush, v, "", "", []byte(`{"entries":[{"seq":1,"id":"` + id + `","kind":"encounter","body":"x"}]}`), wire.CodeBadRequest},
		{"negative seq", "POST", wire.PathPush, v, "", "", []byte(`{"entries":[{"seq":-1}]}`), wire.CodeBadRequest},
		{"huge seq", "POST", wire.PathPush, v, "", "", []byte(`{"entries":[{"seq":1e40}]}`), wire.CodeBadRequest},
		{"pull a device", "POST", wire.PathPull, v, "", "", []byte(`{"device":"` + id + `","since":3}`), wire.CodeBadRequest},
		{"pull bad limit", "POST", wire.PathPull, v, "", "", []byte(`{"limit":100000}`), wire.CodeBadRequest},
		{"me with a body", "GET", wire.PathMe, v, "", "", []byte(`{}`), wire.CodeBadRequest},
		{"too large", "POST", wire.PathPush, v, "", "", bytes.Repeat([]byte(" "), wire.MaxRequestBytes+10), wire.CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, hs.URL+tt.path, bytes.NewReader(tt.body))
			if tt.version != "" {
				req.Header.Set(wire.VersionHeader, tt.version)
			}
			if tt.encoding != "" {
				req.Header.Set("Content-Encoding", tt.encoding)
			}
			if tt.ctype != "" {
				req.Header.Set("Content-Type", tt.ctype)
			}
			h, _ := auth.Sign(dev.key, tt.method, tt.path, time.Now(), tt.body)
			req.Header.Set(auth.Header, h)
			resp, err := hs.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var er wire.ErrorResponse
			if err := json.NewDecoder(resp.Body).Decode(&er); err != nil {
				t.Fatalf("status %d, body not a JSON error: %v", resp.StatusCode, err)
			}
			if resp.StatusCode < 400 || resp.StatusCode > 499 {
				t.Errorf("status %d, want 4xx", resp.StatusCode)
			}
			if er.Error.Code != tt.code || er.Error.Message == "" {
				t.Errorf("error %+v, want code %s with a message", er.Error, tt.code)
			}
			if resp.Header.Get(wire.VersionHeader) != v {
				t.Errorf("response lacks the protocol header")
			}
		})
	}
}

func TestContent(t *testing.T) {
	s, none := newServer(t, Options{})
	req := wire.ContentRequest{}
	var er wire.ErrorResponse
	if code, _ := post(t, none, enrolDevice(t, s, account("", "")), wire.PathContent, req, &er); code != 404 || er.Error.Code != wire.CodeNotFound {
		t.Errorf("no pack: %d %+v", code, er)
	}
	s, hs := newServer(t, Options{Content: &Content{ID: "test.pack", Version: 3, Bundle: []byte("bundle bytes")}})
	interpreter := enrolDevice(t, s, account("", "", wire.RoleInterpreter))
	var resp wire.ContentResponse
	if code, raw := post(t, hs, interpreter, wire.PathContent, req, &resp); code != 200 || resp.Version != 3 || string(resp.Bundle) != "bundle bytes" {
		t.Errorf("content: %d %s", code, raw)
	}
}

func TestHealth(t *testing.T) {
	_, hs := newServer(t, Options{})
	resp, err := hs.Client().Get(hs.URL + wire.PathHealth)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var h wire.Health
	json.NewDecoder(resp.Body).Decode(&h)
	if resp.StatusCode != 200 || h.Status != "ok" || h.Protocol != wire.Version {
		t.Errorf("health: %d %+v", resp.StatusCode, h)
	}
}

// TestConcurrentPushes has many devices push at once: every entry stored
// once, every device acknowledged in full, cursors without gaps.
func TestConcurrentPushes(t *testing.T) {
	s, hs := newServer(t, Options{})
	const devices, perDevice = 20, 30
	var wg sync.WaitGroup
	for range devices {
		dev := enrolDevice(t, s, account("north", ""))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := range 3 {
				var entries []wire.Entry
				for i := range perDevice / 3 {
					id := uuid.New()
					seq := uint64(batch*perDevice/3 + i + 1)
					entries = append(entries, wire.Entry{Seq: seq, ID: id, Kind: wire.KindEncounter, Body: body(dev, id, "c")})
				}
				var resp wire.PushResponse
				post(t, hs, dev, wire.PathPush, wire.PushRequest{Entries: entries}, &resp)
				if want := uint64((batch + 1) * perDevice / 3); resp.Ack != want {
					t.Errorf("device ack %d, want %d", resp.Ack, want)
				}
			}
		}()
	}
	wg.Wait()
	st, _ := s.Stats(context.Background())
	if st.Records != devices*perDevice {
		t.Errorf("%d records, want %d", st.Records, devices*perDevice)
	}
	var resp wire.PullResponse
	post(t, hs, enrolDevice(t, s, account("", "", wire.RoleSupervisor)), wire.PathPull, wire.PullRequest{Limit: wire.MaxPullLimit}, &resp)
	for i, op := range resp.Ops {
		if op.Cursor != uint64(i+1) {
			t.Fatalf("op %d has cursor %d: cursors have gaps", i, op.Cursor)
		}
	}
	if len(resp.Ops) != devices*perDevice {
		t.Errorf("pulled %d ops, want %d", len(resp.Ops), devices*perDevice)
	}
}

// TestCloseFinishesPushes closes the server while pushes are in flight:
// every push that got an answer is stored; none is answered with a 500.
func TestCloseFinishesPushes(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(withBackend(t, Options{Dir: dir}))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	var devs []testDevice
	for range 50 {
		devs = append(devs, enrolDevice(t, s, account("", "")))
	}
	var wg sync.WaitGroup
	acked := make(chan uuid.UUID, 100)
	started := make(chan struct{}, 100)
	for _, dev := range devs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := uuid.New()
			var resp wire.PushResponse
			started <- struct{}{}
			code, _, err := tryPost(hs, dev, wire.PathPush, wire.PushRequest{Entries: []wire.Entry{{Seq: 1, ID: id, Kind: wire.KindEncounter, Body: body(dev, id, "x")}}}, &resp)
			switch {
			case err != nil: // refused once the listener closed: not acknowledged
			case code == http.StatusOK && resp.Ack == 1:
				acked <- id
			case code == http.StatusServiceUnavailable:
			default:
				t.Errorf("push during close: status %d", code)
			}
		}()
	}
	for range 10 {
		<-started
	}
	hs.Config.Shutdown(context.Background())
	wg.Wait()
	hs.Close()
	s.Close()
	close(acked)

	s, err = Open(withBackend(t, Options{Dir: dir}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, _ := s.Stats(context.Background())
	n := 0
	for range acked {
		n++
	}
	if st.Records < n {
		t.Errorf("%d pushes acknowledged but %d records stored", n, st.Records)
	}
}

// TestEnrolRateLimit: an address that fails enrolment enrolFailures times
// in a minute is refused until the minute is over; successful enrolments
// do not count, so a station enrolling many phones is not slowed.
func TestEnrolRateLimit(t *testing.T) {
	now := time.Now()
	s, hs := newServer(t, Options{Now: func() time.Time { return now }})
	ctx := context.Background()
	a := account("north", "")
	if _, err := s.Admin("test").AddUser(ctx, a); err != nil {
		t.Fatal(err)
	}
	enrol := func(good bool) int {
		t.Helper()
		key, _ := auth.NewKey(uuid.New())
		c, _ := auth.NewCode()
		req := wire.EnrolRequest{Code: "ZZZZ", Device: key.Device, PublicKey: key.Public(), Proof: make([]byte, 32)}
		if good {
			en := Enrolment{ID: c.ID, Account: a.ID, Key: []byte("derived key"), Created: now, Expires: now.Add(EnrolTTL)}
			if err := s.dir.AddEnrolment(ctx, en, LogEntry{At: now}); err != nil {
				t.Fatal(err)
			}
			req.Code, req.Proof = c.ID, auth.DeviceProof(en.Key, nil, key.Public(), key.Device)
		}
		code, _ := post(t, hs, testDevice{}, wire.PathEnrol, req, nil)
		return code
	}
	for i := range enrolFailures + 5 {
		if code := enrol(true); code != http.StatusOK {
			t.Fatalf("good enrolment %d: status %d", i, code)
		}
	}
	for i := range enrolFailures {
		if code := enrol(false); code != http.StatusForbidden {
			t.Fatalf("failure %d: status %d", i, code)
		}
	}
	if code := enrol(true); code != http.StatusTooManyRequests {
		t.Errorf("after %d failures: status %d, want 429", enrolFailures, code)
	}
	now = now.Add(time.Minute)
	if code := enrol(true); code != http.StatusOK {
		t.Errorf("a minute later: status %d", code)
	}
}

// TestResolveAside: a decision on an entry kept aside is stored and
// logged in the chain (verify still passes), gives the device's quota
// back so that a device answered aside_full pushes again, and is taken
// once.
func TestResolveAside(t *testing.T) {
	s, hs := newServer(t, Options{Limits: Limits{AsideEntries: 1}})
	ctx := context.Background()
	first, second := enrolDevice(t, s, account("", "")), enrolDevice(t, s, account("", ""))
	id, id2 := uuid.New(), uuid.New()
	post(t, hs, first, wire.PathPush, wire.PushRequest{Entries: []wire.Entry{
		{Seq: 1, ID: id, Kind: wire.KindEncounter, Body: body(first, id, "v0")},
		{Seq: 2, ID: id2, Kind: wire.KindEncounter, Body: body(first, id2, "w0")}}}, nil)
	post(t, hs, second, wire.PathPush, wire.PushRequest{Entries: []wire.Entry{{Seq: 1, ID: id, Kind: wire.KindEncounter, Body: body(second, id, "v1")}}}, nil)
	// Its quota (one entry) is full: the next conflict is refused whole.
	if code, raw := post(t, hs, second, wire.PathPush, wire.PushRequest{Entries: []wire.Entry{{Seq: 2, ID: id2, Kind: wire.KindEncounter, Body: body(second, id2, "w1")}}}, nil); code != http.StatusInsufficientStorage {
		t.Fatalf("past the quota: %d %s", code, raw)
	}
	es, err := s.AsideEntries(ctx)
	if err != nil || len(es) != 1 || es[0].Resolved != nil || es[0].Code != wire.CodeConflict {
		t.Fatalf("entries aside: %+v %v", es, err)
	}
	if _, err := s.ResolveAside(ctx, es[0].Ref, "keep both", "cli:test"); !errors.Is(err, ErrInvalid) {
		t.Errorf("an unknown decision: %v", err)
	}
	got, err := s.ResolveAside(ctx, es[0].Ref, DecisionStoredStands, "console:sup1")
	if err != nil || got.Resolved == nil || got.Resolved.By != "console:sup1" {
		t.Fatalf("resolve: %+v %v", got, err)
	}
	if _, err := s.ResolveAside(ctx, es[0].Ref, DecisionDuplicate, "console:sup2"); !errors.Is(err, ErrExists) {
		t.Errorf("a second decision: %v", err)
	}
	var logged bool
	s.Events(ctx, func(ev Event) {
		logged = logged || ev.Type == EventAsideResolved && ev.Actor == "console:sup1" && ev.Reason == DecisionStoredStands && ev.Record == id
	})
	if !logged {
		t.Error("the decision is not in the chain")
	}
	if rep, err := s.Verify(ctx); err != nil || !rep.OK() {
		t.Errorf("verify after a decision: %v %+v", err, rep.Problems)
	}
	// The quota is given back: the device's next conflict is kept aside.
	var resp wire.PushResponse
	if code, raw := post(t, hs, second, wire.PathPush, wire.PushRequest{Entries: []wire.Entry{{Seq: 2, ID: id2, Kind: wire.KindEncounter, Body: body(second, id2, "w1")}}}, &resp); code != http.StatusOK || len(resp.Rejected) != 1 {
		t.Errorf("after the decision: %d %s", code, raw)
	}
}
