package model

import (
	"errors"
	"syscall"
	"time"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

// Status is the status bar along the bottom of every screen: what waits
// to be sent, what is only on this device, when the last sync was, and
// what went wrong, in words that each mean one thing.
type Status struct {
	p      *i18n.Printer
	s      client.Status
	drafts int
	// requested is set by Sync now until the engine has run a sync
	// since; ran is set once it was seen syncing after the request.
	requested, ran bool
}

// NewStatus returns the status bar's model in p's language.
func NewStatus(p *i18n.Printer) *Status { return &Status{p: p} }

// Set takes the engine's latest status.
func (m *Status) Set(s client.Status) {
	m.s = s
	if m.requested {
		if s.Syncing {
			m.ran = true
		} else if m.ran {
			m.requested, m.ran = false, false
		}
	}
}

// SetDrafts takes how many drafts are on the device: they are not
// waiting to send, and the bar says so apart.
func (m *Status) SetDrafts(n int) { m.drafts = n }

// RequestSync records that the officer tapped Sync now. It reports
// whether to ask the engine: not while a request is under way.
func (m *Status) RequestSync() bool {
	if m.requested {
		return false
	}
	m.requested, m.ran = true, false
	return true
}

// Busy reports whether a sync is running or asked for: the button shows
// progress and does not take another tap.
func (m *Status) Busy() bool { return m.requested || m.s.Syncing }

// Headline says what waits to be sent, and what is only on this device.
func (m *Status) Headline() string {
	p := m.p
	var s string
	switch {
	case m.Busy():
		s = p.T("sync.syncing")
	case m.s.Queued > 0:
		s = p.T("sync.queued", m.s.Queued)
	default:
		s = p.T("sync.nothing_waiting")
	}
	if m.drafts > 0 {
		s += " · " + p.T("sync.drafts", m.drafts)
	}
	return s
}

// quietWait is the longest wait the server may ask for (rate_limited,
// Retry-After) that the bar does not mention: the engine honours it, and
// the officer sees the last sync as before. A longer one is said calmly.
const quietWait = 2 * time.Minute

// Detail says when the last sync was, or what went wrong; bad reports
// whether it is a problem. The server asking the device to slow down is
// not a problem: a short wait is not mentioned, a longer one says when
// Waymark sends again.
func (m *Status) Detail() (text string, bad bool) {
	err := m.s.LastError
	if err != nil && wire.CodeOf(err) == wire.CodeRateLimited {
		var ce *client.Error
		if errors.As(err, &ce) && ce.RetryAfter > quietWait && !m.s.NextAttempt.IsZero() {
			return m.p.T("sync.busy", TimeText(m.s.NextAttempt)), false
		}
		err = nil
	}
	switch {
	case err != nil:
		return m.ErrorText(err), true
	case m.s.LastSuccess.IsZero():
		return m.p.T("sync.never"), false
	}
	return m.p.T("sync.last", TimeText(m.s.LastSuccess)), false
}

// Full is everything the bar says, for the officer who taps it: the
// drafts in a sentence, and the detail whole.
func (m *Status) Full() string {
	text, _ := m.Detail()
	if m.drafts > 0 {
		text = m.p.T("sync.drafts.detail", m.drafts) + "\n\n" + text
	}
	return text
}

// Button is the label of the sync button.
func (m *Status) Button() string {
	if m.Busy() {
		return m.p.T("sync.syncing_button")
	}
	return m.p.T("sync.now")
}

// ErrorText says what a sync error means for the officer.
func (m *Status) ErrorText(err error) string {
	p := m.p
	if errors.Is(err, syscall.ENOSPC) {
		return p.T("sync.err.disk_full")
	}
	if errors.Is(err, wire.ErrAccountDisabled) {
		return p.T("sync.err.disabled")
	}
	if wire.CodeOf(err) == wire.CodeAsideFull {
		// Entries the server keeps aside for review fill this device's
		// share: nothing more is taken until a supervisor resolves them.
		return p.T("sync.err.aside_full")
	}
	kind := client.ServerFault
	var ce *client.Error
	if errors.As(err, &ce) {
		kind = ce.Kind
	}
	key := map[client.Kind]string{
		client.Unreachable:    "sync.err.unreachable",
		client.UpdateNeeded:   "sync.err.update",
		client.ServerOutdated: "sync.err.server_outdated",
		client.Refused:        "sync.err.refused",
		client.ServerFault:    "sync.err.server",
		client.DeviceFault:    "sync.err.device",
		client.Revoked:        "sync.err.revoked",
		client.NotEnrolled:    "sync.err.not_enrolled",
		client.Forbidden:      "sync.err.forbidden",
		client.PinMismatch:    "sync.err.pin",
	}[kind]
	if key == "" {
		key = "sync.err.server"
	}
	return p.T(key)
}
