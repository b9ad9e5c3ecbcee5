package model

import (
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
)

// Row is one encounter in the list.
type Row struct {
	ID    uuid.UUID
	Title string
	// Sub is when, what kind of place, and the operation.
	Sub string
	// Level is the saved assessment's level, said in LevelWord too.
	Level     content.Level
	LevelWord string
	// State is where the record stands on the device, in StateText.
	State     encounter.State
	StateText string
	// Crime is the crime-recording clock in words, or "".
	Crime       string
	CrimeStatus encounter.CrimeStatus
}

// Filters narrow the list. Their zero value shows everything.
type Filters struct {
	// Query matches the premises name, the address and the operation,
	// ignoring case and accents.
	Query string
	// Level is "", or a level's name ("red", "amber", "green",
	// "unassessed").
	Level string
	// State is "", "draft", "waiting", "sent" or "held".
	State string
	// Period is "", "today", "week" (the last 7 days) or "month" (30).
	Period string
}

// List is the home screen: every encounter on the device, searchable and
// filtered, in the store's order (overdue crime records first).
type List struct {
	p       *i18n.Printer
	pack    func(encounter.PackRef) *content.Pack
	now     func() time.Time
	records []encounter.Record
	filters Filters
	rows    []Row
	loaded  bool
}

// NewList returns an empty list; pack gives the pack a record was made
// under, for business labels.
func NewList(p *i18n.Printer, pack func(encounter.PackRef) *content.Pack, now func() time.Time) *List {
	if now == nil {
		now = time.Now
	}
	return &List{p: p, pack: pack, now: now}
}

// Set replaces the records shown.
func (l *List) Set(records []encounter.Record) {
	l.records = records
	l.loaded = true
	l.apply()
}

// All returns every record held, whatever the filters.
func (l *List) All() []encounter.Record { return l.records }

// Filters are the filters in use.
func (l *List) Filters() Filters { return l.filters }

// SetFilters narrows the list.
func (l *List) SetFilters(f Filters) {
	l.filters = f
	l.apply()
}

// Rows are the records shown, after the filters.
func (l *List) Rows() []Row { return l.rows }

// Record returns the record of row i.
func (l *List) Record(id uuid.UUID) (encounter.Record, bool) {
	for _, r := range l.records {
		if r.ID == id {
			return r, true
		}
	}
	return encounter.Record{}, false
}

// Empty says why no row shows: nothing recorded yet, or nothing matches;
// "" when rows show.
func (l *List) Empty() string {
	switch {
	case !l.loaded || len(l.rows) > 0:
		return ""
	case len(l.records) == 0:
		return l.p.T("list.empty")
	}
	return l.p.T("list.no_match")
}

// Drafts counts the drafts on the device, whatever the filters.
func (l *List) Drafts() int {
	n := 0
	for _, r := range l.records {
		if r.State == encounter.Draft {
			n++
		}
	}
	return n
}

// LevelOptions are the choices of the level filter.
func (l *List) LevelOptions() []Option {
	out := []Option{{Value: "", Label: l.p.T("filter.level.all")}}
	for _, lv := range []content.Level{content.Red, content.Amber, content.Green, content.Unassessed} {
		out = append(out, Option{Value: lv.String(), Label: LevelWord(l.p, lv)})
	}
	return out
}

// StateOptions are the choices of the state filter.
func (l *List) StateOptions() []Option {
	out := []Option{{Value: "", Label: l.p.T("filter.state.all")}}
	for _, s := range []string{"draft", "waiting", "sent", "held"} {
		out = append(out, Option{Value: s, Label: l.p.T("filter.state." + s)})
	}
	return out
}

// PeriodOptions are the choices of the date filter.
func (l *List) PeriodOptions() []Option {
	out := []Option{{Value: "", Label: l.p.T("filter.period.all")}}
	for _, s := range []string{"today", "week", "month"} {
		out = append(out, Option{Value: s, Label: l.p.T("filter.period." + s)})
	}
	return out
}

func (l *List) apply() {
	now := l.now()
	l.rows = l.rows[:0]
	q := fold(l.filters.Query)
	for _, r := range l.records {
		if !l.match(r, q, now) {
			continue
		}
		l.rows = append(l.rows, l.row(r, now))
	}
}

func (l *List) match(r encounter.Record, q string, now time.Time) bool {
	f := l.filters
	if q != "" && !strings.Contains(fold(r.Premises.Name+"\n"+r.Premises.Address+"\n"+r.Operation), q) {
		return false
	}
	if f.Level != "" && LevelOf(r).String() != f.Level {
		return false
	}
	switch f.State {
	case "draft":
		if r.State != encounter.Draft {
			return false
		}
	case "waiting":
		if r.State != encounter.Queued && !amendmentWaiting(r) {
			return false
		}
	case "sent":
		if r.State != encounter.Synced || amendmentWaiting(r) {
			return false
		}
	case "held":
		if r.State != encounter.Held {
			return false
		}
	}
	var since time.Time
	y, m, d := now.Local().Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.Local)
	switch f.Period {
	case "today":
		since = today
	case "week":
		since = today.AddDate(0, 0, -6)
	case "month":
		since = today.AddDate(0, 0, -29)
	}
	return since.IsZero() || !r.OccurredAt.Before(since)
}

// amendmentWaiting reports whether an amendment of r waits to be sent.
func amendmentWaiting(r encounter.Record) bool {
	for _, a := range r.Amendments {
		if a.State == encounter.Queued {
			return true
		}
	}
	return false
}

func (l *List) row(r encounter.Record, now time.Time) Row {
	pack := l.pack(r.Content)
	parts := []string{TimeText(r.OccurredAt)}
	if b := BusinessLabel(l.p, pack, r.Premises.Business); b != "" {
		parts = append(parts, b)
	}
	if op := strings.TrimSpace(r.Operation); op != "" {
		parts = append(parts, op)
	}
	level := LevelOf(r)
	row := Row{
		ID: r.ID, Title: RecordTitle(l.p, r), Sub: strings.Join(parts, " · "),
		Level: level, LevelWord: LevelWord(l.p, level),
		State: r.State, StateText: StateText(l.p, r.State),
	}
	if r.State == encounter.Synced && amendmentWaiting(r) {
		row.State, row.StateText = encounter.Queued, l.p.T("state.amendment_queued")
	}
	row.Crime, row.CrimeStatus, _ = CrimeClock(l.p, r, now)
	return row
}

// fold lowers s and strips its accents, for matching what was typed.
func fold(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(strings.TrimSpace(out))
}

// Active counts the filters in use, besides the search.
func (l *List) Active() int {
	n := 0
	for _, v := range []string{l.filters.Level, l.filters.State, l.filters.Period} {
		if v != "" {
			n++
		}
	}
	return n
}
