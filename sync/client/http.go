package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/wire"
)

// Kind says what went wrong with a sync, in the terms the user is told.
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
)

// Error is a failed sync.
type Error struct {
	Kind Kind
	Err  error
}

func (e *Error) Error() string {
	names := [...]string{"server unreachable", "app update needed", "server outdated", "refused by server", "server fault", "device store fault"}
	name := "sync failed"
	if int(e.Kind) < len(names) {
		name = names[e.Kind]
	}
	return name + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

func kindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ServerFault
}

func (e *Engine) sendPush(ctx context.Context, entries []store.OutboxEntry) (wire.PushResponse, error) {
	req := wire.PushRequest{Device: e.box.DeviceID(), Entries: make([]wire.Entry, len(entries))}
	for i, en := range entries {
		req.Entries[i] = wire.Entry{Seq: en.Seq, ID: en.ID, Kind: wire.Kind(en.Kind), Body: en.Body}
	}
	var resp wire.PushResponse
	err := e.post(ctx, wire.PathPush, &req, &resp)
	return resp, err
}

func (e *Engine) sendPull(ctx context.Context, since uint64) (wire.PullResponse, error) {
	req := wire.PullRequest{Device: e.box.DeviceID(), Since: since, Limit: e.opts.PullLimit}
	var resp wire.PullResponse
	err := e.post(ctx, wire.PathPull, &req, &resp)
	return resp, err
}

// post sends req as gzip JSON to path and decodes the answer into resp.
// Every failure is an *Error.
func (e *Engine) post(ctx context.Context, path string, req, resp any) error {
	body, err := wire.EncodeGzip(req)
	if err != nil {
		return &Error{Kind: DeviceFault, Err: err}
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, e.opts.Server+path, bytes.NewReader(body))
	if err != nil {
		return &Error{Kind: Unreachable, Err: fmt.Errorf("server address %q: %w", e.opts.Server, err)}
	}
	hr.Header.Set("Content-Type", "application/json")
	hr.Header.Set("Content-Encoding", wire.Gzip)
	hr.Header.Set(wire.VersionHeader, strconv.Itoa(wire.Version))
	res, err := e.http.Do(hr)
	if err != nil {
		return &Error{Kind: Unreachable, Err: err}
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusOK {
		if err := wire.Decode(res.Body, res.Header.Get("Content-Encoding"), resp); err != nil {
			return &Error{Kind: ServerFault, Err: fmt.Errorf("%s answer: %w", path, err)}
		}
		return nil
	}
	var er wire.ErrorResponse
	if derr := wire.Decode(res.Body, res.Header.Get("Content-Encoding"), &er); derr != nil || er.Error.Code == "" {
		// Not our server's error: a proxy, a captive portal, a gateway.
		kind := ServerFault
		if res.StatusCode == http.StatusBadGateway || res.StatusCode == http.StatusServiceUnavailable ||
			res.StatusCode == http.StatusGatewayTimeout || res.StatusCode == http.StatusNotFound {
			kind = Unreachable
		}
		return &Error{Kind: kind, Err: fmt.Errorf("%s: HTTP %s", path, res.Status)}
	}
	we := &er.Error
	switch we.Code {
	case wire.CodeProtocolVersion:
		theirs, _ := strconv.Atoi(res.Header.Get(wire.VersionHeader))
		if theirs != 0 && theirs < wire.Version {
			return &Error{Kind: ServerOutdated, Err: we}
		}
		return &Error{Kind: UpdateNeeded, Err: we}
	case wire.CodeUnavailable:
		return &Error{Kind: Unreachable, Err: we}
	case wire.CodeInternal:
		return &Error{Kind: ServerFault, Err: we}
	}
	return &Error{Kind: Refused, Err: we}
}
