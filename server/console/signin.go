package console

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/sync/wire"
)

type signinData struct {
	Pre     string
	Account string
	Message string
}

func (c *Console) signinPage(w http.ResponseWriter, r *http.Request) {
	if _, _, ok := c.current(r); ok {
		http.Redirect(w, r, "/console/", http.StatusSeeOther)
		return
	}
	c.showSignin(w, r, http.StatusOK, "", "")
}

func (c *Console) showSignin(w http.ResponseWriter, r *http.Request, status int, account, msg string) {
	pre := randomToken()
	c.setCookie(w, cookiePre, pre, 900)
	c.render(w, r, status, "signin", nil, "Sign in", signinData{Pre: pre, Account: account, Message: msg})
}

// tooMany reports whether key has failed to sign in failsPer times in
// the window, forgetting older failures.
func (c *Console) tooMany(key string, per int, now time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	fs := c.fails[key]
	for len(fs) > 0 && now.Sub(fs[0]) > failWindow {
		fs = fs[1:]
	}
	c.fails[key] = fs
	if len(fs) == 0 {
		delete(c.fails, key)
	}
	return len(fs) >= per
}

func (c *Console) failedSignin(keys []string, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		c.fails[k] = append(c.fails[k], now)
	}
}

func (c *Console) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	pre, err := r.Cookie(c.cookieName(cookiePre))
	if err != nil || !sameOrigin(r) || r.PostFormValue("pre") == "" || r.PostFormValue("pre") != pre.Value {
		c.showSignin(w, r, http.StatusForbidden, "", "The sign-in form expired. Try again.")
		return
	}
	id := strings.ToLower(strings.TrimSpace(r.PostFormValue("account")))
	now := c.srv.Now()
	keys := []string{"user:" + id, "addr:" + remote(r)}
	if c.tooMany(keys[0], failsPerUser, now) || c.tooMany(keys[1], failsPerAddr, now) {
		c.showSignin(w, r, http.StatusTooManyRequests, id, "Too many wrong sign-ins. Wait 15 minutes, or ask an administrator.")
		return
	}
	a, err := c.srv.SignIn(r.Context(), id, r.PostFormValue("password"), r.PostFormValue("code"))
	if err != nil {
		c.failedSignin(keys, now)
		c.log.Warn("console sign-in refused", "remote", remote(r))
		c.showSignin(w, r, http.StatusUnauthorized, id, "The account, password or code is wrong.")
		return
	}
	if !hasAny(a, consoleRoles) {
		c.showSignin(w, r, http.StatusForbidden, id, "Your account's roles do not use the console: officers and interpreters work on their devices.")
		return
	}
	token := randomToken()
	c.mu.Lock()
	if len(c.sessions) >= maxSessions {
		c.expireLocked(now)
	}
	c.sessions[tokenHash(token)] = &session{account: a.ID, csrf: randomToken(), created: now, seen: now}
	c.mu.Unlock()
	c.setCookie(w, cookiePre, "", -1)
	c.setCookie(w, cookieSession, token, int(maxSession/time.Second))
	dest := "/console/"
	if !a.Has(wire.RoleSupervisor) && !a.Has(wire.RolePartner) {
		dest = "/console/accounts"
	}
	http.Redirect(w, r, dest, http.StatusSeeOther)
}

// expireLocked drops expired sessions, then the oldest if still full.
func (c *Console) expireLocked(now time.Time) {
	var oldest [32]byte
	var at time.Time
	for h, s := range c.sessions {
		if now.Sub(s.seen) > idleTimeout || now.Sub(s.created) > maxSession {
			delete(c.sessions, h)
			continue
		}
		if at.IsZero() || s.seen.Before(at) {
			oldest, at = h, s.seen
		}
	}
	if len(c.sessions) >= maxSessions {
		delete(c.sessions, oldest)
	}
}

func (c *Console) endSession(w http.ResponseWriter, r *http.Request) {
	if ck, err := r.Cookie(c.cookieName(cookieSession)); err == nil {
		c.mu.Lock()
		delete(c.sessions, tokenHash(ck.Value))
		c.mu.Unlock()
	}
	c.setCookie(w, cookieSession, "", -1)
}

func (c *Console) signout(w http.ResponseWriter, r *http.Request, _ *request) error {
	c.endSession(w, r)
	http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
	return nil
}

// view is what every page template receives.
type view struct {
	Title string
	Me    *server.Account
	CSRF  string
	Nav   []navLink
	Data  any
}

type navLink struct {
	Href, Label string
	Current     bool
}

// nav lists the pages a's roles open.
func nav(a server.Account, path string) []navLink {
	var out []navLink
	add := func(href, label string, roles []wire.Role) {
		if hasAny(a, roles) {
			cur := path == href || (href != "/console/" && strings.HasPrefix(path, href))
			out = append(out, navLink{href, label, cur})
		}
	}
	add("/console/", "The day", readers)
	add("/console/encounters", "Encounters", readers)
	add("/console/referrals", "Referrals and crime records", supervisor)
	add("/console/operations", "Operations", readers)
	add("/console/aside", "Kept aside", keepers)
	add("/console/accounts", "Accounts and devices", admin)
	add("/console/exports", "Exports", readers)
	return out
}

// render writes page with data, in the layout.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page string, req *request, title string, data any) {
	t, ok := c.pages[page]
	if !ok {
		http.Error(w, "no such template", http.StatusInternalServerError)
		return
	}
	v := view{Title: title, Data: data}
	if req != nil {
		me := req.me
		v.Me, v.CSRF, v.Nav = &me, req.sess.csrf, nav(me, r.URL.Path)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		c.log.Error("console template", "page", page, "err", err)
		http.Error(w, "the page could not be drawn", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail answers with a page saying msg.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, req *request, status int, msg string) {
	c.render(w, r, status, "error", req, fmt.Sprintf("%d %s", status, http.StatusText(status)), msg)
}
