package encounter

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/internal/strictjson"
)

// Schema is the version of the record document written by this package.
// ParseDocument accepts documents of this schema and older ones. Schema 3
// added referrals made after the event to amendments (LateReferral);
// schema 4 the operation and premises of a day of action (OperationID,
// PremisesID), the premises' postcode and who was present from which
// agency (Present). A record that uses none of them encodes as before.
const Schema = 4

// Business is the kind of premises visited. Its values are stable
// identifiers stored in records; labels come from the i18n catalogue.
type Business string

// The business types an officer can pick. Do not rename a value: records
// refer to it. Append new ones before Other.
const (
	CarWash      Business = "car_wash"
	NailBar      Business = "nail_bar"
	Takeaway     Business = "takeaway"
	Brothel      Business = "brothel"
	Farm         Business = "farm"
	Factory      Business = "factory"
	CannabisGrow Business = "cannabis_grow"
	PrivateHouse Business = "private_house"
	Construction Business = "construction"
	Other        Business = "other"
)

// Businesses lists every business type in the order a picker shows them.
var Businesses = []Business{
	CarWash, NailBar, Takeaway, Brothel, Farm, Factory,
	CannabisGrow, PrivateHouse, Construction, Other,
}

// Valid reports whether b is one of Businesses.
func (b Business) Valid() bool {
	for _, k := range Businesses {
		if b == k {
			return true
		}
	}
	return false
}

// State is where a record stands on this device. It is device-local and
// never part of the record document.
type State int

const (
	// Draft is being written; it stays on the device and may change.
	Draft State = iota
	// Queued is saved for good and waits in the outbox to be sent.
	Queued
	// Synced has been stored durably by the server.
	Synced
	// Held was refused by the server because a different record with the
	// same identity is already there; both are kept for review.
	Held
)

// String returns a stable name for the state, used in logs and tests.
func (s State) String() string {
	switch s {
	case Draft:
		return "draft"
	case Queued:
		return "queued"
	case Synced:
		return "synced"
	case Held:
		return "held"
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// Premises is the place visited.
type Premises struct {
	Name     string   `json:"name,omitempty"`
	Address  string   `json:"address,omitempty"`
	Business Business `json:"business,omitempty"`
	// Postcode is the premises' postcode, when it was given apart from
	// the address (schema 4; an operation's premises always has one).
	Postcode string `json:"postcode,omitempty"`
}

// Presence is someone present at the encounter from a partner agency (or
// an interpreter), as the officer records them: the agency, and the
// person's name or role as they gave it. It names staff, never the
// people screened.
type Presence struct {
	Agency string `json:"agency"`
	Name   string `json:"name,omitempty"`
}

// Officer identifies who made or changed a record.
type Officer struct {
	Name   string `json:"name,omitempty"`
	Number string `json:"number,omitempty"` // collar or staff number
	Agency string `json:"agency,omitempty"`
}

// String is how an officer is named in a history: "PC 1234 A. Example".
func (o Officer) String() string {
	return strings.TrimSpace(o.Number + " " + o.Name)
}

// PackRef names the content pack, by id and version, that a record's
// indicators, answers and assessment refer to.
type PackRef struct {
	ID      string `json:"id,omitempty"`
	Version int    `json:"version,omitempty"`
}

// Assessment is the Red/Amber/Green result as it stood when the record was
// saved: the level, why, and what to do. Rule, indicator and action ids
// refer to the content pack named in Pack.
type Assessment struct {
	Level   string    `json:"level"` // "green", "amber" or "red"
	Reasons []Reason  `json:"reasons,omitempty"`
	Actions []string  `json:"actions,omitempty"`
	Pack    PackRef   `json:"pack"`
	At      time.Time `json:"at"`
}

// Reason is one rule that matched, and the answers that triggered it.
type Reason struct {
	Rule       string    `json:"rule"`
	Level      string    `json:"level"`
	Indicators []string  `json:"indicators,omitempty"`
	Person     uuid.UUID `json:"person,omitzero"`
}

// Tick records that the officer did an action of the checklist, and when.
type Tick struct {
	Action string    `json:"action"`
	At     time.Time `json:"at"`
	By     string    `json:"by,omitempty"`
}

// Crime is the crime-recording clock a police NRM referral starts: the
// national standard expects a crime record within 24 hours.
type Crime struct {
	Due        time.Time `json:"due"`
	Reference  string    `json:"reference,omitempty"`
	RecordedAt time.Time `json:"recorded_at,omitzero"`
}

// CrimeWindow is how long after a police NRM referral the crime must be
// recorded.
const CrimeWindow = 24 * time.Hour

// Record is one encounter: a contact at a place and time. Its exported
// fields with JSON tags form the record document that is synced; the
// document is evidence, so once a record leaves the Draft state it is
// never changed in place: corrections are Amendments appended to it.
type Record struct {
	ID        uuid.UUID `json:"id"`
	Schema    int       `json:"schema"`
	Device    uuid.UUID `json:"device"`
	Officer   Officer   `json:"officer,omitzero"`
	Operation string    `json:"operation,omitempty"`
	// OperationID and PremisesID name the operation (day of action) and
	// the premises of its list the encounter was started from (schema 4).
	// Every record of one premises visit in one operation, the officer's
	// and each partner's own, carries the same pair: that is what links
	// them (docs/protocol.md, "A visit").
	OperationID uuid.UUID `json:"operation_id,omitzero"`
	PremisesID  uuid.UUID `json:"premises_id,omitzero"`
	Premises    Premises  `json:"premises"`
	// Present lists who was there from partner agencies (schema 4).
	Present       []Presence  `json:"present,omitempty"`
	OccurredAt    time.Time   `json:"occurred_at"`
	PeoplePresent int         `json:"people_present"`
	Notes         string      `json:"notes,omitempty"`
	Indicators    []string    `json:"indicators,omitempty"` // premises-level observations
	People        []Person    `json:"people,omitempty"`
	Assessment    *Assessment `json:"assessment,omitempty"`
	Checklist     []Tick      `json:"checklist,omitempty"`
	Crime         *Crime      `json:"crime,omitempty"`
	Content       PackRef     `json:"content,omitzero"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
	FinalisedAt   time.Time   `json:"finalised_at,omitzero"`

	// State is device-local and not part of the document.
	State State `json:"-"`
	// Amendments are the corrections appended since the record was
	// finalised, oldest first, each with its own sync state. The other
	// fields show the record with them applied; Original, the record as
	// finalised. Device-local, filled in by the store.
	Amendments []Amendment `json:"-"`
	Original   *Record     `json:"-"`
}

// New returns an empty draft made on device at time now, with a fresh
// time-ordered (version 7) identifier.
func New(device uuid.UUID, now time.Time) (Record, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return Record{}, fmt.Errorf("new encounter id: %w", err)
	}
	now = now.UTC()
	return Record{
		ID:         id,
		Schema:     Schema,
		Device:     device,
		OccurredAt: now.Truncate(time.Minute),
		CreatedAt:  now,
		UpdatedAt:  now,
		State:      Draft,
	}, nil
}

// Person returns the person with id, and whether there is one.
func (r *Record) Person(id uuid.UUID) (*Person, bool) {
	for i := range r.People {
		if r.People[i].ID == id {
			return &r.People[i], true
		}
	}
	return nil, false
}

// Ticked returns the tick of action, if the officer ticked it.
func (r Record) Ticked(action string) (Tick, bool) {
	for _, t := range r.Checklist {
		if t.Action == action {
			return t, true
		}
	}
	return Tick{}, false
}

// CrimeStatus says where a record's crime-recording clock stands at now.
type CrimeStatus int

const (
	// NoCrimeClock: no police NRM referral, so no clock runs.
	NoCrimeClock CrimeStatus = iota
	// CrimeRecorded: a crime reference has been entered.
	CrimeRecorded
	// CrimeDue: the clock runs and more than CrimeDueSoon is left.
	CrimeDue
	// CrimeDueSoon: less than CrimeSoonWindow is left.
	CrimeDueSoon
	// CrimeOverdue: the deadline has passed with no reference.
	CrimeOverdue
)

// CrimeSoonWindow is how close to the deadline a record counts as nearly due.
const CrimeSoonWindow = 6 * time.Hour

// CrimeStatus reports the crime-recording clock at now.
func (r Record) CrimeStatus(now time.Time) CrimeStatus {
	switch {
	case r.Crime == nil || r.Crime.Due.IsZero():
		return NoCrimeClock
	case r.Crime.Reference != "":
		return CrimeRecorded
	case !now.Before(r.Crime.Due):
		return CrimeOverdue
	case r.Crime.Due.Sub(now) <= CrimeSoonWindow:
		return CrimeDueSoon
	}
	return CrimeDue
}

// Title is a short human label for lists: the premises name, else the
// address, else empty.
func (r Record) Title() string {
	if s := strings.TrimSpace(r.Premises.Name); s != "" {
		return s
	}
	return strings.TrimSpace(r.Premises.Address)
}

// Document returns the record document: the JSON form that is stored in
// the outbox and synced. Its bytes are fixed once written to the outbox.
func (r Record) Document() ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode encounter %s: %w", r.ID, err)
	}
	return b, nil
}

// ParseDocument decodes a record document. Fields it does not know are an
// error: a document of a newer schema says so in its schema number, so an
// unknown field is a malformed or tampered document, which may be trying
// to carry details the model has no place for. The returned record's
// State is Synced, since documents only travel once finalised.
func ParseDocument(b []byte) (Record, error) {
	var r Record
	if err := strictjson.Unmarshal(b, &r); err != nil {
		return Record{}, fmt.Errorf("decode encounter document: %w", err)
	}
	if r.ID == uuid.Nil {
		return Record{}, fmt.Errorf("decode encounter document: no id")
	}
	if r.Schema < 1 || r.Schema > Schema {
		return Record{}, fmt.Errorf("decode encounter document %s: schema %d not understood", r.ID, r.Schema)
	}
	r.State = Synced
	return r, nil
}

// Open reports whether r still asks something of its officer at now, so
// that the device must keep it whatever the retention: a crime to record
// (the crime-recording clock runs with no reference yet, overdue or not),
// or a referral it names that has not been made (an NRM referral with no
// referral time, a Duty to Notify with no notification time: only a draft
// has those, as finalising stamps them). r is the record with its
// amendments applied, since a crime reference arrives by amendment.
//
// The checklist is not looked at: a finalised record's ticks cannot
// change (an amendment has no field for them), so an action left unticked
// at finalising would keep the record for ever.
func (r Record) Open(now time.Time) bool {
	switch r.CrimeStatus(now) {
	case CrimeDue, CrimeDueSoon, CrimeOverdue:
		return true
	}
	for _, p := range r.People {
		switch ref := p.Referral; {
		case ref == nil:
		case ref.NRM != nil && ref.NRM.ReferredAt.IsZero():
			return true
		case ref.DutyToNotify != nil && ref.DutyToNotify.NotifiedAt.IsZero():
			return true
		}
	}
	return false
}

// LastChange is when r last changed as evidence: its finalising or its
// latest amendment.
func (r Record) LastChange() time.Time {
	t := r.FinalisedAt
	for _, a := range r.Amendments {
		if a.At.After(t) {
			t = a.At
		}
	}
	return t
}
