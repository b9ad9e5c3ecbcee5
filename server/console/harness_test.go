package console

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

var ctx = context.Background()

// testLog sends the console's errors to the test's log.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// system is a real server over TLS with its console, accounts of every
// console role, and enrolled devices that record synthetic encounters.
type system struct {
	t       *testing.T
	srv     *servertest.Server
	secrets map[string][]byte // TOTP secrets by account
	last    map[string]time.Time
}

const password = "correct horse battery"

// accounts of the tests: synthetic people.
var accounts = []server.Account{
	{ID: "sup1", Name: "Sergeant Example", Number: "PS 900", Agency: "police", Team: "ht", Roles: []wire.Role{wire.RoleSupervisor}},
	{ID: "admin1", Name: "Admin Example", Number: "ADM 1", Agency: "police", Roles: []wire.Role{wire.RoleAdmin}},
	{ID: "glaa1", Name: "Inspector Example", Number: "G 17", Agency: "glaa", Roles: []wire.Role{wire.RolePartner}},
	{ID: "pc101", Name: "Officer North", Number: "PC 101", Agency: "police", Team: "north", Roles: []wire.Role{wire.RoleOfficer}},
	{ID: "pc202", Name: "Officer South", Number: "PC 202", Agency: "police", Team: "south", Roles: []wire.Role{wire.RoleOfficer}},
	{ID: "int1", Name: "Interpreter Example", Number: "I 1", Agency: "other", Roles: []wire.Role{wire.RoleInterpreter}},
}

func newSystem(t *testing.T) *system {
	t.Helper()
	srv, err := servertest.Start(servertest.Options{Dir: t.TempDir(), Key: bytes.Repeat([]byte{7}, 32),
		Console: func(s *server.Server) (http.Handler, error) {
			c, err := New(s, Options{Location: time.UTC, Logger: slog.New(slog.NewTextHandler(testLog{t}, &slog.HandlerOptions{Level: slog.LevelError}))})
			if err != nil {
				return nil, err
			}
			return c.Handler(), nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	sys := &system{t: t, srv: srv, secrets: map[string][]byte{}, last: map[string]time.Time{}}
	ad := srv.Admin()
	for _, a := range accounts {
		if _, err := ad.AddUser(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := ad.SetPassword(ctx, a.ID, password); err != nil {
			t.Fatal(err)
		}
		setup, err := ad.SetupTOTP(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sys.secrets[a.ID], err = server.ParseTOTPSecret(setup.Secret); err != nil {
			t.Fatal(err)
		}
	}
	return sys
}

// code is a TOTP code for account not used before: a code is good once,
// so a second sign-in within the same 30 seconds uses the next step's.
func (sys *system) code(account string) string {
	at := time.Now()
	if l, ok := sys.last[account]; ok && !at.After(l.Add(30*time.Second)) {
		at = l.Add(30 * time.Second)
	}
	sys.last[account] = at
	return server.TOTPCode(sys.secrets[account], at)
}

// device is an enrolled device of an account, with its store and engine.
type device struct {
	st   *store.Store
	eng  *client.Engine
	cred *client.Credential
}

func (sys *system) device(account string) *device {
	t := sys.t
	st, err := store.Open(ctx, store.Options{Dir: t.TempDir(), Key: bytes.Repeat([]byte{9}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cred, err := sys.srv.Enrol(ctx, st, account)
	if err != nil {
		t.Fatal(err)
	}
	return &device{st: st, cred: cred, eng: servertest.Engine(st, cred, "", client.Options{})}
}

// kind of synthetic encounter.
type kind int

const (
	green      kind = iota // no one screened
	overdueNRM             // a child referred by the police 30 hours ago: its crime record is overdue
	dutyNotify             // an adult who did not consent: a Duty to Notify
)

// record finalises an encounter of kind at premises on d and returns it.
func (d *device) record(t *testing.T, k kind, premises encounter.Premises, at time.Time, change func(*encounter.Record)) encounter.Record {
	t.Helper()
	r, err := encounter.New(d.st.DeviceID(), at)
	if err != nil {
		t.Fatal(err)
	}
	r.Officer = d.cred.Officer()
	r.Premises = premises
	r.PeoplePresent = 3
	r.Assessment = &encounter.Assessment{Level: "green", At: at}
	switch k {
	case overdueNRM:
		r.Assessment.Level = "red"
		r.People = []encounter.Person{{ID: uuid.New(), Label: "Person 1", AgeYears: 16, Gender: "female", Nationality: "Example",
			Referral: &encounter.Referral{NRM: &encounter.NRM{ReferredAt: at}}}}
	case dutyNotify:
		r.Assessment.Level = "amber"
		r.People = []encounter.Person{{ID: uuid.New(), Label: "Person 1", AgeYears: 30, Gender: "male", Nationality: "Example",
			Referral: &encounter.Referral{DutyToNotify: &encounter.DutyToNotify{Explained: encounter.Explained{By: r.Officer.String(), At: at}}}}}
	}
	if change != nil {
		change(&r)
	}
	if err := d.st.SaveDraft(ctx, r); err != nil {
		t.Fatal(err)
	}
	f, err := d.st.Finalise(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (d *device) sync(t *testing.T) {
	t.Helper()
	if err := d.eng.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
}

// reads lists the record ids the chain's read events name with reason
// containing why, by actor.
func (sys *system) reads(t *testing.T, actor, why string) map[uuid.UUID]bool {
	t.Helper()
	got := map[uuid.UUID]bool{}
	rep, err := sys.srv.Server.Verify(ctx)
	if err != nil || !rep.OK() {
		t.Fatalf("verify: %v %+v", err, rep.Problems)
	}
	err = sys.srv.Server.Events(ctx, func(ev server.Event) {
		if ev.Type == server.EventRead && ev.Actor == actor && strings.Contains(ev.Reason, why) {
			for _, id := range ev.Records {
				got[id] = true
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}
