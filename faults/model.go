package faults

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/store"
)

// model is what the harness knows a device has durably done, from the
// lines its child processes printed. A child prints a fact only after
// the store returned, so the store must show at least that much; it may
// also show the one step that was in flight when the child was killed.
type model struct {
	drafts  map[uuid.UUID]*draftFacts
	final   map[uuid.UUID]bool // finalised for certain
	fulls   int                // writes refused with ErrDiskFull
	noENOSP int                // of those, ones the app would not have recognised
	syncing bool               // the last sync line was "syncing"
}

type draftFacts struct {
	saved      int  // last edit reported saved (0: none yet)
	finalising bool // a finalise was in flight
}

func newModel() *model {
	return &model{drafts: map[uuid.UUID]*draftFacts{}, final: map[uuid.UUID]bool{}}
}

// apply takes in one line from a device child. It returns an error for a
// line that reports a failure.
func (m *model) apply(line string) error {
	f := strings.Fields(line)
	if len(f) == 0 {
		return nil
	}
	id := func() uuid.UUID {
		if len(f) < 2 {
			return uuid.Nil
		}
		u, _ := uuid.Parse(f[1])
		return u
	}
	draft := func(id uuid.UUID) *draftFacts {
		d := m.drafts[id]
		if d == nil {
			d = &draftFacts{}
			m.drafts[id] = d
		}
		return d
	}
	switch f[0] {
	case "saved":
		if len(f) == 3 {
			n, _ := strconv.Atoi(f[2])
			draft(id()).saved = n
		}
	case "full":
		m.fulls++
		if len(f) == 4 && f[3] != "true" {
			m.noENOSP++
		}
	case "finalising":
		draft(id()).finalising = true
	case "final":
		delete(m.drafts, id())
		m.final[id()] = true
	case "syncing":
		m.syncing = true
	case "synced", "syncfail":
		m.syncing = false
	case "fatal":
		return fmt.Errorf("device child failed: %s", line)
	}
	return nil
}

// check compares the model with what st holds: every reported draft edit
// is there, whole, or the edit after it; every finalised record is queued
// or synced. It returns the problems found, and how many drafts it checked.
func (m *model) check(ctx context.Context, st *store.Store) (problems []string, drafts int, err error) {
	list, err := st.List(ctx)
	if err != nil {
		return nil, 0, err
	}
	have := map[uuid.UUID]encounter.Record{}
	for _, r := range list {
		have[r.ID] = r
	}
	for id, d := range m.drafts {
		r, ok := have[id]
		if d.saved == 0 {
			continue // never reported saved: anything is fine
		}
		drafts++
		if !ok {
			problems = append(problems, fmt.Sprintf("draft %s, saved at edit %d, is missing", id, d.saved))
			continue
		}
		n, _, whole := parseNotes(r.Notes)
		switch {
		case !whole:
			problems = append(problems, fmt.Sprintf("draft %s notes damaged: %.60q", id, r.Notes))
		case n != d.saved && n != d.saved+1:
			problems = append(problems, fmt.Sprintf("draft %s holds edit %d, reported saved at edit %d", id, n, d.saved))
		case r.State != encounter.Draft && !d.finalising:
			problems = append(problems, fmt.Sprintf("draft %s is %v but was never finalised", id, r.State))
		}
		if r.State == encounter.Draft {
			continue
		}
		// Finalised in flight: the outcome is now known.
		delete(m.drafts, id)
		m.final[id] = true
	}
	for id := range m.final {
		r, ok := have[id]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("finalised record %s is missing", id))
		case r.State == encounter.Draft:
			problems = append(problems, fmt.Sprintf("finalised record %s is a draft again", id))
		}
	}
	return problems, drafts, nil
}
