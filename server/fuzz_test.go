package server

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/json"
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

// fuzzServer is one in-memory server shared by a fuzz worker's inputs, so
// that later inputs meet what earlier ones stored (resends, conflicts),
// opened afresh now and then to bound its memory.
var fuzzServer struct {
	sync.Mutex
	s    *Server
	h    http.Handler
	uses int
}

// The fuzz inputs are signed by an officer's device; a supervisor's reads
// what they stored. Both are the same on every server the fuzzer opens,
// so that seeds can name them.
var (
	fuzzOfficer = fixedDevice("0192f1a0-0000-7000-8000-00000000d001", 1, Account{ID: "fuzz-officer", Name: "Fuzz Officer", Number: "F 1", Agency: "police", Team: "fuzz", Roles: []wire.Role{wire.RoleOfficer}})
	fuzzReader  = fixedDevice("0192f1a0-0000-7000-8000-00000000d002", 2, Account{ID: "fuzz-reader", Name: "Fuzz Reader", Number: "F 2", Agency: "police", Roles: []wire.Role{wire.RoleSupervisor}})
)

func fixedDevice(id string, seed byte, a Account) testDevice {
	return testDevice{key: auth.Key{Device: uuid.MustParse(id), Private: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))}, account: a}
}

func fuzzHandler(t *testing.T) http.Handler {
	fuzzServer.Lock()
	defer fuzzServer.Unlock()
	if fuzzServer.s == nil || fuzzServer.uses > 20000 {
		if fuzzServer.s != nil {
			fuzzServer.s.Close()
		}
		s, err := Open(Options{Content: &Content{ID: "fuzz.pack", Version: 2, Bundle: []byte("bundle")}})
		if err != nil {
			t.Fatal(err)
		}
		bind(t, s, fuzzOfficer)
		bind(t, s, fuzzReader)
		fuzzServer.s, fuzzServer.h, fuzzServer.uses = s, s.Handler(), 0
	}
	fuzzServer.uses++
	return fuzzServer.h
}

var fuzzMethods = []string{http.MethodPost, http.MethodGet, http.MethodPut, http.MethodHead, http.MethodOptions, "PATCH", "BREW"}

// serveFuzz sends one request built from fuzz input, signed by the fuzz
// officer's device, to the handler and checks the answer: never a 5xx,
// never a hang, always the protocol header, and every failure a JSON
// error whose code matches its status. zip 1 gzip-compresses the body,
// zip 2 labels raw bytes gzip.
func serveFuzz(t *testing.T, path string, body []byte, method uint8, zip uint8, version, ctype, encoding, accept string) {
	serveFuzzAs(t, fuzzOfficer, path, body, method, zip, version, ctype, encoding, accept)
}

func serveFuzzAs(t *testing.T, d testDevice, path string, body []byte, method uint8, zip uint8, version, ctype, encoding, accept string) *httptest.ResponseRecorder {
	if zip%3 == 1 {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		zw.Write(body)
		zw.Close()
		body = b.Bytes()
	}
	if zip%3 != 0 && encoding == "" {
		encoding = "gzip"
	}
	req := httptest.NewRequest(fuzzMethods[int(method)%len(fuzzMethods)], path, bytes.NewReader(body))
	req.Header.Set(wire.VersionHeader, version)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Content-Encoding", encoding)
	req.Header.Set("Accept-Encoding", accept)
	h := fuzzHandler(t) // before signing: the server refuses what was signed before it started
	sig, err := auth.Sign(d.key, req.Method, path, time.Now(), body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(auth.Header, sig)
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(rec, req)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("handler still busy after 10s: %s %s", req.Method, path)
	}
	res := rec.Result()
	if res.StatusCode >= 500 {
		t.Fatalf("status %d for %s %s: %s", res.StatusCode, req.Method, path, rec.Body.Bytes())
	}
	if res.Header.Get(wire.VersionHeader) != strconv.Itoa(wire.Version) {
		t.Fatalf("status %d without the protocol header", res.StatusCode)
	}
	if req.Method == http.MethodHead {
		return rec
	}
	var out any = new(wire.ErrorResponse)
	if res.StatusCode == http.StatusOK {
		out = map[string]any{}
	}
	if err := wire.DecodeResponse(bytes.NewReader(rec.Body.Bytes()), res.Header.Get("Content-Encoding"), &out); err != nil {
		t.Fatalf("status %d, answer not JSON: %v", res.StatusCode, err)
	}
	if er, ok := out.(*wire.ErrorResponse); ok {
		if er.Error.Code == "" || er.Error.Message == "" || er.Error.Code.HTTPStatus() != res.StatusCode {
			t.Fatalf("status %d with error %+v", res.StatusCode, er.Error)
		}
	}
	return rec
}

// seedPush is a push of one valid finalised encounter with record id.
func seedPush(id string) []byte {
	b, err := json.Marshal(signEntries(fuzzOfficer, wire.PushRequest{
		Entries: []wire.Entry{{Seq: 1, ID: uuid.MustParse(id), Kind: wire.KindEncounter, Body: body(fuzzOfficer, uuid.MustParse(id), "Fuzz Wash")}},
	}))
	if err != nil {
		panic(err)
	}
	return b
}

func FuzzPush(f *testing.F) {
	f.Add(seedPush("0192f1a0-1111-7111-8111-000000000001"), uint8(0), uint8(1), "3", "application/json", "", "gzip")
	f.Add([]byte(`{"entries":[{"seq":1,"id":"0192f1a0-1111-7111-8111-000000000001","kind":"encounter","body":{"a":1}}]}`),
		uint8(0), uint8(1), "3", "application/json", "", "gzip")
	f.Fuzz(func(t *testing.T, body []byte, method, zip uint8, version, ctype, encoding, accept string) {
		serveFuzz(t, wire.PathPush, body, method, zip, version, ctype, encoding, accept)
	})
}

func FuzzPull(f *testing.F) {
	f.Add([]byte(`{"since":0,"limit":3}`),
		uint8(0), uint8(0), "3", "application/json", "identity", "")
	f.Fuzz(func(t *testing.T, body []byte, method, zip uint8, version, ctype, encoding, accept string) {
		serveFuzz(t, wire.PathPull, body, method, zip, version, ctype, encoding, accept)
	})
}

func FuzzContent(f *testing.F) {
	f.Add([]byte(`{"have":1}`),
		uint8(0), uint8(0), "3", "application/json", "", "gzip")
	f.Fuzz(func(t *testing.T, body []byte, method, zip uint8, version, ctype, encoding, accept string) {
		serveFuzz(t, wire.PathContent, body, method, zip, version, ctype, encoding, accept)
	})
}

// TestFuzzSeeds keeps the checks honest: a push the seed corpus holds is
// stored and answered 200, and a broken one gets a 4xx JSON error.
func TestFuzzSeeds(t *testing.T) {
	body := seedPush("0192f1a0-1111-7111-8111-000000000009")
	serveFuzz(t, wire.PathPush, body, 0, 1, "3", "application/json", "", "gzip")
	serveFuzz(t, wire.PathPush, body[:40], 0, 0, "3", "", "", "")
	rec := serveFuzzAs(t, fuzzReader, wire.PathPull, []byte(`{}`), 0, 0, "3", "", "", "")
	b, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusOK || !strings.Contains(string(b), "0192f1a0-1111-7111-8111-000000000009") {
		t.Errorf("the seed push was not stored: %d %s", rec.Code, b)
	}
}
