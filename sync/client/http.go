package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

// Kind says what went wrong with a sync, in the terms the user is told.
// The list is append-only.
type Kind int

const (
	// Unreachable: no connection to the server, or it did not answer.
	// Records stay safe on the device; the engine retries.
	Unreachable Kind = iota
	// UpdateNeeded: the server speaks a newer protocol: update the app.
	UpdateNeeded
	// ServerOutdated: the server speaks an older protocol than the app.
	ServerOutdated
	// Refused: the server refused what this device sent as malformed.
	Refused
	// ServerFault: the server failed or answered nonsense; it may recover.
	ServerFault
	// DeviceFault: this device's store failed.
	DeviceFault
	// Revoked: this device has been revoked, or its account disabled
	// (the wire code says which). Nothing more will be accepted from it;
	// issue 10 wipes the device on it.
	Revoked
	// NotEnrolled: the server does not recognise this device's
	// credential (unknown device, wrong key, or a clock too far out even
	// after correcting): it must be enrolled again.
	NotEnrolled
	// Forbidden: the account's roles do not allow what was asked.
	Forbidden
	// PinMismatch: the server's certificate is not the pinned one. Do not
	// continue without a new enrolment code.
	PinMismatch
)

// Error is a failed sync.
type Error struct {
	Kind Kind
	Err  error
	// RetryAfter is how long the server asked the device to wait before
	// trying again (its Retry-After header), if it said.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	names := [...]string{"server unreachable", "app update needed", "server outdated", "refused by server", "server fault",
		"device store fault", "device revoked", "device not enrolled", "forbidden", "server certificate changed"}
	name := "sync failed"
	if int(e.Kind) < len(names) {
		name = names[e.Kind]
	}
	return name + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of a sync error; ServerFault for one that is
// not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ServerFault
}

// classify turns a failed answer into an *Error.
func classify(path string, res *http.Response) error {
	var er wire.ErrorResponse
	if derr := wire.DecodeResponse(res.Body, res.Header.Get("Content-Encoding"), &er); derr != nil || er.Error.Code == "" {
		// Not our server's error: a proxy, a captive portal, a gateway.
		kind := ServerFault
		if res.StatusCode == http.StatusBadGateway || res.StatusCode == http.StatusServiceUnavailable ||
			res.StatusCode == http.StatusGatewayTimeout || res.StatusCode == http.StatusNotFound {
			kind = Unreachable
		}
		return &Error{Kind: kind, Err: fmt.Errorf("%s: HTTP %s", path, res.Status)}
	}
	we := &er.Error
	wait := retryAfter(res.Header.Get("Retry-After"))
	switch we.Code {
	case wire.CodeProtocolVersion:
		theirs, _ := strconv.Atoi(res.Header.Get(wire.VersionHeader))
		if theirs != 0 && theirs < wire.Version {
			return &Error{Kind: ServerOutdated, Err: we}
		}
		return &Error{Kind: UpdateNeeded, Err: we}
	case wire.CodeUnavailable, wire.CodeRateLimited:
		return &Error{Kind: Unreachable, Err: we, RetryAfter: wait}
	case wire.CodeAsideFull:
		// Nothing is lost: the entries stay queued until a supervisor has
		// reviewed what the server keeps aside.
		return &Error{Kind: ServerFault, Err: we, RetryAfter: wait}
	case wire.CodeInternal:
		return &Error{Kind: ServerFault, Err: we}
	case wire.CodeDeviceRevoked, wire.CodeAccountDisabled:
		return &Error{Kind: Revoked, Err: we}
	case wire.CodeUnauthenticated, wire.CodeReplayed, wire.CodeClockSkew:
		return &Error{Kind: NotEnrolled, Err: we}
	case wire.CodeForbidden:
		return &Error{Kind: Forbidden, Err: we}
	}
	return &Error{Kind: Refused, Err: we}
}

// retryAfter reads a Retry-After header given in seconds (the only form
// the server sends); zero if absent or not understood, at most an hour.
func retryAfter(h string) time.Duration {
	n, err := strconv.Atoi(strings.TrimSpace(h))
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(min(n, 3600)) * time.Second
}

func (e *Engine) sendPush(ctx context.Context, entries []store.OutboxEntry) (wire.PushResponse, error) {
	req := wire.PushRequest{Entries: make([]wire.Entry, len(entries))}
	for i, en := range entries {
		req.Entries[i] = wire.Entry{Seq: en.Seq, ID: en.ID, Kind: wire.Kind(en.Kind), Body: en.Body, Sig: en.Sig}
	}
	var resp wire.PushResponse
	err := e.post(ctx, wire.PathPush, &req, &resp)
	return resp, err
}

func (e *Engine) sendPull(ctx context.Context, since uint64) (wire.PullResponse, error) {
	req := wire.PullRequest{Since: since, Limit: e.opts.PullLimit}
	var resp wire.PullResponse
	err := e.post(ctx, wire.PathPull, &req, &resp)
	return resp, err
}

// Me asks the server who this device is: its account, roles and policy.
func (e *Engine) Me(ctx context.Context) (wire.Me, error) {
	var me wire.Me
	err := e.do(ctx, http.MethodGet, wire.PathMe, nil, &me)
	return me, err
}

// post sends req as gzip JSON to path and decodes the answer into resp.
// Every failure is an *Error.
func (e *Engine) post(ctx context.Context, path string, req, resp any) error {
	body, err := wire.EncodeGzip(req)
	if err != nil {
		return &Error{Kind: DeviceFault, Err: err}
	}
	return e.do(ctx, http.MethodPost, path, body, resp)
}

// maxInlineWait is the longest Retry-After the engine waits out inside
// one request; a longer one ends the sync, and the next attempt waits it.
const maxInlineWait = 5 * time.Second

// do sends one signed request, signed afresh for each attempt. A request
// refused for its clock is signed again once, with the clock corrected by
// the server's; one refused as replayed (the transport resent it, or the
// server restarted) is signed again once too. One refused for load with
// a short Retry-After is sent again after that wait, up to three times.
func (e *Engine) do(ctx context.Context, method, path string, body []byte, resp any) error {
	var sign func(*http.Request) error
	if e.opts.Signer != nil {
		sign = func(hr *http.Request) error {
			h, err := auth.Sign(e.opts.Signer, method, path, e.clock(), body)
			hr.Header.Set(auth.Header, h)
			return err
		}
	}
	waits := 0
	for attempt := 0; ; attempt++ {
		err := send(ctx, e.http, method, e.opts.Server+path, body, sign, resp)
		var ce *Error
		if errors.As(err, &ce) && ce.RetryAfter > 0 && ce.RetryAfter <= maxInlineWait && waits < 3 && wire.CodeOf(ce.Err) == wire.CodeRateLimited {
			waits++
			attempt--
			t := time.NewTimer(ce.RetryAfter)
			select {
			case <-ctx.Done():
				t.Stop()
				return err
			case <-t.C:
			}
			continue
		}
		var we *wire.Error
		if attempt > 0 || !errors.As(err, &we) {
			return err
		}
		switch we.Code {
		case wire.CodeClockSkew:
			if we.ServerTime == 0 {
				return err
			}
			off := time.UnixMilli(we.ServerTime).Sub(e.opts.Now())
			e.mu.Lock()
			e.offset = off
			e.mu.Unlock()
			e.log.Warn("device clock corrected by the server's", "offset", off.Round(time.Millisecond))
		case wire.CodeReplayed:
		default:
			return err
		}
	}
}

// clock is the device's time, corrected by what the server last said.
func (e *Engine) clock() time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.opts.Now().Add(e.offset)
}
