package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/sync/wire"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Prefix is where the console is served on the server.
const Prefix = "/console/"

// Options configures New. The zero value is usable.
type Options struct {
	// Logger receives the console's request log (method, route, status;
	// never a value). Nil discards it.
	Logger *slog.Logger
	// Location is the time zone days and times are shown in (nil: Local).
	Location *time.Location
	// Insecure leaves the Secure flag off the cookies: only for a server
	// behind --insecure-http, where the browser would drop them.
	Insecure bool
}

// Session limits.
const (
	idleTimeout  = 30 * time.Minute
	maxSession   = 12 * time.Hour
	maxSessions  = 1000
	failsPerUser = 5                // wrong sign-ins an account may have in failWindow
	failsPerAddr = 20               // ... and an address
	failWindow   = 15 * time.Minute // after which they are forgotten
)

// Console serves the console's pages for one server.
type Console struct {
	srv      *server.Server
	log      *slog.Logger
	loc      *time.Location
	insecure bool
	pages    map[string]*template.Template

	mu       sync.Mutex // guards sessions and fails
	sessions map[[32]byte]*session
	fails    map[string][]time.Time // by "user:<id>" and "addr:<host>"
}

// session is a signed-in browser. Only the hash of its token is kept.
type session struct {
	account string
	csrf    string
	created time.Time
	seen    time.Time
}

// New returns the console of srv.
func New(srv *server.Server, o Options) (*Console, error) {
	c := &Console{srv: srv, log: o.Logger, loc: o.Location, insecure: o.Insecure,
		sessions: map[[32]byte]*session{}, fails: map[string][]time.Time{}, pages: map[string]*template.Template{}}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.loc == nil {
		c.loc = time.Local
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		if n == "templates/layout.html" {
			continue
		}
		t, err := template.New("layout.html").Funcs(c.funcs()).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("console template %s: %w", n, err)
		}
		c.pages[strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")] = t
	}
	return c, nil
}

// The roles that may use the console at all: officers and interpreters
// work on their devices.
var consoleRoles = []wire.Role{wire.RoleSupervisor, wire.RoleAdmin, wire.RolePartner}

// Roles of each route, the one table the handler and the matrix test use.
var (
	anyone     []wire.Role // signed in with any console role
	supervisor = []wire.Role{wire.RoleSupervisor}
	readers    = []wire.Role{wire.RoleSupervisor, wire.RolePartner}
	admin      = []wire.Role{wire.RoleAdmin}
	keepers    = []wire.Role{wire.RoleSupervisor, wire.RoleAdmin}
)

// route is one page or action of the console.
type route struct {
	pattern string
	roles   []wire.Role // nil: any console role
	h       func(http.ResponseWriter, *http.Request, *request) error
}

func (c *Console) routes() []route {
	return []route{
		{"GET /console/{$}", readers, c.day},
		{"GET /console/encounters", readers, c.encounters},
		{"GET /console/encounters/{id}", readers, c.record},
		{"GET /console/referrals", supervisor, c.referrals},
		{"GET /console/aside", keepers, c.aside},
		{"POST /console/aside/resolve", keepers, c.resolve},
		{"GET /console/operations", readers, c.operations},
		{"GET /console/operations/new", supervisor, c.operationForm},
		{"POST /console/operations", supervisor, c.saveOperation},
		{"GET /console/operations/{id}", readers, c.operationView},
		{"GET /console/operations/{id}/edit", supervisor, c.operationForm},
		{"POST /console/operations/{id}", supervisor, c.saveOperation},
		{"GET /console/accounts", admin, c.accounts},
		{"POST /console/accounts/{id}/enrol", admin, c.enrol},
		{"POST /console/accounts/{id}/disable", admin, c.setDisabled},
		{"POST /console/accounts/{id}/enable", admin, c.setDisabled},
		{"POST /console/accounts/{id}/roles", admin, c.setRoles},
		{"POST /console/devices/{id}/revoke", admin, c.revoke},
		{"GET /console/exports", readers, c.exports},
		{"GET /console/exports/encounters.csv", readers, c.exportCSV},
		{"GET /console/exports/dtn", supervisor, c.dtnStats},
		{"POST /console/signout", anyone, c.signout},
	}
}

// request is a signed-in request: who, and the read rule that applies.
type request struct {
	me   server.Account
	sess *session
	may  func(server.Scope) bool
}

// Handler serves the console under Prefix.
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /console/signin", c.signinPage)
	mux.HandleFunc("POST /console/signin", c.signin)
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	for _, rt := range c.routes() {
		mux.HandleFunc(rt.pattern, c.guard(rt))
	}
	mux.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, nil, http.StatusNotFound, "There is no such page.")
	})
	return c.headers(mux)
}

// headers sets the security headers of every answer and logs it.
func (c *Console) headers(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Cross-Origin-Resource-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		if r.TLS != nil {
			hd.Set("Strict-Transport-Security", "max-age=31536000")
		}
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		// The pattern, never the path: a path may carry anything.
		c.log.Info("console request", "method", r.Method, "route", r.Pattern, "status", sw.status, "took", time.Since(start))
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Cookie names: __Host- keeps them to this origin, Secure and path /.
const (
	cookieSession = "__Host-waymark"
	cookiePre     = "__Host-waymark-pre" // the sign-in form's CSRF token
)

func (c *Console) cookieName(name string) string {
	if c.insecure {
		return strings.TrimPrefix(name, "__Host-")
	}
	return name
}

func (c *Console) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: c.cookieName(name), Value: value, Path: "/", MaxAge: maxAge,
		Secure: !c.insecure, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(t string) [32]byte { return sha256.Sum256([]byte(t)) }

// current returns the session of r, if it is signed in and not expired.
func (c *Console) current(r *http.Request) (*session, [32]byte, bool) {
	ck, err := r.Cookie(c.cookieName(cookieSession))
	if err != nil {
		return nil, [32]byte{}, false
	}
	h := tokenHash(ck.Value)
	now := c.srv.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.sessions[h]
	if !ok {
		return nil, h, false
	}
	if now.Sub(s.seen) > idleTimeout || now.Sub(s.created) > maxSession {
		delete(c.sessions, h)
		return nil, h, false
	}
	s.seen = now
	return s, h, true
}

// sameOrigin refuses a state-changing request a browser says came from
// another site (Sec-Fetch-Site) or another origin.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		return strings.TrimPrefix(strings.TrimPrefix(o, "https://"), "http://") == r.Host
	}
	return true
}

// guard checks the session, the account (active, a console role, one of
// rt's roles) and, for a POST, the CSRF token and origin; then serves.
func (c *Console) guard(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess, _, ok := c.current(r)
		if !ok {
			http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
			return
		}
		me, err := c.srv.Directory().Account(r.Context(), sess.account)
		if err != nil || me.Disabled || !hasAny(me, consoleRoles) {
			c.endSession(w, r)
			http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
			return
		}
		req := &request{me: me, sess: sess}
		if rt.roles != nil && !hasAny(me, rt.roles) {
			c.fail(w, r, req, http.StatusForbidden, "Your account's roles do not open this page.")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			if !sameOrigin(r) || subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(sess.csrf)) != 1 {
				c.fail(w, r, req, http.StatusForbidden, "This form has expired or did not come from this console. Go back, reload the page and try again.")
				return
			}
		}
		if req.may, err = c.srv.MayRead(r.Context(), me); err != nil {
			c.fail(w, r, req, http.StatusInternalServerError, "The server could not complete the request.")
			return
		}
		if err := rt.h(w, r, req); err != nil {
			c.failErr(w, r, req, err)
		}
	}
}

func hasAny(a server.Account, roles []wire.Role) bool {
	return slices.ContainsFunc(roles, a.Has)
}

// failErr answers err: a not-found or invalid error in words, anything
// else as the server's own failure (logged without detail beyond it).
func (c *Console) failErr(w http.ResponseWriter, r *http.Request, req *request, err error) {
	var ue userError
	switch {
	case errors.As(err, &ue):
		c.fail(w, r, req, ue.status, ue.msg)
	case errors.Is(err, server.ErrNotFound):
		c.fail(w, r, req, http.StatusNotFound, "There is no such page, or it is not yours to see.")
	case errors.Is(err, context.Canceled):
	default:
		c.log.Error("console page failed", "route", r.Pattern, "err", err)
		c.fail(w, r, req, http.StatusInternalServerError, "The server could not complete the request.")
	}
}

// userError is an answer in words, with its status.
type userError struct {
	status int
	msg    string
}

func (e userError) Error() string { return e.msg }

func badRequest(msg string) error { return userError{http.StatusBadRequest, msg} }

// remote is the request's address, for the log.
func remote(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}
