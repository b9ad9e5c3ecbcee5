package operation

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/internal/strictjson"
)

// Operation is a day (or days) of action. Its document (Document) is what
// the server stores and sends to the devices of the people assigned.
// Revision counts its changes: a device that holds an older revision shows
// what changed (Changes).
type Operation struct {
	ID         uuid.UUID `json:"id"`
	Revision   int       `json:"revision"`
	Name       string    `json:"name"`
	Start      string    `json:"start"` // YYYY-MM-DD, the first day
	End        string    `json:"end"`   // YYYY-MM-DD, the last day
	Briefing   string    `json:"briefing,omitempty"`
	Rendezvous string    `json:"rendezvous,omitempty"`
	// Teams are the officers, by account id, in their teams.
	Teams []Team `json:"teams,omitempty"`
	// Partners are the agencies present, each with the accounts of its
	// staff who use Waymark (who then receive the briefing).
	Partners     []Partner     `json:"partners,omitempty"`
	Interpreters []Interpreter `json:"interpreters,omitempty"`
	Premises     []Premises    `json:"premises,omitempty"`
	UpdatedAt    time.Time     `json:"updated_at"`
	UpdatedBy    string        `json:"updated_by"` // the account that made this revision
}

// Team is a team of officers on the operation.
type Team struct {
	Name    string   `json:"name"`
	Members []string `json:"members"` // account ids
}

// Partner is an agency present on the operation.
type Partner struct {
	Agency  string   `json:"agency"`            // one of wire.Agencies
	Contact string   `json:"contact,omitempty"` // who to ask for, as the agency gave it
	Members []string `json:"members,omitempty"` // account ids of its staff on Waymark
}

// Interpreter is an interpreter on call, with the languages they cover
// (BCP 47 tags) and how to reach them.
type Interpreter struct {
	Name      string   `json:"name"`
	Languages []string `json:"languages"`
	Phone     string   `json:"phone,omitempty"`
}

// Premises is one place to visit: its name, address and postcode,
// business type, what intelligence says and what officers must know for
// their safety before going in.
type Premises struct {
	ID           uuid.UUID          `json:"id"`
	Name         string             `json:"name"`
	Address      string             `json:"address"`
	Postcode     string             `json:"postcode"`
	Business     encounter.Business `json:"business"`
	Intelligence string             `json:"intelligence,omitempty"`
	Safety       string             `json:"safety,omitempty"`
}

// Place is the premises' place, for visit history.
func (p Premises) Place() encounter.Place { return encounter.NormalisePlace(p.Address, p.Postcode) }

// Encounter is what a record started from these premises carries: its
// name, address, postcode and business.
func (p Premises) Encounter() encounter.Premises {
	return encounter.Premises{Name: p.Name, Address: p.Address, Business: p.Business, Postcode: p.Postcode}
}

// ErrInvalid is wrapped by Validate's errors.
var ErrInvalid = errors.New("operation is not valid")

// Limits of an operation's fields.
const (
	MaxName     = 120
	MaxText     = 8000 // briefing, intelligence, safety notes
	MaxLine     = 300  // rendezvous, address, contact
	MaxPremises = 500
	MaxPeople   = 500 // members of all teams and partners
)

// Validate checks the operation, naming the field at fault and the rule,
// never the value. agencies are the agencies a partner may be.
func (o Operation) Validate(agencies []string) error {
	bad := func(field, rule string) error {
		return fmt.Errorf("operation field %s %s: %w", field, rule, ErrInvalid)
	}
	line := func(s string, max int) bool {
		return utf8.ValidString(s) && utf8.RuneCountInString(s) <= max && !strings.ContainsAny(s, "\n\r\x00")
	}
	text := func(s string) bool {
		return utf8.ValidString(s) && utf8.RuneCountInString(s) <= MaxText && !strings.Contains(s, "\x00")
	}
	start, err1 := time.Parse(time.DateOnly, o.Start)
	end, err2 := time.Parse(time.DateOnly, o.End)
	switch {
	case o.ID == uuid.Nil:
		return bad("id", "is missing")
	case strings.TrimSpace(o.Name) == "" || !line(o.Name, MaxName):
		return bad("name", fmt.Sprintf("must be 1 to %d characters on one line", MaxName))
	case err1 != nil:
		return bad("start", "must be a date YYYY-MM-DD")
	case err2 != nil:
		return bad("end", "must be a date YYYY-MM-DD")
	case end.Before(start):
		return bad("end", "is before start")
	case end.Sub(start) > 31*24*time.Hour:
		return bad("end", "is more than 31 days after start")
	case !text(o.Briefing):
		return bad("briefing", fmt.Sprintf("must be at most %d characters", MaxText))
	case !line(o.Rendezvous, MaxLine):
		return bad("rendezvous", fmt.Sprintf("must be at most %d characters on one line", MaxLine))
	case len(o.Premises) > MaxPremises:
		return bad("premises", fmt.Sprintf("has more than %d entries", MaxPremises))
	}
	people := 0
	for i, t := range o.Teams {
		if strings.TrimSpace(t.Name) == "" || !line(t.Name, MaxName) {
			return bad(fmt.Sprintf("teams[%d].name", i), "must be 1 to 120 characters on one line")
		}
		people += len(t.Members)
	}
	for i, p := range o.Partners {
		if !slices.Contains(agencies, p.Agency) {
			return bad(fmt.Sprintf("partners[%d].agency", i), "is not a known agency")
		}
		if !line(p.Contact, MaxLine) {
			return bad(fmt.Sprintf("partners[%d].contact", i), "must be at most 300 characters on one line")
		}
		people += len(p.Members)
	}
	if people > MaxPeople {
		return bad("teams", fmt.Sprintf("and partners have more than %d members", MaxPeople))
	}
	for i, in := range o.Interpreters {
		if strings.TrimSpace(in.Name) == "" || !line(in.Name, MaxName) || !line(in.Phone, 40) {
			return bad(fmt.Sprintf("interpreters[%d]", i), "needs a name (and a phone number of at most 40 characters)")
		}
		if len(in.Languages) == 0 {
			return bad(fmt.Sprintf("interpreters[%d].languages", i), "names no language")
		}
	}
	ids := map[uuid.UUID]bool{}
	for i, p := range o.Premises {
		f := func(name string) string { return fmt.Sprintf("premises[%d].%s", i, name) }
		switch {
		case p.ID == uuid.Nil || ids[p.ID]:
			return bad(f("id"), "is missing or repeated")
		case strings.TrimSpace(p.Name) == "" || !line(p.Name, MaxName):
			return bad(f("name"), "must be 1 to 120 characters on one line")
		case strings.TrimSpace(p.Address) == "" || !line(p.Address, MaxLine):
			return bad(f("address"), "must be 1 to 300 characters on one line")
		case encounter.NormalisePostcode(p.Postcode) == "":
			return bad(f("postcode"), "is not a UK postcode")
		case !p.Business.Valid():
			return bad(f("business"), "is not a business type")
		case !text(p.Intelligence):
			return bad(f("intelligence"), "is too long")
		case !text(p.Safety):
			return bad(f("safety"), "is too long")
		}
		ids[p.ID] = true
	}
	return nil
}

// Members lists every account assigned: team members and partners' staff,
// each once.
func (o Operation) Members() []string {
	var out []string
	for _, t := range o.Teams {
		out = append(out, t.Members...)
	}
	for _, p := range o.Partners {
		out = append(out, p.Members...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Assigned reports whether account id is on the operation: in a team or
// among a partner's staff.
func (o Operation) Assigned(id string) bool { return slices.Contains(o.Members(), id) }

// InTeam reports whether account id is in one of the operation's teams
// (an officer of it, not a partner).
func (o Operation) InTeam(id string) bool {
	for _, t := range o.Teams {
		if slices.Contains(t.Members, id) {
			return true
		}
	}
	return false
}

// Premise returns the premises with id.
func (o Operation) Premise(id uuid.UUID) (Premises, bool) {
	for _, p := range o.Premises {
		if p.ID == id {
			return p, true
		}
	}
	return Premises{}, false
}

// On reports whether day (YYYY-MM-DD) is one of the operation's days.
func (o Operation) On(day string) bool { return day >= o.Start && day <= o.End }

// Document is the operation's JSON form, as stored and sent.
func (o Operation) Document() ([]byte, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encode operation %s: %w", o.ID, err)
	}
	return b, nil
}

// Parse decodes an operation document strictly (unknown fields, duplicate
// keys and invalid UTF-8 refused).
func Parse(b []byte) (Operation, error) {
	var o Operation
	if err := strictjson.Unmarshal(b, &o); err != nil {
		return Operation{}, fmt.Errorf("decode operation: %w", err)
	}
	return o, nil
}

// Visit is an earlier encounter at one of the operation's premises, as
// the server found it within the reader's scope (matched by
// encounter.SamePlace), shown before going in.
type Visit struct {
	Operation  uuid.UUID // the operation whose premises it matched
	Premises   uuid.UUID // that premises' id
	Record     uuid.UUID
	OccurredAt time.Time
	Level      string // green, amber, red; "" if not assessed
	Officer    string // number and name
	Agency     string
	People     int
	Children   int
	Referrals  int    // NRM and Duty to Notify
	Name       string // the operation it was made on, if any
}

// Held is what a device holds of the operations its account is on: each
// operation's latest revision, the revision the officer last looked at
// (missing if never), and the visit history of their premises.
type Held struct {
	Version    uint64
	Operations []Operation
	Seen       map[uuid.UUID]Operation
	History    []Visit
}
