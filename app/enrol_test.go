package app

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/internal/enrolqr"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

func TestEnrolModel(t *testing.T) {
	c, _ := auth.NewCode()
	pin := auth.Pin([]byte("spki"))
	refused := &client.Error{Kind: client.Refused, Err: &wire.Error{Code: wire.CodeEnrolmentRefused, Message: "no"}}
	tests := []struct {
		name    string
		model   EnrolModel
		err     error // what enrolling answers
		problem string
	}{
		{"typed", EnrolModel{Server: "https://127.0.0.1:8765/", Code: c.String()}, nil, ""},
		{"typed lower case without hyphens", EnrolModel{Server: " https://a.example ", Code: "abcdefghjkmn"}, nil, ""},
		{"no server", EnrolModel{Code: c.String()}, nil, "enrol.err.server"},
		{"plain http", EnrolModel{Server: "http://127.0.0.1:8765", Code: c.String()}, nil, "enrol.err.http"},
		{"plain http allowed", EnrolModel{Server: "http://127.0.0.1:8765", Code: c.String(), AllowHTTP: true}, nil, ""},
		{"short code", EnrolModel{Server: "https://a.example", Code: "ABCD-EFGH"}, nil, "enrol.err.code"},
		{"refused", EnrolModel{Server: "https://a.example", Code: c.String()}, refused, "enrol.err.refused"},
		{"pin mismatch", EnrolModel{Server: "https://a.example", Code: c.String(), Pin: pin}, &client.Error{Kind: client.PinMismatch, Err: auth.ErrPinMismatch}, "enrol.err.pin"},
		{"unreachable", EnrolModel{Server: "https://a.example", Code: c.String()}, &client.Error{Kind: client.Unreachable, Err: errors.New("down")}, "enrol.err.unreachable"},
		{"other", EnrolModel{Server: "https://a.example", Code: c.String()}, errors.New("odd"), "enrol.err.failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.model
			var got auth.Link
			ok := m.Submit(context.Background(), func(_ context.Context, l auth.Link, _ bool) error { got = l; return tt.err })
			if m.Problem != tt.problem || ok != (tt.problem == "") || m.Busy {
				t.Fatalf("problem %q, ok %v, busy %v; want %q", m.Problem, ok, m.Busy, tt.problem)
			}
			if ok && (got.Code.ID == "" || got.Server[len(got.Server)-1] == '/') {
				t.Errorf("link %+v", got)
			}
		})
	}
	var m EnrolModel
	l := auth.Link{Server: "https://waymark.example:8765", Code: c, Pin: pin}
	if !m.SetLink(l.String()) || m.Server != l.Server || m.Code != c.String() || m.Pin != pin {
		t.Errorf("from a link: %+v", m)
	}
	if m.SetLink("https://example.com/") || m.Problem != "enrol.err.link" {
		t.Errorf("a web address taken for a link: %+v", m)
	}
}

// TestEnrolScreen enrols a device from the screen against a real server:
// first from a QR code image (server, code and pin filled in), then, with
// the code used up, it says so.
func TestEnrolScreen(t *testing.T) {
	test.NewTempApp(t)
	srv, err := servertest.Start(servertest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.AddAccount(ctx, server.Account{ID: "pc101", Name: testOfficer.Name, Number: testOfficer.Number, Agency: "police", Roles: []wire.Role{wire.RoleOfficer}}); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	code, _ := srv.Admin().Enrol(ctx, "pc101")
	pc, _ := auth.ParseCode(code.Code)
	png, _ := enrolqr.Encode(auth.Link{Server: srv.URL, Code: pc, Pin: srv.Pin}.String())
	img := filepath.Join(t.TempDir(), "enrol.png")
	os.WriteFile(img, png, 0o600)

	bundle, _ := i18n.Load()
	win := test.NewWindow(nil)
	win.Resize(fyne.NewSize(420, 760))
	defer win.Close()
	done := make(chan struct{}, 1)
	q := &uiQueue{} // the UI goroutine: this test's, when it pumps
	wait := func(ok func() bool) bool {
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			q.pump()
			if ok() {
				return true
			}
		}
		return false
	}
	s := NewEnrolScreen(win, EnrolDeps{
		Do:      q.Do,
		Printer: bundle.Printer(i18n.Source),
		Enrol: func(ctx context.Context, l auth.Link, allowHTTP bool) error {
			cred, err := client.Enrol(ctx, client.EnrolOptions{Link: l, Device: st.DeviceID(), AllowHTTP: allowHTTP})
			if err != nil {
				return err
			}
			return client.SaveCredential(ctx, st, cred)
		},
		OnEnrolled: func() { done <- struct{}{} },
	})
	s.readQR(img)
	if s.server.Text != srv.URL || s.code.Text != code.Code || s.pinNote.Text == "" {
		t.Fatalf("from the QR image: server %q, code %q, pin shown %v", s.server.Text, s.code.Text, s.pinNote.Text)
	}
	test.Tap(s.enrol)
	if !wait(func() bool { return len(done) > 0 }) {
		t.Fatalf("not enrolled: %q", s.problem.Text)
	}
	cred, err := client.LoadCredential(ctx, st)
	if err != nil || cred.Pin != srv.Pin || cred.Account.ID != "pc101" {
		t.Fatalf("credential %+v, %v", cred, err)
	}

	// The same code again: refused, in words.
	test.Tap(s.enrol)
	wait(func() bool { return s.problem.Text != "" })
	if want := bundle.Printer(i18n.Source).T("enrol.err.refused"); s.problem.Text != want {
		t.Errorf("second use: %q", s.problem.Text)
	}
	s.readQR(filepath.Join(t.TempDir(), "missing.png"))
	if s.model.Problem != "enrol.err.qr" {
		t.Errorf("a missing image: %q", s.model.Problem)
	}
}
