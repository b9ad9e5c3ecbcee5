package server

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/sync/wire"
)

// Directory keeps who may use the server: accounts, the devices enrolled
// to them, one-time enrolment codes, the nonces of recent requests, and
// the log of every change an administrator made. The server implements
// it once, on its storage (dirstore.go), for every backend.
//
// The contract: every method is safe for concurrent use, by this process
// and, on a shared store, by other replicas. A method that changes
// something stores the change and its log entry atomically: both or
// neither. What does not exist is ErrNotFound. A change that would break
// a rule the directory keeps (a duplicate id, an enrolment code already
// used) stores nothing and returns the rule's error.
type Directory interface {
	// AddAccount stores a new account. ErrExists if the id, or the pair
	// of agency and number, is taken.
	AddAccount(ctx context.Context, a Account, e LogEntry) error
	// UpdateAccount reads account id, lets change alter it and say what
	// it did, and stores both; an error from change stores nothing.
	UpdateAccount(ctx context.Context, id string, change func(*Account) (LogEntry, error)) (Account, error)
	// Account returns account id.
	Account(ctx context.Context, id string) (Account, error)
	// Accounts lists every account, by id.
	Accounts(ctx context.Context) ([]Account, error)

	// AddEnrolment stores a new enrolment code, and ends any code of the
	// same account not yet used. ErrExists if a live code has its id.
	AddEnrolment(ctx context.Context, en Enrolment, e LogEntry) error
	// Enrolment returns the code with lookup id.
	Enrolment(ctx context.Context, id string) (Enrolment, error)
	// FailEnrolment counts a wrong proof against code id; at
	// MaxEnrolFailures the code is burnt (and that is logged).
	FailEnrolment(ctx context.Context, id string, now time.Time) (Enrolment, error)
	// CompleteEnrolment uses code id up and stores device d, bound to the
	// code's account. ErrEnrolmentDone if the code is used, burnt or
	// expired at now; ErrExists if the device id is taken.
	CompleteEnrolment(ctx context.Context, id string, d Device, now time.Time, e LogEntry) error

	// Device returns device id.
	Device(ctx context.Context, id uuid.UUID) (Device, error)
	// Devices lists every device, oldest enrolment first.
	Devices(ctx context.Context) ([]Device, error)
	// RevokeDevice marks device id revoked at the entry's time.
	RevokeDevice(ctx context.Context, id uuid.UUID, e LogEntry) (Device, error)

	// RememberNonce records that device used nonce in a request whose
	// time is ts, and reports whether it was the first time. A nonce must
	// be remembered at least until ts plus auth.Window; a store that
	// forgets earlier (the embedded one, on restart) relies on the server
	// refusing requests signed before it started.
	RememberNonce(ctx context.Context, device uuid.UUID, nonce [16]byte, ts time.Time) (fresh bool, err error)

	// Log lists the admin log, oldest first.
	Log(ctx context.Context) ([]LogEntry, error)

	// Credential returns account id's console sign-in credential; the
	// zero Credential if none was set up (ErrNotFound only if the account
	// does not exist).
	Credential(ctx context.Context, id string) (Credential, error)
	// UpdateCredential reads account id's credential, lets change alter
	// it and say what it did, and stores both atomically; an error from
	// change stores nothing. The log entry holds no secret.
	UpdateCredential(ctx context.Context, id string, change func(*Credential) (LogEntry, error)) (Credential, error)
}

// Errors of the directory and of administration, tested with errors.Is.
var (
	ErrNotFound      = errors.New("not found")
	ErrExists        = errors.New("already exists")
	ErrEnrolmentDone = errors.New("enrolment code is used, burnt or expired")
	ErrInvalid       = errors.New("invalid")
)

// MaxEnrolFailures is how many wrong proofs burn an enrolment code.
const MaxEnrolFailures = 5

// EnrolTTL is how long an enrolment code lives.
const EnrolTTL = 15 * time.Minute

// Account is a person allowed to use the server.
type Account struct {
	ID       string      `json:"id"`
	Name     string      `json:"name"`
	Number   string      `json:"number"`
	Agency   string      `json:"agency"`
	Team     string      `json:"team,omitempty"`
	Roles    []wire.Role `json:"roles"`
	Disabled bool        `json:"disabled,omitempty"`
	Created  time.Time   `json:"created"`
}

// Has reports whether the account holds role r.
func (a Account) Has(r wire.Role) bool { return slices.Contains(a.Roles, r) }

// Wire is the account as devices see it.
func (a Account) Wire() wire.Account {
	return wire.Account{ID: a.ID, Name: a.Name, Number: a.Number, Agency: a.Agency, Team: a.Team, Roles: slices.Clone(a.Roles)}
}

// Device is a device enrolled to an account, with its public key.
type Device struct {
	ID        uuid.UUID `json:"id"`
	Account   string    `json:"account"`
	PublicKey []byte    `json:"public_key"`
	Enrolled  time.Time `json:"enrolled"`
	Revoked   time.Time `json:"revoked,omitzero"`
}

// IsRevoked reports whether the device has been revoked.
func (d Device) IsRevoked() bool { return !d.Revoked.IsZero() }

// Enrolment is a one-time enrolment code as the server keeps it: its
// public lookup id and the key derived from its secret
// (auth.EnrolKey), never the secret itself.
type Enrolment struct {
	ID       string    `json:"id"`
	Account  string    `json:"account"`
	Key      []byte    `json:"key"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	Failures int       `json:"failures,omitempty"`
	Used     time.Time `json:"used,omitzero"`
	Device   uuid.UUID `json:"device,omitzero"` // the device it enrolled
	Ended    bool      `json:"ended,omitempty"` // replaced by a newer code
}

// Live reports whether the code can still enrol a device at now.
func (en Enrolment) Live(now time.Time) bool {
	return en.Used.IsZero() && !en.Ended && en.Failures < MaxEnrolFailures && now.Before(en.Expires)
}

// LogEntry is one change to accounts or devices: who made it, when, and
// what changed. Detail names fields and their new values only for the
// account's own identifying fields and roles; never free text.
type LogEntry struct {
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`  // "cli:<os user>", "device:<id>" or "server"
	Action  string    `json:"action"` // see the Action constants
	Account string    `json:"account,omitempty"`
	Device  uuid.UUID `json:"device,omitzero"`
	Detail  string    `json:"detail,omitempty"`
}

// Actions recorded in the admin log.
const (
	ActionAccountAdd     = "account.add"
	ActionAccountDisable = "account.disable"
	ActionAccountEnable  = "account.enable"
	ActionAccountRoles   = "account.roles"
	ActionEnrolCode      = "enrol.code"
	ActionEnrolDevice    = "enrol.device"
	ActionEnrolBurnt     = "enrol.burnt"
	ActionDeviceRevoke   = "device.revoke"
	// Console sign-in (issue 13): a password or TOTP set up, a sign-in.
	ActionAccountPassword = "account.password"
	ActionAccountTOTP     = "account.totp"
	ActionConsoleSignIn   = "console.signin"
	// Operations and entries kept aside (issue 13).
	ActionAsideResolve = "aside.resolve"
	// A backup of the embedded store taken: its folder and the head at
	// its snapshot.
	ActionStoreBackup = "store.backup"
)
