package model

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/operation"
)

func todayOp(now time.Time) operation.Operation {
	day := now.Format(time.DateOnly)
	return operation.Operation{ID: uuid.MustParse("0192f1a0-2222-7222-8222-000000000001"), Revision: 2, Name: "Operation Example",
		Start: day, End: day, Briefing: "Car washes.",
		Partners: []operation.Partner{{Agency: "glaa", Contact: "Inspector on duty"}},
		Premises: []operation.Premises{
			{ID: uuid.MustParse("0192f1a0-2222-7222-8222-0000000000a1"), Name: "Example Car Wash", Address: "1 Example Road", Postcode: "EX1 1AA", Business: encounter.CarWash, Safety: "Dog"},
			{ID: uuid.MustParse("0192f1a0-2222-7222-8222-0000000000a2"), Name: "Example Nails", Address: "2 Sample Street", Postcode: "EX2 2BB", Business: encounter.NailBar},
		}}
}

func TestToday(t *testing.T) {
	e := newEnv(t)
	op := todayOp(e.now)
	earlier := op
	earlier.Revision, earlier.Briefing = 1, "Old briefing"
	m := NewToday(e.p, func() *content.Pack { return e.pack }, func() time.Time { return e.now })
	if m.Button() != "" {
		t.Error("a button with no operation held")
	}
	visited := encounter.Record{ID: uuid.New(), OperationID: op.ID, PremisesID: op.Premises[0].ID, OccurredAt: e.now.Add(-time.Hour),
		Assessment: &encounter.Assessment{Level: "amber"}, State: encounter.Synced, Premises: op.Premises[0].Encounter()}
	// A record on this device at the nail bar's address, written another
	// way, a month before, not on the operation.
	before := encounter.Record{ID: uuid.New(), OccurredAt: e.now.AddDate(0, -1, 0), State: encounter.Synced, PeoplePresent: 2,
		Officer:  encounter.Officer{Number: "PC 7", Name: "A Example"},
		Premises: encounter.Premises{Name: "Nails", Address: "2 Sample St., Exampleton EX2 2BB"}}
	m.Set(operation.Held{Operations: []operation.Operation{op}, Seen: map[uuid.UUID]operation.Operation{op.ID: earlier},
		History: []operation.Visit{{Operation: op.ID, Premises: op.Premises[0].ID, Record: uuid.New(), OccurredAt: e.now.AddDate(0, -2, 0),
			Level: "red", Officer: "PC 9 B Example", People: 5, Children: 1}}}, []encounter.Record{visited, before})

	if got := m.Button(); got != "Today: Operation Example (changed)" {
		t.Errorf("button %q", got)
	}
	if got := m.Changes(); len(got) != 1 || got[0] != "The briefing changed." {
		t.Errorf("changes %q", got)
	}
	rows := m.Premises()
	if len(rows) != 2 {
		t.Fatalf("%d premises", len(rows))
	}
	if r := rows[0]; !r.Visited || r.State != "Visited: Amber" || len(r.History) != 2 || !strings.Contains(r.History[1], "Red") || !strings.Contains(r.History[1], "1 child") || strings.Contains(r.History[1], "children") ||
		!strings.HasPrefix(r.History[1], DateText(e.now.AddDate(0, -2, 0))+" · Red") {
		t.Errorf("car wash row %+v", r)
	}
	if r := rows[1]; r.Visited || r.State != "Not visited" || len(r.History) != 1 || !strings.Contains(r.History[0], "PC 7") {
		t.Errorf("nail bar row %+v", r)
	}
	r, err := m.Start(op.Premises[1].ID, e.st.DeviceID(), encounter.Officer{Number: "PC 1", Agency: "police"})
	if err != nil {
		t.Fatal(err)
	}
	if r.OperationID != op.ID || r.PremisesID != op.Premises[1].ID || r.Premises.Postcode != "EX2 2BB" || r.Premises.Business != encounter.NailBar ||
		r.Operation != "Operation Example" || len(r.Present) != 1 || r.Present[0].Agency != "glaa" ||
		r.Premises.Address != "2 Sample Street, EX2 2BB" {
		t.Errorf("started %+v", r)
	}
	// The officer corrects the address: what they wrote is the place.
	f := e.flow(&r)
	f.SetAddress("2a Sample Street, EX2 2BD")
	if got := f.Record().Premises; got.Postcode != "" || encounter.PlaceOf(got).Postcode != "EX22BD" {
		t.Errorf("after the officer's correction %+v", got)
	}
	// Seen: no change, a plain button.
	m.Set(operation.Held{Operations: []operation.Operation{op}, Seen: map[uuid.UUID]operation.Operation{op.ID: op}}, nil)
	if m.Changes() != nil || m.Button() != "Today: Operation Example" {
		t.Errorf("after seen: %q %q", m.Changes(), m.Button())
	}
	// Interpreters' languages by name, in the officer's language.
	op.Interpreters = []operation.Interpreter{{Name: "Interpreter on call", Languages: []string{"ro", "sq"}, Phone: "01000 000000"}}
	m.Set(operation.Held{Operations: []operation.Operation{op}}, nil)
	// Never looked at: new, not changed.
	if got := m.Button(); got != "Today: Operation Example (new)" {
		t.Errorf("never seen: %q", got)
	}
	if got := m.Interpreters(); len(got) != 1 || got[0] != "Interpreter on call · Romanian, Albanian · 01000 000000" {
		t.Errorf("interpreters %q", got)
	}
	// Welsh has every word.
	e.welsh()
	m = NewToday(e.p, func() *content.Pack { return e.pack }, func() time.Time { return e.now })
	m.Set(operation.Held{Operations: []operation.Operation{op}}, nil)
	if got := m.Button(); got != "Heddiw: Operation Example (newydd)" {
		t.Errorf("Welsh button %q", got)
	}
	if got := m.Interpreters(); len(got) != 1 || strings.Contains(got[0], "Romanian") || strings.Contains(got[0], "ro, sq") {
		t.Errorf("Welsh interpreters %q", got)
	}
}
