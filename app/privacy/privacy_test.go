package privacy

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
)

var visit = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

func record(dtnAccount, notes string) encounter.Record {
	p := encounter.Person{ID: uuid.New(), AgeYears: 30, Label: "P1"}
	if dtnAccount != "" {
		p.Referral = &encounter.Referral{DutyToNotify: &encounter.DutyToNotify{Account: dtnAccount}}
	}
	return encounter.Record{OccurredAt: visit, Notes: notes, People: []encounter.Person{p}}
}

func TestModel(t *testing.T) {
	tests := []struct {
		name     string
		r        encounter.Record
		findings int
		blocking []string
		confirm  []int // findings to confirm
		names    bool  // confirm no names
		ready    bool
	}{
		{"nothing found, no Duty to Notify", record("", "Four workers, cash only."), 0, nil, nil, false, true},
		{"a Duty to Notify asks about names even when clean", record("Long hours.", ""), 0, []string{MsgBlockedNames}, nil, false, false},
		{"names confirmed", record("Long hours.", ""), 0, []string{MsgBlockedNames}, nil, true, true},
		{"phone in a Duty to Notify must go", record("call 07700 900123", ""), 1, []string{MsgBlockedRemove, MsgBlockedNames}, []int{0}, true, false},
		{"phone in the notes is confirmed", record("", "manager: 07700 900123"), 1, []string{MsgBlockedConf}, []int{0}, false, true},
		{"unconfirmed notes block", record("", "manager: 07700 900123, M1 1AE"), 1, []string{MsgBlockedConf}, nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Check(tt.r)
			if len(m.Findings) != tt.findings {
				t.Fatalf("%d findings, want %d: %+v", len(m.Findings), tt.findings, m.Findings)
			}
			if got := m.Blocking(); !slices.Equal(got, tt.blocking) {
				t.Errorf("blocking %v, want %v", got, tt.blocking)
			}
			for _, i := range tt.confirm {
				ok := m.Confirm(i)
				if ok == m.Findings[i].MustRemove {
					t.Errorf("Confirm(%d) = %v for a finding with MustRemove %v", i, ok, m.Findings[i].MustRemove)
				}
			}
			if tt.names {
				m.ConfirmNoNames()
			}
			if m.Ready() != tt.ready {
				t.Errorf("Ready() = %v, want %v (blocking %v)", m.Ready(), tt.ready, m.Blocking())
			}
		})
	}
}

func TestSegments(t *testing.T) {
	m := Check(record("", "ring 07700 900123 or a@b.co today"))
	var kinds []string
	var text string
	for _, s := range m.Findings[0].Segments() {
		kinds = append(kinds, string(s.Kind))
		text += s.Text
	}
	if text != "ring 07700 900123 or a@b.co today" || !slices.Equal(kinds, []string{"", "phone", "", "email", ""}) {
		t.Errorf("segments %q %q", kinds, text)
	}
}

// TestConfirmationsFollowTheText: an edited text needs confirming again;
// an untouched one keeps its confirmation.
func TestConfirmationsFollowTheText(t *testing.T) {
	r := record("", "manager 07700 900123")
	r.People[0].Label = "lives M1 1AE"
	m := Check(r)
	m.Confirm(0)
	m.Confirm(1)
	if !m.Ready() {
		t.Fatal(m.Blocking())
	}
	r.Notes = "manager 07700 900124"
	again := Check(r)
	again.ConfirmedBefore(m)
	if again.Ready() || again.Confirmed(0) || !again.Confirmed(1) {
		t.Errorf("after an edit: ready %v, confirmed %v %v", again.Ready(), again.Confirmed(0), again.Confirmed(1))
	}
}

// TestNamesFollowTheDutyToNotify: the confirmation that a Duty to Notify
// names nobody is of its text as it stood: an edit to it (the account
// here) asks again; an edit elsewhere (the notes) does not. Either
// confirmation can be taken back.
func TestNamesFollowTheDutyToNotify(t *testing.T) {
	r := record("Long hours.", "Rear door padlocked.")
	m := Check(r)
	m.ConfirmNoNames()
	r.Notes = "Rear door padlocked; manager 07700 900123."
	notes := Check(r)
	notes.ConfirmedBefore(m)
	if !notes.NoNamesConfirmed() {
		t.Error("an edit of the notes asked again about names in the Duty to Notify")
	}
	notes.Confirm(0)
	if !notes.Ready() {
		t.Fatal(notes.Blocking())
	}
	notes.Unconfirm(0)
	if notes.Ready() || notes.Confirmed(0) {
		t.Error("a confirmation taken back still counts")
	}
	r.People[0].Referral.DutyToNotify.Account = "Long hours. Her name is Example."
	account := Check(r)
	account.ConfirmedBefore(notes)
	if account.NoNamesConfirmed() || account.Ready() {
		t.Error("an edited Duty to Notify kept its confirmation that it names nobody")
	}
	account.ConfirmNoNames()
	account.UnconfirmNoNames()
	if account.NoNamesConfirmed() {
		t.Error("the confirmation about names could not be taken back")
	}
}
