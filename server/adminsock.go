package server

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/internal/strictjson"
	"github.com/waymark-app/waymark/operation"
	"github.com/waymark-app/waymark/sync/wire"
)

// The administration socket: while the server runs it holds the store
// (Badger allows one process), so waymark-server's other commands ask it
// over a Unix socket in the data folder (mode 0600, in a folder of mode
// 0700). One connection carries one request and its answer, each a JSON
// value. The server takes who is asking from the socket's peer
// credentials, never from the request, and records "cli:<os user>".

// adminRequest is one administration request.
type adminRequest struct {
	Op      string      `json:"op"`
	Account *Account    `json:"account,omitempty"`
	ID      string      `json:"id,omitempty"`
	Device  uuid.UUID   `json:"device,omitzero"`
	Roles   []wire.Role `json:"roles,omitempty"`
	Anchors []Head      `json:"anchors,omitempty"`
	// Password is a console password being set: never logged.
	Password  string               `json:"password,omitempty"`
	Ref       string               `json:"ref,omitempty"`
	Decision  string               `json:"decision,omitempty"`
	Operation *operation.Operation `json:"operation,omitempty"`
	// Dir is the backup's folder, an absolute path.
	Dir string `json:"dir,omitempty"`
}

// The operations of the socket.
const (
	opUserAdd     = "user.add"
	opUserList    = "user.list"
	opUserDisable = "user.disable"
	opUserEnable  = "user.enable"
	opUserRoles   = "user.roles"
	opEnrol       = "enrol"
	opDeviceList  = "device.list"
	opDeviceRevok = "device.revoke"
	opLog         = "log"
	opVerify      = "verify"
	opHead        = "head"
	opPasswd      = "user.passwd"
	opTOTP        = "user.totp"
	opAsideList   = "aside.list"
	opAsideSolve  = "aside.resolve"
	opOpSave      = "operation.save"
	opBackup      = "backup"
)

// adminDeadline bounds a connection's request and answer; a backup may
// take longer, and has no bound while it is written.
const adminDeadline = time.Minute

// adminResponse is the answer: the one field the operation fills, or
// Error.
type adminResponse struct {
	Account   *Account             `json:"account,omitempty"`
	Accounts  []Account            `json:"accounts,omitempty"`
	Code      *Code                `json:"code,omitempty"`
	Device    *Device              `json:"device,omitempty"`
	Devices   []Device             `json:"devices,omitempty"`
	Log       []LogEntry           `json:"log,omitempty"`
	Report    *Report              `json:"report,omitempty"`
	Head      *Head                `json:"head,omitempty"`
	TOTP      *TOTPSetup           `json:"totp,omitempty"`
	Aside     []AsideEntry         `json:"aside,omitempty"`
	Resolved  *AsideEntry          `json:"resolved,omitempty"`
	Operation *operation.Operation `json:"operation,omitempty"`
	Backup    *BackupReport        `json:"backup,omitempty"`
	Done      bool                 `json:"done,omitempty"`
	Error     *adminError          `json:"error,omitempty"`
}

// adminError carries an error and which of the package's sentinels it
// wraps, so that errors.Is works on the far side.
type adminError struct {
	Kind    string `json:"kind"` // not_found, exists, invalid, enrolment_done or failed
	Message string `json:"message"`
}

var adminKinds = map[string]error{"not_found": ErrNotFound, "exists": ErrExists, "invalid": ErrInvalid, "enrolment_done": ErrEnrolmentDone}

func toAdminError(err error) *adminError {
	for k, e := range adminKinds {
		if errors.Is(err, e) {
			return &adminError{Kind: k, Message: err.Error()}
		}
	}
	return &adminError{Kind: "failed", Message: err.Error()}
}

// remoteError is an error the server answered with.
type remoteError struct {
	msg  string
	kind error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.kind }

// ServeAdmin answers administration requests on ln (the Unix socket in
// the data folder) until ln is closed. Each connection is served by
// Administration calls made as "cli:<user>", user being the connecting
// process's owner; a connection from another owner than this process's
// is refused.
func (s *Server) ServeAdmin(ln net.Listener) error {
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("admin socket: %w", err)
		}
		go s.serveAdminConn(c)
	}
}

func (s *Server) serveAdminConn(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(adminDeadline))
	var resp adminResponse
	user, err := peerUser(c)
	if err != nil {
		resp.Error = toAdminError(fmt.Errorf("admin socket: %w", err))
		json.NewEncoder(c).Encode(resp)
		return
	}
	var req adminRequest
	b, err := readLine(io.LimitReader(c, 1<<20))
	if err == nil {
		err = strictjson.Unmarshal(b, &req)
	}
	if err != nil {
		resp.Error = toAdminError(fmt.Errorf("admin request: %v: %w", err, ErrInvalid))
		json.NewEncoder(c).Encode(resp)
		return
	}
	if req.Op == opBackup {
		c.SetDeadline(time.Time{})
	}
	resp = dispatch(context.Background(), s.Admin("cli:"+user), req)
	c.SetDeadline(time.Now().Add(adminDeadline))
	if resp.Error == nil {
		s.log.Info("admin request", "op", req.Op, "actor", "cli:"+user)
	}
	json.NewEncoder(c).Encode(resp)
}

// dispatch runs req on a.
func dispatch(ctx context.Context, a Administration, req adminRequest) adminResponse {
	var r adminResponse
	var err error
	one := func(acc Account, e error) { r.Account, err = &acc, e }
	switch req.Op {
	case opUserAdd:
		if req.Account == nil {
			err = fmt.Errorf("user.add needs an account: %w", ErrInvalid)
			break
		}
		one(a.AddUser(ctx, *req.Account))
	case opUserList:
		r.Accounts, err = a.Users(ctx)
	case opUserDisable, opUserEnable:
		one(a.SetDisabled(ctx, req.ID, req.Op == opUserDisable))
	case opUserRoles:
		one(a.SetRoles(ctx, req.ID, req.Roles))
	case opEnrol:
		var c Code
		c, err = a.Enrol(ctx, req.ID)
		r.Code = &c
	case opDeviceList:
		r.Devices, err = a.Devices(ctx)
	case opDeviceRevok:
		var d Device
		d, err = a.Revoke(ctx, req.Device)
		r.Device = &d
	case opLog:
		r.Log, err = a.Log(ctx)
	case opVerify:
		var rep Report
		rep, err = a.Verify(ctx, req.Anchors)
		r.Report = &rep
	case opHead:
		var h Head
		h, err = a.Head(ctx)
		r.Head = &h
	case opPasswd:
		err = a.SetPassword(ctx, req.ID, req.Password)
		r.Done = err == nil
	case opTOTP:
		var t TOTPSetup
		t, err = a.SetupTOTP(ctx, req.ID)
		r.TOTP = &t
	case opAsideList:
		r.Aside, err = a.AsideEntries(ctx)
	case opAsideSolve:
		var e AsideEntry
		e, err = a.ResolveAside(ctx, req.Ref, req.Decision)
		r.Resolved = &e
	case opOpSave:
		if req.Operation == nil {
			err = fmt.Errorf("operation.save needs an operation: %w", ErrInvalid)
			break
		}
		var o operation.Operation
		o, err = a.SaveOperation(ctx, *req.Operation)
		r.Operation = &o
	case opBackup:
		var b BackupReport
		b, err = a.Backup(ctx, req.Dir)
		r.Backup = &b
	default:
		err = fmt.Errorf("unknown admin operation %q: %w", req.Op, ErrInvalid)
	}
	if err != nil {
		return adminResponse{Error: toAdminError(err)}
	}
	return r
}

// AdminClient administers a running server over its socket.
type AdminClient struct {
	// Socket is the path of the server's administration socket.
	Socket string
}

func (c *AdminClient) call(ctx context.Context, req adminRequest) (adminResponse, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.Socket)
	if err != nil {
		return adminResponse{}, fmt.Errorf("reach the server's admin socket: %w", err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(adminDeadline))
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return adminResponse{}, fmt.Errorf("send admin request: %w", err)
	}
	if req.Op == opBackup {
		conn.SetDeadline(time.Time{})
	}
	var resp adminResponse
	b, err := readLine(io.LimitReader(conn, 64<<20))
	if err == nil {
		err = strictjson.Unmarshal(b, &resp)
	}
	if err != nil {
		return adminResponse{}, fmt.Errorf("read admin answer: %w", err)
	}
	if resp.Error != nil {
		return resp, &remoteError{msg: resp.Error.Message, kind: adminKinds[resp.Error.Kind]}
	}
	return resp, nil
}

// AddUser creates an account on the running server.
func (c *AdminClient) AddUser(ctx context.Context, a Account) (Account, error) {
	r, err := c.call(ctx, adminRequest{Op: opUserAdd, Account: &a})
	return deref(r.Account), err
}

// Users lists the running server's accounts.
func (c *AdminClient) Users(ctx context.Context) ([]Account, error) {
	r, err := c.call(ctx, adminRequest{Op: opUserList})
	return r.Accounts, err
}

// SetDisabled disables or enables an account on the running server.
func (c *AdminClient) SetDisabled(ctx context.Context, id string, disabled bool) (Account, error) {
	op := opUserEnable
	if disabled {
		op = opUserDisable
	}
	r, err := c.call(ctx, adminRequest{Op: op, ID: id})
	return deref(r.Account), err
}

// SetRoles replaces an account's roles on the running server.
func (c *AdminClient) SetRoles(ctx context.Context, id string, roles []wire.Role) (Account, error) {
	r, err := c.call(ctx, adminRequest{Op: opUserRoles, ID: id, Roles: roles})
	return deref(r.Account), err
}

// Enrol makes an enrolment code on the running server.
func (c *AdminClient) Enrol(ctx context.Context, id string) (Code, error) {
	r, err := c.call(ctx, adminRequest{Op: opEnrol, ID: id})
	return deref(r.Code), err
}

// Devices lists the running server's devices.
func (c *AdminClient) Devices(ctx context.Context) ([]Device, error) {
	r, err := c.call(ctx, adminRequest{Op: opDeviceList})
	return r.Devices, err
}

// Revoke revokes a device on the running server.
func (c *AdminClient) Revoke(ctx context.Context, id uuid.UUID) (Device, error) {
	r, err := c.call(ctx, adminRequest{Op: opDeviceRevok, Device: id})
	return deref(r.Device), err
}

// Log lists the running server's admin log.
func (c *AdminClient) Log(ctx context.Context) ([]LogEntry, error) {
	r, err := c.call(ctx, adminRequest{Op: opLog})
	return r.Log, err
}

// Verify asks the running server to verify its log and records.
func (c *AdminClient) Verify(ctx context.Context, anchors []Head) (Report, error) {
	r, err := c.call(ctx, adminRequest{Op: opVerify, Anchors: anchors})
	return deref(r.Report), err
}

// Head asks the running server for its log's head.
func (c *AdminClient) Head(ctx context.Context) (Head, error) {
	r, err := c.call(ctx, adminRequest{Op: opHead})
	return deref(r.Head), err
}

// SetPassword sets a console password on the running server.
func (c *AdminClient) SetPassword(ctx context.Context, id, password string) error {
	_, err := c.call(ctx, adminRequest{Op: opPasswd, ID: id, Password: password})
	return err
}

// SetupTOTP makes a TOTP secret on the running server.
func (c *AdminClient) SetupTOTP(ctx context.Context, id string) (TOTPSetup, error) {
	r, err := c.call(ctx, adminRequest{Op: opTOTP, ID: id})
	return deref(r.TOTP), err
}

// AsideEntries lists the running server's entries kept aside.
func (c *AdminClient) AsideEntries(ctx context.Context) ([]AsideEntry, error) {
	r, err := c.call(ctx, adminRequest{Op: opAsideList})
	return r.Aside, err
}

// ResolveAside records a decision on the running server.
func (c *AdminClient) ResolveAside(ctx context.Context, ref, decision string) (AsideEntry, error) {
	r, err := c.call(ctx, adminRequest{Op: opAsideSolve, Ref: ref, Decision: decision})
	return deref(r.Resolved), err
}

// SaveOperation saves an operation on the running server.
func (c *AdminClient) SaveOperation(ctx context.Context, o operation.Operation) (operation.Operation, error) {
	r, err := c.call(ctx, adminRequest{Op: opOpSave, Operation: &o})
	return deref(r.Operation), err
}

// readLine reads one JSON value written by json.Encoder: up to its
// newline (or the end).
func readLine(r io.Reader) ([]byte, error) {
	b, err := bufio.NewReader(r).ReadBytes('\n')
	if err == io.EOF && len(b) > 0 {
		err = nil
	}
	return b, err
}

func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}
