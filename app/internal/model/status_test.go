package model

import (
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/waymark-app/waymark/sync/client"
)

// TestStatus: each line means one thing: what waits to send, what is
// only on the device, the last sync or what went wrong; Sync now shows
// progress until the engine has synced.
func TestStatus(t *testing.T) {
	e := newEnv(t)
	m := NewStatus(e.p)
	unreachable := &client.Error{Kind: client.Unreachable, Err: errors.New("dial")}
	m.Set(client.Status{LastError: unreachable})
	m.SetDrafts(1)
	if h := m.Headline(); h != "Nothing to send · 1 draft" {
		t.Errorf("headline %q", h)
	}
	if d, bad := m.Detail(); !bad || d != e.p.T("sync.err.unreachable") {
		t.Errorf("detail %q %v", d, bad)
	}
	m.Set(client.Status{Queued: 2, LastError: unreachable})
	m.SetDrafts(0)
	if h := m.Headline(); h != "2 records to send" {
		t.Errorf("headline %q", h)
	}
	if !m.RequestSync() || m.RequestSync() {
		t.Error("a second tap asked again")
	}
	if !m.Busy() || m.Headline() != "Sending…" || m.Button() != "Sending…" {
		t.Errorf("after Sync now: busy %v, %q", m.Busy(), m.Headline())
	}
	m.Set(client.Status{Queued: 2, LastError: unreachable}) // an old status, before the sync ran
	if !m.Busy() {
		t.Error("progress ended before the engine synced")
	}
	m.Set(client.Status{Queued: 2, Syncing: true})
	m.Set(client.Status{Queued: 0, LastSuccess: testNow})
	if m.Busy() || m.Headline() != "Nothing to send" || m.Button() != "Sync now" {
		t.Errorf("after the sync: busy %v, %q", m.Busy(), m.Headline())
	}
	if d, bad := m.Detail(); bad || d != "Last sync "+TimeText(testNow) {
		t.Errorf("detail %q", d)
	}
	full := &client.Error{Kind: client.DeviceFault, Err: fmt.Errorf("apply: %w", syscall.ENOSPC)}
	if got := m.ErrorText(full); got != e.p.T("sync.err.disk_full") {
		t.Errorf("disk full says %q", got)
	}
}
