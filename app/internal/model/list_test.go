package model

import (
	"testing"
	"time"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
)

func TestList(t *testing.T) {
	e := newEnv(t)
	rec := func(name, address, op string, level string, state encounter.State, daysAgo int) encounter.Record {
		r, _ := encounter.New(e.st.DeviceID(), testNow.AddDate(0, 0, -daysAgo))
		r.Premises = encounter.Premises{Name: name, Address: address, Business: encounter.CarWash}
		r.Operation = op
		r.State = state
		if level != "" {
			r.Assessment = &encounter.Assessment{Level: level}
		}
		return r
	}
	records := []encounter.Record{
		rec("Café Zoë", "1 Example Street", "", "red", encounter.Queued, 0),
		rec("Example Nails", "2 Sample Road", "Op Aurora", "amber", encounter.Synced, 3),
		rec("Example Farm", "", "", "green", encounter.Synced, 20),
		rec("", "4 Draft Lane", "", "", encounter.Draft, 0),
	}
	amended := records[2]
	amended.Amendments = []encounter.Amendment{{State: encounter.Queued}}
	records[2] = amended
	l := NewList(e.p, func(encounter.PackRef) *content.Pack { return e.pack }, func() time.Time { return testNow })
	if l.Empty() != "" {
		t.Error("says empty before loading")
	}
	l.Set(nil)
	if l.Empty() != "No encounters yet. Tap New encounter when you start a visit." {
		t.Errorf("empty: %q", l.Empty())
	}
	l.Set(records)
	rows := l.Rows()
	if len(rows) != 4 || rows[0].LevelWord != "Red" || rows[0].StateText != "Queued" || rows[3].LevelWord != "Not assessed" || rows[3].Title != "4 Draft Lane" {
		t.Fatalf("rows %+v", rows)
	}
	if rows[2].StateText != "Amendment waiting" || rows[2].State != encounter.Queued {
		t.Errorf("a synced record with an amendment waiting: %+v", rows[2])
	}
	if rows[1].Sub != TimeText(records[1].OccurredAt)+" · Car wash · Op Aurora" {
		t.Errorf("sub %q", rows[1].Sub)
	}
	if l.Drafts() != 1 {
		t.Errorf("drafts %d", l.Drafts())
	}
	for _, c := range []struct {
		name string
		f    Filters
		want []string
	}{
		{"name, without accents or case", Filters{Query: "cafe zoe"}, []string{"Café Zoë"}},
		{"address", Filters{Query: "sample"}, []string{"Example Nails"}},
		{"operation", Filters{Query: "aurora"}, []string{"Example Nails"}},
		{"level", Filters{Level: "amber"}, []string{"Example Nails"}},
		{"not assessed", Filters{Level: "unassessed"}, []string{"4 Draft Lane"}},
		{"drafts", Filters{State: "draft"}, []string{"4 Draft Lane"}},
		{"waiting, amendments too", Filters{State: "waiting"}, []string{"Café Zoë", "Example Farm"}},
		{"sent", Filters{State: "sent"}, []string{"Example Nails"}},
		{"today", Filters{Period: "today"}, []string{"Café Zoë", "4 Draft Lane"}},
		{"week", Filters{Period: "week"}, []string{"Café Zoë", "Example Nails", "4 Draft Lane"}},
		{"nothing", Filters{Query: "zzz"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			l.SetFilters(c.f)
			var got []string
			for _, r := range l.Rows() {
				got = append(got, r.Title)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %q, want %q", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("got %q, want %q", got, c.want)
				}
			}
			if c.want == nil && l.Empty() != "No encounter matches the search and filters." {
				t.Errorf("empty %q", l.Empty())
			}
		})
	}
}
