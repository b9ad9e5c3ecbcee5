package app

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/encounter"
)

const dtnAccountHint = "What happened, without names or identifying details"

// dtnEncounter starts an encounter with one adult who declined the NRM,
// and shows the referral step.
func dtnEncounter(h *harness) {
	h.t.Helper()
	h.tapButton("New encounter")
	h.typeInto(nameHint, "Example Nails")
	h.tapChoice("Nail bar")
	h.tapButton("Next: People")
	h.tapButton("Add a person")
	h.typeInto(ageHint, "30")
	h.ui.flow.goTo(model.StepReferral)
	h.settle()
	h.tapChoice("They do not consent: Duty to Notify")
}

// TestIdentifierInDutyToNotify: a phone number typed into a Duty to
// Notify's account is named under the field as it is typed; Finalise…
// shows it highlighted where it is and will not go on until it is gone
// and the officer has said the account names nobody; Remove takes it
// out in place, and the record finalises without it.
func TestIdentifierInDutyToNotify(t *testing.T) {
	h := newHarness(t)
	dtnEncounter(h)
	h.typeInto(dtnAccountHint, "Worked days and nights; her phone 07700 900123.")
	hint := "Remove it, a Duty to Notify is anonymous: phone number “07700 900123”"
	if !h.hasText(hint) {
		t.Error("no hint under the account as it was typed")
	}
	h.tapButton("Finalise…")
	s := h.ui.flow.steps.identifiers
	if s == nil || !h.hasText("Identifying details") {
		t.Fatal("Finalise… did not open the identifier check")
	}
	if !h.hasText("Remove this from the Duty to Notify: it could identify the person.") || !h.hasText("Names cannot be found reliably") {
		t.Error("the check does not say what to do")
	}
	card := s.cards[s.order[0]]
	var marked []string
	for _, seg := range card.text.Segments {
		if ts := seg.(*widget.TextSegment); ts.Style.TextStyle.Bold {
			marked = append(marked, ts.Text)
		}
	}
	if strings.Join(marked, "|") != "07700 900123" || card.keep != nil {
		t.Errorf("highlighted %q; keep offered: %v", marked, card.keep != nil)
	}
	if !s.finalise.Disabled() || !h.hasText("Remove what is highlighted in the Duty to Notify to finalise.") {
		t.Error("Finalise… offered with the phone number in the Duty to Notify")
	}
	h.tick("I have checked: it names nobody")
	if !s.finalise.Disabled() {
		t.Error("names confirmed, but the phone number is still there")
	}
	h.tapChoice("Remove what is highlighted")
	if !h.hasText("Nothing identifying is left here.") || !h.hasText("Worked days and nights; her phone [removed].") || s.finalise.Disabled() {
		t.Fatal("after Remove the check still blocks")
	}
	if got := h.ui.title.Text; got != "Identifying details" {
		t.Errorf("the draft saved under the check retitled it %q", got)
	}
	h.tapButton("Finalise…")
	h.confirm("Finalise")
	r := h.only()
	if r.State != encounter.Queued || r.People[0].Referral.DutyToNotify.Account != "Worked days and nights; her phone [removed]." {
		t.Errorf("finalised %v, account %q", r.State, r.People[0].Referral.DutyToNotify.Account)
	}
}

// TestIdentifierInNotes: a phone number in the notes is the officer's to
// keep: the check asks them to confirm it belongs; Change it takes them
// to the notes, ready to type; the confirmation stands until the text
// changes.
func TestIdentifierInNotes(t *testing.T) {
	h := newHarness(t)
	h.tapButton("New encounter")
	h.typeInto(nameHint, "Example Hand Car Wash")
	h.tapChoice("Car wash")
	h.typeInto(notesHint, "Manager gave his number, 07700 900123.")
	if !h.hasText("Keep it only if it belongs in the record: phone number “07700 900123”") {
		t.Error("no hint under the notes")
	}
	h.tapButton("Next: People")
	h.tapButton("Next: What you see")
	h.tapButton("Next: Assessment")
	h.tapButton("Finalise…")
	if h.ui.flow.steps.identifiers == nil || !h.hasText("Highlighted: phone number. Keep it only if it belongs in the record.") {
		t.Fatal("no check of the notes")
	}
	h.tapChoice("Change it")
	fs := h.ui.flow
	if fs.m.Step() != model.StepPremises || h.ui.win.Canvas().Focused() != fs.steps.entries["notes"] {
		t.Fatalf("Change it went to %v, focus on %v", fs.m.Step(), h.ui.win.Canvas().Focused())
	}
	if fs.scroll.Offset.Y == 0 {
		t.Error("Change it left the notes, at the foot of the step, out of view")
	}
	fs.goTo(model.StepAssess)
	h.settle()
	h.tapButton("Finalise…")
	h.tick("It belongs in the record")
	h.tapButton("Finalise…")
	if !h.hasText("Finalise this encounter?") {
		t.Fatal("no confirmation after the check")
	}
	h.confirm("Finalise")
	if r := h.only(); r.State != encounter.Queued || r.Notes != "Manager gave his number, 07700 900123." {
		t.Errorf("finalised %v with notes %q", r.State, r.Notes)
	}
}

// TestIdentifierInAmendment: an amendment writing a phone number into a
// Duty to Notify person's label opens the same check as Finalise…: the
// number highlighted where it is, Save amendment greyed out until it is
// removed and the officer has said the label names nobody; Change it
// goes back to the form with the text as the check left it; the
// amendment saved carries the label without the number.
func TestIdentifierInAmendment(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	now := time.Now()
	r := h.finalisedRecord(func(r *encounter.Record) {
		r.People = []encounter.Person{{ID: uuid.New(), AgeYears: 30, Referral: &encounter.Referral{DutyToNotify: &encounter.DutyToNotify{
			Explained: encounter.Explained{By: "PC 101", At: now}, Account: "Kept from leaving."}}}}
	})
	h.tap(h.listRow(0))
	h.tapButton("Add an amendment")
	pick := find(h, "field", func(s *widget.Select) bool { return s.PlaceHolder == "Choose what to correct" })
	pick.SetSelected("Person 1: Label")
	h.settle()
	label := find(h, "the new label", func(e *widget.Entry) bool { return e.OnChanged != nil && !e.MultiLine && e.Text == "" })
	h.tap(label)
	test.Type(label, "woman at the till, 07700 900123")
	h.typeInto("Why this is being corrected", "Label was unclear")
	h.tapButton("Save amendment")
	if !h.hasText("Identifying details") || !h.hasText("Remove this from the Duty to Notify: it could identify the person.") {
		t.Fatal("Save amendment did not open the identifier check")
	}
	save := h.button("Save amendment") // the check's
	if !save.Disabled() || !h.hasText("Remove what is highlighted in the Duty to Notify to save the amendment.") {
		t.Error("the amendment can be saved with the phone number in the Duty to Notify")
	}
	marked := find(h, "the label highlighted", func(rt *widget.RichText) bool { return strings.Contains(rt.String(), "07700 900123") })
	if seg := marked.Segments[1].(*widget.TextSegment); seg.Text != "07700 900123" || !seg.Style.TextStyle.Bold {
		t.Errorf("highlighted %+v", seg)
	}
	h.tapChoice("Remove what is highlighted")
	h.tapChoice("Change it")
	if got := label.Text; got != "woman at the till, [removed]" || h.ui.win.Canvas().Focused() != label {
		t.Errorf("back on the form: %q, focus on the label %v", got, h.ui.win.Canvas().Focused() == label)
	}
	h.tapButton("Save amendment")
	save = h.button("Save amendment")
	if !save.Disabled() || !h.hasText("Confirm that the Duty to Notify names nobody to save the amendment.") {
		t.Error("saved without the officer's word that the label names nobody")
	}
	h.tick("I have checked: it names nobody")
	h.tap(save)
	got, err := h.st.Get(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Amendments) != 1 || got.People[0].Label != "woman at the till, [removed]" {
		t.Fatalf("amendments %d, label %q", len(got.Amendments), got.People[0].Label)
	}
	if h.ui.stack[len(h.ui.stack)-1].title == "Identifying details" || h.hasText("Why this is being corrected") {
		t.Error("the check or the form is still open after saving")
	}
}
