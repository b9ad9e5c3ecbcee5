package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

// A device of a test: its key, and the account it is enrolled to.
type testDevice struct {
	key     auth.Key
	account Account
}

func (d testDevice) id() uuid.UUID { return d.key.Device }

// officer is the account as records name their author.
func (d testDevice) officer() encounter.Officer {
	return encounter.Officer{Name: d.account.Name, Number: d.account.Number, Agency: d.account.Agency}
}

var accountN atomic.Int64

// account returns a new account's fields with roles, in team and agency
// (police if empty).
func account(team, agency string, roles ...wire.Role) Account {
	n := accountN.Add(1)
	if agency == "" {
		agency = "police"
	}
	if len(roles) == 0 {
		roles = []wire.Role{wire.RoleOfficer}
	}
	return Account{ID: fmt.Sprintf("user%d", n), Name: fmt.Sprintf("Test Person %d", n), Number: fmt.Sprintf("T %d", n),
		Agency: agency, Team: team, Roles: roles}
}

// enrolDevice adds a (an account, unless it exists) and binds a new
// device to it straight in the directory: the enrolment protocol itself
// is tested on its own (enrol_test.go), with the slow key derivation.
func enrolDevice(t testing.TB, s *Server, a Account) testDevice {
	t.Helper()
	key, err := auth.NewKey(uuid.New())
	if err != nil {
		t.Fatal(err)
	}
	d := testDevice{key: key, account: a}
	bind(t, s, d)
	if d.account, err = s.dir.Account(context.Background(), a.ID); err != nil {
		t.Fatal(err)
	}
	return d
}

// bind adds d's account unless it exists, and enrols d straight in the
// directory.
func bind(t testing.TB, s *Server, d testDevice) {
	t.Helper()
	ctx := context.Background()
	now := s.now()
	if _, err := s.dir.Account(ctx, d.account.ID); err != nil {
		if _, err := s.Admin("test").AddUser(ctx, d.account); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := auth.NewCode()
	en := Enrolment{ID: c.ID, Account: d.account.ID, Key: []byte("k"), Created: now, Expires: now.Add(EnrolTTL)}
	dev := Device{ID: d.id(), PublicKey: d.key.Public(), Enrolled: now}
	if err := s.dir.AddEnrolment(ctx, en, LogEntry{At: now, Actor: "test", Action: ActionEnrolCode}); err != nil {
		t.Fatal(err)
	}
	if err := s.dir.CompleteEnrolment(ctx, c.ID, dev, now, LogEntry{At: now, Actor: "test", Action: ActionEnrolDevice}); err != nil {
		t.Fatal(err)
	}
}

func newServer(t *testing.T, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	s, err := Open(withBackend(t, opts))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		hs.Close()
		s.Close()
	})
	return s, hs
}

var t0 = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

// body returns the document of a finalised encounter with id, at premises
// name, made on d by its account.
func body(d testDevice, id uuid.UUID, name string) json.RawMessage {
	r := encounter.Record{
		ID: id, Schema: encounter.Schema, Device: d.id(), Officer: d.officer(),
		Premises:   encounter.Premises{Name: name, Business: encounter.CarWash},
		OccurredAt: t0, CreatedAt: t0, UpdatedAt: t0, FinalisedAt: t0,
	}
	b, err := r.Document()
	if err != nil {
		panic(err)
	}
	return b
}

// post sends v as a gzip JSON request to path, signed by d, and decodes
// the answer into out, returning the status and the raw answer.
func post(t *testing.T, hs *httptest.Server, d testDevice, path string, v, out any) (int, []byte) {
	t.Helper()
	code, raw, err := tryPost(hs, d, path, v, out)
	if err != nil {
		t.Fatal(err)
	}
	return code, raw
}

// signEntries signs each entry of a push that has no signature with d's
// key, as the device does when it finalises a record: over the body as
// given, which tests build with Document (the canonical encoding).
func signEntries(d testDevice, v any) any {
	var req wire.PushRequest
	switch p := v.(type) {
	case wire.PushRequest:
		req = p
	case *wire.PushRequest:
		req = *p
	default:
		return v
	}
	req.Entries = slices.Clone(req.Entries)
	for i, e := range req.Entries {
		if e.Sig == nil && d.key.Private != nil {
			seal, err := evidence.Sign(d.key, string(e.Kind), e.Body)
			if err != nil {
				panic(err)
			}
			req.Entries[i].Sig = seal.Sig
		}
	}
	return req
}

func tryPost(hs *httptest.Server, d testDevice, path string, v, out any) (int, []byte, error) {
	b, err := wire.EncodeGzip(signEntries(d, v))
	if err != nil {
		return 0, nil, err
	}
	req, _ := http.NewRequest(http.MethodPost, hs.URL+path, bytes.NewReader(b))
	req.Header.Set(wire.VersionHeader, strconv.Itoa(wire.Version))
	req.Header.Set("Content-Encoding", wire.Gzip)
	req.Header.Set("Content-Type", "application/json")
	if d.key.Private != nil {
		h, err := auth.Sign(d.key, http.MethodPost, path, time.Now(), b)
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set(auth.Header, h)
	}
	resp, err := hs.Client().Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return 0, nil, fmt.Errorf("decode %s answer %q: %v", path, raw, err)
		}
	}
	return resp.StatusCode, raw, nil
}
