package console

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/operation"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/sync/client"
)

var reCSRF = regexp.MustCompile(`name="(?:csrf|pre)" value="([^"]+)"`)

// browser is an HTTP client with its own cookies, pinned to the
// server's certificate, that does not follow redirects.
type browser struct {
	t    *testing.T
	c    *http.Client
	base string
	csrf string
}

func (sys *system) browser() *browser {
	jar, _ := cookiejar.New(nil)
	c := client.DefaultHTTPClient(sys.srv.Pin)
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: sys.t, c: c, base: sys.srv.URL}
}

func (b *browser) do(method, path string, form url.Values) (int, string, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	if m := reCSRF.FindSubmatch(page); m != nil {
		b.csrf = string(m[1])
	}
	return resp.StatusCode, resp.Header.Get("Location"), string(page)
}

// signIn signs account in and reports the sign-in answer's status.
func (b *browser) signIn(sys *system, account string) int {
	b.t.Helper()
	b.do("GET", "/console/signin", nil)
	st, _, _ := b.do("POST", "/console/signin", url.Values{"pre": {b.csrf}, "account": {account}, "password": {password}, "code": {sys.code(account)}})
	if st == http.StatusSeeOther {
		// A page with the session's CSRF token (the sign-out form).
		b.do("GET", "/console/static/console.css", nil)
		b.do("GET", map[bool]string{true: "/console/accounts", false: "/console/exports"}[account == "admin1"], nil)
	}
	return st
}

// TestRouteRoleMatrix: every console route, for every role and signed
// out: a role the route names gets its page (or its action's answer), any
// other console role 403, and no one signed in a redirect to sign-in.
// Officers and interpreters cannot sign in at all.
func TestRouteRoleMatrix(t *testing.T) {
	sys := newSystem(t)
	dev := sys.device("pc202")
	rec := dev.record(t, overdueNRM, encounter.Premises{Name: "Example Car Wash", Business: encounter.CarWash, Postcode: "EX1 1AA", Address: "1 Example Road"}, time.Now().Add(-30*time.Hour), nil)
	dev.sync(t)
	op, err := sys.srv.Server.Operations().SaveOperation(ctx, operation.Operation{ID: uuid.Must(uuid.NewV7()), Name: "Operation Matrix",
		Start: "2026-03-14", End: "2026-03-14", Partners: []operation.Partner{{Agency: "glaa", Members: []string{"glaa1"}}}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := New(sys.srv.Server, Options{})
	fill := func(p string) string {
		p = strings.NewReplacer("{$}", "", "{id}", "X").Replace(p)
		switch {
		case strings.HasPrefix(p, "/console/encounters/X"):
			return strings.Replace(p, "X", rec.ID.String(), 1)
		case strings.HasPrefix(p, "/console/operations/X"):
			return strings.Replace(p, "X", op.ID.String(), 1)
		case strings.HasPrefix(p, "/console/accounts/X"):
			return strings.Replace(p, "X", "pc202", 1)
		case strings.HasPrefix(p, "/console/devices/X"):
			return strings.Replace(p, "X", dev.st.DeviceID().String(), 1)
		}
		return p
	}
	query := map[string]string{"/console/exports/encounters.csv": "?from=2020-01-01&to=2030-01-01", "/console/exports/dtn": "?year=2026&quarter=1"}
	t.Logf("%-44s %-10s %-10s %-10s %s", "route", "supervisor", "partner", "admin", "signed out")
	// One session each: a TOTP code is good once, so a sign-in per
	// request would run out of codes.
	sessions := map[string]*browser{"": sys.browser()}
	for _, who := range []string{"sup1", "glaa1", "admin1"} {
		sessions[who] = sys.browser()
		if st := sessions[who].signIn(sys, who); st != http.StatusSeeOther {
			t.Fatalf("%s cannot sign in: %d", who, st)
		}
	}
	for _, rt := range c.routes() {
		if rt.pattern == "POST /console/signout" {
			continue // checked last: it ends the session
		}
		method, pattern, _ := strings.Cut(rt.pattern, " ")
		path := fill(pattern) + query[fill(pattern)]
		row := []string{}
		for _, who := range []string{"sup1", "glaa1", "admin1", ""} {
			b := sessions[who]
			var form url.Values
			if method == "POST" {
				form = url.Values{"csrf": {b.csrf}, "decision": {"duplicate"}, "ref": {"none"}, "role": {"officer"}}
			}
			st, loc, _ := b.do(method, path, form)
			allowed := who != "" && (rt.roles == nil || hasAny(accountOf(who), rt.roles))
			switch {
			case who == "":
				if st != http.StatusSeeOther || loc != "/console/signin" {
					t.Errorf("%s signed out: %d %s, want a redirect to sign in", rt.pattern, st, loc)
				}
			case allowed && (st == http.StatusForbidden || st == http.StatusSeeOther && loc == "/console/signin" || st >= 500):
				t.Errorf("%s as %s: %d %s, want the page", rt.pattern, who, st, loc)
			case !allowed && st != http.StatusForbidden:
				t.Errorf("%s as %s: %d, want 403", rt.pattern, who, st)
			}
			row = append(row, map[bool]string{true: "yes", false: "no"}[allowed && who != ""]+" "+http.StatusText(st)[:min(3, len(http.StatusText(st)))])
			if method == "POST" && strings.Contains(path, "/disable") && allowed {
				sys.srv.Admin().SetDisabled(ctx, "pc202", false)
			}
		}
		t.Logf("%-44s %-10s %-10s %-10s %s", rt.pattern, row[0], row[1], row[2], row[3])
	}
	// A POST without the session's CSRF token is refused.
	b := sessions["sup1"]
	if st, _, _ := b.do("POST", "/console/aside/resolve", url.Values{"csrf": {"forged"}, "decision": {"duplicate"}, "ref": {"x"}}); st != http.StatusForbidden {
		t.Errorf("a POST with a forged CSRF token: %d, want 403", st)
	}
	if st, _, _ := b.do("POST", "/console/signout", url.Values{"csrf": {b.csrf}}); st != http.StatusSeeOther {
		t.Errorf("sign out: %d", st)
	}
	if st, loc, _ := b.do("GET", "/console/", nil); st != http.StatusSeeOther || loc != "/console/signin" {
		t.Errorf("after signing out: %d %s", st, loc)
	}
	// Officers and interpreters do not sign in to the console; a wrong
	// code or password is refused, saying neither which.
	for _, who := range []string{"pc101", "int1"} {
		if st := sys.browser().signIn(sys, who); st != http.StatusForbidden {
			t.Errorf("sign-in of %s: %d, want 403", who, st)
		}
	}
	b = sys.browser()
	b.do("GET", "/console/signin", nil)
	if st, _, page := b.do("POST", "/console/signin", url.Values{"pre": {b.csrf}, "account": {"sup1"}, "password": {"wrong password!"}, "code": {sys.code("sup1")}}); st != http.StatusUnauthorized || !strings.Contains(page, "account, password or code is wrong") {
		t.Errorf("wrong password: %d", st)
	}
	// A code is good once.
	b = sys.browser()
	b.do("GET", "/console/signin", nil)
	code := sys.code("glaa1")
	if st, _, _ := b.do("POST", "/console/signin", url.Values{"pre": {b.csrf}, "account": {"glaa1"}, "password": {password}, "code": {code}}); st != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", st)
	}
	b = sys.browser()
	b.do("GET", "/console/signin", nil)
	if st, _, _ := b.do("POST", "/console/signin", url.Values{"pre": {b.csrf}, "account": {"glaa1"}, "password": {password}, "code": {code}}); st != http.StatusUnauthorized {
		t.Errorf("a code used twice: %d, want 401", st)
	}
}

func accountOf(id string) (a server.Account) {
	for _, x := range accounts {
		if x.ID == id {
			return x
		}
	}
	return a
}
