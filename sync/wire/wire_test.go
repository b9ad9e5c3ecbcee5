package wire

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var (
	device = uuid.MustParse("0192f1a0-0000-7000-8000-00000000d001") // in enrolment and me

	other = uuid.MustParse("0192f1a0-0000-7000-8000-00000000d002")
	rec1  = uuid.MustParse("0192f1a0-1111-7111-8111-000000000001")
	rec2  = uuid.MustParse("0192f1a0-1111-7111-8111-000000000002")
	sig   = bytes.Repeat([]byte{0x51}, SigBytes) // an entry's signature, in form
)

// goldens are the messages whose JSON form is frozen. Changing one of
// these files is changing the protocol: bump Version instead.
var goldens = []struct {
	file string
	msg  any
	zero func() any
}{
	{"push_request.json", &PushRequest{
		Entries: []Entry{
			{Seq: 1, ID: rec1, Kind: KindEncounter, Body: json.RawMessage(`{"id":"0192f1a0-1111-7111-8111-000000000001","premises":{"name":"Example Hand Car Wash","business":"car_wash"},"people_present":4}`), Sig: sig},
			{Seq: 2, ID: rec2, Kind: KindEncounter, Body: json.RawMessage(`{"id":"0192f1a0-1111-7111-8111-000000000002","premises":{"name":"Example Nails","business":"nail_bar"},"people_present":2}`), Sig: sig},
		},
	}, func() any { return new(PushRequest) }},
	{"push_response.json", &PushResponse{Ack: 2}, func() any { return new(PushResponse) }},
	{"push_response_rejected.json", &PushResponse{
		Ack:      2,
		Rejected: []Rejection{{Seq: 2, ID: rec2, Code: CodeConflict, Message: "a different record with this id is already stored; kept aside for review"}},
	}, func() any { return new(PushResponse) }},
	{"push_response_invalid.json", &PushResponse{
		Ack:      7,
		Rejected: []Rejection{{Seq: 7, ID: rec1, Code: CodeInvalidRecord, Message: "encounter is incomplete or not allowed: referral child_needs_nrm"}},
	}, func() any { return new(PushResponse) }},
	{"push_response_identity.json", &PushResponse{
		Ack:      3,
		Rejected: []Rejection{{Seq: 3, ID: rec1, Code: CodeIdentityMismatch, Message: "field officer.number is not the number of the account this device is enrolled to"}},
	}, func() any { return new(PushResponse) }},
	{"push_response_signature.json", &PushResponse{
		Ack:      4,
		Rejected: []Rejection{{Seq: 4, ID: rec1, Code: CodeSignatureInvalid, Message: "field sig does not verify over the body with the key enrolled for this device"}},
	}, func() any { return new(PushResponse) }},
	{"error_aside_full.json", &ErrorResponse{Error: Error{
		Code:    CodeAsideFull,
		Message: "this device has 100 entries kept aside for review, its quota; the server keeps no more until they are reviewed",
	}}, func() any { return new(ErrorResponse) }},
	{"error_rate_limited.json", &ErrorResponse{Error: Error{
		Code:    CodeRateLimited,
		Message: "this device is sending requests faster than the server allows; wait and try again",
	}}, func() any { return new(ErrorResponse) }},
	{"pull_request.json", &PullRequest{Since: 41, Limit: 500}, func() any { return new(PullRequest) }},
	{"pull_response_operations.json", &PullResponse{Ops: []Op{}, Cursor: 42, ContentVersion: 3, OperationsVersion: 7}, func() any { return new(PullResponse) }},
	{"operations_request.json", &OperationsRequest{Have: 6}, func() any { return new(OperationsRequest) }},
	{"operations_response.json", &OperationsResponse{
		Version:    7,
		Operations: []json.RawMessage{json.RawMessage(`{"id":"0192f1a0-2222-7222-8222-000000000001","revision":2,"name":"Operation Example"}`)},
		History: []Visit{{Operation: uuid.MustParse("0192f1a0-2222-7222-8222-000000000001"), Premises: uuid.MustParse("0192f1a0-2222-7222-8222-0000000000a1"),
			Record: rec1, OccurredAt: time.Date(2026, 2, 10, 14, 5, 0, 0, time.UTC), Level: "amber", Officer: "PC 101 A Example", Agency: "police",
			People: 4, Children: 1, Referrals: 2, Name: "Operation Earlier"}},
	}, func() any { return new(OperationsResponse) }},
	{"pull_response.json", &PullResponse{
		Ops: []Op{
			{Cursor: 42, Kind: KindEncounter, ID: rec1, Device: other, Seq: 7, Body: json.RawMessage(`{"id":"0192f1a0-1111-7111-8111-000000000001"}`),
				Sig: sig, Key: bytes.Repeat([]byte{0xd2}, 32), KeyID: "ed25519:1f2e3d4c5b6a7980", Received: time.Date(2026, 3, 14, 9, 31, 2, 500_000_000, time.UTC)},
		},
		Cursor:         42,
		More:           false,
		ContentVersion: 3,
	}, func() any { return new(PullResponse) }},
	{"error_protocol_version.json", &ErrorResponse{Error: Error{
		Code:    CodeProtocolVersion,
		Message: "this server speaks protocol 3, the request protocol 2: update the app",
	}}, func() any { return new(ErrorResponse) }},
	{"error_clock_skew.json", &ErrorResponse{Error: Error{
		Code:       CodeClockSkew,
		Message:    "the request's time is 7m0s from the server's; correct the clock and sign again",
		ServerTime: 1767225600123,
	}}, func() any { return new(ErrorResponse) }},
	{"error_device_revoked.json", &ErrorResponse{Error: Error{
		Code:    CodeDeviceRevoked,
		Message: "this device has been revoked",
	}}, func() any { return new(ErrorResponse) }},
	{"content_request.json", &ContentRequest{Have: 2}, func() any { return new(ContentRequest) }},
	{"content_response.json", &ContentResponse{ID: "waymark.default", Version: 3, Bundle: []byte("{\"pack\":\"bundle bytes\"}")}, func() any { return new(ContentResponse) }},
	{"health.json", &Health{Status: "ok", Protocol: Version}, func() any { return new(Health) }},
	{"enrol_request.json", &EnrolRequest{
		Code: "7KQ2", Device: device,
		PublicKey: bytes.Repeat([]byte{0xd0}, 32), Proof: bytes.Repeat([]byte{0x9f}, 32),
	}, func() any { return new(EnrolRequest) }},
	{"enrol_response.json", &EnrolResponse{
		Account: Account{ID: "pc101", Name: "A Example", Number: "PC 101", Agency: "police", Team: "north", Roles: []Role{RoleOfficer}},
		Device:  device, ServerProof: bytes.Repeat([]byte{0x5e}, 32),
	}, func() any { return new(EnrolResponse) }},
	{"me.json", &Me{
		Account: Account{ID: "ps7", Name: "B Example", Number: "PS 7", Agency: "police", Team: "north", Roles: []Role{RoleOfficer, RoleSupervisor}},
		Device:  device, Policy: Policy{RetentionDays: 30, OfflineLockDays: 14}, ContentVersion: 3,
	}, func() any { return new(Me) }},
}

func TestGolden(t *testing.T) {
	for _, g := range goldens {
		t.Run(g.file, func(t *testing.T) {
			path := filepath.Join("testdata", g.file)
			got, err := json.MarshalIndent(g.msg, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("encoding changed; this is a protocol change.\ngot:\n%s\nwant:\n%s", got, want)
			}
			// And the golden decodes back to the same message.
			back := g.zero()
			if err := Decode(bytes.NewReader(want), "", back); err != nil {
				t.Fatalf("decode golden: %v", err)
			}
			// Bodies are raw JSON, so compare compact encodings.
			b1, _ := json.Marshal(back)
			b2, _ := json.Marshal(g.msg)
			if !bytes.Equal(b1, b2) {
				t.Errorf("decoded golden differs:\ngot  %s\nwant %s", b1, b2)
			}
		})
	}
}

func TestGoldenRequestsAreValid(t *testing.T) {
	for _, g := range goldens {
		v, ok := g.msg.(interface{ Validate() error })
		if !ok {
			continue
		}
		if err := v.Validate(); err != nil {
			t.Errorf("%s: %v", g.file, err)
		}
	}
}

func TestPushValidate(t *testing.T) {
	body := json.RawMessage(`{"a":1}`)
	ok := func() PushRequest {
		return PushRequest{Entries: []Entry{
			{Seq: 1, ID: rec1, Kind: KindEncounter, Body: body, Sig: sig},
			{Seq: 3, ID: rec2, Kind: KindEncounter, Body: body, Sig: sig},
		}}
	}
	tests := []struct {
		name   string
		change func(*PushRequest)
		code   Code
	}{
		{"valid", func(*PushRequest) {}, ""},
		{"signature too long", func(r *PushRequest) { r.Entries[0].Sig = make([]byte, SigBytes+1) }, CodeBadRequest},
		{"signature short", func(r *PushRequest) { r.Entries[1].Sig = sig[:SigBytes-1] }, CodeBadRequest},
		{"no signature", func(r *PushRequest) { r.Entries[0].Sig = nil }, CodeBadRequest},
		{"no entries", func(r *PushRequest) { r.Entries = nil }, CodeBadRequest},
		{"sequence zero", func(r *PushRequest) { r.Entries[0].Seq = 0 }, CodeBadRequest},
		{"sequence repeats", func(r *PushRequest) { r.Entries[1].Seq = 1 }, CodeBadRequest},
		{"sequence goes back", func(r *PushRequest) { r.Entries[0].Seq = 5 }, CodeBadRequest},
		{"no record id", func(r *PushRequest) { r.Entries[1].ID = uuid.Nil }, CodeBadRequest},
		{"unknown kind", func(r *PushRequest) { r.Entries[0].Kind = "photo" }, CodeBadRequest},
		{"body array", func(r *PushRequest) { r.Entries[0].Body = json.RawMessage(`[1]`) }, CodeBadRequest},
		{"body missing", func(r *PushRequest) { r.Entries[0].Body = nil }, CodeBadRequest},
		{"body too big", func(r *PushRequest) {
			r.Entries[0].Body = json.RawMessage(`{"x":"` + strings.Repeat("a", MaxBodyBytes) + `"}`)
		}, CodeTooLarge},
		{"too many entries", func(r *PushRequest) {
			r.Entries = make([]Entry, MaxEntries+1)
			for i := range r.Entries {
				r.Entries[i] = Entry{Seq: uint64(i + 1), ID: rec1, Kind: KindEncounter, Body: body, Sig: sig}
			}
		}, CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := ok()
			tt.change(&r)
			err := r.Validate()
			if got := codeOrEmpty(err); got != tt.code {
				t.Errorf("Validate() = %v, want code %q", err, tt.code)
			}
		})
	}
}

func TestContentValidate(t *testing.T) {
	for _, tt := range []struct {
		req  ContentRequest
		code Code
	}{
		{ContentRequest{}, ""},
		{ContentRequest{Have: 4}, ""},
		{ContentRequest{Have: -1}, CodeBadRequest},
	} {
		if got := codeOrEmpty(tt.req.Validate()); got != tt.code {
			t.Errorf("%+v: code %q, want %q", tt.req, got, tt.code)
		}
	}
}

func TestPullValidate(t *testing.T) {
	tests := []struct {
		req  PullRequest
		code Code
	}{
		{PullRequest{}, ""},
		{PullRequest{Since: 9, Limit: MaxPullLimit}, ""},
		{PullRequest{Limit: -1}, CodeBadRequest},
		{PullRequest{Limit: MaxPullLimit + 1}, CodeBadRequest},
	}
	for _, tt := range tests {
		if got := codeOrEmpty(tt.req.Validate()); got != tt.code {
			t.Errorf("%+v: code %q, want %q", tt.req, got, tt.code)
		}
	}
}

func codeOrEmpty(err error) Code {
	if err == nil {
		return ""
	}
	return CodeOf(err)
}

func TestDecode(t *testing.T) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(s))
		w.Close()
		return b.Bytes()
	}
	bomb := func() []byte {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write([]byte(`{"since":"`))
		w.Write(bytes.Repeat([]byte("a"), MaxDecodedBytes+10))
		w.Write([]byte(`"}`))
		w.Close()
		return b.Bytes()
	}
	tests := []struct {
		name     string
		body     []byte
		encoding string
		code     Code
	}{
		{"plain", []byte(`{"since":3}`), "", ""},
		{"gzip", gz(`{"since":3}`), "gzip", ""},
		{"gzip uppercase", gz(`{"since":3}`), "GZIP", ""},
		{"v1 device field", []byte(`{"device":"` + device.String() + `","since":3}`), "", CodeBadRequest},
		{"unknown field", []byte(`{"since":3,"scope":"all"}`), "", CodeBadRequest},
		{"empty", nil, "", CodeBadRequest},
		{"not json", []byte("hello"), "", CodeBadRequest},
		{"two values", []byte(`{} {}`), "", CodeBadRequest},
		{"trailing brace", []byte(`{}}`), "", CodeBadRequest},
		{"wrong type", []byte(`{"since":"12"}`), "", CodeBadRequest},
		{"claims gzip", []byte(`{}`), "gzip", CodeBadRequest},
		{"truncated gzip", gz(`{"since":1}`)[:12], "gzip", CodeBadRequest},
		{"brotli", []byte(`{}`), "br", CodeUnsupportedEncoding},
		{"too big", bytes.Repeat([]byte(" "), MaxRequestBytes+1), "", CodeTooLarge},
		{"gzip bomb", bomb(), "gzip", CodeTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var r PullRequest
			err := Decode(bytes.NewReader(tt.body), tt.encoding, &r)
			if got := codeOrEmpty(err); got != tt.code {
				t.Errorf("Decode = %v, want code %q", err, tt.code)
			}
		})
	}
}

func TestEncodeGzipRoundTrip(t *testing.T) {
	in := goldens[0].msg.(*PushRequest)
	b, err := EncodeGzip(in)
	if err != nil {
		t.Fatal(err)
	}
	var out PushRequest
	if err := Decode(bytes.NewReader(b), Gzip, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, &out) {
		t.Errorf("round trip differs:\n%#v\n%#v", in, &out)
	}
}

func TestErrorsIs(t *testing.T) {
	err := error(Errorf(CodeConflict, "record %s", rec1))
	if !errors.Is(err, ErrConflict) {
		t.Error("conflict error does not match ErrConflict")
	}
	if errors.Is(err, ErrBadRequest) {
		t.Error("conflict error matches ErrBadRequest")
	}
	if CodeOf(errors.New("disk on fire")) != CodeInternal {
		t.Error("plain error is not internal")
	}
	for _, c := range []Code{CodeBadRequest, CodeProtocolVersion, CodeTooLarge, CodeUnsupportedEncoding, CodeMethodNotAllowed, CodeNotFound,
		CodeUnauthenticated, CodeReplayed, CodeClockSkew, CodeDeviceRevoked, CodeAccountDisabled, CodeForbidden, CodeIdentityMismatch,
		CodeEnrolmentRefused, CodeRateLimited, CodeSignatureInvalid} {
		if s := c.HTTPStatus(); s < 400 || s > 499 {
			t.Errorf("%s maps to %d, want 4xx", c, s)
		}
	}
}
