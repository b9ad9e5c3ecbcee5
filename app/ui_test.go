package app

import (
	"context"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/faultproxy"
)

var ctx = context.Background()

var testOfficer = encounter.Officer{Name: "A Example", Number: "PC 101", Agency: "police"}

// harness is the interface on a test canvas, wired to a real store and a
// real sync engine talking to a real server in this process.
type harness struct {
	t     *testing.T
	win   fyne.Window
	ui    *UI
	st    *store.Store
	eng   *client.Engine
	proxy *faultproxy.Proxy // between engine and server; starts refusing
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	test.NewTempApp(t)
	st, err := store.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv, err := server.Open(server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		hs.Close()
		srv.Close()
	})
	bundle, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	// The server starts unreachable: tests bring it up when they want.
	proxy, err := faultproxy.New(hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	proxy.Set(faultproxy.Faults{Refuse: true})
	t.Cleanup(func() { proxy.Close() })
	eng := client.New(st, client.Options{Server: proxy.URL(), Interval: time.Hour, MinBackoff: time.Hour, MaxBackoff: time.Hour})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		eng.Run(rctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	win := test.NewWindow(nil)
	win.Resize(fyne.NewSize(420, 760))
	t.Cleanup(win.Close)
	ui := New(win, Deps{Records: st, Sync: eng, Printer: bundle.Printer(i18n.Source)})
	t.Cleanup(ui.Close)
	h := &harness{t: t, win: win, ui: ui, st: st, eng: eng, proxy: proxy}
	waitUntil(t, func() bool { return h.hasText("Can't reach the server") })
	ui.setOfficer(testOfficer)
	return h
}

// find walks everything on the window and returns the first object ok
// accepts, or fails the test.
func find[T fyne.CanvasObject](h *harness, what string, ok func(T) bool) T {
	h.t.Helper()
	var found T
	var walk func(o fyne.CanvasObject) bool
	walk = func(o fyne.CanvasObject) bool {
		if o == nil || !o.Visible() {
			return false
		}
		if v, is := o.(T); is && ok(v) {
			found = v
			return true
		}
		var kids []fyne.CanvasObject
		switch c := o.(type) {
		case *fyne.Container:
			kids = c.Objects
		case fyne.Widget:
			kids = test.WidgetRenderer(c).Objects()
		}
		for _, k := range kids {
			if walk(k) {
				return true
			}
		}
		return false
	}
	if !walk(h.win.Content()) {
		h.t.Fatalf("no %s on screen", what)
	}
	return found
}

func (h *harness) button(text string) *widget.Button {
	return find(h, "button "+text, func(b *widget.Button) bool { return b.Text == text })
}

func (h *harness) entry(placeholder string) *widget.Entry {
	return find(h, "entry "+placeholder, func(e *widget.Entry) bool { return e.PlaceHolder == placeholder })
}

// hasText reports whether a visible label or canvas text contains s.
func (h *harness) hasText(s string) bool {
	var walk func(o fyne.CanvasObject) bool
	walk = func(o fyne.CanvasObject) bool {
		if o == nil || !o.Visible() {
			return false
		}
		switch v := o.(type) {
		case *widget.Label:
			if strings.Contains(v.Text, s) {
				return true
			}
		case *canvas.Text:
			if strings.Contains(v.Text, s) {
				return true
			}
		}
		var kids []fyne.CanvasObject
		switch c := o.(type) {
		case *fyne.Container:
			kids = c.Objects
		case fyne.Widget:
			kids = test.WidgetRenderer(c).Objects()
		}
		for _, k := range kids {
			if walk(k) {
				return true
			}
		}
		return false
	}
	return walk(h.win.Content())
}

func (h *harness) only() encounter.Record {
	h.t.Helper()
	list, err := h.st.List(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	if len(list) != 1 {
		h.t.Fatalf("%d records in the store, want 1", len(list))
	}
	return list[0]
}

func TestRecordEncounter(t *testing.T) {
	h := newHarness(t)
	if !h.hasText("No encounters yet") {
		t.Error("empty list does not say so")
	}
	test.Tap(h.button("New encounter"))

	test.Type(h.entry("Trading name, or what is on the sign"), "Example Hand Car Wash")
	// Saved as a draft on the first keystroke, without any save button.
	if r := h.only(); r.State != encounter.Draft || r.Premises.Name != "Example Hand Car Wash" {
		t.Fatalf("after typing: %+v", r)
	}
	test.Type(h.entry("Street, town, postcode"), "1 Example Road, Exampletown")
	find(h, "business select", func(s *widget.Select) bool { return true }).SetSelected("Car wash")
	people := h.entry("How many people were there")
	people.SetText("")
	test.Type(people, "6")
	test.Type(h.entry("What you saw and heard, in your own words"), "Workers sleeping in the back room.")

	r := h.only()
	if r.Premises.Business != encounter.CarWash || r.PeoplePresent != 6 || r.Notes != "Workers sleeping in the back room." {
		t.Fatalf("draft as saved: %+v", r)
	}

	test.Tap(h.button("Save and queue"))
	r = h.only()
	if r.State != encounter.Queued || r.FinalisedAt.IsZero() {
		t.Fatalf("after save: %+v", r)
	}
	if !h.hasText("Encounters") || !h.hasText("Example Hand Car Wash") || !h.hasText("Queued") {
		t.Error("list does not show the queued encounter")
	}
	waitUntil(t, func() bool { return h.hasText("1 record waiting to send") })
	saveShot(t, h.win, "list-queued")

	// The server comes back; the officer taps Sync now. The engine's
	// status reaches the list through fyne.Do.
	h.proxy.Set(faultproxy.Faults{})
	test.Tap(h.button("Sync now"))
	waitUntil(t, func() bool { return h.hasText("Synced") && h.hasText("Everything sent") })
	if r := h.only(); r.State != encounter.Synced {
		t.Errorf("after sync: %v", r.State)
	}
	saveShot(t, h.win, "list-synced")
}

func TestSaveIncomplete(t *testing.T) {
	h := newHarness(t)
	test.Tap(h.button("New encounter"))
	test.Type(h.entry("What you saw and heard, in your own words"), "x")
	test.Tap(h.button("Save and queue"))
	for _, want := range []string{"Before saving, please fix:", "Enter the premises name or the address.", "Choose a business type."} {
		if !h.hasText(want) {
			t.Errorf("form does not say %q", want)
		}
	}
	if r := h.only(); r.State != encounter.Draft {
		t.Errorf("incomplete record became %v", r.State)
	}
	saveShot(t, h.win, "form-problems")
}

func TestBadTimeKeepsLastGood(t *testing.T) {
	h := newHarness(t)
	test.Tap(h.button("New encounter"))
	when := h.entry("YYYY-MM-DD HH:MM")
	when.SetText("2026-03-14 09:30")
	when.SetText("14/03/2026")
	r := h.only()
	if got := r.OccurredAt.Local().Format(timeLayout); got != "2026-03-14 09:30" {
		t.Errorf("occurred at %s after a bad edit, want the last good time", got)
	}
}

func TestBackFromEmptyDraft(t *testing.T) {
	h := newHarness(t)
	test.Tap(h.button("New encounter"))
	e := h.entry("Trading name, or what is on the sign")
	test.Type(e, "a")
	e.SetText("")
	test.Tap(h.button("Back"))
	if list, _ := h.st.List(ctx); len(list) != 0 {
		t.Errorf("an emptied draft was kept: %+v", list)
	}

	test.Tap(h.button("New encounter"))
	test.Type(h.entry("Trading name, or what is on the sign"), "Half done")
	test.Tap(h.button("Back"))
	if r := h.only(); r.State != encounter.Draft || !h.hasText("Half done") || !h.hasText("Draft") {
		t.Errorf("draft not kept and listed: %+v", r)
	}
	// Opening it again continues the same draft.
	h.ui.list.onSelected(0)
	test.Type(h.entry("Street, town, postcode"), "2 Example Lane")
	if r := h.only(); r.Premises.Name != "Half done" || r.Premises.Address != "2 Example Lane" {
		t.Errorf("continued draft: %+v", r)
	}
}

func waitUntil(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// saveShot writes the window as a PNG under $WAYMARK_SHOTS, for people to
// look at; it asserts nothing.
func saveShot(t *testing.T, w fyne.Window, name string) {
	dir := os.Getenv("WAYMARK_SHOTS")
	if dir == "" {
		return
	}
	img := w.Canvas().Capture()
	f, err := os.Create(filepath.Join(dir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	png.Encode(f, img)
}

func TestFirstRunAsksWhoYouAre(t *testing.T) {
	h := newHarness(t)
	h.ui.setOfficer(encounter.Officer{})
	test.Tap(h.button("New encounter"))
	if !h.hasText("Your details") {
		t.Fatal("no details screen on first use")
	}
	test.Tap(h.button("Save details"))
	if !h.hasText("Enter your name and your collar or staff number.") {
		t.Error("empty details accepted")
	}
	test.Type(h.entry("As it appears on your statements"), "B Example")
	test.Type(h.entry("For example PC 1234"), "PC 202")
	test.Tap(h.button("Save details"))
	// Straight on to the encounter, which carries its author.
	test.Type(h.entry("Trading name, or what is on the sign"), "Example Takeaway")
	if r := h.only(); r.Officer.Number != "PC 202" || r.Officer.Name != "B Example" || r.Officer.Agency != "police" {
		t.Errorf("record author %+v", r.Officer)
	}
}

// finalisedRecord saves a complete encounter straight into the store.
func (h *harness) finalisedRecord(mutate func(*encounter.Record)) encounter.Record {
	h.t.Helper()
	r, _ := encounter.New(h.st.DeviceID(), time.Now())
	r.Officer = testOfficer
	r.Premises = encounter.Premises{Name: "Example Farm", Address: "Example Lane", Business: encounter.Farm}
	if mutate != nil {
		mutate(&r)
	}
	if err := h.st.SaveDraft(ctx, r); err != nil {
		h.t.Fatal(err)
	}
	r, err := h.st.Finalise(ctx, r.ID)
	if err != nil {
		h.t.Fatal(err)
	}
	h.ui.list.reload()
	return r
}

func TestAmendFromDetail(t *testing.T) {
	h := newHarness(t)
	r := h.finalisedRecord(nil)
	h.ui.list.onSelected(0)
	if !h.hasText("It cannot be changed") {
		t.Fatal("detail screen does not say the record is final")
	}
	test.Tap(h.button("Add an amendment"))
	find(h, "field select", func(s *widget.Select) bool { return s.PlaceHolder == "Choose what to correct" }).SetSelected("Address")
	to := find(h, "value entry", func(e *widget.Entry) bool { return e.MultiLine && e.Text == "Example Lane" })
	to.SetText("")
	test.Type(to, "12 Example Lane")
	test.Tap(h.button("Save amendment"))
	if !h.hasText("Give the reason for the amendment.") {
		t.Fatal("amendment without a reason accepted")
	}
	test.Type(h.entry("Why this is being corrected"), "House number misheard")
	test.Tap(h.button("Save amendment"))

	got, _ := h.st.Get(ctx, r.ID)
	if got.Premises.Address != "12 Example Lane" || len(got.Amendments) != 1 || got.Amendments[0].Author.Number != "PC 101" {
		t.Fatalf("after amending: %q, %+v", got.Premises.Address, got.Amendments)
	}
	if got.Original.Premises.Address != "Example Lane" {
		t.Error("original changed")
	}
	for _, want := range []string{"History", "PC 101 A Example", "Reason: House number misheard", "Address changed from “Example Lane” to “12 Example Lane”"} {
		if !h.hasText(want) {
			t.Errorf("history does not show %q", want)
		}
	}
	saveShot(t, h.win, "detail-history")
}

func TestCrimeReference(t *testing.T) {
	h := newHarness(t)
	now := time.Now()
	r := h.finalisedRecord(func(r *encounter.Record) {
		r.People = []encounter.Person{{ID: uuid.New(), AgeYears: 30, Referral: &encounter.Referral{NRM: &encounter.NRM{
			Consent: true, Explained: &encounter.Explained{By: "PC 101", At: now}, ReferredAt: now.Add(-26 * time.Hour),
		}}}}
	})
	if !h.hasText("Crime record overdue by 2 hours") {
		t.Error("list does not show the overdue crime record")
	}
	h.ui.list.onSelected(0)
	test.Tap(h.button("Add crime reference"))
	test.Type(h.entry("For example CR/12345/26"), "CR/777/26")
	test.Tap(h.button("Save amendment"))
	got, _ := h.st.Get(ctx, r.ID)
	if got.CrimeStatus(time.Now()) != encounter.CrimeRecorded || got.Crime.Reference != "CR/777/26" {
		t.Fatalf("crime after reference: %+v", got.Crime)
	}
	if !h.hasText("Crime recorded: CR/777/26") {
		t.Error("detail does not show the crime reference")
	}
	saveShot(t, h.win, "detail-crime")
}
