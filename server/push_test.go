package server

import (
	"testing"

	"github.com/google/uuid"

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
