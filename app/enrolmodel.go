package app

import (
	"context"
	"errors"
	"strings"

	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

// EnrolModel is the enrolment screen's state and rules, in plain Go: the
// server address and the code as typed or read from a QR code, the pin a
// QR code carries, and what went wrong, as a message key. The screen
// renders it and forwards events; tests drive it directly.
type EnrolModel struct {
	Server string
	Code   string
	// Pin is the server key a QR code or link named; empty for a typed
	// code, when the device learns the key and the proofs confirm it.
	Pin string
	// AllowHTTP lets a plain http:// server through: a development flag.
	AllowHTTP bool
	// Problem is the message key of what stops enrolment, or "".
	Problem string
	// Busy is true while an enrolment is under way.
	Busy bool
}

// Enroller enrols the device with the server a link names, and keeps the
// credential. The app's is client.Enrol followed by saving the result.
type Enroller func(ctx context.Context, l auth.Link, allowHTTP bool) error

// SetLink fills the model from an enrolment link (the text of a QR
// code): server, code and pin.
func (m *EnrolModel) SetLink(text string) bool {
	l, err := auth.ParseLink(text)
	if err != nil {
		m.Problem = "enrol.err.link"
		return false
	}
	m.Server, m.Code, m.Pin, m.Problem = l.Server, l.Code.String(), l.Pin, ""
	return true
}

// Link checks what was typed and returns the link to enrol with, or sets
// Problem.
func (m *EnrolModel) Link() (auth.Link, bool) {
	server := strings.TrimRight(strings.TrimSpace(m.Server), "/")
	if err := auth.ValidServer(server, m.AllowHTTP); err != nil {
		m.Problem = "enrol.err.server"
		if strings.HasPrefix(server, "http://") {
			m.Problem = "enrol.err.http"
		}
		return auth.Link{}, false
	}
	code, err := auth.ParseCode(m.Code)
	if err != nil {
		m.Problem = "enrol.err.code"
		return auth.Link{}, false
	}
	m.Problem = ""
	return auth.Link{Server: server, Code: code, Pin: m.Pin}, true
}

// Submit enrols with enrol and sets Problem from how it failed.
func (m *EnrolModel) Submit(ctx context.Context, enrol Enroller) bool {
	l, ok := m.Link()
	if !ok {
		return false
	}
	m.Busy = true
	err := enrol(ctx, l, m.AllowHTTP)
	m.Busy = false
	m.Problem = enrolProblem(err)
	return err == nil
}

// enrolProblem is the message key for an enrolment error, "" for none.
func enrolProblem(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, &wire.Error{Code: wire.CodeEnrolmentRefused}):
		return "enrol.err.refused"
	case errors.Is(err, &wire.Error{Code: wire.CodeRateLimited}):
		return "enrol.err.wait"
	}
	switch client.KindOf(err) {
	case client.PinMismatch:
		return "enrol.err.pin"
	case client.Unreachable:
		return "enrol.err.unreachable"
	case client.UpdateNeeded, client.ServerOutdated:
		return "sync.err.update"
	}
	return "enrol.err.failed"
}
