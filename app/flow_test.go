package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/sync/faultproxy"
)

// Placeholders and labels the tests find widgets by.
const (
	nameHint     = "Trading name, or what is on the sign"
	businessHint = "Choose the business type"
	notesHint    = "What you saw and heard, in your own words"
)

// start opens a new encounter at premises name of the business labelled
// business, and goes on to the people step: five taps.
func (h *harness) start(name, business string) {
	h.t.Helper()
	h.tapButton("New encounter")
	h.typeInto(nameHint, name)
	h.choose(businessHint, business)
	h.tapButton("Next: People")
}

// TestGreenPath records a premises check with nothing of concern, counts
// the taps from the home screen, then sees it queued while the server is
// down and synced once it is up.
func TestGreenPath(t *testing.T) {
	h := newHarness(t)
	if !h.hasText("No encounters yet") {
		t.Error("empty list does not say so")
	}
	h.tapButton("New encounter")
	h.typeInto(nameHint, "Example Hand Car Wash")
	// Saved as a draft on the first keystroke, without any save button.
	if r := h.only(); r.State != encounter.Draft || r.Premises.Name != "Example Hand Car Wash" {
		t.Fatalf("after typing: %+v", r)
	}
	h.choose(businessHint, "Car wash")
	h.tapButton("Next: People")
	h.tapButton("Next: What you see")
	if !h.hasText("GREEN") {
		t.Error("no Green banner once on the observations step")
	}
	h.tapButton("Next: Assessment")
	for _, want := range []string{"Why", "What to do now", "Record the visit"} {
		if !h.hasText(want) {
			t.Errorf("assessment step lacks %q", want)
		}
	}
	saveShot(t, h.win, "green-assessment")
	h.tapButton("Save and queue")
	t.Logf("Green premises check: %d taps from the home screen", h.taps)
	if h.taps > 8 {
		t.Errorf("Green path took %d taps, more than 8", h.taps)
	}

	r := h.only()
	if r.State != encounter.Queued || r.Assessment == nil || r.Assessment.Level != "green" || r.Content.ID == "" {
		t.Fatalf("after save: state %v assessment %+v content %+v", r.State, r.Assessment, r.Content)
	}
	if !h.hasText("Example Hand Car Wash") || !h.hasText("Queued") {
		t.Error("list does not show the queued encounter")
	}
	h.waitUntil(func() bool { return h.hasText("1 record waiting to send") })
	saveShot(t, h.win, "list-queued")

	// The server comes back; the officer taps Sync now. The engine's
	// status reaches the list through fyne.Do.
	h.proxy.Set(faultproxy.Faults{})
	test.Tap(h.button("Sync now"))
	h.waitUntil(func() bool { return h.hasText("Synced") && h.hasText("Everything sent") })
	if r := h.only(); r.State != encounter.Synced {
		t.Errorf("after sync: %v", r.State)
	}
	saveShot(t, h.win, "list-synced")
}

// TestAmberPath ticks two signs of labour exploitation at a car wash.
func TestAmberPath(t *testing.T) {
	h := newHarness(t)
	h.start("Example Car Wash", "Car wash")
	h.tapButton("Next: What you see")
	h.tick("No protective equipment")
	h.tick("Living at the workplace")
	if !h.hasText("AMBER") {
		t.Fatal("no Amber banner after two labour signs")
	}
	saveShot(t, h.win, "amber-observe")
	h.tapButton("Next: Assessment")
	h.tick("Submit an intelligence report")
	if !h.hasText("Done at") {
		t.Error("tick not timestamped on screen")
	}
	saveShot(t, h.win, "amber-assessment")
	h.tapButton("Save and queue")
	t.Logf("Amber premises check: %d taps from the home screen", h.taps)

	r := h.only()
	if r.State != encounter.Queued || r.Assessment.Level != "amber" {
		t.Fatalf("saved: %v %+v", r.State, r.Assessment)
	}
	tick, ok := r.Ticked("act.intel.submit")
	if !ok || tick.At.IsZero() || tick.By != "PC 101 A Example" {
		t.Errorf("tick %+v, %v", tick, ok)
	}
	if len(r.Indicators) != 2 {
		t.Errorf("indicators %v", r.Indicators)
	}
}

// TestRedPath screens one adult whose passport is held and who cannot
// leave: Red, with the first action on screen at once; the adult declines
// the NRM, so a Duty to Notify with nothing identifying; the crime clock
// does not start (no NRM referral).
func TestRedPath(t *testing.T) {
	h := newHarness(t)
	h.start("Example Nails", "Nail bar")
	h.tapButton("Add a person")
	h.typeInto("For example 25", "30")
	h.tapButton("Next: What you see")
	h.tapButton("Next: About each person")
	h.answer("Does someone else hold their passport or ID?", "Yes", 0)
	h.answer("Can they come and go as they please?", "No", 0)
	if !h.hasText("RED") || !h.hasText("First: Make the person safe now") {
		t.Fatal("Red banner with the first action not on screen after the answer")
	}
	saveShot(t, h.win, "red-questions")
	redAt := h.taps
	h.tapButton("Next: Assessment")
	saveShot(t, h.win, "red-assessment")
	h.tapButton("Next: Referrals")
	h.tapButton("Save and queue")
	if !h.hasText("choose an NRM referral or a Duty to Notify") {
		t.Fatal("Red person saved without a referral decision")
	}
	h.pick("They do not consent: Duty to Notify")
	if !h.hasText("A Duty to Notify is anonymous") {
		t.Error("no warning against identifying details")
	}
	if has(h, func(e *widget.Entry) bool { return e.PlaceHolder == "Full name, as they give it" }) {
		t.Error("a name field is offered on a Duty to Notify")
	}
	h.typeInto("What happened, without names or identifying details", "Passport held by the manager; not allowed out.")
	h.tapButton("NRM form answers")
	for _, want := range []string{"Referral type: Adult, Duty to Notify", "Consent: Not given, after the NRM was explained by PC 101 A Example", "Age: 30", "Indicators:"} {
		if !h.hasText(want) {
			t.Errorf("summary lacks %q", want)
		}
	}
	saveShot(t, h.win, "red-summary")
	h.tapButton("Copy all")
	if got := fyne.CurrentApp().Clipboard().Content(); !strings.Contains(got, "Duty to Notify") {
		t.Errorf("clipboard: %q", got)
	}
	h.tapButton("Back")
	h.tapButton("Save and queue")
	t.Logf("Red encounter with one person screened: %d taps from the home screen (Red known after %d)", h.taps, redAt)

	r := h.only()
	if r.State != encounter.Queued || r.Assessment.Level != "red" {
		t.Fatalf("saved: %v %+v", r.State, r.Assessment)
	}
	ref := r.People[0].Referral
	if ref == nil || ref.DutyToNotify == nil || ref.NRM != nil || ref.DutyToNotify.NotifiedAt.IsZero() {
		t.Fatalf("referral %+v", ref)
	}
	if r.Crime != nil {
		t.Errorf("a Duty to Notify started a crime clock: %+v", r.Crime)
	}
	doc, _ := r.Document()
	if strings.Contains(string(doc), `"identity"`) {
		t.Errorf("document carries an identity: %s", doc)
	}
}

// TestChildIsAlwaysReferred screens a 15-year-old: an NRM referral without
// consent, a name may be recorded, and the crime clock starts.
func TestChildIsAlwaysReferred(t *testing.T) {
	h := newHarness(t)
	h.start("Example Takeaway", "Takeaway or restaurant")
	h.tapButton("Add a person")
	h.typeInto("For example 25", "15")
	h.tapButton("Next: What you see")
	if !h.hasText("RED") {
		t.Error("a child is not Red")
	}
	h.tapButton("Next: About each person")
	h.tapButton("Next: Assessment")
	if !h.hasText("Refer to the National Referral Mechanism (NRM)") {
		t.Error("no NRM referral on the child's checklist")
	}
	h.tapButton("Next: Referrals")
	if !h.hasText("always an NRM referral") || has(h, func(r *widget.RadioGroup) bool { return len(r.Options) == 3 }) {
		t.Error("a child is offered a choice of route")
	}
	h.typeInto("Full name, as they give it", "A Synthetic Child")
	saveShot(t, h.win, "child-referral")
	h.tapButton("Save and queue")
	r := h.only()
	if r.State != encounter.Queued {
		l, _ := lookup(h, func(l *widget.Label) bool { return strings.HasPrefix(l.Text, "Before saving") })
		t.Fatalf("not saved: %v: %v", r.State, l)
	}
	nrm := r.People[0].Referral.NRM
	if nrm == nil || nrm.Identity.Name != "A Synthetic Child" || nrm.ReferredAt.IsZero() {
		t.Fatalf("NRM %+v", nrm)
	}
	if r.CrimeStatus(time.Now()) != encounter.CrimeDue || !r.Crime.Due.Equal(nrm.ReferredAt.Add(encounter.CrimeWindow)) {
		t.Errorf("crime clock %+v", r.Crime)
	}
	if !h.hasText("Crime record due in 23 hours") {
		t.Error("list does not show the crime clock")
	}
}

// TestChangeShowsWhatChanged goes back and changes an answer: the
// assessment runs again and every step says what changed.
func TestChangeShowsWhatChanged(t *testing.T) {
	h := newHarness(t)
	h.start("Example Car Wash", "Car wash")
	h.tapButton("Next: What you see")
	h.tick("No protective equipment")
	h.tick("Living at the workplace")
	h.tapButton("Next: Assessment")
	if !h.hasText("AMBER") {
		t.Fatal("not Amber")
	}
	h.tapButton("Back")
	h.tick("Living at the workplace")
	if !h.hasText("Changed from Amber to Green.") {
		t.Error("the change of level is not shown")
	}
	saveShot(t, h.win, "changed")
	if r := h.only(); r.Assessment.Level != "green" || len(r.Indicators) != 1 {
		t.Errorf("saved assessment %+v, indicators %v", r.Assessment, r.Indicators)
	}
}

func TestSaveIncomplete(t *testing.T) {
	h := newHarness(t)
	h.tapButton("New encounter")
	h.typeInto(notesHint, "x")
	h.tapButton("Next: People")
	h.tapButton("Next: What you see")
	h.tapButton("Next: Assessment")
	h.tapButton("Save and queue")
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
	h.tapButton("New encounter")
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
	h.tapButton("New encounter")
	e := h.entry(nameHint)
	test.Type(e, "a")
	e.SetText("")
	h.tapButton("Back")
	if list, _ := h.st.List(ctx); len(list) != 0 {
		t.Errorf("an emptied draft was kept: %+v", list)
	}

	h.tapButton("New encounter")
	h.typeInto(nameHint, "Half done")
	h.tapButton("Back")
	if r := h.only(); r.State != encounter.Draft || !h.hasText("Half done") || !h.hasText("Draft") {
		t.Errorf("draft not kept and listed: %+v", r)
	}
	// Opening it again continues the same draft.
	h.ui.list.onSelected(0)
	h.typeInto("Street, town, postcode", "2 Example Lane")
	if r := h.only(); r.Premises.Name != "Half done" || r.Premises.Address != "2 Example Lane" {
		t.Errorf("continued draft: %+v", r)
	}
}

// TestScreeningFeedsAssessment screens a person through an interpreter:
// their answers are kept on the person against question IDs, and the
// indicators they imply raise the assessment.
func TestScreeningFeedsAssessment(t *testing.T) {
	h := newHarness(t)
	h.start("Example Car Wash", "Car wash")
	h.tapButton("Add a person")
	h.typeInto("For example Albanian, Italian", "sq")
	h.tapButton("Next: What you see")
	h.tapButton("Next: About each person")
	h.tapButton("Screen them in their language")
	iv := h.ui.flow.screening
	if iv == nil || !h.hasText("A ua mban dikush tjetër pasaportën ose letërnjoftimin?") {
		t.Fatal("interpreter screen not in Albanian")
	}
	test.Type(h.entry("Interpreter's name, and ID number or agency"), "Example Interpreter, NRPSI 00000")
	test.Tap(iv.cards["documents.kept"].choices["yes"])
	test.Tap(iv.cards["movement.free"].choices["no"])
	saveShot(t, h.win, "screening-in-flow")
	h.tapButton("Back")
	if !h.hasText("RED") {
		t.Error("screening answers did not raise the assessment to Red")
	}
	r := h.only()
	got := r.People[0].Screening
	if len(got) != 2 || got[0].Question != "documents.kept" || got[0].Choice != "yes" || got[0].Lang != "sq" ||
		got[0].Interpreter != "Example Interpreter, NRPSI 00000" || got[0].Mode != "interpreter" {
		t.Fatalf("screening answers on the record: %+v", got)
	}
	if r.Assessment.Level != "red" {
		t.Errorf("saved assessment %s", r.Assessment.Level)
	}
}
