package server

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/sync/wire"
)

// The catalogue is the server's index of its encounters for the console
// and for visit history: one Summary per encounter, with its amendments
// applied, in memory, kept in order of when they happened (newest first)
// and by postcode. It follows the store's ops by cursor: before it
// answers, it reads every op after the last cursor it has seen (usually
// none: one read of the last cursor), so it is never ahead of what is
// durable, and it sees what other replicas of a shared store committed,
// since cursors follow commit order (db.go). It holds no free text of a
// record beyond the premises (name, address, postcode) the lists show.

// Summary is what the console's lists, the day and visit history need of
// one encounter, as amended.
type Summary struct {
	ID       uuid.UUID
	Device   uuid.UUID
	Cursor   uint64
	Received time.Time
	Scope    Scope
	Signed   bool

	Officer     encounter.Officer
	Operation   string // the free-text operation field
	OperationID uuid.UUID
	PremisesID  uuid.UUID
	Premises    encounter.Premises
	Place       encounter.Place
	Present     []encounter.Presence
	OccurredAt  time.Time
	Level       string // green, amber, red; "" if none was assessed

	PeoplePresent int
	Screened      int // people recorded
	Children      int // people treated as children
	NRM           int // NRM referrals (children included)
	ChildNRM      int // NRM referrals of children
	DtN           int // Duty to Notify returns
	Crime         *encounter.Crime
	Amendments    int

	// search is the premises' name, address and postcode (as written and
	// normalised) in lower case, for Filter.Text.
	search string
}

// CrimeStatus is where the summary's crime-recording clock stands at now.
func (s Summary) CrimeStatus(now time.Time) encounter.CrimeStatus {
	return encounter.Record{Crime: s.Crime}.CrimeStatus(now)
}

// summarise makes r's summary (r with its amendments applied).
func summarise(r encounter.Record, rv recordValue, amendments int) *Summary {
	s := &Summary{
		ID: r.ID, Device: rv.Device, Cursor: rv.Cursor, Received: rv.Received, Scope: rv.Scope, Signed: len(rv.Sig) > 0,
		Officer: r.Officer, Operation: r.Operation, OperationID: r.OperationID, PremisesID: r.PremisesID,
		Premises: r.Premises, Place: encounter.PlaceOf(r.Premises), Present: r.Present, OccurredAt: r.OccurredAt.UTC(),
		PeoplePresent: r.PeoplePresent, Screened: len(r.People), Amendments: amendments,
	}
	if r.Assessment != nil {
		s.Level = r.Assessment.Level
	}
	s.search = strings.ToLower(strings.Join([]string{r.Premises.Name, r.Premises.Address, r.Premises.Postcode, s.Place.Postcode}, "\n"))
	for _, p := range r.People {
		child := p.Child()
		if child {
			s.Children++
		}
		if p.Referral != nil && p.Referral.NRM != nil {
			s.NRM++
			if child {
				s.ChildNRM++
			}
		}
		if p.Referral != nil && p.Referral.DutyToNotify != nil {
			s.DtN++
		}
	}
	if r.Crime != nil {
		c := *r.Crime
		s.Crime = &c
	}
	return s
}

// catalogue is the in-memory index. mu guards the index; syncMu
// serialises catching up with the store.
type catalogue struct {
	st  storage.Store
	log *slog.Logger

	syncMu sync.Mutex
	upto   uint64 // the last cursor read; guarded by syncMu

	mu         sync.RWMutex
	byID       map[uuid.UUID]*Summary
	list       []*Summary // newest OccurredAt first, then by id
	byPostcode map[string][]*Summary
	amends     map[uuid.UUID][]encounter.Amendment // by the encounter they amend
}

func newCatalogue(st storage.Store, log *slog.Logger) *catalogue {
	return &catalogue{st: st, log: log, byID: map[uuid.UUID]*Summary{}, byPostcode: map[string][]*Summary{},
		amends: map[uuid.UUID][]encounter.Amendment{}}
}

func before(a, b *Summary) bool {
	if !a.OccurredAt.Equal(b.OccurredAt) {
		return a.OccurredAt.After(b.OccurredAt)
	}
	return strings.Compare(a.ID.String(), b.ID.String()) < 0
}

func compareSummaries(a, b *Summary) int {
	if before(a, b) {
		return -1
	}
	if a == b {
		return 0
	}
	return 1
}

// put adds or replaces a summary. Called with mu held.
func (c *catalogue) put(s *Summary) {
	if old, ok := c.byID[s.ID]; ok {
		c.remove(old)
	}
	c.byID[s.ID] = s
	i, _ := slices.BinarySearchFunc(c.list, s, compareSummaries)
	c.list = slices.Insert(c.list, i, s)
	if pc := s.Place.Postcode; pc != "" {
		c.byPostcode[pc] = append(c.byPostcode[pc], s)
	}
}

// remove takes s out of the list and the postcode index. Called with mu held.
func (c *catalogue) remove(s *Summary) {
	if i := slices.Index(c.list, s); i >= 0 {
		c.list = slices.Delete(c.list, i, i+1)
	}
	if pc := s.Place.Postcode; pc != "" {
		c.byPostcode[pc] = slices.DeleteFunc(c.byPostcode[pc], func(e *Summary) bool { return e == s })
	}
	delete(c.byID, s.ID)
}

// bulkRead is how many new ops make catching up read every record in
// one scan rather than each record on its own.
const bulkRead = 1000

// catchUp brings the catalogue up to the store's last cursor. A failure
// is logged, and the catalogue answers as of what it had read.
func (c *catalogue) catchUp() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := c.sync(ctx); err != nil {
		c.log.Error("catalogue not brought up to date", "err", err)
	}
}

func (c *catalogue) sync(ctx context.Context) error {
	c.syncMu.Lock()
	defer c.syncMu.Unlock()
	last, err := getUintStore(ctx, c.st, storage.Meta, metaCursor)
	if err != nil || last <= c.upto {
		return err
	}
	var recs []stored
	var upto uint64
	err = c.st.View(ctx, func(r storage.Reader) error {
		var ids []uuid.UUID
		want := map[uuid.UUID]bool{}
		err := r.Scan(storage.Ops, logKey(c.upto+1), false, func(k, v []byte) error {
			var ov opValue
			if err := json.Unmarshal(v, &ov); err != nil {
				return fmt.Errorf("decode op: %w", err)
			}
			upto = binary.BigEndian.Uint64(k)
			ids = append(ids, ov.ID)
			want[ov.ID] = true
			return nil
		})
		if err != nil {
			return err
		}
		byID := map[uuid.UUID]recordValue{}
		add := func(id uuid.UUID, v []byte) error {
			var rv recordValue
			if err := json.Unmarshal(v, &rv); err != nil {
				return fmt.Errorf("decode record %s: %w", id, err)
			}
			byID[id] = rv
			return nil
		}
		if len(ids) > bulkRead {
			err = r.Scan(storage.Records, nil, false, func(k, v []byte) error {
				if !want[uuid.UUID(k)] {
					return nil
				}
				return add(uuid.UUID(k), v)
			})
		} else {
			for _, id := range ids {
				v, found, gerr := r.Get(storage.Records, recordKey(id))
				if gerr != nil {
					return gerr
				}
				if found {
					if err := add(id, v); err != nil {
						return err
					}
				}
			}
		}
		if err != nil {
			return err
		}
		for _, id := range ids {
			rv, ok := byID[id]
			if !ok {
				return fmt.Errorf("an op names record %s, which is missing", id)
			}
			recs = append(recs, stored{id, rv.Kind, rv})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("catalogue: %w", err)
	}
	if err := c.add(ctx, recs); err != nil {
		return err
	}
	if upto > c.upto {
		c.upto = upto
	}
	return nil
}

// stored is a record read from the store, for the catalogue.
type stored struct {
	id   uuid.UUID
	kind wire.Kind
	rv   recordValue
}

// add brings the catalogue up to date with records just read, in cursor
// order. An amendment re-summarises the encounter it amends, read from
// the store if it is not among them.
func (c *catalogue) add(ctx context.Context, recs []stored) error {
	encounters := map[uuid.UUID]recordValue{}
	var touched []uuid.UUID
	var amendments []encounter.Amendment
	for _, st := range recs {
		switch st.kind {
		case wire.KindEncounter:
			id := st.id
			encounters[id] = st.rv
			touched = append(touched, id)
		case wire.KindAmendment:
			var a encounter.Amendment
			if err := json.Unmarshal(st.rv.Body, &a); err != nil {
				return fmt.Errorf("catalogue amendment: %w", err)
			}
			amendments = append(amendments, a)
			touched = append(touched, a.Encounter)
		}
	}
	// Encounters amended whose record was not read now.
	for _, a := range amendments {
		if _, ok := encounters[a.Encounter]; ok {
			continue
		}
		var rv recordValue
		b, found, err := c.st.Get(ctx, storage.Records, recordKey(a.Encounter))
		if err != nil {
			return err
		}
		if !found {
			continue
		}
		if err := json.Unmarshal(b, &rv); err != nil {
			return err
		}
		encounters[a.Encounter] = rv
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range amendments {
		c.amends[a.Encounter] = append(c.amends[a.Encounter], a)
	}
	done := map[uuid.UUID]bool{}
	for _, id := range touched {
		if done[id] {
			continue
		}
		done[id] = true
		rv, ok := encounters[id]
		if !ok {
			continue
		}
		var r encounter.Record
		if err := json.Unmarshal(rv.Body, &r); err != nil {
			return fmt.Errorf("catalogue encounter %s: %w", id, err)
		}
		as := c.amends[id]
		rv.Body = nil
		c.put(summarise(r.WithAmendments(as), rv, len(as)))
	}
	return nil
}

// Filter chooses summaries. Zero fields choose everything.
type Filter struct {
	// May is the read rule of whoever asks (nil: everything).
	May       func(Scope) bool
	Operation uuid.UUID
	Level     string    // green, amber, red, or "none"
	From, To  time.Time // OccurredAt in [From, To)
	Officer   string    // the officer's number or account, without regard to case
	Agency    string
	// State: "amended", "children", "referred" (an NRM or Duty to
	// Notify), "overdue" (a crime record overdue at Now), "clock" (a
	// crime clock running).
	State string
	Now   time.Time
	// Text matches the premises' name, address or postcode, without
	// regard to case (a postcode also without its space).
	Text string

	needles []string // Text in lower case, and as a postcode; set by prepare
}

// prepare works out once what match needs for every summary.
func (f Filter) prepare() Filter {
	if f.Text != "" {
		t := strings.ToLower(strings.TrimSpace(f.Text))
		f.needles = []string{t}
		if pc := encounter.NormalisePostcode(f.Text); pc != "" {
			f.needles = append(f.needles, strings.ToLower(pc))
		}
	}
	return f
}

func (f Filter) match(s *Summary) bool {
	switch {
	case f.Operation != uuid.Nil && s.OperationID != f.Operation:
		return false
	case f.Level == "none" && s.Level != "":
		return false
	case f.Level != "" && f.Level != "none" && s.Level != f.Level:
		return false
	case !f.From.IsZero() && s.OccurredAt.Before(f.From):
		return false
	case !f.To.IsZero() && !s.OccurredAt.Before(f.To):
		return false
	case f.Agency != "" && s.Officer.Agency != f.Agency:
		return false
	case f.Officer != "" && !strings.EqualFold(strings.TrimSpace(s.Officer.Number), f.Officer) && !strings.EqualFold(s.Scope.Account, f.Officer):
		return false
	}
	switch f.State {
	case "amended":
		if s.Amendments == 0 {
			return false
		}
	case "children":
		if s.Children == 0 {
			return false
		}
	case "referred":
		if s.NRM+s.DtN == 0 {
			return false
		}
	case "overdue":
		if s.CrimeStatus(f.Now) != encounter.CrimeOverdue {
			return false
		}
	case "clock":
		if st := s.CrimeStatus(f.Now); st != encounter.CrimeDue && st != encounter.CrimeDueSoon && st != encounter.CrimeOverdue {
			return false
		}
	}
	if len(f.needles) > 0 && !slices.ContainsFunc(f.needles, func(n string) bool { return strings.Contains(s.search, n) }) {
		return false
	}
	return f.May == nil || f.May(s.Scope)
}

// Find returns the summaries f chooses, newest first, from offset, at most
// limit of them, and how many f chooses in all.
func (s *Server) Find(f Filter, offset, limit int) ([]Summary, int) {
	f = f.prepare()
	c := s.cat
	c.catchUp()
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []Summary
	total := 0
	for _, e := range c.list {
		if !f.match(e) {
			continue
		}
		if total >= offset && len(out) < limit {
			out = append(out, *e)
		}
		total++
	}
	return out, total
}

// Each calls fn with every summary f chooses, newest first, under the
// catalogue's read lock: fn must not call back into the server.
func (s *Server) Each(f Filter, fn func(*Summary)) {
	f = f.prepare()
	c := s.cat
	c.catchUp()
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, e := range c.list {
		if f.match(e) {
			fn(e)
		}
	}
}

// Summary returns the summary of encounter id.
func (s *Server) Summary(id uuid.UUID) (Summary, bool) {
	c := s.cat
	c.catchUp()
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.byID[id]
	if !ok {
		return Summary{}, false
	}
	return *e, true
}

// AtPlace returns the encounters at place (encounter.SamePlace) that may
// chooses, newest first, at most limit.
func (s *Server) AtPlace(place encounter.Place, may func(Scope) bool, limit int) []Summary {
	c := s.cat
	c.catchUp()
	c.mu.RLock()
	defer c.mu.RUnlock()
	var out []Summary
	for _, e := range c.byPostcode[place.Postcode] {
		if encounter.SamePlace(place, e.Place) && (may == nil || may(e.Scope)) {
			out = append(out, *e)
		}
	}
	slices.SortFunc(out, func(a, b Summary) int { return b.OccurredAt.Compare(a.OccurredAt) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}
