package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

func memStore(t *testing.T) *store.Store {
	st, err := store.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// code makes an enrolment code for account and returns it parsed.
func code(t *testing.T, srv *servertest.Server, account string) auth.Code {
	t.Helper()
	c, err := srv.Admin().Enrol(ctx, account)
	if err != nil {
		t.Fatal(err)
	}
	pc, err := auth.ParseCode(c.Code)
	if err != nil {
		t.Fatal(err)
	}
	return pc
}

func kindOf(err error) client.Kind { return client.KindOf(err) }

// TestEnrolTypedCode enrols with a typed code, no pin known: the device
// learns the server's key, the proofs confirm it, and it is pinned.
func TestEnrolTypedCode(t *testing.T) {
	sys := newSystem(t)
	st := memStore(t)
	cred, err := client.Enrol(ctx, client.EnrolOptions{Link: auth.Link{Server: sys.srv.URL, Code: code(t, sys.srv, "team")}, Device: st.DeviceID()})
	if err != nil {
		t.Fatal(err)
	}
	if cred.Pin != sys.srv.Pin || cred.Account.ID != "team" || cred.Account.Team != "north" || cred.Device != st.DeviceID() {
		t.Fatalf("credential %+v", cred)
	}
	if err := client.SaveCredential(ctx, st, cred); err != nil {
		t.Fatal(err)
	}
	back, err := client.LoadCredential(ctx, st)
	if err != nil || back.Pin != cred.Pin || !back.PrivateKey.Equal(cred.PrivateKey) {
		t.Fatalf("credential kept: %+v, %v", back, err)
	}
	eng := servertest.Engine(st, back, "", client.Options{})
	me, err := eng.Me(ctx)
	if err != nil || me.Account.ID != "team" || me.Device != st.DeviceID() {
		t.Fatalf("me: %+v, %v", me, err)
	}
	log, _ := sys.srv.Admin().Log(ctx)
	if last := log[len(log)-1]; last.Action != server.ActionEnrolDevice || last.Device != st.DeviceID() || last.Account != "team" {
		t.Errorf("admin log ends with %+v", last)
	}
}

// TestEnrolRefusals: a wrong pin fails before anything is sent; a man in
// the middle with its own certificate cannot enrol, nor pass off the
// server; a used code, a code burnt by wrong guesses, an expired code and
// a disabled account's code are refused.
func TestEnrolRefusals(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	sys := newSystemWith(t, servertest.Options{Now: func() time.Time { return clock() }})
	enrol := func(l auth.Link) error {
		_, err := client.Enrol(ctx, client.EnrolOptions{Link: l, Device: uuid.New()})
		return err
	}
	refused := func(err error) bool {
		return errors.Is(err, &wire.Error{Code: wire.CodeEnrolmentRefused})
	}

	// A QR code's pin that is not the server's: nothing is sent, the
	// code still works afterwards.
	c := code(t, sys.srv, "team")
	other := auth.Pin([]byte("another key"))
	if err := enrol(auth.Link{Server: sys.srv.URL, Code: c, Pin: other}); kindOf(err) != client.PinMismatch {
		t.Fatalf("wrong pin: %v", err)
	}
	if err := enrol(auth.Link{Server: sys.srv.URL, Code: c, Pin: sys.srv.Pin}); err != nil {
		t.Fatalf("the code did not work after a refused pin: %v", err)
	}
	// Used.
	if err := enrol(auth.Link{Server: sys.srv.URL, Code: c, Pin: sys.srv.Pin}); !refused(err) {
		t.Errorf("a used code: %v", err)
	}

	// A man in the middle: a TLS proxy with its own certificate, for a
	// typed code (no pin). The server sees a proof over the proxy's key.
	target, _ := url.Parse(sys.srv.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = &http.Transport{TLSClientConfig: client.PinnedTLS(sys.srv.Pin)}
	mitm := httptest.NewTLSServer(rp)
	defer mitm.Close()
	c = code(t, sys.srv, "team")
	if err := enrol(auth.Link{Server: mitm.URL, Code: c}); !refused(err) {
		t.Errorf("enrolment through a man in the middle: %v", err)
	}
	if err := enrol(auth.Link{Server: sys.srv.URL, Code: c, Pin: sys.srv.Pin}); err != nil {
		t.Errorf("the code after one wrong proof: %v", err)
	}

	// Five wrong guesses burn a code.
	c = code(t, sys.srv, "team")
	wrong := c
	wrong.Secret = "00000000"
	for i := range server.MaxEnrolFailures {
		if err := enrol(auth.Link{Server: sys.srv.URL, Code: wrong, Pin: sys.srv.Pin}); !refused(err) {
			t.Fatalf("wrong guess %d: %v", i, err)
		}
	}
	if err := enrol(auth.Link{Server: sys.srv.URL, Code: c, Pin: sys.srv.Pin}); !refused(err) {
		t.Errorf("a burnt code: %v", err)
	}

	// Expired.
	c = code(t, sys.srv, "team")
	now = now.Add(server.EnrolTTL + time.Second)
	if err := enrol(auth.Link{Server: sys.srv.URL, Code: c, Pin: sys.srv.Pin}); !refused(err) {
		t.Errorf("an expired code: %v", err)
	}
	// Superseded by a newer code for the same account.
	c = code(t, sys.srv, "team")
	code(t, sys.srv, "team")
	if err := enrol(auth.Link{Server: sys.srv.URL, Code: c, Pin: sys.srv.Pin}); !refused(err) {
		t.Errorf("a superseded code: %v", err)
	}
	// A disabled account's.
	c = code(t, sys.srv, "team")
	sys.srv.Admin().SetDisabled(ctx, "team", true)
	if err := enrol(auth.Link{Server: sys.srv.URL, Code: c, Pin: sys.srv.Pin}); !refused(err) {
		t.Errorf("a disabled account's code: %v", err)
	}
	if _, err := sys.srv.Admin().Enrol(ctx, "team"); !errors.Is(err, server.ErrInvalid) {
		t.Errorf("a code made for a disabled account: %v", err)
	}
}

// TestCredentialRefusals: a revoked device and a disabled account are
// refused on their very next request, with their own kind; a server that
// shows another certificate is refused by the device.
func TestCredentialRefusals(t *testing.T) {
	sys := newSystem(t)
	a := sys.device()
	a.record(t, 2, "before")
	if err := a.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := sys.srv.Admin().Revoke(ctx, a.st.DeviceID()); err != nil {
		t.Fatal(err)
	}
	err := a.eng.SyncOnce(ctx)
	if kindOf(err) != client.Revoked || !errors.Is(err, wire.ErrDeviceRevoked) {
		t.Errorf("revoked device: %v", err)
	}

	b := sys.device()
	if _, err := sys.srv.Admin().SetDisabled(ctx, b.cred.Account.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := b.eng.SyncOnce(ctx); kindOf(err) != client.Revoked || !errors.Is(err, wire.ErrAccountDisabled) {
		t.Errorf("disabled account: %v", err)
	}
	sys.srv.Admin().SetDisabled(ctx, b.cred.Account.ID, false)
	if err := b.eng.SyncOnce(ctx); err != nil {
		t.Errorf("enabled again: %v", err)
	}

	// Another server on the same address, with another certificate.
	sys.stop()
	imposter, err := servertest.Start(servertest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer imposter.Close()
	eng := servertest.Engine(b.st, b.cred, imposter.URL, client.Options{})
	if err := eng.SyncOnce(ctx); kindOf(err) != client.PinMismatch || !errors.Is(err, auth.ErrPinMismatch) {
		t.Errorf("a changed certificate: %v", err)
	}
}

// TestClockCorrected: a device whose clock is 20 minutes fast is told
// the server's time, signs again, and syncs.
func TestClockCorrected(t *testing.T) {
	sys := newSystem(t)
	d := sys.device()
	d.record(t, 3, "fast clock")
	fast := func() time.Time { return time.Now().Add(20 * time.Minute) }
	eng := servertest.Engine(d.st, d.cred, sys.proxy.URL(), client.Options{Now: fast})
	if err := eng.SyncOnce(ctx); err != nil {
		t.Fatalf("sync with a fast clock: %v", err)
	}
	if q := eng.Status().Queued; q != 0 {
		t.Errorf("%d still queued", q)
	}
}

// TestFourPeople is two officers of one team, a partner and an
// interpreter on one server, each with a real device and engine: the
// officers see each other's records and amendments, never their own back;
// the partner sees only their agency's; the interpreter receives the
// content pack and no record, and cannot push.
func TestFourPeople(t *testing.T) {
	base, err := content.Default()
	if err != nil {
		t.Fatal(err)
	}
	sys := newSystemWith(t, servertest.Options{Content: &server.Content{ID: base.ID, Version: base.Version, Bundle: base.Bundle()}})
	o1 := sys.deviceOf(sys.newAccount("north", wire.RoleOfficer))
	o2 := sys.deviceOf(sys.newAccount("north", wire.RoleOfficer))
	if _, err := sys.srv.AddAccount(ctx, server.Account{ID: "glaa1", Name: "Partner One", Number: "G 1", Agency: "glaa", Roles: []wire.Role{wire.RolePartner}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sys.srv.AddAccount(ctx, server.Account{ID: "int1", Name: "Interpreter One", Number: "I 1", Agency: "other", Roles: []wire.Role{wire.RoleInterpreter}}); err != nil {
		t.Fatal(err)
	}
	p := sys.deviceOf("glaa1")
	in := sys.deviceOf("int1")

	ids1 := o1.record(t, 3, "officer one")
	ids2 := o2.record(t, 2, "officer two")
	idsP := p.record(t, 1, "partner")
	for _, d := range []*device{o1, o2, p, o1, o2, p} {
		if err := d.eng.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	has := func(d *device) map[uuid.UUID]bool {
		list, _ := d.st.List(ctx)
		m := map[uuid.UUID]bool{}
		for _, r := range list {
			m[r.ID] = true
		}
		return m
	}
	want := func(name string, d *device, in, out []uuid.UUID) {
		t.Helper()
		got := has(d)
		for _, id := range in {
			if !got[id] {
				t.Errorf("%s lacks record %s", name, id)
			}
		}
		for _, id := range out {
			if got[id] {
				t.Errorf("%s holds record %s it may not see", name, id)
			}
		}
		if len(got) != len(in) {
			t.Errorf("%s holds %d records, want %d", name, len(got), len(in))
		}
	}
	all1 := append(append([]uuid.UUID{}, ids1...), ids2...)
	want("officer one", o1, all1, idsP)
	want("officer two", o2, all1, idsP)
	want("partner", p, idsP, all1)

	// The interpreter syncs: the content pack, nothing else.
	lib, err := content.OpenLibrary(ctx, in.st, base, nil)
	if err != nil {
		t.Fatal(err)
	}
	eng := servertest.Engine(in.st, in.cred, sys.proxy.URL(), client.Options{Content: lib})
	if err := eng.SyncOnce(ctx); err != nil {
		t.Fatalf("interpreter sync: %v", err)
	}
	if eng.Status().ContentVersion != base.Version {
		t.Errorf("interpreter's content version %d", eng.Status().ContentVersion)
	}
	want("interpreter", in, nil, append(all1, idsP...))
	r, _ := encounter.New(in.st.DeviceID(), time.Now())
	r.Officer = in.cred.Officer()
	r.Premises = encounter.Premises{Name: "Interpreter's attempt", Business: encounter.Farm}
	in.st.SaveDraft(ctx, r)
	in.st.Finalise(ctx, r.ID)
	if err := eng.SyncOnce(ctx); kindOf(err) != client.Forbidden {
		t.Errorf("interpreter push: %v", err)
	}

	// Each pull returned none of the device's own records.
	st, _ := sys.srv.Server.Stats(context.Background())
	if st.Records != 6 {
		t.Errorf("server holds %d records, want 6", st.Records)
	}
}
