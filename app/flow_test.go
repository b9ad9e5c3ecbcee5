package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/sync/faultproxy"
)

// Placeholders and labels the tests find widgets by.
const (
	nameHint    = "Trading name, or what is on the sign"
	addressHint = "Street, town, postcode"
	notesHint   = "What you saw and heard, in your own words"
	ageHint     = "For example 25"
)

// TestGreenPath records a premises check with nothing of concern,
// counting the taps from the home screen to the record finalised, then
// sees it queued while the server is down and synced once it is up.
func TestGreenPath(t *testing.T) {
	h := newHarness(t)
	if !h.hasText("No encounters yet") {
		t.Error("the empty list does not say so")
	}
	h.tapButton("New encounter")
	h.typeInto(nameHint, "Example Hand Car Wash")
	if r := h.only(); r.State != encounter.Draft || r.Premises.Name != "Example Hand Car Wash" {
		t.Fatalf("after typing: %+v", r)
	}
	h.tapChoice("Car wash")
	h.tapButton("Next: People")
	h.tapButton("Next: What you see")
	if !h.hasText("GREEN") {
		t.Error("no Green banner once on the observations step")
	}
	h.tapButton("Next: Assessment")
	for _, want := range []string{"Why", "What to do now", "Record the visit"} {
		if !h.hasText(want) {
			t.Errorf("the assessment step lacks %q", want)
		}
	}
	h.tapButton("Finalise…")
	for _, want := range []string{"Finalise this encounter?", "No address", "It locks:"} {
		if !h.hasText(want) {
			t.Errorf("the confirmation lacks %q", want)
		}
	}
	saveShot(t, h.win, "green-confirm")
	h.confirm("Finalise")
	t.Logf("Green premises check: %d taps from the home screen", h.taps)
	if h.taps > 8 {
		t.Errorf("the Green path took %d taps, more than 8", h.taps)
	}
	r := h.only()
	if r.State != encounter.Queued || r.Assessment == nil || r.Assessment.Level != "green" {
		t.Fatalf("after finalising: %v %+v", r.State, r.Assessment)
	}
	if !h.hasText("Example Hand Car Wash") || !h.hasText("Queued") || !h.hasText("Green") {
		t.Error("the list does not show the queued encounter with its level")
	}
	h.waitUntil(func() bool { return h.hasText("1 record to send") })
	saveShot(t, h.win, "list-queued")

	// The server comes back; the officer taps Sync now, which shows it
	// is sending until the engine has synced.
	h.proxy.Set(faultproxy.Faults{})
	test.Tap(h.button("Sync now"))
	if !h.hasText("Sending…") || !h.ui.status.syncNow.Disabled() {
		t.Error("Sync now shows no progress")
	}
	h.waitUntil(func() bool { return h.hasText("Synced") && h.hasText("Nothing to send") })
	if r := h.only(); r.State != encounter.Synced {
		t.Errorf("after sync: %v", r.State)
	}
	saveShot(t, h.win, "list-synced")
}

// TestAmberPath ticks two signs of labour exploitation at a car wash.
func TestAmberPath(t *testing.T) {
	h := newHarness(t)
	h.tapButton("New encounter")
	h.typeInto(nameHint, "Example Car Wash")
	h.tapChoice("Car wash")
	h.tapButton("Next: People")
	h.tapButton("Next: What you see")
	h.tick("No protective equipment")
	h.tick("Living at the workplace")
	if !h.hasText("AMBER") || !h.hasText("was Green") {
		t.Fatal("no Amber banner, saying what it was, after two labour signs")
	}
	saveShot(t, h.win, "amber-observe")
	h.tapButton("Next: Assessment")
	h.tick("Submit an intelligence report")
	if !h.hasText("Done at") {
		t.Error("tick not timestamped on screen")
	}
	saveShot(t, h.win, "amber-assessment")
	h.tapButton("Finalise…")
	h.confirm("Finalise")
	t.Logf("Amber premises check: %d taps from the home screen", h.taps)
	r := h.only()
	if r.State != encounter.Queued || r.Assessment.Level != "amber" {
		t.Fatalf("saved: %v %+v", r.State, r.Assessment)
	}
	tick, ok := r.Ticked("act.intel.submit")
	if !ok || tick.At.IsZero() || tick.By != "PC 101 A Example" {
		t.Errorf("tick %+v, %v", tick, ok)
	}
}

// TestRedPath screens one adult whose passport is held and who cannot
// leave: Red, with the first action on screen at once, in the banner
// above the question just answered; the adult declines the NRM, so a
// Duty to Notify with nothing identifying.
func TestRedPath(t *testing.T) {
	h := newHarness(t)
	h.tapButton("New encounter")
	h.typeInto(nameHint, "Example Nails")
	h.tapChoice("Nail bar")
	h.tapButton("Next: People")
	h.tapButton("Add a person")
	h.typeInto(ageHint, "30")
	h.tapButton("Next: What you see")
	h.tapButton("Next: About each person")
	h.answer("Does someone else hold their passport or ID?", "Yes", 0)
	h.answer("Can they come and go as they please?", "No", 0)
	if !h.hasText("RED") || !h.hasText("First: Make the person safe now") {
		t.Fatal("no Red banner with the first action after the answer")
	}
	redAt := h.taps
	saveShot(t, h.win, "red-questions")
	h.tapButton("Next: Assessment")
	h.tapButton("Next: Referrals")
	h.tapButton("Finalise…")
	if !h.hasText("choose an NRM referral or a Duty to Notify") {
		t.Fatal("a Red adult finalised without a referral decision")
	}
	h.confirm("Back to the encounter")
	h.tapChoice("They do not consent: Duty to Notify")
	if !h.hasText("A Duty to Notify is anonymous") {
		t.Error("no warning against identifying details")
	}
	if has(h, func(e *widget.Entry) bool { return e.PlaceHolder == "Full name, as they give it" }) {
		t.Error("a name field is offered on a Duty to Notify")
	}
	h.typeInto("What happened, without names or identifying details", "Passport held by the manager; not allowed out.")
	h.tapButton("Duty to Notify form answers")
	for _, want := range []string{"Referral type: Adult, Duty to Notify", "Consent: Not given, after the NRM was explained by PC 101 A Example", "Age: 25–34"} {
		if !h.hasText(want) {
			t.Errorf("the summary lacks %q", want)
		}
	}
	h.tapButton("Copy all")
	got := fyne.CurrentApp().Clipboard().Content()
	if !strings.Contains(got, "Duty to Notify") {
		t.Errorf("clipboard: %q", got)
	}
	for _, leak := range []string{"Example Nails", "Age: 30"} {
		if strings.Contains(got, leak) {
			t.Errorf("the Duty to Notify sheet gives %q: %q", leak, got)
		}
	}
	h.tapButton("Back")
	h.tapButton("Finalise…")
	// A Duty to Notify: the officer's word that it names nobody first.
	if !h.hasText("Names cannot be found reliably") || !h.button("Finalise…").Disabled() {
		t.Fatal("no names check before finalising a Duty to Notify")
	}
	h.tick("I have checked: it names nobody")
	h.tapButton("Finalise…")
	h.confirm("Finalise")
	t.Logf("Red encounter with one person screened: %d taps from the home screen (Red and its first action on screen after %d, with no extra tap)", h.taps, redAt)
	r := h.only()
	if r.State != encounter.Queued || r.Assessment.Level != "red" {
		t.Fatalf("saved: %v %+v", r.State, r.Assessment)
	}
	ref := r.People[0].Referral
	if ref == nil || ref.DutyToNotify == nil || ref.NRM != nil || ref.DutyToNotify.NotifiedAt.IsZero() || r.Crime != nil {
		t.Fatalf("referral %+v, crime %+v", ref, r.Crime)
	}
}

// TestChildIsAlwaysReferred: a 15-year-old gets an NRM referral without
// consent, a name may be recorded, and the crime clock starts.
func TestChildIsAlwaysReferred(t *testing.T) {
	h := newHarness(t)
	h.tapButton("New encounter")
	h.typeInto(nameHint, "Example Takeaway")
	h.tapChoice("Takeaway or restaurant")
	h.tapButton("Next: People")
	h.tapButton("Add a person")
	h.typeInto(ageHint, "15")
	h.tapButton("Next: What you see")
	if !h.hasText("RED") {
		t.Error("a child is not Red")
	}
	h.ui.flow.goTo(model.StepReferral)
	h.settle()
	if !h.hasText("always an NRM referral") || len(h.ui.flow.steps.routes) != 0 {
		t.Error("a child is offered a choice of route")
	}
	h.typeInto("Full name, as they give it", "A Synthetic Child")
	h.tapButton("Finalise…")
	h.confirm("Finalise")
	r := h.only()
	nrm := r.People[0].Referral.NRM
	if r.State != encounter.Queued || nrm == nil || nrm.Identity.Name != "A Synthetic Child" {
		t.Fatalf("saved %v, NRM %+v", r.State, nrm)
	}
	if r.CrimeStatus(time.Now()) != encounter.CrimeDue || !h.hasText("Crime record due in 23 hours") {
		t.Errorf("crime clock %+v", r.Crime)
	}
}

// TestDraftResumesAndDiscards: a draft left at a step opens there again;
// it can be discarded, after a confirmation.
func TestDraftResumesAndDiscards(t *testing.T) {
	h := newHarness(t)
	h.tapButton("New encounter")
	h.typeInto(nameHint, "Half done")
	h.tapButton("Next: People")
	h.tapButton("Next: What you see")
	h.tapButton("Back")
	if r := h.only(); r.State != encounter.Draft || !h.hasText("Half done") || !h.hasText("Draft") {
		t.Fatalf("draft not kept and listed: %+v", r)
	}
	h.tap(h.listRow(0))
	if h.ui.flow.m.Step() != model.StepObserve || !h.hasText("Step 3 of 4") {
		t.Fatalf("the draft opened at %v", h.ui.flow.m.Step())
	}
	h.tap(h.ui.flow.discard)
	h.confirm("Discard")
	if rs := h.records(); len(rs) != 0 || !h.hasText("Draft discarded.") {
		t.Errorf("after discarding: %d records", len(rs))
	}
}

// listRow returns the i-th row of the encounter list, to tap.
func (h *harness) listRow(i int) fyne.Tappable {
	h.t.Helper()
	n := 0
	var row fyne.Tappable
	h.visible(func(o fyne.CanvasObject) {
		if tp, ok := o.(fyne.Tappable); ok && row == nil && isListItem(o) {
			if n == i {
				row = tp
			}
			n++
		}
	})
	if row == nil {
		h.t.Fatalf("no row %d", i)
	}
	return row
}

// isListItem reports whether o is a row of a widget.List.
func isListItem(o fyne.CanvasObject) bool {
	return strings.HasSuffix(fmt.Sprintf("%T", o), ".listItem")
}

// TestScreeningFlowsThrough screens a person through an interpreter in
// the language recorded for them: back on the questions, their answers
// show in the officer's words; reopened, the screen counts them.
func TestScreeningFlowsThrough(t *testing.T) {
	h := newHarness(t)
	h.tapButton("New encounter")
	h.typeInto(nameHint, "Example Car Wash")
	h.tapChoice("Car wash")
	h.tapButton("Next: People")
	h.tapButton("Add a person")
	sel := find(h, "language", func(s *widget.Select) bool { return s.PlaceHolder == "Their language, for the screening questions" })
	for i, o := range sel.Options {
		if strings.HasPrefix(o, "Albanian") {
			sel.SetSelectedIndex(i)
		}
	}
	h.settle()
	h.ui.flow.goTo(model.StepQuestions)
	h.settle()
	h.tapButton("Screen them in their language")
	iv := h.ui.flow.steps.screening
	if iv == nil || iv.Person().String() != "sq" || !h.hasText("A ua mban dikush tjetër pasaportën ose letërnjoftimin?") {
		t.Fatal("the screening did not open in the person's language")
	}
	test.Type(h.entry("Interpreter's name, and ID number or agency"), "Example Interpreter, NRPSI 00000")
	test.Tap(iv.cards["documents.kept"].choices["yes"])
	test.Tap(iv.cards["movement.free"].choices["no"])
	h.settle()
	h.tapButton("Back")
	for _, want := range []string{"RED", "2 answers from the person, through an interpreter in Albanian", "Does someone else keep your passport or ID card?"} {
		if !h.hasText(want) {
			t.Errorf("back on the questions, no %q", want)
		}
	}
	h.tapButton("Screen them in their language")
	if !h.hasText("2 questions answered") {
		t.Error("reopened, the screening does not count the answers")
	}
}
