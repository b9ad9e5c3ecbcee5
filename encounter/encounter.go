package encounter

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Schema is the version of the record document written by this package.
// ParseDocument accepts documents of this schema and older ones.
const Schema = 1

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
}

// Record is one encounter: a contact at a place and time. Its exported
// fields with JSON tags form the record document that is synced; the
// document is evidence, so once a record leaves the Draft state it is
// never changed in place.
type Record struct {
	ID            uuid.UUID `json:"id"`
	Schema        int       `json:"schema"`
	Device        uuid.UUID `json:"device"`
	Premises      Premises  `json:"premises"`
	OccurredAt    time.Time `json:"occurred_at"`
	PeoplePresent int       `json:"people_present"`
	Notes         string    `json:"notes,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	FinalisedAt   time.Time `json:"finalised_at,omitzero"`

	// State is device-local and not part of the document.
	State State `json:"-"`
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

// Title is a short human label for lists: the premises name, else the
// address, else empty.
func (r Record) Title() string {
	if s := strings.TrimSpace(r.Premises.Name); s != "" {
		return s
	}
	return strings.TrimSpace(r.Premises.Address)
}

// Problem is one reason a record cannot be finalised. Field and Code are
// stable identifiers; the interface turns them into words.
type Problem struct {
	Field string // "premises", "business", "people_present", "occurred_at"
	Code  string // "missing", "invalid", "future"
}

// The problems Validate reports.
var (
	PremisesMissing    = Problem{Field: "premises", Code: "missing"}
	BusinessMissing    = Problem{Field: "business", Code: "missing"}
	BusinessInvalid    = Problem{Field: "business", Code: "invalid"}
	PeopleInvalid      = Problem{Field: "people_present", Code: "invalid"}
	OccurredAtMissing  = Problem{Field: "occurred_at", Code: "missing"}
	OccurredAtInFuture = Problem{Field: "occurred_at", Code: "future"}
)

// AllProblems lists every problem Validate can report, so that each can
// be given words.
var AllProblems = []Problem{
	PremisesMissing, BusinessMissing, BusinessInvalid,
	PeopleInvalid, OccurredAtMissing, OccurredAtInFuture,
}

// ErrInvalid is wrapped by the error Validate returns.
var ErrInvalid = errors.New("encounter is incomplete")

// ValidationError lists the problems that stop a record being finalised.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = p.Field + " " + p.Code
	}
	return ErrInvalid.Error() + ": " + strings.Join(parts, ", ")
}

// Unwrap lets errors.Is(err, ErrInvalid) match.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// maxClockSkew is how far in the future an encounter time may be before it
// is refused: device clocks drift, typing a time a little ahead is common.
const maxClockSkew = 15 * time.Minute

// Validate reports what stops r being finalised at time now, as a
// *ValidationError, or nil.
func (r Record) Validate(now time.Time) error {
	var ps []Problem
	if r.Title() == "" {
		ps = append(ps, PremisesMissing)
	}
	switch {
	case r.Premises.Business == "":
		ps = append(ps, BusinessMissing)
	case !r.Premises.Business.Valid():
		ps = append(ps, BusinessInvalid)
	}
	if r.PeoplePresent < 0 {
		ps = append(ps, PeopleInvalid)
	}
	switch {
	case r.OccurredAt.IsZero():
		ps = append(ps, OccurredAtMissing)
	case r.OccurredAt.After(now.Add(maxClockSkew)):
		ps = append(ps, OccurredAtInFuture)
	}
	if len(ps) > 0 {
		return &ValidationError{Problems: ps}
	}
	return nil
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

// ParseDocument decodes a record document. The returned record's State is
// Synced, since documents only travel once finalised.
func ParseDocument(b []byte) (Record, error) {
	var r Record
	if err := json.Unmarshal(b, &r); err != nil {
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
