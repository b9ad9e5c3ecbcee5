package encounter

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Identifier is a kind of identifying detail found in free text.
type Identifier string

// The identifiers FindIdentifiers looks for. Names are not among them:
// no pattern finds names reliably, so the officer is asked to confirm
// that none is there (see DutyToNotifyChecks).
const (
	PhoneNumber    Identifier = "phone"    // a UK phone number
	DateOfBirth    Identifier = "date"     // a full date more than two years back, or any date after "born"/"DOB"
	Postcode       Identifier = "postcode" // a UK postcode
	EmailAddress   Identifier = "email"    // an e-mail address
	DocumentNumber Identifier = "document" // a passport, National Insurance or other document-like number
)

// Span is an identifier found in a text, as byte offsets [Start, End).
type Span struct {
	Start, End int
	Kind       Identifier
}

// dobAge is how far before the encounter a full date must be to be taken
// for a date of birth: later dates are more likely the visit, an arrival
// or an appointment. A date right after "born" or "DOB" counts whatever
// it is.
const dobAge = 2 * 365 * 24 * time.Hour

var (
	reEmail = regexp.MustCompile(`(?i)[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}`)
	// A UK number: +44 / 0044 / 0, then 9 or 10 more digits, with spaces,
	// dashes, dots or brackets between them.
	rePhone = regexp.MustCompile(`(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)\d(?:[\s.\-)]{0,2}\d){8,9}`)
	// A UK postcode: outward code (A9, A99, AA9, AA99, A9A, AA9A), an
	// optional space, inward code (9AA).
	rePostcode = regexp.MustCompile(`(?i)\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}|GIR\s*0AA)\b`)
	// National Insurance number, then anything that looks like a
	// document number: up to three letters, then six or more digits
	// (spaces allowed between groups), then an optional letter.
	reNINO     = regexp.MustCompile(`(?i)\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b`)
	reDocument = regexp.MustCompile(`(?i)\b[A-Z]{0,3}\d{2,}(?:[\s-]?\d+)*[A-Z]?\b`)
	// Dates: 12/03/1990, 12-3-90, 12.03.1990, 1990-03-12, 12 March 1990,
	// 12th Mar 1990, March 12, 1990.
	month       = `(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)`
	reDateNum   = regexp.MustCompile(`\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b`)
	reDateISO   = regexp.MustCompile(`\b(\d{4})-(\d{1,2})-(\d{1,2})\b`)
	reDateDMY   = regexp.MustCompile(`(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?` + month + `\.?,?\s+(\d{4})\b`)
	reDateMDY   = regexp.MustCompile(`(?i)\b` + month + `\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b`)
	reBorn      = regexp.MustCompile(`(?i)\b(?:born|d\.?o\.?b\.?|date of birth)\b[\s:,.-]*(?:on|in)?\s*`)
	reYear      = regexp.MustCompile(`^(?:\d{1,2}[/.\-]\d{1,2}[/.\-])?(\d{4})\b`)
	monthNumber = map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}
)

// FindIdentifiers returns the spans of text that look like identifying
// details, in order, not overlapping. at is when the text was written
// (the encounter's time), which decides how old a date must be to be
// taken for a date of birth; zero takes every full date. Names are not
// found: nothing finds them reliably.
//
// The rules are deliberately simple and err towards finding too much: in
// a Duty to Notify a false alarm costs the officer a rewording, a miss
// may identify a person who did not consent.
func FindIdentifiers(text string, at time.Time) []Span {
	var spans []Span
	add := func(kind Identifier, locs [][]int) {
		for _, l := range locs {
			spans = append(spans, Span{Start: l[0], End: l[1], Kind: kind})
		}
	}
	add(EmailAddress, reEmail.FindAllStringIndex(text, -1))
	for _, l := range rePhone.FindAllStringIndex(text, -1) {
		// Not part of a longer run of digits (a document number).
		if !digitNext(text, l[0], l[1]) {
			add(PhoneNumber, [][]int{l})
		}
	}
	add(Postcode, rePostcode.FindAllStringIndex(text, -1))
	add(DateOfBirth, dates(text, at))
	add(DocumentNumber, reNINO.FindAllStringIndex(text, -1))
	for _, l := range reDocument.FindAllStringIndex(text, -1) {
		if digits(text[l[0]:l[1]]) >= 6 {
			add(DocumentNumber, [][]int{l})
		}
	}
	return merge(spans)
}

// digitNext reports whether a digit touches text[start:end] on either side.
func digitNext(text string, start, end int) bool {
	r, _ := utf8.DecodeLastRuneInString(text[:start])
	n, _ := utf8.DecodeRuneInString(text[end:])
	return unicode.IsDigit(r) || unicode.IsDigit(n)
}

func digits(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// dates finds full dates old enough to be a date of birth, and any date
// or year right after "born", "DOB" or "date of birth".
func dates(text string, at time.Time) [][]int {
	var out [][]int
	keep := func(l []int, y, m, d int) {
		if y < 100 {
			y += 1900
			if !at.IsZero() && y+100 <= at.Year() {
				y += 100
			}
		}
		t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
		if m < 1 || m > 12 || d < 1 || d > 31 || t.Month() != time.Month(m) {
			return // not a date
		}
		if at.IsZero() || t.Before(at.Add(-dobAge)) || after(text, l[0]) {
			out = append(out, []int{l[0], l[1]})
		}
	}
	for _, m := range reDateNum.FindAllStringSubmatchIndex(text, -1) {
		d, mo, y := atoi(text, m, 1), atoi(text, m, 2), atoi(text, m, 3)
		keep(m, y, mo, d)
	}
	for _, m := range reDateISO.FindAllStringSubmatchIndex(text, -1) {
		keep(m, atoi(text, m, 1), atoi(text, m, 2), atoi(text, m, 3))
	}
	for _, m := range reDateDMY.FindAllStringSubmatchIndex(text, -1) {
		keep(m, atoi(text, m, 3), monthOf(text, m, 2), atoi(text, m, 1))
	}
	for _, m := range reDateMDY.FindAllStringSubmatchIndex(text, -1) {
		keep(m, atoi(text, m, 3), monthOf(text, m, 1), atoi(text, m, 2))
	}
	// "born in 1990", "DOB 1990": a year alone, after the words.
	for _, m := range reBorn.FindAllStringIndex(text, -1) {
		if y := reYear.FindStringIndex(text[m[1]:]); y != nil {
			out = append(out, []int{m[1] + y[0], m[1] + y[1]})
		}
	}
	return out
}

// after reports whether the text just before i says "born" or "DOB".
func after(text string, i int) bool {
	for _, m := range reBorn.FindAllStringIndex(text[:i], -1) {
		if m[1] == i {
			return true
		}
	}
	return false
}

func atoi(text string, m []int, group int) int {
	n, _ := strconv.Atoi(text[m[2*group]:m[2*group+1]])
	return n
}

func monthOf(text string, m []int, group int) int {
	return monthNumber[strings.ToLower(text[m[2*group]:m[2*group]+3])]
}

// merge sorts spans and joins those that overlap; where two kinds
// overlap the one found first in the order e-mail, phone, postcode,
// date, document wins.
func merge(spans []Span) []Span {
	rank := map[Identifier]int{EmailAddress: 0, PhoneNumber: 1, Postcode: 2, DateOfBirth: 3, DocumentNumber: 4}
	slices.SortStableFunc(spans, func(a, b Span) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return rank[a.Kind] - rank[b.Kind]
	})
	var out []Span
	for _, s := range spans {
		if n := len(out); n > 0 && s.Start < out[n-1].End {
			if s.End > out[n-1].End {
				out[n-1].End = s.End
			}
			if rank[s.Kind] < rank[out[n-1].Kind] {
				out[n-1].Kind = s.Kind
			}
			continue
		}
		out = append(out, s)
	}
	return out
}

// TextField is one free-text field of a record that may carry
// identifying details: where it is (a stable path, as amendments and
// problems name fields), whose it is, and its text.
type TextField struct {
	Path   string  // "notes", "people[<id>].label", "people[<id>].referral.duty_to_notify.account", ...
	Person *Person // the person it is about, if any
	Text   string
	// DutyToNotify is true for the text of a person who has a Duty to
	// Notify: it is sent anonymously, so identifiers must be removed,
	// not just confirmed.
	DutyToNotify bool
}

// FreeText lists the record's free-text fields that are checked for
// identifiers: its notes; each person's label, the officer's written
// answers about them and their own free-text screening answers (and
// their translations); and a Duty to Notify's "explained by" and
// account, which go out with it.
func (r *Record) FreeText() []TextField {
	var out []TextField
	if r.Notes != "" {
		out = append(out, TextField{Path: "notes", Text: r.Notes})
	}
	for i := range r.People {
		p := &r.People[i]
		dtn := p.Referral != nil && p.Referral.DutyToNotify != nil
		at := "people[" + p.ID.String() + "]."
		add := func(path, text string) {
			if strings.TrimSpace(text) != "" {
				out = append(out, TextField{Path: at + path, Person: p, Text: text, DutyToNotify: dtn})
			}
		}
		add("label", p.Label)
		keys := make([]string, 0, len(p.Answers))
		for k := range p.Answers {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			add("answers["+k+"]", p.Answers[k])
		}
		for j, s := range p.Screening {
			add("screening["+strconv.Itoa(j)+"].text", s.Text)
			add("screening["+strconv.Itoa(j)+"].translation", s.Translation)
		}
		if dtn {
			add("referral.duty_to_notify.explained.by", p.Referral.DutyToNotify.Explained.By)
			add("referral.duty_to_notify.account", p.Referral.DutyToNotify.Account)
		}
	}
	return out
}

// SetFreeText sets the free-text field at path, as FreeText names it, to
// text, and reports whether r has such a field. It is how an officer
// removes an identifier from a draft: a person's own screening answer
// included, which cannot otherwise be edited, since a Duty to Notify may
// not carry one.
func (r *Record) SetFreeText(path, text string) bool {
	if path == "notes" {
		r.Notes = text
		return true
	}
	rest, ok := strings.CutPrefix(path, "people[")
	if !ok {
		return false
	}
	id, sub, ok := strings.Cut(rest, "].")
	if !ok {
		return false
	}
	var p *Person
	for i := range r.People {
		if r.People[i].ID.String() == id {
			p = &r.People[i]
		}
	}
	if p == nil {
		return false
	}
	switch {
	case sub == "label":
		p.Label = text
	case strings.HasPrefix(sub, "answers[") && strings.HasSuffix(sub, "]"):
		k := sub[len("answers[") : len(sub)-1]
		if _, ok := p.Answers[k]; !ok {
			return false
		}
		p.Answers[k] = text
	case strings.HasPrefix(sub, "screening["):
		n, field, ok := strings.Cut(sub[len("screening["):], "].")
		j, err := strconv.Atoi(n)
		if !ok || err != nil || j < 0 || j >= len(p.Screening) {
			return false
		}
		switch field {
		case "text":
			p.Screening[j].Text = text
		case "translation":
			p.Screening[j].Translation = text
		default:
			return false
		}
	case sub == "referral.duty_to_notify.account" && p.Referral != nil && p.Referral.DutyToNotify != nil:
		p.Referral.DutyToNotify.Account = text
	case sub == "referral.duty_to_notify.explained.by" && p.Referral != nil && p.Referral.DutyToNotify != nil:
		p.Referral.DutyToNotify.Explained.By = text
	default:
		return false
	}
	return true
}

// dutyToNotifyIdentifiers reports the people whose Duty to Notify text
// carries an identifier. A field whose text is as in judged (by path)
// is not judged again: see CheckAmendment.
func (r *Record) dutyToNotifyIdentifiers(judged map[string]string) []Problem {
	var ps []Problem
	seen := map[*Person]bool{}
	for _, f := range r.FreeText() {
		if !f.DutyToNotify || seen[f.Person] {
			continue
		}
		if text, ok := judged[f.Path]; ok && text == f.Text {
			continue
		}
		if len(FindIdentifiers(f.Text, r.OccurredAt)) > 0 {
			seen[f.Person] = true
			p := DtNIdentifier
			p.Person = f.Person.ID
			ps = append(ps, p)
		}
	}
	return ps
}

// dutyToNotifyText is r's Duty to Notify text by path.
func (r *Record) dutyToNotifyText() map[string]string {
	out := map[string]string{}
	for _, f := range r.FreeText() {
		if f.DutyToNotify {
			out[f.Path] = f.Text
		}
	}
	return out
}
