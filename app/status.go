package app

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/sync/client"
)

// statusBar shows the sync state along the bottom of every screen (see
// model.Status). Its height never changes, so the buttons above it stay
// where the thumb expects them; a long message is cut to two lines, and
// tapping it shows it whole.
type statusBar struct {
	u        *UI
	m        *model.Status
	notice   model.Notice // a message from the screen on top, shown instead of the detail
	box      *fyne.Container
	headline *widget.Label
	detail   *widget.Label
	syncNow  *widget.Button
}

func newStatusBar(u *UI) *statusBar {
	b := &statusBar{u: u, m: model.NewStatus(u.p)}
	b.headline = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	b.headline.Truncation = fyne.TextTruncateEllipsis
	b.detail = widget.NewLabel("")
	b.detail.SizeName = theme.SizeNameCaptionText
	var sync fyne.CanvasObject
	b.syncNow, sync = newButton(u.p.T("sync.now"), theme.ViewRefreshIcon(), widget.MediumImportance, b.onSyncNow)
	detail := tall(container.NewStack(lines(b.detail, 2), newTapArea(b.onDetail)))
	b.box = container.NewVBox(container.NewBorder(nil, nil, nil, sync, b.headline), detail)
	b.show()
	return b
}

func (b *statusBar) onSyncNow() {
	if b.m.RequestSync() {
		b.u.deps.Sync.SyncNow()
	}
	b.show()
}

// onDetail shows the whole message.
func (b *statusBar) onDetail() {
	text := b.m.Full()
	if b.notice.Text != "" {
		text = b.notice.Text + "\n\n" + text
	}
	b.u.ask(b.m.Headline(), wrapped(text), choice{label: b.u.p.T("dialog.close"), imp: widget.MediumImportance})
}

// setNotice shows n, a message about the last thing the officer did (a
// draft not saved: the device is full), in the detail's place until it
// is cleared: the screen above keeps its height.
func (b *statusBar) setNotice(n model.Notice) {
	if b.notice != n {
		b.notice = n
		b.show()
	}
}

// set shows the engine's status s.
func (b *statusBar) set(s client.Status) {
	b.m.Set(s)
	b.show()
}

// setDrafts shows how many drafts are only on this device.
func (b *statusBar) setDrafts(n int) {
	b.m.SetDrafts(n)
	b.show()
}

func (b *statusBar) show() {
	b.headline.SetText(b.m.Headline())
	text, bad := b.m.Detail()
	b.detail.Importance = widget.MediumImportance
	if bad {
		b.detail.Importance = widget.DangerImportance
	}
	if b.notice.Text != "" {
		text = b.notice.Text
		b.detail.Importance = importance(b.notice.Kind)
	}
	b.detail.SetText(text)
	showSyncNow(b.syncNow, b.m)
}

// showSyncNow labels the Sync now button from m: "Sending…", and no
// other tap, while a sync runs or is asked for.
func showSyncNow(button *widget.Button, m *model.Status) {
	button.SetText(m.Button())
	if m.Busy() {
		button.Disable()
	} else {
		button.Enable()
	}
}
