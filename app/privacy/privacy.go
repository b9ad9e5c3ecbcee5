// Package privacy is the plain-Go model of the check an officer goes
// through before finalising a record: the identifying details found in
// its free text (phone numbers, dates of birth, postcodes, e-mail
// addresses, document numbers), shown as highlighted spans, which must be
// removed from a Duty to Notify and confirmed elsewhere, and, for a Duty
// to Notify, the officer's confirmation that it names nobody, since names
// cannot be found reliably. A Fyne view renders it; it has no Fyne in it.
package privacy

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/waymark-app/waymark/encounter"
)

// Finding is one free-text field with identifiers in it.
type Finding struct {
	Field encounter.TextField
	Spans []encounter.Span
	// MustRemove is true in a Duty to Notify: the record cannot be
	// finalised until the text no longer holds the spans. Otherwise the
	// officer confirms that they belong.
	MustRemove bool
}

// Segment is a piece of a field's text as the view shows it: plain, or
// an identifier of Kind, highlighted.
type Segment struct {
	Text string
	Kind encounter.Identifier // empty: plain text
}

// Segments splits the finding's text at its spans.
func (f Finding) Segments() []Segment {
	var out []Segment
	at := 0
	for _, s := range f.Spans {
		if s.Start > at {
			out = append(out, Segment{Text: f.Field.Text[at:s.Start]})
		}
		out = append(out, Segment{Text: f.Field.Text[s.Start:s.End], Kind: s.Kind})
		at = s.End
	}
	if at < len(f.Field.Text) {
		out = append(out, Segment{Text: f.Field.Text[at:]})
	}
	return out
}

// Model is the check of one record. Make it with Check; call Confirm and
// ConfirmNoNames as the officer answers; Ready says whether the record
// may be finalised. Confirmations are of a field's text as it stood: if
// the officer edits the text, Check the record again and its finding
// needs confirming again (ConfirmedBefore carries the rest over).
type Model struct {
	Findings []Finding
	// DutyToNotify is true if the record holds a Duty to Notify: the
	// officer must confirm that its text names nobody.
	DutyToNotify bool

	confirmed map[string]bool // confirmation keys of confirmed findings
	noNames   bool
	dtnText   string // a digest of every Duty to Notify text, confirmed or not
}

// Messages the view shows, as i18n keys. The first is shown with a Duty
// to Notify whatever was found.
const (
	MsgNamesNotFound = "privacy.names_not_found"  // "Names cannot be found reliably. Check that the Duty to Notify names nobody: not the person, nor anyone who could lead to them."
	MsgConfirmNames  = "privacy.confirm_no_names" // the confirmation: "I have checked: it names nobody"
	MsgRemove        = "privacy.remove"           // "Remove this from the Duty to Notify: it could identify the person."
	MsgConfirm       = "privacy.confirm_belongs"  // "This looks like a %s. Keep it only if it belongs in the record."
	MsgKindPrefix    = "privacy.kind."            // + encounter.Identifier: "phone number", "date of birth", ...
	MsgBlockedRemove = "privacy.blocked.remove"   // "Remove what is highlighted in the Duty to Notify to finalise."
	MsgBlockedConf   = "privacy.blocked.confirm"  // "Confirm or change each highlighted detail to finalise."
	MsgBlockedNames  = "privacy.blocked.names"    // "Confirm that the Duty to Notify names nobody to finalise."
)

// Check finds the identifiers in r's free text (encounter.Record.FreeText).
func Check(r encounter.Record) *Model { return CheckFields(r.FreeText(), r.OccurredAt) }

// CheckFields finds the identifiers in fields, written about an
// encounter at the time at: a record's free text, or what an amendment
// writes into it.
func CheckFields(fields []encounter.TextField, at time.Time) *Model {
	m := &Model{confirmed: map[string]bool{}}
	dtn := sha256.New()
	for _, f := range fields {
		if f.DutyToNotify {
			m.DutyToNotify = true
			dtn.Write([]byte(f.Path + "\x00" + f.Text + "\x00"))
		}
		spans := encounter.FindIdentifiers(f.Text, at)
		if len(spans) == 0 {
			continue
		}
		m.Findings = append(m.Findings, Finding{Field: f, Spans: spans, MustRemove: f.DutyToNotify})
	}
	m.dtnText = hex.EncodeToString(dtn.Sum(nil))
	return m
}

// ConfirmedBefore carries over the confirmations of an earlier check of
// the same record: findings whose text has not changed stay confirmed,
// and so does "names nobody" unless a Duty to Notify's text changed.
func (m *Model) ConfirmedBefore(old *Model) {
	if old == nil {
		return
	}
	for _, f := range m.Findings {
		if old.confirmed[key(f)] {
			m.confirmed[key(f)] = true
		}
	}
	m.noNames = old.noNames && old.dtnText == m.dtnText
}

// key names a finding's field and text, so that an edited text is a new
// finding.
func key(f Finding) string {
	sum := sha256.Sum256([]byte(f.Field.Path + "\x00" + f.Field.Text))
	return hex.EncodeToString(sum[:])
}

// Confirm records that the officer confirmed finding i belongs in the
// record. A finding in a Duty to Notify cannot be confirmed, only
// removed: Confirm reports false.
func (m *Model) Confirm(i int) bool {
	if i < 0 || i >= len(m.Findings) || m.Findings[i].MustRemove {
		return false
	}
	m.confirmed[key(m.Findings[i])] = true
	return true
}

// Unconfirm takes back the officer's confirmation of finding i.
func (m *Model) Unconfirm(i int) {
	if i >= 0 && i < len(m.Findings) {
		delete(m.confirmed, key(m.Findings[i]))
	}
}

// Confirmed reports whether finding i was confirmed.
func (m *Model) Confirmed(i int) bool { return m.confirmed[key(m.Findings[i])] }

// ConfirmNoNames records the officer's confirmation that the Duty to
// Notify names nobody.
func (m *Model) ConfirmNoNames() { m.noNames = true }

// UnconfirmNoNames takes that confirmation back.
func (m *Model) UnconfirmNoNames() { m.noNames = false }

// NoNamesConfirmed reports whether the officer confirmed that the Duty
// to Notify names nobody, for its text as it stands.
func (m *Model) NoNamesConfirmed() bool { return m.noNames }

// Blocking returns, as message keys, what stops the record being
// finalised: nothing when it is Ready.
func (m *Model) Blocking() []string {
	var out []string
	remove, confirm := false, false
	for i, f := range m.Findings {
		switch {
		case f.MustRemove:
			remove = true
		case !m.Confirmed(i):
			confirm = true
		}
	}
	if remove {
		out = append(out, MsgBlockedRemove)
	}
	if confirm {
		out = append(out, MsgBlockedConf)
	}
	if m.DutyToNotify && !m.noNames {
		out = append(out, MsgBlockedNames)
	}
	return out
}

// Ready reports whether the record may be finalised as far as
// identifiers go.
func (m *Model) Ready() bool { return len(m.Blocking()) == 0 }
