package server

import (
	"crypto/ed25519"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/sync/wire"
)

// Principal is who a request comes from, as its credential says: the
// device whose key signed it and the account that device is enrolled to.
// Nothing in a request body can change it.
type Principal struct {
	Device  uuid.UUID
	Account Account
	// Key is the public key enrolled for Device: record signatures must
	// verify under it.
	Key ed25519.PublicKey
	// Remote is the network address the request came from, for the log.
	Remote string
}

// Scope is what decides who may see a stored record: the account that
// wrote the encounter, and that account's team and agency when it was
// written. An amendment carries the scope of the encounter it amends, so
// that whoever sees a record sees its corrections. It is stored with each
// record and each log entry.
type Scope struct {
	Account string `json:"account"`
	Team    string `json:"team,omitempty"`
	Agency  string `json:"agency"`
	// Operation is the operation the record was made on, if its author
	// was assigned to it when it was pushed (issue 13).
	Operation uuid.UUID `json:"operation,omitzero"`
}

// scopeOf is the scope of an encounter written by a.
func scopeOf(a Account) Scope { return Scope{Account: a.ID, Team: a.Team, Agency: a.Agency} }

// The roles that may use each part of the protocol. Content and me are
// open to any enrolled device of an active account.
var (
	pushRoles = []wire.Role{wire.RoleOfficer, wire.RolePartner, wire.RoleSupervisor}
	pullRoles = []wire.Role{wire.RoleOfficer, wire.RolePartner, wire.RoleSupervisor}
)

// hasAny reports whether a holds one of roles.
func hasAny(a Account, roles []wire.Role) bool {
	for _, r := range roles {
		if a.Has(r) {
			return true
		}
	}
	return false
}

// mayRead reports whether account a may read a record of scope sc. It is
// the one place the rule is written:
//
//   - a supervisor reads every record on the server (the force's);
//   - an officer reads the records of their own team (for handovers),
//     and the records of every operation they are on in one of its
//     teams (as.team);
//   - a partner reads the records of their own agency, and no more: an
//     operation gives a partner its briefing, not the police's records;
//   - anyone who may pull reads what their own account wrote (on another
//     device, say a replaced phone);
//   - an interpreter or an administrator alone reads nothing.
//
// The console (issue 13) applies the same rule.
func mayRead(a Account, as assignment, sc Scope) bool {
	switch {
	case !hasAny(a, pullRoles):
		return false
	case a.Has(wire.RoleSupervisor):
		return true
	case sc.Account == a.ID:
		return true
	case a.Has(wire.RoleOfficer) && a.Team != "" && sc.Team == a.Team:
		return true
	case a.Has(wire.RoleOfficer) && sc.Operation != uuid.Nil && as.team[sc.Operation]:
		return true
	case a.Has(wire.RolePartner) && sc.Agency == a.Agency:
		return true
	}
	return false
}

// mayAmend reports whether account a may append an amendment to a record
// of scope sc: only a record it may read, and only with a role that may
// push.
func mayAmend(a Account, as assignment, sc Scope) bool {
	return hasAny(a, pushRoles) && mayRead(a, as, sc)
}
