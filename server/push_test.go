package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

// TestRefusedReuseKeepsTheFirst: an entry refused under a sequence this
// device already used does not replace what that sequence holds; the
// first entry's resend is answered as before, and the refusal is logged.
func TestRefusedReuseKeepsTheFirst(t *testing.T) {
	s, hs := newServer(t, Options{})
	d := enrolDevice(t, s, account("north", ""))
	id := uuid.Must(uuid.NewV7())
	first := wire.PushRequest{Entries: []wire.Entry{{Seq: 1, ID: id, Kind: wire.KindEncounter, Body: body(d, id, "First")}}}
	var resp wire.PushResponse
	post(t, hs, d, wire.PathPush, first, &resp)
	if resp.Ack != 1 || len(resp.Rejected) != 0 {
		t.Fatalf("first: %+v", resp)
	}
	bad := wire.PushRequest{Entries: []wire.Entry{{Seq: 1, ID: id, Kind: wire.KindEncounter, Body: []byte(`{"id":"` + id.String() + `"}`)}}}
	post(t, hs, d, wire.PathPush, bad, &resp)
	if len(resp.Rejected) != 1 || resp.Rejected[0].Code != wire.CodeInvalidRecord {
		t.Fatalf("reuse with a refused body: %+v", resp)
	}
	resp = wire.PushResponse{}
	post(t, hs, d, wire.PathPush, first, &resp)
	if resp.Ack != 1 || len(resp.Rejected) != 0 {
		t.Errorf("the first entry resent: %+v", resp)
	}
	if rep, err := s.Verify(t.Context()); err != nil || !rep.OK() || rep.Records != 1 {
		t.Errorf("verify: %+v %v", rep, err)
	}
}

// BenchmarkCheckEntry is what the server does with each entry before the
// committer: strict decoding, the record rules, encoding again, the
// identity rule and the signature.
func BenchmarkCheckEntry(b *testing.B) {
	s, err := Open(Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	d := enrolDevice(b, s, account("north", ""))
	id := uuid.Must(uuid.NewV7())
	e := signEntries(d, wire.PushRequest{Entries: []wire.Entry{{Seq: 1, ID: id, Kind: wire.KindEncounter, Body: body(d, id, "Bench")}}}).(wire.PushRequest).Entries[0]
	p := Principal{Device: d.id(), Account: d.account, Key: d.key.Public()}
	b.ReportAllocs()
	for b.Loop() {
		if c := checkEntry(e, p); c.invalid != "" {
			b.Fatal(c.invalid)
		}
	}
}

// BenchmarkPush200 pushes batches of 200 signed records, as a device
// syncing its outbox does, through the HTTP handler to a store on disk.
func BenchmarkPush200(b *testing.B) {
	s, err := Open(Options{Dir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := s.Handler()
	d := enrolDevice(b, s, account("north", ""))
	seq := uint64(0)
	b.ReportAllocs()
	for b.Loop() {
		var es []wire.Entry
		for range 200 {
			seq++
			id := uuid.Must(uuid.NewV7())
			es = append(es, wire.Entry{Seq: seq, ID: id, Kind: wire.KindEncounter, Body: body(d, id, "Bench")})
		}
		raw, _ := wire.EncodeGzip(signEntries(d, wire.PushRequest{Entries: es}))
		req := httptest.NewRequest(http.MethodPost, wire.PathPush, bytes.NewReader(raw))
		req.Header.Set(wire.VersionHeader, strconv.Itoa(wire.Version))
		req.Header.Set("Content-Encoding", wire.Gzip)
		sig, _ := auth.Sign(d.key, http.MethodPost, wire.PathPush, time.Now(), raw)
		req.Header.Set(auth.Header, sig)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body.Bytes())
		}
	}
}
