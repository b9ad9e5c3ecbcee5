package app

import (
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/google/uuid"

	"github.com/waymark-app/waymark/app/internal/model"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/sync/faultproxy"
)

// TestLookSticks: the text size and light or dark colours chosen in Your
// details apply at once and hold for the next start.
func TestLookSticks(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	normal := fyne.CurrentApp().Settings().Theme().Size(theme.SizeNameText)
	h.tapButton("Your details")
	h.tapChoice("Larger")
	h.tapChoice("Dark")
	th := fyne.CurrentApp().Settings().Theme()
	if got := th.Size(theme.SizeNameText); got != normal*1.4 {
		t.Errorf("text size %v after choosing Larger, want %v", got, normal*1.4)
	}
	if got, want := th.Color(theme.ColorNameBackground, theme.VariantLight), th.Color(theme.ColorNameBackground, theme.VariantDark); got != want {
		t.Errorf("a light device shows %v, want the dark background %v", got, want)
	}
	// The next start: a new interface over the same preferences.
	prefs := model.NewPrefs(fyne.CurrentApp().Preferences())
	if prefs.TextSize() != model.TextLarger || prefs.Appearance() != model.AppearanceDark {
		t.Fatalf("kept %v %v", prefs.TextSize(), prefs.Appearance())
	}
	fyne.CurrentApp().Settings().SetTheme(NewTheme())
	New(test.NewTempWindow(t, nil), Deps{Records: h.st, Sync: h.main, Content: h.lib, Printer: h.ui.p, Officer: testOfficer, Do: h.main.do})
	if got := fyne.CurrentApp().Settings().Theme().Size(theme.SizeNameText); got != normal*1.4 {
		t.Errorf("after a restart the text size is %v", got)
	}
	// Larger text never makes a control smaller than a touch target.
	if s := h.choice("Normal").Size(); s.Height < touchTarget {
		t.Errorf("a choice %v high", s.Height)
	}
}

// TestChoicesLeaveNoBlankSpace: a row of choices that fit side by side
// (Normal, Large, Larger) takes one row's height, not the height of the
// three one under the other: what follows starts right under it.
func TestChoicesLeaveNoBlankSpace(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	h.tapButton("Your details")
	normal, larger := h.choice("Normal"), h.choice("Larger")
	if absPos(h.win, normal).Y != absPos(h.win, larger).Y {
		t.Fatalf("the text sizes are not side by side: %v, %v", absPos(h.win, normal), absPos(h.win, larger))
	}
	colours := find(h, "Colours", func(l *widget.Label) bool { return l.Text == "Colours" })
	gap := absPos(h.win, colours).Y - (absPos(h.win, larger).Y + larger.Size().Height)
	if gap > 3*theme.Padding() {
		t.Errorf("%v dp of blank space under the text sizes", gap)
	}
}

// TestEnrolledDetailsLeaveNoBlankSpace: an enrolled officer's details
// come from their account and are never missing, so no room is kept for
// saying so: Save is right under the agency.
func TestEnrolledDetailsLeaveNoBlankSpace(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	h.tapButton("Your details")
	agency := find(h, "agency", func(s *widget.Select) bool { return s.Disabled() && s.Selected == "Police" })
	save := h.button("Save details")
	gap := absPos(h.win, save).Y - (absPos(h.win, agency).Y + agency.Size().Height)
	if gap > 3*theme.Padding() {
		t.Errorf("%v dp of blank space between the agency and Save", gap)
	}
}

// TestWheelScrollsThePage: over a multi-line entry, the mouse wheel
// scrolls the page, not the entry.
func TestWheelScrollsThePage(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	h.tapButton("New encounter")
	fs := h.ui.flow
	notes := fs.steps.entries["notes"]
	// What the driver finds to scroll under the pointer, as it does: the
	// last scrollable in the tree there.
	var target fyne.Scrollable
	pos := absPos(h.win, notes).Add(fyne.NewPos(10, 10))
	h.visible(func(o fyne.CanvasObject) {
		if s, ok := o.(fyne.Scrollable); ok {
			p, size := absPos(h.win, o), o.Size()
			if pos.X >= p.X && pos.Y >= p.Y && pos.X < p.X+size.Width && pos.Y < p.Y+size.Height {
				target = s
			}
		}
	})
	if _, ok := target.(*wheelToPage); !ok {
		t.Fatalf("the wheel over the notes goes to a %T", target)
	}
	before := fs.scroll.Offset
	target.Scrolled(&fyne.ScrollEvent{Scrolled: fyne.NewDelta(0, -120)})
	if fs.scroll.Offset == before {
		t.Error("the page did not scroll")
	}
}

// TestHandOverGivesTheWindowBack: after the hand-over, the window is no
// longer full screen and has its size again.
func TestHandOverGivesTheWindowBack(t *testing.T) {
	h, win, _, done := handOverSetup(t, "ar", "135790")
	before := fyne.NewSize(420, 800)
	if !win.FullScreen() {
		t.Fatal("the hand-over is not full screen")
	}
	win.Resize(fyne.NewSize(1280, 1024)) // what full screen does
	test.Tap(h.unlockBtn)
	enterPIN(h, "135790")
	if !*done || win.FullScreen() || win.Canvas().Size() != before {
		t.Errorf("after the hand-over: done %v, full screen %v, size %v, want %v", *done, win.FullScreen(), win.Canvas().Size(), before)
	}
}

// TestInterpreterNarrowsAgain: the interpreter's screen, once laid out
// full screen (as under a hand-over, when it is the content given back),
// still fits the phone it came from. A side-by-side row that remembered
// being in two columns asked for twice its column's width, and the
// window came back wider than it was (417 px instead of 360 in English,
// 561 in Welsh, under make demo).
func TestInterpreterNarrowsAgain(t *testing.T) {
	for _, person := range []string{"sq", "ar"} {
		deps, _, _ := screeningSetup(t, person)
		win := onWindow(t, NewInterpreter(deps, nil).Content(), phone.Width, phone.Height)
		narrow := win.Content().MinSize().Width
		win.Resize(fyne.NewSize(1280, 1024)) // full screen
		settle(win)
		if got := win.Content().MinSize().Width; got > phone.Width || got != narrow {
			t.Errorf("%s: after full screen the interpreter's screen needs %v dp (%v before)", person, got, narrow)
		}
	}
}

// TestListShowsLevelAndState: each row says its risk level in a word on
// its colour, and its sync state as a chip that is never a risk colour;
// the chips follow the sync live.
func TestListShowsLevelAndState(t *testing.T) {
	h := newHarness(t)
	r := h.finalisedRecord(func(r *encounter.Record) {
		r.Assessment = &encounter.Assessment{Level: "red"}
	})
	red := find(h, "level", func(p *tag) bool { return p.Text == "Red" && p.Fill != nil })
	if red.Fill != ragColor(content.Red) {
		t.Errorf("Red drawn in %v", red.Fill)
	}
	queued := find(h, "state", func(c *tag) bool { return c.Text == "Queued" })
	h.proxy.Set(faultproxy.Faults{})
	test.Tap(h.button("Sync now"))
	h.waitUntil(func() bool { return queued.Text == "Synced" })

	// An amendment waits, then is sent: the record's detail shows it
	// live, without being opened again.
	h.tap(h.listRow(0))
	h.proxy.Set(faultproxy.Faults{Refuse: true})
	a, _ := encounter.NewAmendment(r.ID, h.st.DeviceID(), testOfficer, time.Now())
	a.Reason, a.Changes = "Typo", []encounter.Change{{Field: encounter.FieldNotes, To: "Corrected."}}
	if _, err := h.st.Amend(ctx, a); err != nil {
		t.Fatal(err)
	}
	h.ui.reload()
	h.settle()
	if !has(h, func(c *tag) bool { return c.Text == "Queued" }) {
		t.Fatal("the amendment's chip does not show it waiting")
	}
	h.proxy.Set(faultproxy.Faults{})
	h.main.Engine.SyncNow()
	h.waitUntil(func() bool {
		return !has(h, func(c *tag) bool { return c.Text == "Queued" }) && has(h, func(c *tag) bool { return c.Text == "Synced" })
	})
}

// TestLateReferral: an amendment that makes someone a child carries an
// NRM referral made now, as its own entry, after the officer confirms.
func TestLateReferral(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	id := uuid.New()
	now := time.Now()
	r := h.finalisedRecord(func(r *encounter.Record) {
		r.People = []encounter.Person{{ID: id, AgeYears: 30, Referral: &encounter.Referral{DutyToNotify: &encounter.DutyToNotify{
			Explained: encounter.Explained{By: "PC 101", At: now}, Account: "Kept from leaving."}}}}
	})
	h.tap(h.listRow(0))
	h.tapButton("Add an amendment")
	pick := find(h, "field", func(s *widget.Select) bool { return s.PlaceHolder == "Choose what to correct" })
	pick.SetSelected("Person 1: Age in doubt")
	h.settle()
	h.tapChoice("Yes")
	h.typeInto("Why this is being corrected", "Birth certificate seen")
	h.tapButton("Save amendment")
	if !h.hasText("This amendment makes Person 1 a child") {
		t.Fatal("the officer is not told of the referral made after the event")
	}
	h.confirm("Save with the referral")
	got, err := h.st.Get(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	a := got.Amendments[0]
	if len(a.Referrals) != 1 || a.Referrals[0].Person != id || got.People[0].Route() != encounter.RouteNRM || got.Crime == nil {
		t.Fatalf("amendment %+v; person %+v; crime %+v", a, got.People[0].Referral, got.Crime)
	}
	if !h.hasText("Person 1 referred to the NRM after the event") {
		t.Error("the history does not show the referral as its own entry")
	}
}

// TestLateAdultReferral: an adult given a Duty to Notify who consents
// later is referred from the record's detail: not without their consent
// ticked; then after a confirmation, as its own entry in the history, the
// Duty to Notify kept in the record as finalised.
func TestLateAdultReferral(t *testing.T) {
	h := newHarnessWith(t, harnessOptions{noServer: true})
	id := uuid.New()
	now := time.Now()
	r := h.finalisedRecord(func(r *encounter.Record) {
		r.People = []encounter.Person{{ID: id, AgeYears: 30, Referral: &encounter.Referral{DutyToNotify: &encounter.DutyToNotify{
			Explained: encounter.Explained{By: "PC 101", At: now}, Account: "Kept from leaving."}}}}
	})
	h.tap(h.listRow(0))
	h.tapButton("Refer to the NRM now")
	if got := h.entry("Name and number").Text; got != testOfficer.String() {
		t.Errorf("explained by %q", got)
	}
	h.typeInto("Full name, as they give it", "A Synthetic Person")
	h.tapButton("Save amendment")
	if !h.hasText("An adult is referred to the NRM only with their informed consent") {
		t.Fatal("saved without consent")
	}
	h.tick("They give informed consent to the NRM referral")
	h.tapButton("Save amendment")
	if !h.hasText("Refer Person 1 to the NRM now?") {
		t.Fatal("no confirmation")
	}
	h.confirm("Save with the referral")
	got, err := h.st.Get(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	nrm := got.People[0].Referral.NRM
	if len(got.Amendments) != 1 || nrm == nil || !nrm.Consent || nrm.Identity.Name != "A Synthetic Person" || nrm.Account != "Kept from leaving." || got.Crime == nil {
		t.Fatalf("amended %+v; crime %+v", got.People[0].Referral, got.Crime)
	}
	if got.Original.People[0].Referral.DutyToNotify == nil {
		t.Error("the Duty to Notify is gone from the record as finalised")
	}
	if !h.hasText("Person 1 referred to the NRM after the event") || has(h, func(b *widget.Button) bool { return b.Text == "Refer to the NRM now" }) {
		t.Error("the detail does not show the referral, or still offers one")
	}
}
