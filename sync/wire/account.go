package wire

import (
	"crypto/ed25519"
	"slices"

	"github.com/google/uuid"
)

// Role is what an account may do. The list is append-only.
type Role string

// The roles an account may hold, any number of them.
const (
	// RoleOfficer pushes their own records and pulls their team's.
	RoleOfficer Role = "officer"
	// RolePartner pushes their own records and pulls their agency's.
	RolePartner Role = "partner"
	// RoleInterpreter receives content (screening questions) only.
	RoleInterpreter Role = "interpreter"
	// RoleSupervisor pushes, and pulls every record on the server.
	RoleSupervisor Role = "supervisor"
	// RoleAdmin manages accounts and devices, and reads no record unless
	// also a supervisor.
	RoleAdmin Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RoleOfficer, RolePartner, RoleInterpreter, RoleSupervisor, RoleAdmin}

// Known reports whether r is one of Roles.
func (r Role) Known() bool { return slices.Contains(Roles, r) }

// Agencies lists the agencies an account may belong to, as stored in
// accounts and in records (encounter.Officer.Agency). Append-only.
var Agencies = []string{"police", "immigration", "glaa", "hmrc", "local_authority", "fire", "ngo", "nca", "home_office", "other"}

// Account is a person as the server knows them: who they are, their
// agency and team, and their roles. Records and amendments made on their
// devices carry their name, number and agency.
type Account struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Number string `json:"number"` // staff or collar number
	Agency string `json:"agency"`
	Team   string `json:"team,omitempty"`
	Roles  []Role `json:"roles"`
}

// Has reports whether the account holds role r.
func (a Account) Has(r Role) bool { return slices.Contains(a.Roles, r) }

// EnrolRequest (POST PathEnrol, unsigned) binds a new device and its
// public key to the account an enrolment code was made for. Code is the
// code's public lookup id only: the secret never travels. Proof is
// auth.DeviceProof over the server key the device saw.
type EnrolRequest struct {
	Code      string    `json:"code"`
	Device    uuid.UUID `json:"device"`
	PublicKey []byte    `json:"public_key"`
	Proof     []byte    `json:"proof"`
}

// Validate checks the request's form.
func (r *EnrolRequest) Validate() error {
	switch {
	case len(r.Code) != 4:
		return Errorf(CodeBadRequest, "code is not a 4-character lookup id")
	case r.Device == uuid.Nil:
		return Errorf(CodeBadRequest, "enrolment has no device id")
	case len(r.PublicKey) != ed25519.PublicKeySize:
		return Errorf(CodeBadRequest, "public key is not %d bytes", ed25519.PublicKeySize)
	case len(r.Proof) != 32:
		return Errorf(CodeBadRequest, "proof is not 32 bytes")
	}
	return nil
}

// EnrolResponse answers a successful enrolment with the account the
// device now belongs to and the server's proof (auth.ServerProof) that it
// holds the same code, which the device checks before pinning the key.
type EnrolResponse struct {
	Account     Account   `json:"account"`
	Device      uuid.UUID `json:"device"`
	ServerProof []byte    `json:"server_proof"`
}

// Policy is what the server tells devices to enforce.
type Policy struct {
	// RetentionDays is how long a device keeps a synced record.
	RetentionDays int `json:"retention_days"`
	// OfflineLockDays is how long a device may go without reaching the
	// server before it locks.
	OfflineLockDays int `json:"offline_lock_days"`
}

// Me answers GET PathMe: the signing device, its account, the policy,
// and the version of the content pack the server publishes (0: none), for
// devices whose account may not pull.
type Me struct {
	Account        Account   `json:"account"`
	Device         uuid.UUID `json:"device"`
	Policy         Policy    `json:"policy"`
	ContentVersion int       `json:"content_version"`
}
