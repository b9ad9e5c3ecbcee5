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
