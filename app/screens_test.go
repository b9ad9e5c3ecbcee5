//go:build screens

// The tests in this file sweep every screen of the interface, in each of
// its languages, and tap every control of the flow: they are layout-bound
// and take tens of seconds, so they run under the screens tag, which
// make test sets (go test -tags screens -run '^TestScreens' ./app/).

package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/assets"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/operation"
	"github.com/waymark-app/waymark/screening"
	"github.com/waymark-app/waymark/session"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

// tour drives the interface through every screen, calling seen with a
// name for each once it is on the window: the list, Your details, each
// step of the flow with people on it, the finalise confirmation, the NRM
// form answers, the screening screens and every page of the hand-over,
// the filters, a record read back, the amendment forms, the enrolment
// screen. It drives by the model where a label would tie it to one
// language.
func tour(h *harness, seen func(name string)) {
	t := h.t
	t.Helper()
	u := h.ui
	seen("list-empty")
	// A device with a PIN: Your details offers to lock and to change it.
	pins, _ := testSession(t, tourPIN)
	u.deps.Session = pins
	u.openOfficer(nil)
	h.settle()
	seen("details")
	tourChangePIN(h, seen)
	u.pop()

	u.list.onNew()
	h.settle()
	fs := u.flow
	m := fs.m
	m.SetName("Example Nails")
	m.SetBusiness(encounter.NailBar)
	fs.showStep()
	h.settle()
	seen("flow-premises")
	// Something identifying in the notes: the hint under them.
	test.Type(fs.steps.entries["notes"], "Manager gave his number, 07700 900123, and lives at M1 1AE.")
	fs.scroll.ScrollToBottom()
	h.settle()
	seen("flow-premises-hint")
	fs.goTo(model.StepPeople)
	adult := m.AddPerson()
	m.SetAge(adult, "30")
	m.SetLanguage(adult, language.Albanian)
	child := m.AddPerson()
	m.SetAge(child, "15")
	fs.showStep()
	h.settle()
	seen("flow-people")
	fs.goTo(model.StepObserve)
	h.settle()
	seen("flow-observe")
	fs.goTo(model.StepQuestions)
	m.Answer(adult, "q.documents", "yes")
	m.Answer(adult, "q.free_to_leave", "no")
	fs.showStep()
	h.settle()
	seen("flow-questions")
	fs.goTo(model.StepAssess)
	h.settle()
	seen("flow-assess")
	fs.goTo(model.StepReferral)
	h.settle()
	seen("flow-referral")
	fs.confirmFinalise()
	h.settle()
	seen("finalise-cannot")
	fs.steps.dialog.Hide()
	m.Decide(adult, encounter.RouteNRM)
	fs.showStep()
	h.settle()
	seen("flow-referral-nrm")
	m.Decide(adult, encounter.RouteDutyToNotify)
	m.SetReferralField(adult, model.FieldAccount, "Worked nights; her phone 07700 900123, born 12/03/1990.")
	fs.showStep()
	h.settle()
	seen("flow-referral-dtn")
	fs.openSummary(adult)
	h.settle()
	seen("summary")
	u.pop()
	fs.goTo(model.StepQuestions)
	iv := fs.openScreening(adult)
	h.settle()
	seen("interpreter")
	for _, q := range iv.deps.Set.Questions {
		if c := iv.cards[q.ID]; c != nil && c.said != nil {
			test.Type(c.said, "Puna, 07700 900123")
			h.settle()
			// Scroll the list to the card typed in.
			scroll := iv.box.Objects[0].(*container.Scroll)
			d := fyne.CurrentApp().Driver()
			scroll.ScrollToOffset(fyne.NewPos(0, d.AbsolutePositionForObject(c.found).Y-d.AbsolutePositionForObject(iv.list).Y-200))
			h.settle()
			seen("interpreter-hint")
			break
		}
	}
	ho := NewHandOver(h.win, iv.deps)
	ho.Start(nil)
	h.settle()
	seen("handover-intro")
	ho.onNext()
	h.settle()
	seen("handover-question")
	for ho.session.Page() == model.PageQuestion && ho.session.Question().Kind != screening.Text {
		ho.session.Next()
	}
	ho.showPage()
	h.settle()
	seen("handover-text")
	for ho.session.Page() == model.PageQuestion {
		ho.session.Next()
	}
	ho.showPage()
	h.settle()
	seen("handover-end")
	ho.Hide()
	h.settle()
	seen("handover-hidden")
	ho.onNeutralTapped()
	h.settle()
	seen("handover-pin-neutral")
	ho.showPage()
	ho.onUnlockTapped()
	test.Type(ho.pin.form.entry, "000000")
	test.Tap(ho.pin.form.ok)
	h.settle()
	seen("handover-pin-wrong")
	ho.end()
	u.pop()
	h.settle()

	fs.goTo(model.StepReferral)
	ids := fs.openIdentifiers()
	h.settle()
	seen("identifiers")
	for _, path := range ids.order {
		if c := ids.cards[path]; c.keep != nil {
			test.Tap(c.keep)
		} else {
			test.Tap(c.remove)
		}
	}
	test.Tap(ids.names)
	h.settle()
	seen("identifiers-answered")
	ids.scroll.ScrollToBottom()
	h.settle()
	seen("identifiers-end")
	u.pop()
	fs.confirmFinalise()
	h.settle()
	seen("finalise-confirm")
	fs.steps.dialog.Hide()
	fs.finalise()
	h.settle()
	seen("list-rows")
	u.status.set(client.Status{Queued: 2, LastSuccess: time.Now(), LastError: &client.Error{Kind: client.ServerFault, Err: &wire.Error{Code: wire.CodeAsideFull}}})
	h.settle()
	seen("status-aside-full")
	u.status.set(client.Status{LastSuccess: time.Now()})
	u.list.openFilters()
	h.settle()
	seen("filters")
	closeOverlays(h)

	u.list.onNew()
	h.settle()
	u.flow.m.SetName("To discard")
	u.flow.onDiscard()
	h.settle()
	seen("discard-confirm")
	closeOverlays(h)
	u.popToRoot()
	h.settle()

	r := h.records()
	var done encounter.Record
	for _, x := range r {
		if x.State != encounter.Draft {
			done = x
		}
	}
	u.openDetail(done)
	h.settle()
	seen("detail")
	u.popToRoot()
	u.openDetail(brokenSeal(h))
	h.settle()
	seen("detail-broken")
	u.popToRoot()
	u.openDetail(done)
	h.settle()
	d := &detailScreen{u: u, rec: done, box: nil}
	d.openAmend()
	h.settle()
	seen("amend")
	pick := find(h, "field picker", func(s *widget.Select) bool { return s.PlaceHolder == u.p.T("amend.field.hint") })
	for i, f := range model.AmendFields(u.p, u.packFor(done.Content), done) {
		if f.Kind == model.KindSigns {
			pick.SetSelectedIndex(i)
			break
		}
	}
	h.settle()
	seen("amend-signs")
	for i, f := range model.AmendFields(u.p, u.packFor(done.Content), done) {
		if f.Field == encounter.PersonField(adult, "label") {
			pick.SetSelectedIndex(i)
			break
		}
	}
	h.settle()
	label := find(h, "the new label", func(e *widget.Entry) bool { return e.OnChanged != nil && !e.MultiLine && e.Text == "" })
	test.Type(label, "woman at the till, 07700 900123")
	h.settle()
	seen("amend-label-hint")
	// Saved, it goes through the check before finalising's.
	test.Type(find(h, "reason", func(e *widget.Entry) bool { return e.PlaceHolder == u.p.T("amend.reason.hint") }), "Label was unclear")
	test.Tap(find(h, "save", func(b *widget.Button) bool { return b.Text == u.p.T("amend.save") }))
	h.settle()
	seen("amend-check")
	u.pop()
	u.pop()
	d.openCrimeReference()
	h.settle()
	seen("crime-reference")
	u.pop()
	d.openLateReferral()
	h.settle()
	seen("late-referral")
	u.popToRoot()
	h.settle()

	tourToday(h, seen)

	NewEnrolScreen(h.win, EnrolDeps{Printer: u.p, Server: "https://waymark.example:8765"})
	h.settle()
	seen("enrol")
	tourGate(h, seen)
}

// tourOperation is a day of action as the demo seeds it, with the
// longest words a premises card holds, and visit history: two earlier
// visits to the car wash (one with a child), none to the others.
func tourOperation(h *harness) (operation.Operation, []operation.Visit) {
	h.t.Helper()
	day := time.Now().Format(time.DateOnly)
	id := func() uuid.UUID { return uuid.Must(uuid.NewV7()) }
	op := operation.Operation{ID: id(), Revision: 1, Name: "Operation Demo", Start: day, End: day,
		Briefing:   "Intelligence-led visits to hand car washes and nail bars on the ring road. Labour exploitation suspected: workers seen sleeping on site, cash only. Screen every worker privately; interpreters on call.",
		Rendezvous: "Example Road police station, 07:00",
		Partners: []operation.Partner{{Agency: "glaa", Contact: "GLAA inspector on duty"},
			{Agency: "immigration", Contact: "Immigration Enforcement officer"}},
		Interpreters: []operation.Interpreter{{Name: "Interpreter on call", Languages: []string{"ro", "sq"}, Phone: "01000 000000"}},
		Premises: []operation.Premises{
			{ID: id(), Name: "Example Hand Car Wash", Address: "1 Example Road, Exampleton", Postcode: "EX1 1AA", Business: encounter.CarWash,
				Intelligence: "Workers seen sleeping in a cabin behind the wash.", Safety: "Dog on premises; manager known for violence."},
			{ID: id(), Name: "Example Nails", Address: "2 Sample Street, Exampleton", Postcode: "EX2 2BB", Business: encounter.NailBar,
				Intelligence: "Same workers dropped off and collected by one van."},
			{ID: id(), Name: "Example Takeaway", Address: "3 Sample Parade, Exampleton", Postcode: "EX3 3DD", Business: encounter.Takeaway}}}
	wash := op.Premises[0].ID
	history := []operation.Visit{
		{Operation: op.ID, Premises: wash, Record: id(), OccurredAt: time.Now().AddDate(0, -1, 0), Level: "amber", Officer: "PC 2002 B Example", Agency: "police", People: 4},
		{Operation: op.ID, Premises: wash, Record: id(), OccurredAt: time.Now().AddDate(0, -3, 0), Level: "red", Officer: "PC 2003 C Example", Agency: "police", People: 6, Children: 1},
	}
	return op, history
}

// tourToday shows the Today screen: the list's way in, the operation
// with what changed and its premises, each with its state, notes and
// visit history, to its end; once read; and an encounter started from a
// premises.
func tourToday(h *harness, seen func(string)) {
	t, u := h.t, h.ui
	op, history := tourOperation(h)
	if err := h.st.SaveOperations(ctx, 1, []operation.Operation{op}, history); err != nil {
		t.Fatal(err)
	}
	u.loadToday()
	h.waitUntil(func() bool {
		return u.today.Button() != "" && has(h, func(b *widget.Button) bool { return b.Text == u.today.Button() })
	})
	h.settle()
	seen("list-today")
	u.openToday()
	h.settle()
	seen("today")
	scroll := u.stack[len(u.stack)-1].content.(*container.Scroll)
	scroll.ScrollToOffset(fyne.NewPos(0, scroll.Content.MinSize().Height/2))
	h.settle()
	seen("today-premises")
	scroll.ScrollToBottom()
	h.settle()
	seen("today-end")
	scroll.ScrollToTop()
	test.Tap(find(h, "I have read this", func(b *widget.Button) bool { return b.Text == u.p.T("today.seen") }))
	h.waitUntil(func() bool { return !u.today.Unseen() })
	h.settle()
	seen("today-read")
	u.todayView.onStart(op.Premises[0].ID)
	h.settle()
	seen("today-started")
	u.popToRoot()
	h.settle()
}

// tourPIN is the PIN of the tour's devices.
const tourPIN = "482913"

// tourChangePIN shows each stage of Change PIN, from Your details: the
// current PIN (once refused), the new one (once refused), the
// confirmation.
func tourChangePIN(h *harness, seen func(string)) {
	u := h.ui
	u.openChangePIN()
	h.settle()
	seen("changepin-current")
	c := u.stack[len(u.stack)-1]
	typePIN := func(pin string) {
		e := find(h, "PIN entry", func(e *widget.Entry) bool { return e.Password })
		test.Type(e, pin)
		e.OnSubmitted(pin)
		h.settle()
	}
	typePIN("000000")
	seen("changepin-wrong")
	typePIN(tourPIN)
	seen("changepin-new")
	typePIN("123456")
	seen("changepin-rule")
	typePIN("864213")
	seen("changepin-confirm")
	if u.stack[len(u.stack)-1].title != c.title {
		h.t.Fatal("Change PIN left before the confirmation")
	}
	u.pop()
	h.settle()
}

// tourGate shows the screens the gate puts before the officer's: choosing
// a PIN (on a device made before the vault, its longest sentence; a PIN
// refused; the confirmation), the lock screen (fresh, then in a delay
// with the warning before the last tries), the forgotten-PIN screen
// (then armed), the wiped screen for every reason, and the offline lock.
func tourGate(h *harness, seen func(string)) {
	t, p := h.t, h.ui.p
	show := func(name string, o fyne.CanvasObject) {
		h.win.SetContent(o)
		h.settle()
		seen(name)
	}
	fresh := openSession(t)
	sp := newSetPINScreen(p, session.NewSetPINModel(fresh), true)
	show("setpin", sp.Content())
	sp.onEnter("123456")
	show("setpin-rule", sp.Content())
	sp.onEnter(tourPIN)
	show("setpin-confirm", sp.Content())

	s, clock := testSession(t, tourPIN)
	lock := newLockScreen(p, session.NewLockModel(s, s.CheckPIN), lockOptions{title: "lock.title", intro: "lock.prompt", onForgot: func() {}})
	defer lock.Close()
	show("lock", lock.Content())
	for i := range 7 {
		if i > 0 {
			clock.Pass(time.Hour) // past each delay
			lock.tick()
		}
		lock.onEnter("000000")
	}
	show("lock-warning", lock.Content())
	if !h.hasText(say(p, lock.model.Warning()[0])) {
		t.Error("no warning before the last tries")
	}

	f := newForgotScreen(p, session.NewForgotModel(s), func() {})
	show("forgot", f.content)
	test.Tap(f.wipe)
	show("forgot-armed", f.content)
	for why := session.WipedEarlier; why <= session.WipedDamaged; why++ {
		show("wiped-"+why.String(), newWipedScreen(p, why, func() {}))
	}
	o := newOfflineScreen(p, 14, nil, func(fn func()) { fn() })
	show("offline", o.content)
}

// closeOverlays closes the dialogs open on the window.
func closeOverlays(h *harness) {
	for {
		top := h.win.Canvas().Overlays().Top()
		if top == nil {
			return
		}
		h.win.Canvas().Overlays().Remove(top)
	}
}

// TestScreensFitAPhone: on a phone 360 dp wide, no screen of the
// interface, in either of its languages, is wider than the screen: each
// would make the window wider (as Welsh once did, from 440 to 535).
func TestScreensFitAPhone(t *testing.T) {
	for _, lang := range []string{"en", "cy"} {
		t.Run(lang, func(t *testing.T) {
			h := newHarnessWith(t, harnessOptions{lang: lang, noServer: true, realTheme: true})
			screens := 0
			tour(h, func(name string) {
				screens++
				if w := h.win.Content().MinSize().Width; w > phone.Width {
					t.Errorf("%s: %v dp wide, wider than a phone's %v; widest: %s", name, w, phone.Width, widest(h.win.Content()))
				}
				for _, o := range h.win.Canvas().Overlays().List() {
					if w := o.MinSize().Width; w > phone.Width {
						t.Errorf("%s: a dialog %v dp wide", name, w)
					}
				}
				saveShot(t, h.win, lang+"-"+name)
			})
			if screens < 25 {
				t.Errorf("only %d screens seen", screens)
			}
		})
	}
}

// TestScreensTouchTargets: everything the officer taps, on every screen, is at
// least 48 dp each way.
func TestScreensTouchTargets(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	tour(h, func(name string) {
		h.visible(func(o fyne.CanvasObject) {
			if _, ok := o.(fyne.Tappable); !ok || !tappable(o) {
				return
			}
			if s := o.Size(); s.Height < touchTarget-0.5 || s.Width < touchTarget-0.5 {
				t.Errorf("%s: a %T %q is %v×%v dp", name, o, label(o), s.Width, s.Height)
			}
		})
	})
}

// tappable reports whether o is something the officer taps: a control,
// not a part of one, nor a view that takes a tap anywhere.
func tappable(o fyne.CanvasObject) bool {
	switch v := o.(type) {
	case *widget.Button, *choiceButton, *toggleRow, *widget.Select, *widget.Entry:
		return true
	case *tapArea:
		return v.Size().Height < 200 // a line to tap, not the hand-over's neutral view
	}
	return isListItem(o)
}

// label names a control in a failure.
func label(o fyne.CanvasObject) string {
	switch v := o.(type) {
	case *widget.Button:
		return v.Text
	case *choiceButton:
		return v.Text
	case *toggleRow:
		return v.Text
	case *widget.Entry:
		return v.PlaceHolder
	case *widget.Select:
		return v.PlaceHolder
	}
	return ""
}

// TestScreensNoEnglishInWelsh: with the interface in Welsh, no screen shows an
// English message (one whose Welsh differs), nor Fyne's own English.
func TestScreensNoEnglishInWelsh(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "i18n", "locales", "en.json"))
	if err != nil {
		t.Fatal(err)
	}
	var en map[string]json.RawMessage
	if err := json.Unmarshal(raw, &en); err != nil {
		t.Fatal(err)
	}
	bundle, _ := shared(t)
	cy := bundle.Printer(language.MustParse("cy"))
	english := map[string]string{} // English text to its key
	for k, v := range en {
		var s string
		if json.Unmarshal(v, &s) != nil || strings.Contains(s, "%") || len(s) < 4 {
			continue
		}
		if cy.T(k) != s {
			english[s] = k
		}
	}
	for _, fyneWords := range []string{"(Select one)", "Cancel", "Yes", "No", "OK", "Confirm"} {
		english[fyneWords] = "Fyne's own"
	}
	h := newHarnessWith(t, harnessOptions{lang: "cy", noServer: true})
	tour(h, func(name string) {
		h.visible(func(o fyne.CanvasObject) {
			for _, text := range texts(o) {
				if k, ok := english[strings.TrimSpace(text)]; ok {
					t.Errorf("%s: English %q (%s) on a Welsh screen", name, text, k)
				}
			}
		})
	})
}

// texts are the words o shows.
func texts(o fyne.CanvasObject) []string {
	switch v := o.(type) {
	case *widget.Label:
		return []string{v.Text}
	case *canvas.Text:
		return []string{v.Text}
	case *widget.Button:
		return []string{v.Text}
	case *choiceButton:
		return []string{v.Text}
	case *widget.Select:
		if v.Selected == "" {
			return []string{v.PlaceHolder}
		}
		return []string{v.Selected}
	case *widget.Entry:
		return []string{v.PlaceHolder}
	}
	return nil
}

// TestScreensNothingMovesUnderTheThumb taps every control of every step of the
// flow, with people on the record, and checks that the control tapped is
// where it was: nothing is inserted above the point of interaction, and
// nothing above it changes height (the banner, the notice line).
func TestScreensNothingMovesUnderTheThumb(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	u := h.ui
	u.list.onNew()
	h.settle()
	fs := u.flow
	fs.m.SetName("Example Car Wash")
	adult := fs.m.AddPerson()
	fs.m.SetLanguage(adult, language.Albanian)
	fs.showStep()
	h.settle()
	taps := 0
	for _, step := range []model.Step{model.StepPremises, model.StepPeople, model.StepObserve, model.StepQuestions, model.StepAssess, model.StepReferral} {
		for i := 0; ; i++ {
			fs = u.flow
			fs.goTo(step)
			h.settle()
			// The step numbers and the footer are the same on every step:
			// they are tapped from the first.
			controls := stepControls(fs, step == model.StepPremises)
			if i >= len(controls) || i > 400 {
				break
			}
			c := controls[i]
			what := fmt.Sprintf("%s: %T %q", step.Key(), c, label(c))
			before := absPos(h.win, c)
			switch e := c.(type) {
			case *widget.Entry:
				test.Type(e, "15") // an age makes the person a child: the banner turns Red
			default:
				test.Tap(c.(fyne.Tappable))
			}
			taps++
			h.settle()
			closeOverlays(h)
			if top := u.stack[len(u.stack)-1]; top.content != fs.box {
				u.pop() // the tap opened a screen (the screening, the summary)
				h.settle()
				continue
			}
			if !onCanvas(h, c) {
				continue // the tap removed it, or moved to another step
			}
			if after := absPos(h.win, c); after != before {
				t.Errorf("%s moved from %v to %v when tapped", what, before, after)
			}
		}
	}
	t.Logf("%d controls tapped", taps)
	if taps < 60 {
		t.Errorf("only %d controls tapped", taps)
	}
}

// TestScreensIdentifiersNothingMoves: on the identifier check, every tap
// (keeping what belongs, removing what is highlighted, the names
// confirmation) leaves the control tapped where it was, and so does the
// Finalise… button, which comes alive once nothing is left to answer.
func TestScreensIdentifiersNothingMoves(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	u := h.ui
	u.list.onNew()
	h.settle()
	fs := u.flow
	m := fs.m
	m.SetName("Example Nails")
	m.SetBusiness(encounter.NailBar)
	m.SetNotes("Manager 07700 900123; the van was AB12 345678.")
	a, b := m.AddPerson(), m.AddPerson()
	m.SetAge(a, "30")
	m.SetAge(b, "40")
	m.SetLabel(a, "woman at the till, M1 1AE")
	m.Decide(a, encounter.RouteDutyToNotify)
	m.SetReferralField(a, model.FieldAccount, "Worked nights; her phone 07700 900123, born 12/03/1990, e-mail a@example.com.")
	m.Decide(b, encounter.RouteNone)
	m.SetLabel(b, "man at the door, 07700 900999")
	fs.goTo(model.StepReferral)
	s := fs.openIdentifiers()
	h.settle()
	if len(s.order) != 4 {
		t.Fatalf("%d findings", len(s.order))
	}
	fin := absPos(h.win, s.finalise)
	var controls []fyne.Tappable
	for _, path := range s.order {
		c := s.cards[path]
		if c.keep != nil {
			controls = append(controls, c.keep)
		}
		controls = append(controls, c.remove)
	}
	controls = append(controls, s.names)
	taps := 0
	for _, c := range controls {
		o := c.(fyne.CanvasObject)
		if !onCanvas(h, o) {
			continue
		}
		before := absPos(h.win, o)
		test.Tap(c)
		taps++
		h.settle()
		if after := absPos(h.win, o); after != before {
			t.Errorf("%T %q moved from %v to %v when tapped", c, label(o), before, after)
		}
	}
	if got := absPos(h.win, s.finalise); got != fin || s.finalise.Disabled() {
		t.Errorf("Finalise… moved from %v to %v, or is still off (%v)", fin, got, s.finalise.Disabled())
	}
	t.Logf("%d controls tapped on the identifier check", taps)
}

// TestScreensTodayNothingMoves: on the Today screen, "I have read this"
// stays where it was when tapped (greyed out, "Read"), and so does
// everything under it; "Start encounter here" on each premises opens the
// encounter, and back on the Today screen every control is where it was.
// The screen is drawn again when the operations are read, so controls
// are compared by their order on it.
func TestScreensTodayNothingMoves(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	u := h.ui
	op, history := tourOperation(h)
	if err := h.st.SaveOperations(ctx, 1, []operation.Operation{op}, history); err != nil {
		t.Fatal(err)
	}
	u.loadToday()
	h.waitUntil(func() bool { return u.today.Button() != "" })
	u.openToday()
	h.settle()
	scroll := u.stack[len(u.stack)-1].content.(*container.Scroll)
	controls := func() (out []fyne.CanvasObject) {
		walk(scroll, func(o fyne.CanvasObject) {
			if _, ok := o.(fyne.Tappable); ok && tappable(o) {
				out = append(out, o)
			}
		})
		return out
	}
	places := func() (out []fyne.Position) {
		for _, c := range controls() {
			out = append(out, absPos(h.win, c))
		}
		return out
	}
	first := controls()
	if len(first) != 1+len(op.Premises) {
		t.Fatalf("%d controls on the Today screen, want I have read this and one per premises", len(first))
	}
	for i := range first {
		c := controls()[i]
		before := places()
		scroll.Offset = fyne.NewPos(0, max(0, absPos(h.win, c).Y-absPos(h.win, scroll).Y-200))
		scroll.Refresh()
		h.settle()
		before = places()
		test.Tap(c.(fyne.Tappable))
		h.settle()
		if u.flow != nil && u.stack[len(u.stack)-1].content == u.flow.box {
			u.pop() // the encounter started there
			h.settle()
		}
		h.waitUntil(func() bool { return !u.today.Unseen() || i > 0 })
		after := places()
		if len(after) != len(before) {
			t.Fatalf("tap %d: %d controls, then %d", i, len(before), len(after))
		}
		for j := range before {
			if before[j] != after[j] {
				t.Errorf("tap %d (%q): control %d moved from %v to %v", i, label(c), j, before[j], after[j])
			}
		}
	}
	if b := controls()[0].(*widget.Button); !b.Disabled() || b.Text != u.p.T("today.read") {
		t.Errorf("after reading: %q, disabled %v", b.Text, b.Disabled())
	}
}

// stepControls are the controls of the flow's screen, in order: the
// step numbers and the footer if nav, and the step. The title bar's Back
// leaves the flow.
func stepControls(fs *flowScreen, nav bool) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	add := func(o fyne.CanvasObject) {
		if _, ok := o.(fyne.Tappable); ok && tappable(o) {
			out = append(out, o)
		}
	}
	if nav {
		walk(fs.stepBar, add)
		walk(fs.footer, add)
	}
	walk(fs.scroll, add)
	return out
}

// onCanvas reports whether o is still on the window.
func onCanvas(h *harness, o fyne.CanvasObject) bool {
	found := false
	walk(h.win.Content(), func(x fyne.CanvasObject) { found = found || x == o })
	return found
}

// widest names the objects wider than a phone none of whose parts is:
// where the width comes from.
func widest(root fyne.CanvasObject) string {
	var found []string
	walk(root, func(o fyne.CanvasObject) {
		if o.MinSize().Width <= phone.Width {
			return
		}
		for _, k := range children(o) {
			if k.Visible() && k.MinSize().Width > phone.Width {
				return
			}
		}
		var kids []string
		for _, k := range children(o) {
			kids = append(kids, fmt.Sprintf("%T %.0f %q", k, k.MinSize().Width, label(k)+strings.Join(texts(k), "")))
		}
		found = append(found, fmt.Sprintf("%T %.0f [%s]", o, o.MinSize().Width, strings.Join(kids, "; ")))
	})
	return strings.Join(found, " | ")
}

// TestScreensPINNothingMoves: on every PIN screen (the lock screen, the
// hand-over's exit, choosing a PIN, Change PIN) a refused PIN, a delay,
// the warning before the last tries and the confirmation step never move
// the entry or the button just tapped, nor the wipe button of the
// forgotten-PIN screen when it asks again.
func TestScreensPINNothingMoves(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	p := h.ui.p
	steady := func(name string, form *pinForm, pins ...string) {
		t.Helper()
		for _, pin := range pins {
			entry, ok := absPos(h.win, form.entry), absPos(h.win, form.ok)
			test.Type(form.entry, pin)
			test.Tap(form.ok)
			h.settle()
			if e, o := absPos(h.win, form.entry), absPos(h.win, form.ok); e != entry || o != ok {
				t.Errorf("%s, PIN %q: the entry moved from %v to %v, the button from %v to %v", name, pin, entry, e, ok, o)
			}
		}
	}

	s, clock := testSession(t, tourPIN)
	lock := newLockScreen(p, session.NewLockModel(s, s.CheckPIN), lockOptions{title: "lock.title", intro: "lock.prompt", onForgot: func() {}})
	defer lock.Close()
	h.win.SetContent(lock.Content())
	h.settle()
	forgot := absPos(h.win, lock.forgot)
	for i := range 7 {
		if i > 0 {
			clock.Pass(time.Hour)
			lock.tick()
			h.settle()
		}
		steady("lock", lock.form, "000000")
	}
	if lock.form.notes.Hidden || absPos(h.win, lock.forgot) != forgot {
		t.Error("no warning, or the forgotten-PIN button moved")
	}

	hand, _ := testSession(t, tourPIN)
	neutral := newLockScreen(p, session.NewLockModel(hand, hand.CheckPIN), lockOptions{title: "handover.pin.neutral", neutral: true, onCancel: func() {}})
	defer neutral.Close()
	h.win.SetContent(neutral.Content())
	h.settle()
	steady("hand-over", neutral.form, "000000", "135791")

	sp := newSetPINScreen(p, session.NewSetPINModel(openSession(t)), false)
	h.win.SetContent(sp.Content())
	h.settle()
	steady("set PIN", sp.form, "123456", tourPIN, "864213", tourPIN)

	h.ui.deps.Session = s
	clock.Pass(time.Hour)
	cp := h.ui.openChangePIN()
	h.settle()
	steady("Change PIN", cp.form, tourPIN, "111111", "864213")

	f := newForgotScreen(p, session.NewForgotModel(s), func() {})
	h.win.SetContent(f.content)
	h.settle()
	wipe := absPos(h.win, f.wipe)
	test.Tap(f.wipe)
	h.settle()
	if got := absPos(h.win, f.wipe); got != wipe {
		t.Errorf("the wipe button moved from %v to %v when armed", wipe, got)
	}
}

// TestScreensRightToLeftPunctuation lays out every string of every
// right-to-left screening language as the screens do and checks that a closing full
// stop or question mark is drawn at the left end of its line, where a
// right-to-left reader finishes; and that a string which fell back to
// English on such a page keeps its full stop at the right.
func TestScreensRightToLeftPunctuation(t *testing.T) {
	test.NewTempApp(t).Settings().SetTheme(NewTheme())
	set, err := screening.Parse(assets.Screening)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, tag := range set.Languages() {
		l := set.Language(tag)
		if l.Dir != rtl {
			continue
		}
		for _, text := range l.Texts() {
			last := []rune(text)[len([]rune(text))-1]
			if !strings.ContainsRune(".?!۔؟", last) {
				continue
			}
			lb := NewLangLabel(text, tag, rtl)
			onWindow(t, container.NewVBox(lb), 4000, 400)
			runs := drawnRuns(lb)
			if len(runs) == 0 || !runs[0].rtl || !strings.HasSuffix(runs[0].text, string(last)) {
				t.Errorf("%s %q: %q is not drawn at the left end: %+v", tag, text, last, runs)
			}
			checked++
		}
		// A string this language lacks, shown in English.
		s := l.Lookup("no.such.key")
		en := set.Language(language.English).Get(screening.UIDone)
		en.Fallback = true
		lb := NewLangLabel(en.Text, en.Tag, en.Dir)
		onWindow(t, container.NewVBox(lb), 4000, 400)
		runs := drawnRuns(lb)
		if lastRun := runs[len(runs)-1]; !strings.HasSuffix(lastRun.text, ".") || runs[0].rtl || !s.Fallback {
			t.Errorf("%s: an English fallback %q drawn as %+v", tag, en.Text, runs)
		}
	}
	if checked < 100 {
		t.Errorf("only %d strings checked", checked)
	}
}
