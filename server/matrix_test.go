package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

// The callers of the matrix: every role, nobody, and each way a
// credential can be bad.
type caller string

const (
	anonymous   caller = "anonymous"
	officer     caller = "officer"
	partner     caller = "partner"
	interpreter caller = "interpreter"
	supervisor  caller = "supervisor"
	admin       caller = "admin"
	revoked     caller = "revoked device"
	disabled    caller = "disabled account"
	wrongKey    caller = "wrong device key"
	replayed    caller = "replayed request"
	skewed      caller = "clock 10 minutes out"
)

var callers = []caller{anonymous, officer, partner, interpreter, supervisor, admin, revoked, disabled, wrongKey, replayed, skewed}

// The requests of the matrix: every route, with own and other people's
// data where the route takes data.
type route string

const (
	health        route = "GET /healthz"
	enrol         route = "POST /v2/enrol (a code nobody made)"
	pushOwn       route = "POST /v2/push own record"
	pushOthers    route = "POST /v2/push record naming another officer"
	amendOthers   route = "POST /v2/push amendment of the south team's record"
	pull          route = "POST /v2/pull"
	content       route = "POST /v2/content"
	me            route = "GET /v2/me"
	operations    route = "POST /v3/operations"
	v1Push        route = "POST /v1/push"
	v1Pull        route = "POST /v1/pull"
	unknown       route = "GET /v9/everything"
	pullRecordsOf       = "records of"
)

// want is an expected answer: a status and a wire code, and for a 200,
// what must be in it.
type want struct {
	status int
	code   wire.Code
	// rejected is the code of the push's one rejection ("" none).
	rejected wire.Code
	// sees names the fixture records a pull returns: exactly these.
	sees []string
}

var (
	ok         = want{status: 200}
	stored     = want{status: 200}
	mismatch   = want{status: 200, rejected: wire.CodeIdentityMismatch}
	outOfSight = want{status: 200, rejected: wire.CodeInvalidRecord}
	unauth     = want{status: 401, code: wire.CodeUnauthenticated}
	replay     = want{status: 401, code: wire.CodeReplayed}
	skew       = want{status: 401, code: wire.CodeClockSkew}
	forbidden  = want{status: 403, code: wire.CodeForbidden}
	gone       = want{status: 403, code: wire.CodeDeviceRevoked}
	off        = want{status: 403, code: wire.CodeAccountDisabled}
	noCode     = want{status: 403, code: wire.CodeEnrolmentRefused}
	oldApp     = want{status: 400, code: wire.CodeProtocolVersion}
	notFound   = want{status: 404, code: wire.CodeNotFound}
)

func sees(names ...string) want { return want{status: 200, sees: names} }

// every gives every caller the same answer.
func every(w want) map[caller]want {
	m := map[caller]want{}
	for _, c := range callers {
		m[c] = w
	}
	return m
}

// The fixture's records, by who wrote them: officer A (north, the
// "officer" caller), officer A on a second device (revoked later), officer
// B (north), officer C (south), partner P2 (GLAA, like the "partner"
// caller), the supervisor, and D (north, disabled later).
const (
	recA, recA2, recB, recC, recP2, recS, recD = "A", "A on another device", "B", "C", "P2", "S", "D"
)

// matrix is every route × every caller, and the answer each must get.
// Pulls come first: pushes add records.
var matrix = []struct {
	route route
	want  map[caller]want
}{
	{health, every(ok)},
	{enrol, every(noCode)},
	{pull, map[caller]want{
		anonymous: unauth, officer: sees(recB, recA2, recD), partner: sees(recP2), interpreter: forbidden,
		supervisor: sees(recA, recA2, recB, recC, recP2, recD), admin: forbidden,
		revoked: gone, disabled: off, wrongKey: unauth, replayed: replay, skewed: skew}},
	{content, map[caller]want{
		anonymous: unauth, officer: ok, partner: ok, interpreter: ok, supervisor: ok, admin: ok,
		revoked: gone, disabled: off, wrongKey: unauth, replayed: replay, skewed: skew}},
	{me, map[caller]want{
		anonymous: unauth, officer: ok, partner: ok, interpreter: ok, supervisor: ok, admin: ok,
		revoked: gone, disabled: off, wrongKey: unauth, replayed: replay, skewed: skew}},
	{operations, map[caller]want{
		anonymous: unauth, officer: ok, partner: ok, interpreter: forbidden, supervisor: ok, admin: forbidden,
		revoked: gone, disabled: off, wrongKey: unauth, replayed: replay, skewed: skew}},
	{pushOwn, map[caller]want{
		anonymous: unauth, officer: stored, partner: stored, interpreter: forbidden, supervisor: stored, admin: forbidden,
		revoked: gone, disabled: off, wrongKey: unauth, replayed: replay, skewed: skew}},
	{pushOthers, map[caller]want{
		anonymous: unauth, officer: mismatch, partner: mismatch, interpreter: forbidden, supervisor: mismatch, admin: forbidden,
		revoked: gone, disabled: off, wrongKey: unauth, replayed: replay, skewed: skew}},
	{amendOthers, map[caller]want{
		anonymous: unauth, officer: outOfSight, partner: outOfSight, interpreter: forbidden, supervisor: stored, admin: forbidden,
		revoked: gone, disabled: off, wrongKey: unauth, replayed: replay, skewed: skew}},
	{v1Push, every(oldApp)},
	{v1Pull, every(oldApp)},
	{unknown, every(notFound)},
}

// fixture is one server over TLS with the matrix's accounts, devices and
// records.
type fixture struct {
	t       *testing.T
	srv     *servertest.Server
	http    *http.Client
	creds   map[caller]*client.Credential
	records map[uuid.UUID]string // record id → fixture name
	other   *client.Credential   // officer B, whose identity pushOthers borrows
	south   uuid.UUID            // officer C's record
	seq     map[uuid.UUID]uint64
}

func newFixture(t *testing.T) *fixture {
	ctx := context.Background()
	srv, err := servertest.Start(servertest.Options{Content: &server.Content{ID: "test.pack", Version: 4, Bundle: []byte("bundle")}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	f := &fixture{t: t, srv: srv, http: &http.Client{Transport: &http.Transport{TLSClientConfig: client.PinnedTLS(srv.Pin)}},
		creds: map[caller]*client.Credential{}, records: map[uuid.UUID]string{}, seq: map[uuid.UUID]uint64{}}
	acc := func(id, team, agency string, roles ...wire.Role) server.Account {
		a, err := srv.AddAccount(ctx, server.Account{ID: id, Name: "Person " + id, Number: strings.ToUpper(id), Agency: agency, Team: team, Roles: roles})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	enrolled := func(account string) *client.Credential {
		st, err := store.Open(ctx, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		c, err := srv.Enrol(ctx, st, account)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	acc("pc-a", "north", "police", wire.RoleOfficer)
	acc("pc-b", "north", "police", wire.RoleOfficer)
	acc("pc-c", "south", "police", wire.RoleOfficer)
	acc("pc-d", "north", "police", wire.RoleOfficer)
	acc("glaa-1", "", "glaa", wire.RolePartner)
	acc("glaa-2", "", "glaa", wire.RolePartner)
	acc("int-1", "", "other", wire.RoleInterpreter)
	acc("ps-1", "", "police", wire.RoleSupervisor)
	acc("adm-1", "", "police", wire.RoleAdmin)
	for c, account := range map[caller]string{officer: "pc-a", partner: "glaa-1", interpreter: "int-1", supervisor: "ps-1", admin: "adm-1", revoked: "pc-a", disabled: "pc-d"} {
		f.creds[c] = enrolled(account)
	}
	f.other = enrolled("pc-b")
	south := enrolled("pc-c")
	p2 := enrolled("glaa-2")
	f.push(f.creds[officer], recA)
	f.push(f.creds[revoked], recA2)
	f.push(f.other, recB)
	f.south = f.push(south, recC)
	f.push(p2, recP2)
	f.push(f.creds[supervisor], recS)
	f.push(f.creds[disabled], recD)
	if _, err := srv.Admin().Revoke(ctx, f.creds[revoked].Device); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Admin().SetDisabled(ctx, "pc-d", true); err != nil {
		t.Fatal(err)
	}
	return f
}

// record returns a finalised encounter document made on c's device by
// c's account.
func (f *fixture) record(c *client.Credential, name string) (uuid.UUID, []byte) {
	r, _ := encounter.New(c.Device, time.Now().Add(-time.Hour))
	r.Officer = c.Officer()
	r.Premises = encounter.Premises{Name: "Example premises " + name, Business: encounter.Farm}
	if err := r.Seal(time.Now()); err != nil {
		f.t.Fatal(err)
	}
	b, err := r.Document()
	if err != nil {
		f.t.Fatal(err)
	}
	return r.ID, b
}

// push stores a record of c's as fixture record name.
func (f *fixture) push(c *client.Credential, name string) uuid.UUID {
	id, doc := f.record(c, name)
	f.records[id] = name
	var resp wire.PushResponse
	st, raw := f.send(c, "POST", wire.PathPush, f.pushBody(c.Device, c, wire.KindEncounter, id, doc), nil, &resp)
	if st != 200 || len(resp.Rejected) != 0 {
		f.t.Fatalf("fixture push %s: %d %s", name, st, raw)
	}
	return id
}

// pushBody is a push of one entry from device dev, signed by sg.
func (f *fixture) pushBody(dev uuid.UUID, sg evidence.Signer, kind wire.Kind, id uuid.UUID, doc []byte) []byte {
	f.seq[dev]++
	seal, err := evidence.Sign(sg, string(kind), doc)
	if err != nil {
		f.t.Fatal(err)
	}
	b, _ := json.Marshal(wire.PushRequest{Entries: []wire.Entry{{Seq: f.seq[dev], ID: id, Kind: kind, Body: doc, Sig: seal.Sig}}})
	return b
}

// send makes one request, signed by signer if set (with ts, if set, for
// its time), and decodes a 200 into out.
func (f *fixture) send(signer auth.Signer, method, path string, body []byte, ts *time.Time, out any) (int, []byte) {
	f.t.Helper()
	req := f.request(signer, method, path, body, ts)
	return f.do(req, body, out)
}

func (f *fixture) request(signer auth.Signer, method, path string, body []byte, ts *time.Time) *http.Request {
	req, _ := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	req.Header.Set(wire.VersionHeader, strconv.Itoa(wire.Version))
	if strings.HasPrefix(path, "/v1/") {
		req.Header.Set(wire.VersionHeader, "1")
	}
	if signer != nil {
		at := time.Now()
		if ts != nil {
			at = *ts
		}
		h, err := auth.Sign(signer, method, path, at, body)
		if err != nil {
			f.t.Fatal(err)
		}
		req.Header.Set(auth.Header, h)
	}
	return req
}

func (f *fixture) do(req *http.Request, body []byte, out any) (int, []byte) {
	f.t.Helper()
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := f.http.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == 200 && out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			f.t.Fatalf("%s answer: %v", req.URL.Path, err)
		}
	}
	return resp.StatusCode, raw
}

// ask sends route as c and returns the status, the raw answer and what a
// pull returned.
func (f *fixture) ask(r route, c caller) (int, []byte, *wire.PullResponse, *wire.PushResponse) {
	f.t.Helper()
	var signer auth.Signer = f.creds[c]
	var ts *time.Time
	switch c {
	case anonymous:
		signer = nil
	case wrongKey:
		k, _ := auth.NewKey(f.creds[officer].Device) // officer A's device id, another key
		signer = k
	case replayed, skewed:
		signer = f.creds[officer]
	}
	if c == skewed {
		at := time.Now().Add(-10 * time.Minute)
		ts = &at
	}
	dev := uuid.Nil
	if signer != nil {
		dev = signer.DeviceID()
	}
	var method, path string
	var body []byte
	switch r {
	case health:
		method, path = "GET", wire.PathHealth
	case enrol:
		method, path = "POST", wire.PathEnrol
		body, _ = json.Marshal(wire.EnrolRequest{Code: "ZZZZ", Device: uuid.New(), PublicKey: make([]byte, 32), Proof: make([]byte, 32)})
	case pushOwn, pushOthers:
		method, path = "POST", wire.PathPush
		cred := f.creds[c]
		if cred == nil {
			cred = f.creds[officer]
		}
		id, doc := f.record(cred, "pushed by "+string(c))
		if r == pushOthers {
			id, doc = f.record(f.other, "claimed by "+string(c))
		}
		body = f.pushBody(dev, cred, wire.KindEncounter, id, doc)
	case amendOthers:
		method, path = "POST", wire.PathPush
		cred := f.creds[c]
		if cred == nil {
			cred = f.creds[officer]
		}
		a, _ := encounter.NewAmendment(f.south, cred.Device, cred.Officer(), time.Now())
		a.Reason = "notes replaced"
		a.Changes = []encounter.Change{{Field: encounter.FieldNotes, To: "replaced by " + string(c)}}
		doc, _ := a.Document()
		body = f.pushBody(dev, cred, wire.KindAmendment, a.ID, doc)
	case pull:
		method, path = "POST", wire.PathPull
		body = []byte(`{"limit":1000}`)
	case content:
		method, path = "POST", wire.PathContent
		body = []byte(`{"have":0}`)
	case me:
		method, path = "GET", wire.PathMe
	case operations:
		method, path = "POST", wire.PathOperations
		body = []byte(`{"have":0}`)
	case v1Push:
		method, path = "POST", "/v1/push"
		body = []byte(`{"device":"` + f.creds[officer].Device.String() + `","entries":[]}`)
	case v1Pull:
		method, path = "POST", "/v1/pull"
		body = []byte(`{"device":"` + uuid.NewString() + `","since":0}`)
	case unknown:
		method, path = "GET", "/v9/everything"
	}
	req := f.request(signer, method, path, body, ts)
	if c == replayed && signer != nil && strings.HasPrefix(path, "/v3/") && r != enrol {
		// Captured on the way: the officer's own request goes through,
		// then the copy is sent.
		copyReq := req.Clone(context.Background())
		f.do(copyReq, body, nil)
	}
	var pr wire.PullResponse
	var ps wire.PushResponse
	var out any
	switch r {
	case pull:
		out = &pr
	case pushOwn, pushOthers, amendOthers:
		out = &ps
	}
	st, raw := f.do(req, body, out)
	return st, raw, &pr, &ps
}

// TestMatrix walks every route × every caller against a real server over
// real TLS, and checks each answer: the status, the code, and for a pull
// exactly the records the caller may see (nothing else: no leak).
func TestMatrix(t *testing.T) {
	f := newFixture(t)
	cells := 0
	for _, row := range matrix {
		for _, c := range callers {
			w, ok := row.want[c]
			if !ok {
				t.Fatalf("the matrix has no answer for %s as %s", row.route, c)
			}
			cells++
			t.Run(fmt.Sprintf("%s as %s", row.route, c), func(t *testing.T) {
				f.t = t
				st, raw, pr, ps := f.ask(row.route, c)
				if st != w.status {
					t.Fatalf("status %d, want %d: %.300s", st, w.status, raw)
				}
				if st != 200 {
					var er wire.ErrorResponse
					if err := json.Unmarshal(raw, &er); err != nil || er.Error.Code != w.code {
						t.Fatalf("answer %.300s, want code %s", raw, w.code)
					}
					return
				}
				switch row.route {
				case pull:
					var got []string
					for _, op := range pr.Ops {
						name, known := f.records[op.ID]
						if !known {
							name = "unknown record " + op.ID.String()
						}
						got = append(got, name)
					}
					slices.Sort(got)
					exp := slices.Clone(w.sees)
					slices.Sort(exp)
					if !slices.Equal(got, exp) {
						t.Errorf("pulled %q, want exactly %q", got, exp)
					}
				case pushOwn, pushOthers, amendOthers:
					code := wire.Code("")
					if len(ps.Rejected) > 0 {
						code = ps.Rejected[0].Code
					}
					if code != w.rejected || ps.Ack == 0 {
						t.Errorf("push answer %s, want rejection %q", raw, w.rejected)
					}
				case me:
					var m wire.Me
					json.Unmarshal(raw, &m)
					if m.Device != f.creds[c].Device || m.Account.ID == "" || m.Policy.RetentionDays != 30 || m.Policy.OfflineLockDays != 14 {
						t.Errorf("me: %s", raw)
					}
				}
			})
		}
	}
	f.t = t
	t.Logf("matrix: %d routes × %d callers = %d cells", len(matrix), len(callers), cells)
}
