package app

import (
	"errors"
	"syscall"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

// statusBar shows the sync state along the bottom of every screen: what
// is waiting, when the last sync was, and what went wrong in plain words.
type statusBar struct {
	u       *UI
	box     *fyne.Container
	queued  *widget.Label
	detail  *widget.Label
	syncNow *widget.Button
}

func newStatusBar(u *UI) *statusBar {
	b := &statusBar{u: u}
	b.queued = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	b.queued.Wrapping = fyne.TextWrapWord
	b.detail = widget.NewLabel("")
	b.detail.Wrapping = fyne.TextWrapWord
	b.detail.SizeName = theme.SizeNameCaptionText
	b.syncNow = widget.NewButtonWithIcon(u.p.T("sync.now"), theme.ViewRefreshIcon(), b.onSyncNow)
	// The detail runs the full width under the button: on a phone it is
	// the longest text on screen.
	b.box = container.NewVBox(
		container.NewBorder(nil, nil, nil, b.syncNow, b.queued),
		b.detail)
	return b
}

func (b *statusBar) onSyncNow() { b.u.deps.Sync.SyncNow() }

// show displays s.
func (b *statusBar) show(s client.Status) {
	p := b.u.p
	switch {
	case s.Syncing:
		b.queued.SetText(p.T("sync.syncing"))
	case s.Queued > 0:
		b.queued.SetText(p.T("sync.queued", s.Queued))
	default:
		b.queued.SetText(p.T("sync.all_sent"))
	}
	switch {
	case s.LastError != nil:
		b.detail.SetText(b.errorText(s.LastError))
		b.detail.Importance = widget.DangerImportance
	case s.LastSuccess.IsZero():
		b.detail.SetText(p.T("sync.never"))
		b.detail.Importance = widget.MediumImportance
	default:
		b.detail.SetText(p.T("sync.last", timeText(s.LastSuccess)))
		b.detail.Importance = widget.MediumImportance
	}
	b.detail.Refresh()
	relayout(b.u.win.Content()) // the bar may now be taller or shorter
}

// errorText says what a sync error means for the officer.
func (b *statusBar) errorText(err error) string { return syncErrorText(b.u.p, err) }

// syncErrorText says what a sync error means for the officer, in p's
// language.
func syncErrorText(p *i18n.Printer, err error) string {
	if errors.Is(err, syscall.ENOSPC) {
		return p.T("sync.err.disk_full")
	}
	var ce *client.Error
	kind := client.ServerFault
	if errors.As(err, &ce) {
		kind = ce.Kind
	}
	if errors.Is(err, wire.ErrAccountDisabled) {
		return p.T("sync.err.disabled")
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
	return p.T(key)
}
