package model

import (
	"strings"

	"github.com/waymark-app/waymark/app/privacy"
	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/i18n"
)

// AmendCheck is the check of what an amendment writes, before it is
// saved, as the identifier check is before a record is finalised (the
// same view shows both): a phone number, date of birth, postcode, e-mail
// address or document number written into a Duty to Notify (a person's
// label) must be removed, since the device and the server refuse it
// (encounter.Record.CheckAmendment); written elsewhere (the notes, an
// addendum, another person's label) the officer confirms it belongs; and
// a Duty to Notify's label written anew needs the officer's word that it
// names nobody. Its fields are named by the changes' fields
// ("person/<id>/label", "notes", "addendum").
type AmendCheck struct {
	p    *i18n.Printer
	pack *content.Pack
	rec  encounter.Record    // the record as it stands
	a    encounter.Amendment // as the check leaves it
	m    *privacy.Model
}

// newAmendCheck checks what a writes into r.
func newAmendCheck(p *i18n.Printer, pack *content.Pack, r encounter.Record, a encounter.Amendment) *AmendCheck {
	c := &AmendCheck{p: p, pack: pack, rec: r, a: a}
	c.recheck()
	return c
}

// Needed reports whether the officer has anything to look at: something
// identifying was found, or a Duty to Notify's text is written.
func (c *AmendCheck) Needed() bool { return len(c.m.Findings) > 0 || c.m.DutyToNotify }

// fields is the free text the amendment writes, as the record's free
// text would hold it afterwards: the notes or an addendum, a person's
// label, and an answer in which something looks identifying (an answer
// is a choice, but the rule reads it as text).
func (c *AmendCheck) fields() []encounter.TextField {
	after := c.rec.WithAmendments([]encounter.Amendment{c.a})
	var out []encounter.TextField
	for _, ch := range c.a.Changes {
		tf := encounter.TextField{Path: ch.Field, Text: ch.To}
		switch parts := strings.Split(ch.Field, "/"); {
		case ch.Field == encounter.FieldNotes || ch.Field == encounter.FieldAddendum:
		case len(parts) == 3 && parts[0] == "person":
			ps := personOf(after, parts[1])
			if ps == nil {
				continue
			}
			answer := strings.HasPrefix(parts[2], "answer:")
			if parts[2] != "label" && !(answer && len(encounter.FindIdentifiers(ch.To, after.OccurredAt)) > 0) {
				continue
			}
			tf.Person = ps
			tf.DutyToNotify = ps.Referral != nil && ps.Referral.DutyToNotify != nil
		default:
			continue
		}
		out = append(out, tf)
	}
	return out
}

// personOf is the person of r whose id is id, or nil.
func personOf(r encounter.Record, id string) *encounter.Person {
	for i := range r.People {
		if r.People[i].ID.String() == id {
			return &r.People[i]
		}
	}
	return nil
}

// recheck checks the amendment as it now stands, keeping the
// confirmations of what has not changed.
func (c *AmendCheck) recheck() {
	m := privacy.CheckFields(c.fields(), c.rec.OccurredAt)
	m.ConfirmedBefore(c.m)
	c.m = m
}

// Identifiers is the check as its screen shows it, the fields at shown
// kept when nothing is left in them.
func (c *AmendCheck) Identifiers(shown ...string) IdentifierCheck {
	ic := identifierCheck(c.p, c.m, c.fields(), shown, c.findingView)
	for i, key := range c.m.Blocking() {
		ic.Blocking[i] = c.p.T("amend." + strings.TrimPrefix(key, "privacy."))
	}
	return ic
}

// findingView names the field the amendment writes, and says it is
// changed on the amendment's form.
func (c *AmendCheck) findingView(tf encounter.TextField) FindingView {
	v := FindingView{Path: tf.Path, ConfirmLabel: c.p.T("privacy.keep"), Editable: true, Entry: "amend"}
	v.Where = FieldLabel(c.p, c.pack, c.rec, tf.Path)
	if tf.Person != nil {
		v.Person = tf.Person.ID
		if len(encounter.FindIdentifiers(tf.Person.Label, c.rec.OccurredAt)) > 0 {
			// Named by number, so the heading does not repeat it.
			for i, ps := range c.rec.People {
				if ps.ID == tf.Person.ID {
					v.Where = c.p.T("person.n", i+1) + ": " + c.p.T("field.person.label")
				}
			}
		}
	}
	return v
}

// RemoveFinding takes what looks identifying out of what the amendment
// writes into the field at path, each piece marked removed, as a draft's
// is. The officer's word that a Duty to Notify names nobody stands: a
// removal adds no name.
func (c *AmendCheck) RemoveFinding(path string) {
	i := finding(c.m, path)
	if i < 0 {
		return
	}
	fd := c.m.Findings[i]
	names := c.m.NoNamesConfirmed()
	changes := make([]encounter.Change, len(c.a.Changes))
	copy(changes, c.a.Changes)
	for j := range changes {
		if changes[j].Field == path {
			changes[j].To = redact(c.p, fd.Field.Text, fd.Spans)
		}
	}
	c.a.Changes = changes
	c.recheck()
	if names {
		c.m.ConfirmNoNames()
	}
}

// ConfirmFinding records that what was found in the field at path
// belongs in the record, or takes that back; one in a Duty to Notify can
// only be removed.
func (c *AmendCheck) ConfirmFinding(path string, on bool) {
	switch i := finding(c.m, path); {
	case i < 0:
	case on:
		c.m.Confirm(i)
	default:
		c.m.Unconfirm(i)
	}
}

// ConfirmNoNames records the officer's word that the Duty to Notify
// names nobody, or takes it back.
func (c *AmendCheck) ConfirmNoNames(on bool) {
	if on {
		c.m.ConfirmNoNames()
	} else {
		c.m.UnconfirmNoNames()
	}
}

// Written is what the amendment now writes into field: the officer's
// value, with anything removed marked so.
func (c *AmendCheck) Written(field string) string {
	for _, ch := range c.a.Changes {
		if ch.Field == field {
			return ch.To
		}
	}
	return ""
}

// Amending is the amendment as the check leaves it, ready to save, once
// nothing is left to answer; or, in words, why it is not.
func (c *AmendCheck) Amending() (Amending, string) {
	if !c.m.Ready() {
		return Amending{}, c.Identifiers().Blocking[0]
	}
	return amending(c.p, c.rec, c.a)
}
