package app

import (
	"context"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/internal/enrolqr"
)

// EnrolDeps are what the enrolment screen works with.
type EnrolDeps struct {
	Printer *i18n.Printer
	// Enrol enrols the device and keeps its credential.
	Enrol Enroller
	// Server is the address offered at first (the app's --server flag).
	Server string
	// AllowHTTP accepts a plain http:// server (a development flag).
	AllowHTTP bool
	// OnEnrolled runs on the UI thread once the device is enrolled.
	OnEnrolled func()
	// Do runs a function on the UI goroutine: the result of enrolling,
	// which runs in the background, reaches the widgets only through it.
	// Nil means fyne.Do.
	Do func(func())
}

// EnrolScreen asks for the server's address and the enrolment code, or
// reads both (and the server's key) from a QR code image, and enrols the
// device: shown on first start, before anything else.
type EnrolScreen struct {
	deps    EnrolDeps
	model   *EnrolModel
	win     fyne.Window
	server  *widget.Entry
	code    *widget.Entry
	pinNote *widget.Label
	problem *widget.Label
	enrol   *widget.Button
	box     *fyne.Container
}

// NewEnrolScreen shows the enrolment screen in win.
func NewEnrolScreen(win fyne.Window, deps EnrolDeps) *EnrolScreen {
	p := deps.Printer
	if deps.Do == nil {
		deps.Do = fyne.Do
	}
	s := &EnrolScreen{deps: deps, win: win, model: &EnrolModel{Server: deps.Server, AllowHTTP: deps.AllowHTTP}}
	intro := widget.NewLabel(p.T("enrol.intro"))
	intro.Wrapping = fyne.TextWrapWord
	s.server = widget.NewEntry()
	s.server.SetPlaceHolder(p.T("enrol.server.hint"))
	s.server.SetText(deps.Server)
	s.code = widget.NewEntry()
	s.code.SetPlaceHolder(p.T("enrol.code.hint"))
	// The note and the problem keep their lines when empty, so the
	// Enrol button never moves under the thumb.
	s.pinNote = widget.NewLabel("")
	s.problem = widget.NewLabel("")
	s.problem.Importance = widget.DangerImportance
	var enrol, qr fyne.CanvasObject
	s.enrol, enrol = newButton(p.T("enrol.submit"), theme.ConfirmIcon(), widget.HighImportance, s.onEnrol)
	_, qr = newButton(p.T("enrol.qr"), theme.FolderOpenIcon(), widget.MediumImportance, s.onReadQR)
	title := widget.NewLabelWithStyle(p.T("enrol.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.box = container.NewVBox(title, intro,
		field(p.T("enrol.server"), tall(s.server), nil), field(p.T("enrol.code"), tall(s.code), nil),
		lines(s.pinNote, 2), lines(s.problem, 3), enrol, widget.NewSeparator(), qr)
	win.SetContent(container.NewVScroll(container.NewPadded(s.box)))
	return s
}

// Model is the screen's state.
func (s *EnrolScreen) Model() *EnrolModel { return s.model }

// SetLink fills the screen from an enrolment link.
func (s *EnrolScreen) SetLink(text string) {
	s.model.SetLink(text)
	s.show()
}

// show renders the model.
func (s *EnrolScreen) show() {
	s.server.SetText(s.model.Server)
	s.code.SetText(s.model.Code)
	s.pinNote.SetText("")
	if s.model.Pin != "" {
		s.pinNote.SetText(s.deps.Printer.T("enrol.pinned"))
	}
	s.problem.SetText("")
	if s.model.Problem != "" {
		s.problem.SetText(s.deps.Printer.T(s.model.Problem))
	}
	if s.model.Busy {
		s.enrol.Disable()
	} else {
		s.enrol.Enable()
	}
}

func (s *EnrolScreen) onEnrol() {
	if s.server.Text != s.model.Server {
		s.model.Pin = "" // another server: the QR code's key is not its
	}
	s.model.Server, s.model.Code = s.server.Text, s.code.Text
	if _, ok := s.model.Link(); !ok {
		s.show()
		return
	}
	s.model.Busy = true
	s.show()
	m := *s.model
	go func() {
		ok := m.Submit(context.Background(), s.deps.Enrol)
		s.deps.Do(func() {
			*s.model = m
			s.show()
			if ok && s.deps.OnEnrolled != nil {
				s.deps.OnEnrolled()
			}
		})
	}()
}

// onReadQR opens a QR code image and fills the screen from it.
func (s *EnrolScreen) onReadQR() {
	dialog.ShowFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		defer r.Close()
		s.readQR(r.URI().Path())
	}, s.win)
}

// readQR fills the screen from the QR code in the image at path.
func (s *EnrolScreen) readQR(path string) {
	f, err := os.Open(path)
	if err == nil {
		defer f.Close()
		var text string
		if text, err = enrolqr.Decode(f); err == nil {
			s.SetLink(text)
			return
		}
	}
	s.model.Problem = "enrol.err.qr"
	s.show()
}
