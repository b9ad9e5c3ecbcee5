package model

import (
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"golang.org/x/text/language"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
)

// TimeLayout is how the officer reads and types times.
const TimeLayout = "2006-01-02 15:04"

// TimeText formats a time for the officer, in the device's zone; "" for
// the zero time.
func TimeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format(TimeLayout)
}

// DateText is the day of t, in the device's zone, without the time: what
// a Duty to Notify may say of when.
func DateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Local().Format(time.DateOnly)
}

// ParseTime reads a time the officer typed in TimeLayout, in the
// device's zone.
func ParseTime(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(TimeLayout, strings.TrimSpace(s), time.Local)
	if err != nil {
		return time.Time{}, false
	}
	return t.UTC(), true
}

// parseCount reads a whole number from 0 to limit; empty is 0.
func parseCount(s string, limit int) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > limit {
		return 0, false
	}
	return n, true
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// Lang is the base language of p, for a content pack's texts.
func Lang(p *i18n.Printer) string {
	base, _ := p.Tag().Base()
	return base.String()
}

// PersonTitle names person ps, the i-th on a record: their label, or
// "Person n".
func PersonTitle(p *i18n.Printer, ps encounter.Person, i int) string {
	if s := strings.TrimSpace(ps.Label); s != "" {
		return s
	}
	return p.T("person.n", i+1)
}

// personTitleOf names the person with id on r.
func personTitleOf(p *i18n.Printer, r encounter.Record, id uuid.UUID) string {
	for i, ps := range r.People {
		if ps.ID == id {
			return PersonTitle(p, ps, i)
		}
	}
	return id.String()
}

// RecordTitle names a record in a title bar or a list.
func RecordTitle(p *i18n.Printer, r encounter.Record) string {
	if t := r.Title(); t != "" {
		return t
	}
	return p.T("list.untitled")
}

// BusinessLabel names a business type in the officer's language, from
// pack; "" for none.
func BusinessLabel(p *i18n.Printer, pack *content.Pack, b encounter.Business) string {
	if b == "" {
		return ""
	}
	if biz, ok := pack.Business(string(b)); ok {
		return biz.Label.In(Lang(p))
	}
	return string(b)
}

// StateText names a record or amendment state in words.
func StateText(p *i18n.Printer, s encounter.State) string {
	switch s {
	case encounter.Queued:
		return p.T("state.queued")
	case encounter.Synced:
		return p.T("state.synced")
	case encounter.Held:
		return p.T("state.held")
	}
	return p.T("state.draft")
}

// LevelOf is the level a record's saved assessment gives, Unassessed if
// it has none.
func LevelOf(r encounter.Record) content.Level {
	if r.Assessment == nil {
		return content.Unassessed
	}
	l, err := content.ParseLevel(r.Assessment.Level)
	if err != nil {
		return content.Unassessed
	}
	return l
}

// LevelWord names a level in a word: "Red".
func LevelWord(p *i18n.Printer, l content.Level) string { return p.T("rag.word." + l.String()) }

// Option is one choice of a picker: the value stored and its label.
type Option struct {
	Value string
	Label string
}

// Labels returns the labels of opts, in order.
func Labels(opts []Option) []string {
	out := make([]string, len(opts))
	for i, o := range opts {
		out[i] = o.Label
	}
	return out
}

// Hours gives a duration in whole hours, rounded down so time left is
// never overstated, and at least 1.
func Hours(d time.Duration) int {
	return max(int(d/time.Hour), 1)
}

// CrimeClock says where r's crime-recording clock stands at now, in
// words, and how urgent it is; ok is false when no clock runs.
func CrimeClock(p *i18n.Printer, r encounter.Record, now time.Time) (text string, status encounter.CrimeStatus, ok bool) {
	switch st := r.CrimeStatus(now); st {
	case encounter.NoCrimeClock:
		return "", st, false
	case encounter.CrimeRecorded:
		return p.T("crime.recorded", r.Crime.Reference), st, true
	case encounter.CrimeOverdue:
		return p.T("crime.overdue", Hours(now.Sub(r.Crime.Due))), st, true
	default:
		return p.T("crime.due", Hours(r.Crime.Due.Sub(now))), st, true
	}
}

// languageTag reads a BCP 47 tag; a language's name, as an officer may
// have typed it, is not one.
func languageTag(s string) (language.Tag, error) { return language.Parse(strings.TrimSpace(s)) }

// AgencyLabel names an agency in the officer's words.
func AgencyLabel(p *i18n.Printer, agency string) string { return p.T("agency." + agency) }
