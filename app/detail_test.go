package app

import (
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
)

// TestFirstRunAsksWhoYouAre: on a device that is not enrolled (the
// interface alone), the officer says who they are before their first
// encounter.
func TestFirstRunAsksWhoYouAre(t *testing.T) {
	h := newHarness(t)
	h.ui.deps.Officer = encounter.Officer{}
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

// TestEnrolledDetails: on an enrolled device, Your details shows the
// account the server holds, and cannot change it; records carry it even
// if other details were typed before.
func TestEnrolledDetails(t *testing.T) {
	h := newHarness(t)
	h.ui.setOfficer(encounter.Officer{Name: "Typed Name", Number: "PC 999", Agency: "glaa"})
	h.tapButton("Your details")
	if !h.hasText("This device is enrolled to your account") {
		t.Fatal("Your details does not say the details come from the account")
	}
	name := h.entry("As it appears on your statements")
	if name.Text != testOfficer.Name || !name.Disabled() || !h.entry("For example PC 1234").Disabled() {
		t.Errorf("details editable or wrong: %q, disabled %v", name.Text, name.Disabled())
	}
	h.tapButton("Save details")
	h.tapButton("New encounter")
	test.Type(h.entry("Trading name, or what is on the sign"), "Example Takeaway")
	if r := h.only(); r.Officer != testOfficer {
		t.Errorf("record author %+v, want the account's %+v", r.Officer, testOfficer)
	}
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

// TestOfficerLanguage switches the interface to Welsh from Your details;
// the choice sticks for the next start.
func TestOfficerLanguage(t *testing.T) {
	h := newHarness(t)
	h.tapButton("Your details")
	sel := find(h, "language select", func(s *widget.Select) bool {
		return slices.ContainsFunc(s.Options, func(o string) bool { return strings.Contains(o, "Cymraeg") })
	})
	for _, o := range sel.Options {
		if strings.Contains(o, "Cymraeg") {
			sel.SetSelected(o)
		}
	}
	if !h.hasText("Cyfarfyddiadau") || !h.hasText("Cyfarfyddiad newydd") {
		t.Fatal("the interface did not switch to Welsh")
	}
	if tag, ok := h.ui.prefs.OfficerLanguage(); !ok || tag.String() != "cy" {
		t.Errorf("choice not kept: %v %v", tag, ok)
	}
	saveShot(t, h.win, "list-welsh")
}
