package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/sync/wire"
)

// TestLargePushes pushes entries at the size limits: each one as large as
// a body may be, and a push as large as a request may be once
// decompressed. On disk and in memory (what tests use), every one is
// stored; none gets a 500.
func TestLargePushes(t *testing.T) {
	entries := func(n, size int) []wire.Entry {
		var es []wire.Entry
		for i := range n {
			id := uuid.New()
			head := fmt.Sprintf(`{"id":%q,"notes":"`, id)
			body := head + strings.Repeat(fmt.Sprint(i%10), size-len(head)-2) + `"}`
			es = append(es, wire.Entry{Seq: uint64(i + 1), ID: id, Kind: wire.KindEncounter, Body: json.RawMessage(body)})
		}
		return es
	}
	for _, tc := range []struct {
		name    string
		dir     string
		entries []wire.Entry
	}{
		{"disk, bodies at the limit", t.TempDir(), entries(4, wire.MaxBodyBytes)},
		{"memory, bodies near the limit", "", entries(4, wire.MaxBodyBytes-1024)},
		{"disk, request at the decoded limit", t.TempDir(), entries(wire.MaxEntries, (wire.MaxDecodedBytes-200<<10)/wire.MaxEntries)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, hs := newServer(t, Options{Dir: tc.dir})
			var resp wire.PushResponse
			code, raw := post(t, hs, enrolDevice(t, s, account("", "")), wire.PathPush, wire.PushRequest{Entries: tc.entries}, &resp)
			if code != http.StatusOK || resp.Ack != uint64(len(tc.entries)) {
				t.Errorf("status %d, ack %d of %d: %.200s", code, resp.Ack, len(tc.entries), raw)
			}
		})
	}
}
