package model

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
	"github.com/waymark-app/waymark/operation"
)

// Today is the Today screen's model: the operation of the day (the one
// running today, else the next, else the latest held), what changed in
// it since the officer last looked, its premises with their state (not
// visited, or visited with the RAG of the latest record), and each
// premises' visit history before going in: the server's (earlier
// encounters within the officer's scope, matched by normalised address
// and postcode) and the records on this device at the same place.
type Today struct {
	p    *i18n.Printer
	pack func() *content.Pack // the pack in use, for business labels
	now  func() time.Time

	held    operation.Held
	records []encounter.Record
	op      *operation.Operation
}

// NewToday returns an empty Today. pack returns the content pack in use.
func NewToday(p *i18n.Printer, pack func() *content.Pack, now func() time.Time) *Today {
	return &Today{p: p, pack: pack, now: now}
}

// SetPrinter switches the model to p's language, keeping what it holds.
func (t *Today) SetPrinter(p *i18n.Printer) { t.p = p }

// Set gives the model what the device holds: the operations and the
// records.
func (t *Today) Set(held operation.Held, records []encounter.Record) {
	t.held, t.records, t.op = held, records, nil
	today := t.now().Format(time.DateOnly)
	var next, latest *operation.Operation
	for i := range held.Operations {
		o := &held.Operations[i]
		switch {
		case o.On(today):
			t.op = o
		case o.Start > today && (next == nil || o.Start < next.Start):
			next = o
		case o.End < today && (latest == nil || o.End > latest.End):
			latest = o
		}
	}
	if t.op == nil {
		t.op = next
	}
	if t.op == nil {
		t.op = latest
	}
}

// Operation is the operation shown, if any is held.
func (t *Today) Operation() (operation.Operation, bool) {
	if t.op == nil {
		return operation.Operation{}, false
	}
	return *t.op, true
}

// Button is the list screen's way in: "Today: Operation Example", with
// "(new)" when the officer never looked at it, "(changed)" when it
// changed since they did; "" if no operation is held.
func (t *Today) Button() string {
	o, ok := t.Operation()
	if !ok {
		return ""
	}
	if _, seen := t.held.Seen[o.ID]; !seen {
		return t.p.T("today.button.new", o.Name)
	}
	if t.Unseen() {
		return t.p.T("today.button.changed", o.Name)
	}
	return t.p.T("today.button", o.Name)
}

// Unseen reports whether the operation has a revision the officer has
// not looked at: new, or changed since.
func (t *Today) Unseen() bool {
	o, ok := t.Operation()
	if !ok {
		return false
	}
	seen, ok := t.held.Seen[o.ID]
	return !ok || seen.Revision != o.Revision
}

// Changes says what changed since the officer last looked, a sentence a
// change; "New operation" if they never saw it; nothing if nothing did.
func (t *Today) Changes() []string {
	o, ok := t.Operation()
	if !ok || !t.Unseen() {
		return nil
	}
	seen, ok := t.held.Seen[o.ID]
	if !ok {
		return []string{t.p.T("today.change.new")}
	}
	var out []string
	for _, c := range operation.Changes(seen, o) {
		if c.Premises != "" {
			out = append(out, t.p.T("today.change.premises."+c.How, c.Premises))
		} else {
			out = append(out, t.p.T("today.change.field", t.p.T("today.field."+c.What)))
		}
	}
	return out
}

// Dates is the operation's days in words.
func (t *Today) Dates() string {
	o, _ := t.Operation()
	if o.Start == o.End {
		return o.Start
	}
	return t.p.T("today.dates", o.Start, o.End)
}

// Interpreters are the interpreters on call, one line each: the name,
// the languages by name in the officer's language, and the phone.
func (t *Today) Interpreters() []string {
	o, _ := t.Operation()
	var out []string
	for _, in := range o.Interpreters {
		parts := []string{in.Name}
		if langs := languageNames(t.p, t.pack(), in.Languages); len(langs) > 0 {
			parts = append(parts, strings.Join(langs, ", "))
		}
		if in.Phone != "" {
			parts = append(parts, in.Phone)
		}
		out = append(out, strings.Join(parts, " · "))
	}
	return out
}

// PremisesRow is one premises of the operation as the screen shows it.
type PremisesRow struct {
	ID           uuid.UUID
	Name         string
	Address      string // address and postcode
	Business     string // in the officer's words
	Intelligence string
	Safety       string
	Visited      bool
	Level        string // the latest record's RAG, "" if not assessed
	State        string // "Not visited", "Visited: Red", "Started"
	History      []string
}

// Premises lists the operation's premises in its order.
func (t *Today) Premises() []PremisesRow {
	o, ok := t.Operation()
	if !ok {
		return nil
	}
	var rows []PremisesRow
	for _, p := range o.Premises {
		row := PremisesRow{ID: p.ID, Name: p.Name, Address: p.Encounter().FullAddress(),
			Business: BusinessLabel(t.p, t.pack(), p.Business), Intelligence: p.Intelligence, Safety: p.Safety,
			State: t.p.T("today.state.not_visited")}
		var latest *encounter.Record
		for i := range t.records {
			r := &t.records[i]
			if r.OperationID == o.ID && r.PremisesID == p.ID && (latest == nil || r.OccurredAt.After(latest.OccurredAt)) {
				latest = r
			}
		}
		if latest != nil {
			row.Visited = true
			if latest.Assessment != nil {
				row.Level = latest.Assessment.Level
			}
			switch {
			case latest.State == encounter.Draft:
				row.State = t.p.T("today.state.started")
			case row.Level != "":
				row.State = t.p.T("today.state.visited", t.p.T("rag.word."+row.Level))
			default:
				row.State = t.p.T("today.state.visited", t.p.T("rag.word.unassessed"))
			}
		}
		row.History = t.history(o, p)
		rows = append(rows, row)
	}
	return rows
}

// history is the visit history of p: the server's, and the records on
// this device at the same place, newest first, each once.
func (t *Today) history(o operation.Operation, p operation.Premises) []string {
	type visit struct {
		at    time.Time
		id    uuid.UUID
		words string
	}
	var vs []visit
	seen := map[uuid.UUID]bool{}
	level := func(l string) string {
		if l == "" {
			return t.p.T("rag.word.unassessed")
		}
		return t.p.T("rag.word." + l)
	}
	for _, v := range t.held.History {
		if v.Operation != o.ID || v.Premises != p.ID || seen[v.Record] {
			continue
		}
		seen[v.Record] = true
		w := t.p.T("today.visit", DateText(v.OccurredAt), level(v.Level), v.Officer, v.People)
		if v.Children > 0 {
			w += " · " + t.p.T("today.visit.children", v.Children)
		}
		vs = append(vs, visit{v.OccurredAt, v.Record, w})
	}
	place := p.Place()
	for _, r := range t.records {
		if seen[r.ID] || r.State == encounter.Draft || !encounter.SamePlace(place, encounter.PlaceOf(r.Premises)) {
			continue
		}
		seen[r.ID] = true
		l := ""
		if r.Assessment != nil {
			l = r.Assessment.Level
		}
		w := t.p.T("today.visit", DateText(r.OccurredAt), level(l), r.Officer.String(), r.PeoplePresent)
		vs = append(vs, visit{r.OccurredAt, r.ID, w})
	}
	slices.SortFunc(vs, func(a, b visit) int { return b.at.Compare(a.at) })
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.words
	}
	return out
}

// Start returns a new draft started from premises id of the operation:
// the premises' name, address, postcode and business, the operation's
// name and ids, and the partner agencies on the operation as present
// (the officer takes off any who were not there).
func (t *Today) Start(id, device uuid.UUID, officer encounter.Officer) (encounter.Record, error) {
	o, ok := t.Operation()
	if !ok {
		return encounter.Record{}, fmt.Errorf("start from premises: no operation held")
	}
	p, ok := o.Premise(id)
	if !ok {
		return encounter.Record{}, fmt.Errorf("start from premises %s: not on operation %s", id, o.ID)
	}
	r, err := encounter.New(device, t.now())
	if err != nil {
		return encounter.Record{}, err
	}
	r.Officer = officer
	// The postcode is part of the address the officer sees and may
	// correct, as on any encounter (Flow.SetAddress).
	r.Premises = p.Encounter()
	r.Premises.Address = r.Premises.FullAddress()
	r.Operation, r.OperationID, r.PremisesID = o.Name, o.ID, p.ID
	for _, pa := range o.Partners {
		r.Present = append(r.Present, encounter.Presence{Agency: pa.Agency, Name: pa.Contact})
	}
	return r, nil
}
