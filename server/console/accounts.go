package console

import (
	"encoding/base64"
	"fmt"
	"html/template"
	"net/http"
	"slices"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/internal/enrolqr"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

type accountRow struct {
	server.Account
	Console bool // a password and TOTP are set up
	Devices int
}

type accountsData struct {
	CSRF     string // for the forms on the page
	Accounts []accountRow
	Devices  []server.Device
	Roles    []wire.Role
	Enrolled *enrolView
	Done     string
}

type enrolView struct {
	Account string
	Code    string
	Link    string
	QR      template.URL // data: URL of the QR image, made here (so not sanitised away)
	Expires string
}

// accounts lists accounts and devices for an administrator.
func (c *Console) accounts(w http.ResponseWriter, r *http.Request, req *request) error {
	d, err := c.accountsData(r)
	if err != nil {
		return err
	}
	d.Done, d.CSRF = r.FormValue("done"), req.sess.csrf
	c.render(w, r, http.StatusOK, "accounts", req, "Accounts and devices", d)
	return nil
}

func (c *Console) accountsData(r *http.Request) (accountsData, error) {
	dir := c.srv.Directory()
	as, err := dir.Accounts(r.Context())
	if err != nil {
		return accountsData{}, err
	}
	devs, err := dir.Devices(r.Context())
	if err != nil {
		return accountsData{}, err
	}
	d := accountsData{Devices: devs, Roles: wire.Roles}
	for _, a := range as {
		cr, _ := dir.Credential(r.Context(), a.ID)
		n := 0
		for _, dv := range devs {
			if dv.Account == a.ID && !dv.IsRevoked() {
				n++
			}
		}
		d.Accounts = append(d.Accounts, accountRow{Account: a, Console: cr.Ready(), Devices: n})
	}
	slices.Reverse(d.Devices) // newest first
	return d, nil
}

// enrol makes a one-time enrolment code for an account and shows it with
// its QR image, once.
func (c *Console) enrol(w http.ResponseWriter, r *http.Request, req *request) error {
	ad := c.srv.Admin("console:" + req.me.ID)
	code, err := ad.Enrol(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	pc, err := auth.ParseCode(code.Code)
	if err != nil {
		return err
	}
	link := auth.Link{Server: "https://" + r.Host, Code: pc, Pin: c.srv.Pin()}
	png, err := enrolqr.Encode(link.String())
	if err != nil {
		return err
	}
	d, err := c.accountsData(r)
	if err != nil {
		return err
	}
	d.CSRF = req.sess.csrf
	d.Enrolled = &enrolView{Account: code.Account, Code: code.Code, Link: link.String(),
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), Expires: code.Expires.In(c.loc).Format("15:04")}
	c.render(w, r, http.StatusOK, "accounts", req, "Enrolment code for "+code.Account, d)
	return nil
}

func (c *Console) setDisabled(w http.ResponseWriter, r *http.Request, req *request) error {
	id := r.PathValue("id")
	disable := r.Pattern == "POST /console/accounts/{id}/disable"
	if disable && id == req.me.ID {
		return badRequest("You cannot disable your own account.")
	}
	if _, err := c.srv.Admin("console:"+req.me.ID).SetDisabled(r.Context(), id, disable); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/accounts?done="+map[bool]string{true: "disabled", false: "enabled"}[disable], http.StatusSeeOther)
	return nil
}

func (c *Console) setRoles(w http.ResponseWriter, r *http.Request, req *request) error {
	var roles []wire.Role
	for _, v := range r.PostForm["role"] {
		roles = append(roles, wire.Role(v))
	}
	id := r.PathValue("id")
	if id == req.me.ID && !slices.Contains(roles, wire.RoleAdmin) {
		return badRequest("You cannot take the admin role from your own account.")
	}
	if _, err := c.srv.Admin("console:"+req.me.ID).SetRoles(r.Context(), id, roles); err != nil {
		return badRequest(fmt.Sprintf("The roles were not changed: %v.", err))
	}
	http.Redirect(w, r, "/console/accounts?done=roles", http.StatusSeeOther)
	return nil
}

func (c *Console) revoke(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return server.ErrNotFound
	}
	if _, err := c.srv.Admin("console:"+req.me.ID).Revoke(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/console/accounts?done=revoked", http.StatusSeeOther)
	return nil
}
