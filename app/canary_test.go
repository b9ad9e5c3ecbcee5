package app

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/dgraph-io/badger/v4"
	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/assets"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/screening"
	"github.com/waymark-app/waymark/session"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/vault/vaulttest"
)

// TestNothingPersonalOutsideTheStore fills every field of a record, every
// screening answer and the officer's details with a canary unique to the
// run, and runs a session through the app's own screens, store and sync
// engine, as main wires them, with Fyne's real preferences file in the
// data folder as on a device: save, finalise, amend, sync, lock, unlock,
// a hand-over answered and left with the PIN, Your details saved, a draft
// left at a step of the flow. Then it reads every file under the data and
// preferences folders, the store's own files raw (without the key) among
// them, and the app's log, and finds in none the canary, nor the id of
// any record (where a draft was left is kept in the store, not the
// preferences); Badger cannot open the store without the key.
func TestNothingPersonalOutsideTheStore(t *testing.T) {
	session.PrivateFiles()
	cfg, err := os.MkdirTemp("", "waymark-canary-")
	if err != nil {
		t.Fatal(err)
	}
	// Fyne's preferences watcher may make the folder again as it goes.
	t.Cleanup(func() { os.RemoveAll(cfg) })
	t.Setenv("XDG_CONFIG_HOME", cfg)
	device := fyneapp.NewWithID("org.waymark.canary") // its preferences file, for real
	prefs := device.Preferences()
	data := device.Storage().RootURI().Path() // the app's data folder by default
	testApp(t)

	rnd := make([]byte, 6)
	rand.Read(rnd)
	canary := "Qz" + hex.EncodeToString(rnd)
	field := func(name string) string { return canary + "-" + name }
	// What earlier versions left in the preferences file (the hand-over
	// PIN's hash, the officer, the last person's language, the step a
	// draft was left at); main drops it at start.
	for _, k := range []string{"handover.unlock_pin", "officer.name", "officer.number", "officer.agency",
		"screening.person_language", "flow.step." + field("legacy-draft")} {
		prefs.SetString(k, field("legacy-"+k))
	}
	NewPrefs(prefs).DropLegacy()
	NewPrefs(prefs).SetIdleLock(10 * time.Minute)

	// The app's log, kept in the data folder to be scanned with the rest.
	if err := os.MkdirAll(data, 0o700); err != nil {
		t.Fatal(err)
	}
	logFile, err := os.OpenFile(filepath.Join(data, "app.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close()
	log := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelDebug}))

	srv := startServer(t, encounter.Officer{Name: field("officer-name"), Number: field("officer-number"), Agency: "police"})
	base, bundle := appContent(t)
	s, err := session.Open(ctx, session.Options{
		Dir:       data,
		Vault:     vaulttest.Options(nil),
		Content:   base,
		Sync:      client.Options{Interval: time.Hour, MinBackoff: time.Hour, MaxBackoff: time.Hour, Logger: log},
		Logger:    log,
		TickEvery: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// The app, wired as main wires it, in a phone-sized window.
	win := test.NewWindow(nil)
	win.Resize(fyne.NewSize(420, 760))
	defer win.Close()
	q := &uiQueue{}
	var sync *mainQueue
	printer := bundle.Printer(i18n.Source)
	screen := onScreen(t, win)
	gate := NewGate(win, GateDeps{Session: s, Printer: func() *i18n.Printer { return printer }, Prefs: prefs, Server: srv.URL, Do: q.Do,
		Open: func() *UI {
			sync = &mainQueue{Engine: s.Engine()}
			ui := New(win, Deps{Records: s.Records(), Sync: sync, Content: s.Library(), Printer: printer,
				Bundle: bundle, Prefs: prefs, Officer: s.Officer(), Session: s, Do: sync.do})
			screen.ui, screen.main = ui, sync
			return ui
		}})
	defer gate.Close()
	gate.Start()
	w := &gateWorld{t: t, s: s, win: win, gate: gate, q: q, h: screen}
	pump := func() {
		q.pump()
		if sync != nil {
			sync.pump()
		}
	}

	// A PIN, and enrolment.
	const pin = "482913"
	w.typePIN(pin)
	w.typePIN(pin)
	code, err := srv.Admin().Enrol(ctx, "pc101")
	if err != nil {
		t.Fatal(err)
	}
	c, _ := auth.ParseCode(code.Code)
	if err := s.Enrol(ctx, auth.Link{Server: srv.URL, Code: c, Pin: srv.Pin}, false); err != nil {
		t.Fatal(err)
	}
	pump()
	ui := gate.UI()
	if ui == nil {
		t.Fatal("no officer's screens after enrolment")
	}

	// Save: a record with every field filled; then finalise and sync it.
	recs := s.Records()
	now := time.Now().UTC()
	r := canaryRecord(t, recs.DeviceID(), s.Officer(), now, field)
	if err := recs.SaveDraft(ctx, r); err != nil {
		t.Fatal(err)
	}
	r, err = recs.Finalise(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Amend it: every field an amendment may carry.
	a, _ := encounter.NewAmendment(r.ID, recs.DeviceID(), s.Officer(), now.Add(time.Minute))
	a.Reason = field("amendment-reason")
	a.Changes = []encounter.Change{
		{Field: encounter.FieldNotes, From: r.Notes, To: field("amended-notes")},
		{Field: encounter.FieldAddendum, To: field("addendum")},
		{Field: encounter.FieldCrimeReference, To: field("crime-reference")},
		{Field: encounter.FieldPremisesAddress, From: r.Premises.Address, To: field("amended-address")},
		{Field: encounter.PersonField(r.People[0].ID, "nationality"), To: field("amended-nationality")},
	}
	if _, err := recs.Amend(ctx, a); err != nil {
		t.Fatal(err)
	}
	s.Engine().SyncNow()
	w.h.waitUntilNoPump(func() bool {
		got, err := recs.Get(ctx, r.ID)
		return err == nil && got.State == encounter.Synced && len(got.Amendments) == 1 && got.Amendments[0].State == encounter.Synced
	})
	pump()
	ui.reload()
	ui.saver.Wait()
	pump()
	if !w.h.hasText(field("premises")) {
		t.Fatal("the record is not listed")
	}
	if got, err := recs.Get(ctx, r.ID); err == nil {
		ui.openDetail(got)
	}
	ui.openOfficer(nil)
	w.h.tapButton(printer.T("officer.save"))

	// Lock, and unlock with the PIN.
	gate.OnBackground()
	pump()
	if w.h.hasText(canary) {
		t.Fatal("the lock screen shows a record")
	}
	w.typePIN(pin)
	pump()
	if gate.UI() == nil || s.State().Phase != session.Unlocked {
		t.Fatal("not unlocked")
	}

	// A hand-over: the person answers a free-text question; the officer
	// leaves it with the PIN.
	d, _ := encounter.New(recs.DeviceID(), now)
	d.Premises.Name = field("handover-premises")
	person := encounter.Person{ID: uuid.New(), Label: field("handover-person")}
	d.People = []encounter.Person{person}
	set, err := screening.Parse(assets.Screening)
	if err != nil {
		t.Fatal(err)
	}
	deps := ScreeningDeps{Set: set, Officer: printer, Person: language.MustParse("sq"), Kept: ui.saver, Session: s,
		Record: func(ans screening.Answer) error {
			d.People[0].Screening = append(d.People[0].Screening, screening.ToRecord(ans))
			return recs.SaveDraft(ctx, d)
		}}
	h := NewHandOver(win, deps)
	h.Start(func() {})
	test.Tap(h.next)
	for h.text == nil {
		if h.session.Page() != model.PageQuestion {
			t.Fatal("no free-text question in the screening set")
		}
		if h.session.Question().Kind == screening.Info {
			test.Tap(h.next)
			continue
		}
		test.Tap(h.choices[screening.PreferNot])
	}
	test.Type(h.text, field("handover-answer"))
	test.Tap(h.save)
	test.Tap(h.unlockBtn)
	enterPIN(h, pin)
	if got, _ := recs.Get(ctx, d.ID); !strings.Contains(got.People[0].Screening[len(got.People[0].Screening)-1].Text, canary) {
		t.Fatal("the hand-over's answer was not kept")
	}

	// A draft begun on the flow's screens and left at the people step:
	// where it was left is kept, in the store.
	ui.popToRoot()
	ui.list.onNew()
	ui.flow.m.SetName(field("flow-draft"))
	ui.flow.goTo(model.StepPeople)
	ui.saver.Wait()
	pump()
	flowDraft := ui.flow.m.Record().ID
	ui.popToRoot()
	ui.saver.Wait()
	if step, ok := ui.saver.DraftStep(flowDraft); !ok || step != model.StepPeople {
		t.Fatalf("the draft's step was not kept: %v", step)
	}

	// The canary is in the store, readable with the key: the scan below
	// could find it if it leaked.
	if got, _ := recs.Get(ctx, r.ID); !strings.Contains(got.Notes, canary) {
		t.Fatal("the record's canary is not in the store")
	}
	// The officer's language, chosen on Your details: a preference.
	ui.openOfficer(nil)
	lang := find(w.h, "language select", func(sel *widget.Select) bool {
		return slices.ContainsFunc(sel.Options, func(o string) bool { return strings.Contains(o, "Cymraeg") })
	})
	lang.SetSelectedIndex(slices.IndexFunc(lang.Options, func(o string) bool { return strings.Contains(o, "Cymraeg") }))
	if tag, ok := NewPrefs(prefs).OfficerLanguage(); !ok || tag == language.Und {
		t.Fatal("the officer's language was not kept")
	}

	gate.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// Fyne writes the preferences file in the background, at most every
	// 100 ms: wait until it holds the last setting changed.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		b, _ := os.ReadFile(filepath.Join(data, "preferences.json"))
		if bytes.Contains(b, []byte(`"cy"`)) {
			time.Sleep(150 * time.Millisecond) // and any save after it
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the preferences file was not written")
		}
	}

	ids := []uuid.UUID{r.ID, d.ID, flowDraft, r.People[0].ID, r.People[1].ID, person.ID, a.ID}
	files := 0
	seen := map[string]bool{}
	for _, root := range []string{data, cfg} {
		filepath.WalkDir(root, func(path string, de fs.DirEntry, err error) error {
			if err == nil && de.IsDir() && path != cfg {
				if fi, _ := de.Info(); fi.Mode().Perm() != 0o700 {
					t.Errorf("folder %s is mode %v, want 0700", path, fi.Mode().Perm())
				}
			}
			if err != nil || !de.Type().IsRegular() || seen[path] {
				return err
			}
			seen[path] = true
			b, err := os.ReadFile(path)
			if err != nil {
				t.Error(err)
				return nil
			}
			files++
			if bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(canary))) {
				t.Errorf("%s holds the canary", path)
			}
			for _, id := range ids {
				if bytes.Contains(b, []byte(id.String())) {
					t.Errorf("%s holds the id of a record", path)
				}
			}
			if fi, _ := de.Info(); fi.Mode().Perm() != 0o600 {
				t.Errorf("%s is mode %v, want 0600", path, fi.Mode().Perm())
			}
			return nil
		})
	}
	if files < 8 {
		t.Errorf("only %d files scanned", files)
	}
	if _, err := os.Stat(filepath.Join(data, "preferences.json")); err != nil {
		t.Errorf("Fyne's preferences file is not in the data folder: %v", err)
	}
	if _, err := badger.Open(badger.DefaultOptions(filepath.Join(data, "store")).WithReadOnly(true).WithLogger(nil)); err == nil {
		t.Error("Badger opens the store without its key")
	}
	if _, err := store.Open(ctx, store.Options{Dir: filepath.Join(data, "store")}); err == nil {
		t.Error("the store opens without its key")
	}
}

// canaryRecord is a complete record whose every text field holds the
// canary.
func canaryRecord(t *testing.T, device uuid.UUID, officer encounter.Officer, now time.Time, field func(string) string) encounter.Record {
	t.Helper()
	r, err := encounter.New(device, now)
	if err != nil {
		t.Fatal(err)
	}
	r.Officer = officer
	r.Operation = field("operation")
	r.Premises = encounter.Premises{Name: field("premises"), Address: field("address"), Business: encounter.CarWash}
	r.PeoplePresent = 3
	r.Notes = field("notes")
	r.Indicators = []string{field("indicator")}
	answer := func(q string) encounter.ScreeningAnswer {
		return encounter.ScreeningAnswer{Question: q, Text: field("answer-" + q), Translation: field("translation-" + q),
			Interpreter: field("interpreter"), Lang: "sq", Mode: "interpreter", At: now}
	}
	explained := encounter.Explained{By: field("explained-by"), At: now}
	r.People = []encounter.Person{
		{ID: uuid.New(), Label: field("label-1"), AgeYears: 30, Gender: field("gender"), Nationality: field("nationality"),
			Languages: []string{"sq", field("language")}, EnglishAbility: field("english"), InterpreterUsed: true,
			Indicators: []string{field("person-indicator")}, Answers: map[string]string{"q.work": field("officer-answer")},
			Screening: []encounter.ScreeningAnswer{answer("work.what"), answer("free.more")},
			Referral: &encounter.Referral{NRM: &encounter.NRM{Explained: &explained, Consent: true,
				Identity: encounter.Identity{Name: field("victim-name"), Aliases: []string{field("alias")},
					DateOfBirth: field("date-of-birth"), OtherReferences: []string{field("other-reference")}},
				Account: field("nrm-account")}}},
		{ID: uuid.New(), Label: field("label-2"), AgeYears: 40,
			Referral: &encounter.Referral{DutyToNotify: &encounter.DutyToNotify{Explained: explained, Account: field("dtn-account")}}},
	}
	r.Assessment = &encounter.Assessment{Level: "red", Reasons: []encounter.Reason{{Rule: field("rule"), Level: "red",
		Indicators: []string{field("reason-indicator")}}}, Actions: []string{field("action")}, At: now}
	r.Checklist = []encounter.Tick{{Action: field("tick"), At: now, By: field("ticked-by")}}
	return r
}

// waitUntilNoPump waits for what a background goroutine does.
func (h *harness) waitUntilNoPump(ok func() bool) {
	h.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !ok(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			h.t.Fatal("condition not met in time")
		}
	}
}
