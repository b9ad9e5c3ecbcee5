package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/operation"
	wserver "github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/console"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

// memCreds keeps one device's credential in memory.
type memCreds struct {
	id uuid.UUID
	mu sync.Mutex
	b  []byte
}

func (m *memCreds) DeviceID() uuid.UUID { return m.id }
func (m *memCreds) SaveCredential(_ context.Context, b []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.b = bytes.Clone(b)
	return nil
}
func (m *memCreds) Credential(context.Context) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.b, nil
}

// consolePages seeds a real server (on disk, encrypted) with n synthetic
// encounters pushed by 20 officers' enrolled devices (signed, checked and
// committed as any push), one operation of 50 premises, then times the
// console's pages (the day, encounters filtered, referrals) in process:
// the handler's time, server side, TLS and the network apart.
func (b *bench) consolePages(ctx context.Context, n int) error {
	dir := b.fresh("console")
	srv, err := servertest.Start(servertest.Options{Dir: dir, Key: bytes.Repeat([]byte{3}, 32)})
	if err != nil {
		return err
	}
	defer srv.Close()
	ad := srv.Admin()
	if _, err := ad.AddUser(ctx, wserver.Account{ID: "sup1", Name: "Bench Supervisor", Number: "PS 1", Agency: "police", Roles: []wire.Role{wire.RoleSupervisor}}); err != nil {
		return err
	}
	if err := ad.SetPassword(ctx, "sup1", "bench password 1"); err != nil {
		return err
	}
	setup, err := ad.SetupTOTP(ctx, "sup1")
	if err != nil {
		return err
	}
	secret, _ := wserver.ParseTOTPSecret(setup.Secret)
	const officers = 20
	type dev struct {
		cred *client.Credential
		acc  wserver.Account
	}
	var devs []dev
	var members []string
	for i := range officers {
		a := wserver.Account{ID: fmt.Sprintf("pc%d", i), Name: fmt.Sprintf("Bench Officer %d", i), Number: fmt.Sprintf("PC %d", 1000+i),
			Agency: "police", Team: fmt.Sprintf("team%d", i%4), Roles: []wire.Role{wire.RoleOfficer}}
		if _, err := ad.AddUser(ctx, a); err != nil {
			return err
		}
		cred, err := srv.Enrol(ctx, &memCreds{id: uuid.Must(uuid.NewV7())}, a.ID)
		if err != nil {
			return err
		}
		devs = append(devs, dev{cred, a})
		members = append(members, a.ID)
	}
	now := time.Now()
	day := now.Format(time.DateOnly)
	op := operation.Operation{ID: uuid.Must(uuid.NewV7()), Name: "Operation Bench", Start: day, End: day, Briefing: "Synthetic.",
		Teams: []operation.Team{{Name: "All", Members: members}}}
	postcodes := make([]string, 2000)
	for i := range postcodes {
		const letters = "ABDEFGHJLNPQRSTUWXYZ" // those an inward code may end with
		postcodes[i] = fmt.Sprintf("EX%d %d%c%c", 1+i%99, i%10, letters[i/10%20], letters[i/200%20])
	}
	for i := range 50 {
		op.Premises = append(op.Premises, operation.Premises{ID: uuid.Must(uuid.NewV7()), Name: fmt.Sprintf("Bench premises %d", i),
			Address: fmt.Sprintf("%d Example Road", i+1), Postcode: postcodes[i], Business: encounter.Businesses[i%len(encounter.Businesses)]})
	}
	if op, err = srv.Server.Operations().SaveOperation(ctx, op, "bench"); err != nil {
		return err
	}

	b.t.logf("bench: seeding %d encounters…", n)
	seedStart := time.Now()
	rng := rand.New(rand.NewPCG(13, 13))
	per := (n + officers - 1) / officers
	var wg sync.WaitGroup
	errs := make(chan error, officers)
	for i, d := range devs {
		// Each device's records, made and signed here, then pushed in
		// batches of 1,000 through Server.Push: checked, verified and
		// committed as over HTTP.
		type made struct{ entries []wire.Entry }
		count := min(per, n-i*per)
		if count <= 0 {
			break
		}
		var entries []wire.Entry
		for k := range count {
			occurred := now.Add(-time.Duration(rng.IntN(60*24*60)) * time.Minute)
			if k%20 == 0 {
				occurred = now.Add(-time.Duration(rng.IntN(8*60)) * time.Minute)
			}
			r, err := encounter.New(d.cred.Device, occurred)
			if err != nil {
				return err
			}
			r.Officer = d.cred.Officer()
			p := postcodes[rng.IntN(len(postcodes))]
			r.Premises = encounter.Premises{Name: fmt.Sprintf("Premises %s", p), Address: fmt.Sprintf("%d High Street", rng.IntN(200)+1),
				Postcode: p, Business: encounter.Businesses[rng.IntN(len(encounter.Businesses))]}
			if k%20 == 0 {
				pr := op.Premises[rng.IntN(len(op.Premises))]
				r.Premises, r.OperationID, r.PremisesID, r.Operation = pr.Encounter(), op.ID, pr.ID, op.Name
			}
			r.PeoplePresent = rng.IntN(6)
			level := []string{"green", "green", "green", "amber", "amber", "red"}[rng.IntN(6)]
			r.Assessment = &encounter.Assessment{Level: level, At: occurred}
			switch rng.IntN(20) {
			case 0, 1: // a child referred
				r.People = []encounter.Person{{ID: uuid.New(), Label: "Person 1", AgeYears: 16, Referral: &encounter.Referral{NRM: &encounter.NRM{ReferredAt: occurred}}}}
				if rng.IntN(20) != 0 {
					r.Crime = &encounter.Crime{Due: occurred.Add(encounter.CrimeWindow), Reference: fmt.Sprintf("CR/%d", rng.IntN(1e6))}
				}
			case 2: // a Duty to Notify
				r.People = []encounter.Person{{ID: uuid.New(), Label: "Person 1", AgeYears: 30, Nationality: "Example",
					Referral: &encounter.Referral{DutyToNotify: &encounter.DutyToNotify{Explained: encounter.Explained{By: r.Officer.String(), At: occurred}}}}}
			}
			if err := r.Seal(occurred.Add(10 * time.Minute)); err != nil {
				return fmt.Errorf("synthetic record: %w", err)
			}
			doc, err := r.Document()
			if err != nil {
				return err
			}
			seal, err := evidence.Sign(d.cred, string(wire.KindEncounter), doc)
			if err != nil {
				return err
			}
			entries = append(entries, wire.Entry{Seq: uint64(k + 1), ID: r.ID, Kind: wire.KindEncounter, Body: doc, Sig: seal.Sig})
		}
		wg.Add(1)
		go func(d dev, entries []wire.Entry) {
			defer wg.Done()
			p := wserver.Principal{Device: d.cred.Device, Account: d.acc, Key: d.cred.Public(), Remote: "bench"}
			for len(entries) > 0 {
				batch := entries[:min(1000, len(entries))]
				entries = entries[len(batch):]
				resp, err := srv.Server.Push(ctx, p, &wire.PushRequest{Entries: batch})
				if err == nil && len(resp.Rejected) > 0 {
					err = fmt.Errorf("%d synthetic records refused: %s", len(resp.Rejected), resp.Rejected[0].Message)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}(d, entries)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	st, err := srv.Server.Stats(ctx)
	if err != nil {
		return err
	}
	b.t.add("console: encounters seeded (pushed, verified, committed)", fmt.Sprintf("%d in %v", st.Records, time.Since(seedStart).Round(time.Second)))

	// Reopen, as a server starting on a force's store: the catalogue is
	// built from the store.
	openStart := time.Now()
	if err := srv.Restart(); err != nil {
		return err
	}
	b.t.add("console: server start on that store (catalogue built)", time.Since(openStart).Round(time.Millisecond).String())

	con, err := console.New(srv.Server, console.Options{})
	if err != nil {
		return err
	}
	h := con.Handler()
	cookies, err := benchSignIn(h, "sup1", "bench password 1", wserver.TOTPCode(secret, time.Now()))
	if err != nil {
		return err
	}
	month := now.AddDate(0, -1, 0).Format(time.DateOnly)
	pages := []struct{ name, path string }{
		{"the day (operation, today)", "/console/?op=" + op.ID.String() + "&day=" + day},
		{"the day (all encounters, today)", "/console/?all=1&day=" + day},
		{"encounters, no filter (page 1)", "/console/encounters"},
		{"encounters filtered (Red, a month, police)", "/console/encounters?level=red&agency=police&from=" + month + "&to=" + day},
		{"encounters searched (a postcode)", "/console/encounters?q=" + url.QueryEscape(postcodes[7])},
		{"encounters filtered (crime overdue)", "/console/encounters?state=overdue"},
		{"referrals and crime records", "/console/referrals"},
	}
	const runs = 60
	for _, pg := range pages {
		var ds []time.Duration
		for i := range runs + 3 {
			req := httptest.NewRequest("GET", pg.path, nil)
			for _, c := range cookies {
				req.AddCookie(c)
			}
			rec := httptest.NewRecorder()
			start := time.Now()
			h.ServeHTTP(rec, req)
			d := time.Since(start)
			if rec.Code != http.StatusOK {
				return fmt.Errorf("%s: %d", pg.path, rec.Code)
			}
			if i >= 3 { // the first few warm the caches
				ds = append(ds, d)
			}
		}
		slices.Sort(ds)
		p50, p99 := ds[len(ds)/2], ds[len(ds)*99/100]
		b.t.goal(fmt.Sprintf("console page at %d encounters: %s, p50 / p99", st.Records, pg.name),
			fmt.Sprintf("%v / %v", p50.Round(100*time.Microsecond), p99.Round(100*time.Microsecond)), "< 200 ms server side", p99 < 200*time.Millisecond)
	}
	return nil
}

var rePre = regexp.MustCompile(`name="pre" value="([^"]+)"`)

// benchSignIn signs in through the console's own handler and returns the
// session's cookies.
func benchSignIn(h http.Handler, account, password, code string) ([]*http.Cookie, error) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/console/signin", nil))
	m := rePre.FindStringSubmatch(rec.Body.String())
	if m == nil {
		return nil, fmt.Errorf("no sign-in form")
	}
	form := url.Values{"pre": {m[1]}, "account": {account}, "password": {password}, "code": {code}}
	req := httptest.NewRequest("POST", "/console/signin", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range rec.Result().Cookies() {
		req.AddCookie(c)
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		return nil, fmt.Errorf("sign-in answered %d", rec.Code)
	}
	var out []*http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge > 0 {
			out = append(out, c)
		}
	}
	return out, nil
}
