package server

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/operation"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

// Administration is what an administrator can do to accounts and devices.
// *Admin does it on a directory in this process; *AdminClient asks a
// running server to, over its administration socket. Both check the same
// rules and record the same log.
type Administration interface {
	// AddUser creates an account. Its fields are checked first; nothing
	// is stored if one is wrong (ErrInvalid) or the id or the agency and
	// number are taken (ErrExists).
	AddUser(ctx context.Context, a Account) (Account, error)
	// Users lists every account.
	Users(ctx context.Context) ([]Account, error)
	// SetDisabled disables or enables account id.
	SetDisabled(ctx context.Context, id string, disabled bool) (Account, error)
	// SetRoles replaces account id's roles.
	SetRoles(ctx context.Context, id string, roles []wire.Role) (Account, error)
	// Enrol makes a one-time enrolment code for account id, which must be
	// active, ending any code of the account not yet used.
	Enrol(ctx context.Context, id string) (Code, error)
	// Devices lists every device.
	Devices(ctx context.Context) ([]Device, error)
	// Revoke revokes device id: its next request is refused.
	Revoke(ctx context.Context, id uuid.UUID) (Device, error)
	// Log lists the admin log.
	Log(ctx context.Context) ([]LogEntry, error)
	// Verify checks the hash-chained log, every record and its
	// signature (Server.Verify), through each of anchors if given.
	Verify(ctx context.Context, anchors []Head) (Report, error)
	// Head is the log's last link, to anchor outside the server.
	Head(ctx context.Context) (Head, error)
	// SetPassword sets account id's console password (at least
	// MinPassword characters).
	SetPassword(ctx context.Context, id, password string) error
	// SetupTOTP makes account id a new TOTP secret for the console.
	SetupTOTP(ctx context.Context, id string) (TOTPSetup, error)
	// AsideEntries lists the entries kept aside, unresolved first.
	AsideEntries(ctx context.Context) ([]AsideEntry, error)
	// ResolveAside records a decision (Decisions) on an entry kept aside.
	ResolveAside(ctx context.Context, ref, decision string) (AsideEntry, error)
	// SaveOperation saves an operation (a new one has Revision 0).
	SaveOperation(ctx context.Context, o operation.Operation) (operation.Operation, error)
	// Backup copies the embedded store, while the server serves, into a
	// new encrypted Badger store in dir, an absolute path that must not
	// exist or be empty (Server.Backup). It refuses on PostgreSQL.
	Backup(ctx context.Context, dir string) (BackupReport, error)
}

// Code is an enrolment code as made: the code itself, shown once to the
// administrator and never stored, its account and when it expires.
type Code struct {
	Code    string    `json:"code"` // XXXX-XXXX-XXXX
	Account string    `json:"account"`
	Expires time.Time `json:"expires"`
}

// Admin administers a directory in this process.
type Admin struct {
	dir   Directory
	now   func() time.Time
	actor string
	srv   *Server // for Verify and Head; nil for a bare directory
}

// NewAdmin returns the administration of dir, recording actor ("cli:<os
// user>") as who made each change.
func NewAdmin(dir Directory, actor string, now func() time.Time) *Admin {
	if now == nil {
		now = time.Now
	}
	return &Admin{dir: dir, now: now, actor: actor}
}

var (
	accountID = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	teamName  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9 ._-]{0,59}$`)
)

// check validates the fields of a new account, naming the field at fault.
func check(a Account) error {
	bad := func(field, rule string) error { return fmt.Errorf("account field %s %s: %w", field, rule, ErrInvalid) }
	text := func(s string, max int) bool {
		return s == strings.TrimSpace(s) && s != "" && utf8.ValidString(s) && utf8.RuneCountInString(s) <= max &&
			!strings.ContainsFunc(s, func(r rune) bool { return r < ' ' || r == 0x7f })
	}
	switch {
	case !accountID.MatchString(a.ID):
		return bad("id", "must be 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a letter or digit")
	case !text(a.Name, 100):
		return bad("name", "must be 1 to 100 printable characters")
	case !text(a.Number, 40):
		return bad("number", "must be 1 to 40 printable characters")
	case !slices.Contains(wire.Agencies, a.Agency):
		return bad("agency", "must be one of "+strings.Join(wire.Agencies, ", "))
	case a.Team != "" && !teamName.MatchString(a.Team):
		return bad("team", "must be 1 to 60 of letters, digits, space, '.', '_' and '-'")
	}
	return checkRoles(a.Roles)
}

func checkRoles(roles []wire.Role) error {
	if len(roles) == 0 {
		return fmt.Errorf("account field roles must name at least one role: %w", ErrInvalid)
	}
	for i, r := range roles {
		if !r.Known() {
			return fmt.Errorf("account field roles: a role is not one of %s: %w", roleList(), ErrInvalid)
		}
		if slices.Contains(roles[:i], r) {
			return fmt.Errorf("account field roles names a role twice: %w", ErrInvalid)
		}
	}
	return nil
}

func roleList() string {
	s := make([]string, len(wire.Roles))
	for i, r := range wire.Roles {
		s[i] = string(r)
	}
	return strings.Join(s, ", ")
}

func rolesText(roles []wire.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, ",")
}

func (ad *Admin) entry(action, account string) LogEntry {
	return LogEntry{At: ad.now().UTC(), Actor: ad.actor, Action: action, Account: account}
}

// AddUser creates an account.
func (ad *Admin) AddUser(ctx context.Context, a Account) (Account, error) {
	a.Disabled = false
	a.Created = ad.now().UTC()
	if err := check(a); err != nil {
		return Account{}, err
	}
	e := ad.entry(ActionAccountAdd, a.ID)
	// The account's own identifying fields: what an auditor needs.
	e.Detail = fmt.Sprintf("name=%q number=%q agency=%s team=%q roles=%s", a.Name, a.Number, a.Agency, a.Team, rolesText(a.Roles))
	if err := ad.dir.AddAccount(ctx, a, e); err != nil {
		return Account{}, fmt.Errorf("add account %s: %w", a.ID, err)
	}
	return a, nil
}

// Users lists every account.
func (ad *Admin) Users(ctx context.Context) ([]Account, error) { return ad.dir.Accounts(ctx) }

// SetDisabled disables or enables an account.
func (ad *Admin) SetDisabled(ctx context.Context, id string, disabled bool) (Account, error) {
	action := ActionAccountEnable
	if disabled {
		action = ActionAccountDisable
	}
	a, err := ad.dir.UpdateAccount(ctx, id, func(a *Account) (LogEntry, error) {
		a.Disabled = disabled
		return ad.entry(action, id), nil
	})
	if err != nil {
		return Account{}, fmt.Errorf("%s %s: %w", action, id, err)
	}
	return a, nil
}

// SetRoles replaces an account's roles.
func (ad *Admin) SetRoles(ctx context.Context, id string, roles []wire.Role) (Account, error) {
	if err := checkRoles(roles); err != nil {
		return Account{}, err
	}
	a, err := ad.dir.UpdateAccount(ctx, id, func(a *Account) (LogEntry, error) {
		e := ad.entry(ActionAccountRoles, id)
		e.Detail = "roles " + rolesText(a.Roles) + " -> " + rolesText(roles)
		a.Roles = slices.Clone(roles)
		return e, nil
	})
	if err != nil {
		return Account{}, fmt.Errorf("set roles of %s: %w", id, err)
	}
	return a, nil
}

// Enrol makes a one-time enrolment code for an active account.
func (ad *Admin) Enrol(ctx context.Context, id string) (Code, error) {
	a, err := ad.dir.Account(ctx, id)
	if err != nil {
		return Code{}, fmt.Errorf("enrol %s: %w", id, err)
	}
	if a.Disabled {
		return Code{}, fmt.Errorf("enrol %s: the account is disabled: %w", id, ErrInvalid)
	}
	for range 5 { // a live code may hold the id: draw again
		c, err := auth.NewCode()
		if err != nil {
			return Code{}, err
		}
		now := ad.now().UTC()
		en := Enrolment{ID: c.ID, Account: id, Key: auth.EnrolKey(c), Created: now, Expires: now.Add(EnrolTTL)}
		e := ad.entry(ActionEnrolCode, id)
		e.Detail = "code " + c.ID + " made, expires " + en.Expires.Format(time.RFC3339)
		err = ad.dir.AddEnrolment(ctx, en, e)
		if errors.Is(err, ErrExists) {
			continue
		}
		if err != nil {
			return Code{}, fmt.Errorf("enrol %s: %w", id, err)
		}
		return Code{Code: c.String(), Account: id, Expires: en.Expires}, nil
	}
	return Code{}, fmt.Errorf("enrol %s: no free code id after 5 draws", id)
}

// Devices lists every device.
func (ad *Admin) Devices(ctx context.Context) ([]Device, error) { return ad.dir.Devices(ctx) }

// Revoke revokes a device.
func (ad *Admin) Revoke(ctx context.Context, id uuid.UUID) (Device, error) {
	e := ad.entry(ActionDeviceRevoke, "")
	e.Device = id
	d, err := ad.dir.Device(ctx, id)
	if err != nil {
		return Device{}, fmt.Errorf("revoke device %s: %w", id, err)
	}
	e.Account = d.Account
	d, err = ad.dir.RevokeDevice(ctx, id, e)
	if err != nil {
		return Device{}, fmt.Errorf("revoke device %s: %w", id, err)
	}
	return d, nil
}

// Log lists the admin log.
func (ad *Admin) Log(ctx context.Context) ([]LogEntry, error) { return ad.dir.Log(ctx) }

// errNoStore is Verify's and Head's answer on a bare directory.
var errNoStore = fmt.Errorf("this administration has no record store: %w", ErrInvalid)

// Verify checks the log and the records (Server.Verify).
func (ad *Admin) Verify(ctx context.Context, anchors []Head) (Report, error) {
	if ad.srv == nil {
		return Report{}, errNoStore
	}
	return ad.srv.Verify(ctx, anchors...)
}

// AsideEntries lists the entries kept aside.
func (ad *Admin) AsideEntries(ctx context.Context) ([]AsideEntry, error) {
	if ad.srv == nil {
		return nil, errNoStore
	}
	return ad.srv.AsideEntries(ctx)
}

// ResolveAside records a decision on an entry kept aside, as the admin's actor.
func (ad *Admin) ResolveAside(ctx context.Context, ref, decision string) (AsideEntry, error) {
	if ad.srv == nil {
		return AsideEntry{}, errNoStore
	}
	return ad.srv.ResolveAside(ctx, ref, decision, ad.actor)
}

// SaveOperation saves an operation, as the admin's actor.
func (ad *Admin) SaveOperation(ctx context.Context, o operation.Operation) (operation.Operation, error) {
	if ad.srv == nil {
		return operation.Operation{}, errNoStore
	}
	return ad.srv.ops.SaveOperation(ctx, o, ad.actor)
}

// Head is the log's last link.
func (ad *Admin) Head(ctx context.Context) (Head, error) {
	if ad.srv == nil {
		return Head{}, errNoStore
	}
	return ad.srv.chain.Head(ctx)
}
