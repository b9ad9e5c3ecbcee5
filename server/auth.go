package server

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

// authenticate checks a signed request and returns who sent it, in two
// steps: what the headers alone can show, before the body is read (so an
// anonymous request never costs the server its body), then the rest. In
// order: the header's form; its time, within auth.Window of the server's
// clock and, on the embedded store, not before the server started (it
// forgets nonces on restart; a shared store keeps them); the device, known; then, with the body, the
// signature over this method, path and body by the device's key; the
// nonce, never seen; the device not revoked and its account not disabled.
// Refusal messages name the rule, never a value from the request.
type authenticator struct {
	s   *Server
	sg  auth.Signed
	dev Device
}

// authenticateHeaders is the first step.
func (s *Server) authenticateHeaders(r *http.Request) (*authenticator, error) {
	h := r.Header.Get(auth.Header)
	if h == "" {
		return nil, wire.Errorf(wire.CodeUnauthenticated, "the request is not signed")
	}
	sg, err := auth.Parse(h)
	if err != nil {
		return nil, wire.Errorf(wire.CodeUnauthenticated, "%v", err)
	}
	now := s.now()
	if skew := sg.Time().Sub(now); skew > auth.Window || skew < -auth.Window {
		return nil, s.skewed(now, fmt.Sprintf("the request's time is %v from the server's", skew.Round(time.Second)))
	}
	if !s.st.Shared() && sg.TS < s.started.UnixMilli() {
		// The embedded store's nonces live in this process's memory: a
		// request signed before it started may have been seen by the
		// process before it. A shared store keeps them (RememberNonce).
		return nil, s.skewed(now, "the request was signed before the server started")
	}
	dev, err := s.dir.Device(r.Context(), sg.Device)
	if errors.Is(err, ErrNotFound) {
		return nil, wire.Errorf(wire.CodeUnauthenticated, "the device is not enrolled on this server")
	}
	if err != nil {
		return nil, err
	}
	return &authenticator{s: s, sg: sg, dev: dev}, nil
}

// body is the second step, once the body is read.
func (a *authenticator) body(r *http.Request, body []byte) (Principal, error) {
	s, sg, dev := a.s, a.sg, a.dev
	if err := sg.Verify(ed25519.PublicKey(dev.PublicKey), r.Method, r.URL.Path, body); err != nil {
		return Principal{}, wire.Errorf(wire.CodeUnauthenticated, "the signature does not match the request and the device's key")
	}
	// The device signed this (or it is a replay of what it signed): it
	// spends one of the device's requests before anything else is done.
	if wait, ok := s.rates.take(dev.ID, s.now()); !ok {
		return Principal{}, &busy{err: wire.Errorf(wire.CodeRateLimited, "this device is sending requests faster than the server allows; wait and try again"), after: wait}
	}
	ctx := r.Context()
	fresh, err := s.dir.RememberNonce(ctx, dev.ID, sg.Nonce, sg.Time())
	if err != nil {
		return Principal{}, err
	}
	if !fresh {
		return Principal{}, wire.Errorf(wire.CodeReplayed, "this request has been received before")
	}
	if dev.IsRevoked() {
		return Principal{}, wire.Errorf(wire.CodeDeviceRevoked, "this device has been revoked")
	}
	acc, err := s.dir.Account(ctx, dev.Account)
	if err != nil {
		return Principal{}, fmt.Errorf("account of device %s: %w", dev.ID, err)
	}
	if acc.Disabled {
		return Principal{}, wire.Errorf(wire.CodeAccountDisabled, "the account this device is enrolled to has been disabled")
	}
	return Principal{Device: dev.ID, Account: acc, Key: ed25519.PublicKey(dev.PublicKey)}, nil
}

func (s *Server) skewed(now time.Time, why string) error {
	e := wire.Errorf(wire.CodeClockSkew, "%s; correct the clock and sign again", why)
	e.ServerTime = now.UnixMilli()
	return e
}

// onEnrol binds a new device to the account of an enrolment code, if the
// device proves it knows the code: an HMAC under the key derived from the
// code (kept by the server, the code itself never), over the server key
// as the device saw it and the device's key. Each address may fail
// enrolFailures times a minute (a station enrolling a box of phones
// succeeds, and is not slowed); each code MaxEnrolFailures times in all.
func (s *Server) onEnrol(w http.ResponseWriter, r *http.Request, c *call) (err error) {
	addr, now := remoteHost(r), s.now()
	if s.enrolLimit.exceeded(addr, now) {
		return wire.Errorf(wire.CodeRateLimited, "too many failed enrolment attempts from this address; wait a minute")
	}
	defer func() {
		if err != nil {
			s.enrolLimit.count(addr, now)
		}
	}()
	var req wire.EnrolRequest
	if err := s.decode(r, c, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	ctx := r.Context()
	refused := wire.Errorf(wire.CodeEnrolmentRefused, "this enrolment code is not valid (unknown, expired, used or burnt): ask for a new one")
	en, err := s.dir.Enrolment(ctx, req.Code)
	if errors.Is(err, ErrNotFound) {
		return refused
	}
	if err != nil {
		return err
	}
	if !en.Live(now) {
		return refused
	}
	if acc, err := s.dir.Account(ctx, en.Account); err != nil || acc.Disabled {
		return refused
	}
	want := auth.DeviceProof(en.Key, s.spki, req.PublicKey, req.Device)
	if !auth.ProofOK(req.Proof, want) {
		if _, err := s.dir.FailEnrolment(ctx, en.ID, now); err != nil {
			return err
		}
		s.log.Warn("enrolment proof wrong", "code", en.ID)
		return wire.Errorf(wire.CodeEnrolmentRefused, "the enrolment code is not right, or the connection is not to the server that made it")
	}
	dev := Device{ID: req.Device, PublicKey: req.PublicKey, Enrolled: now}
	err = s.dir.CompleteEnrolment(ctx, en.ID, dev, now, LogEntry{
		At: now, Actor: "device:" + req.Device.String(), Action: ActionEnrolDevice, Account: en.Account, Device: req.Device,
		Detail: "enrolled with code " + en.ID,
	})
	switch {
	case errors.Is(err, ErrEnrolmentDone):
		return refused
	case errors.Is(err, ErrExists):
		return wire.Errorf(wire.CodeEnrolmentRefused, "a device with this id is enrolled already")
	case err != nil:
		return err
	}
	acc, err := s.dir.Account(ctx, en.Account)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, wire.EnrolResponse{
		Account: acc.Wire(), Device: req.Device,
		ServerProof: auth.ServerProof(en.Key, s.spki, req.PublicKey, req.Device),
	})
	return nil
}

func remoteHost(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

// enrolFailures is how many failed enrolment attempts one address may
// make a minute.
const enrolFailures = 30

// rateLimit counts events per address in one-minute windows.
type rateLimit struct {
	per int

	mu     sync.Mutex // guards the fields below
	window time.Time
	counts map[string]int
}

// roll starts a new window if the last one is over. Callers hold mu.
func (l *rateLimit) roll(now time.Time) {
	if now.Sub(l.window) >= time.Minute || l.counts == nil {
		l.window, l.counts = now, map[string]int{}
	}
}

// exceeded reports whether addr has used up this window's allowance.
func (l *rateLimit) exceeded(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.roll(now)
	return l.counts[addr] >= l.per
}

// count counts one event of addr.
func (l *rateLimit) count(addr string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.roll(now)
	l.counts[addr]++
}
