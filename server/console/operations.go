package console

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/operation"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/sync/wire"
)

type operationsData struct {
	Operations []operation.Operation
	Today      string
}

func (c *Console) operations(w http.ResponseWriter, r *http.Request, req *request) error {
	ops, err := c.visible(r, req)
	if err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "operations", req, "Operations", operationsData{Operations: ops, Today: c.srv.Now().In(c.loc).Format("2006-01-02")})
	return nil
}

type opPremisesView struct {
	operation.Premises
	Visits []server.Summary // earlier and today's encounters at this place that the reader may see
}

type operationData struct {
	Op       operation.Operation
	Premises []opPremisesView
	Saved    bool
	CanEdit  bool
}

// operationView is an operation's briefing, teams, partners,
// interpreters and premises, each with its visit history within the
// reader's scope (a logged read).
func (c *Console) operationView(w http.ResponseWriter, r *http.Request, req *request) error {
	o, err := c.visibleOperation(r, req)
	if err != nil {
		return err
	}
	d := operationData{Op: o, Saved: r.FormValue("saved") != "", CanEdit: req.me.Has(wire.RoleSupervisor)}
	var read []uuid.UUID
	for _, p := range o.Premises {
		vs := c.srv.AtPlace(p.Place(), req.may, 10)
		for _, v := range vs {
			read = append(read, v.ID)
		}
		d.Premises = append(d.Premises, opPremisesView{Premises: p, Visits: vs})
	}
	if err := c.srv.LogRead(r.Context(), "console:"+req.me.ID, req.me.ID, remote(r), read, "console: visit history"); err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "operation", req, o.Name, d)
	return nil
}

func (c *Console) visibleOperation(r *http.Request, req *request) (operation.Operation, error) {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return operation.Operation{}, server.ErrNotFound
	}
	o, err := c.srv.Operations().Operation(r.Context(), id)
	if err != nil {
		return operation.Operation{}, err
	}
	if !req.me.Has(wire.RoleSupervisor) && !o.Assigned(req.me.ID) {
		return operation.Operation{}, server.ErrNotFound
	}
	return o, nil
}

// opForm is the operation form's fields: text, one line per team,
// partner, interpreter and premises (docs in the form itself).
type opForm struct {
	ID, Revision                            string
	Name, Start, End, Briefing, Rendezvous  string
	Teams, Partners, Interpreters, Premises string
	Problem                                 string
}

func formOf(o operation.Operation) opForm {
	f := opForm{ID: o.ID.String(), Revision: fmt.Sprint(o.Revision), Name: o.Name, Start: o.Start, End: o.End,
		Briefing: o.Briefing, Rendezvous: o.Rendezvous}
	var b strings.Builder
	for _, t := range o.Teams {
		fmt.Fprintf(&b, "%s: %s\n", t.Name, strings.Join(t.Members, ", "))
	}
	f.Teams, b = b.String(), strings.Builder{}
	for _, p := range o.Partners {
		fmt.Fprintf(&b, "%s | %s | %s\n", p.Agency, p.Contact, strings.Join(p.Members, ", "))
	}
	f.Partners, b = b.String(), strings.Builder{}
	for _, in := range o.Interpreters {
		fmt.Fprintf(&b, "%s | %s | %s\n", in.Name, strings.Join(in.Languages, ", "), in.Phone)
	}
	f.Interpreters, b = b.String(), strings.Builder{}
	for _, p := range o.Premises {
		fmt.Fprintf(&b, "%s | %s | %s | %s | %s | %s\n", p.Name, p.Address, p.Postcode, p.Business, p.Intelligence, p.Safety)
	}
	f.Premises = b.String()
	return f
}

type opFormData struct {
	CSRF       string // for the forms on the page
	F          opForm
	New        bool
	Agencies   []option
	Businesses []option
}

func (c *Console) operationForm(w http.ResponseWriter, r *http.Request, req *request) error {
	d := opFormData{New: true, Agencies: agencyOptions(), CSRF: req.sess.csrf}
	for _, b := range encounter.Businesses {
		d.Businesses = append(d.Businesses, option{string(b), businessNames[b]})
	}
	if r.PathValue("id") != "" {
		o, err := c.visibleOperation(r, req)
		if err != nil {
			return err
		}
		d.F, d.New = formOf(o), false
	}
	title := "New operation"
	if !d.New {
		title = "Change " + d.F.Name
	}
	c.render(w, r, http.StatusOK, "operation_form", req, title, d)
	return nil
}

// cells splits a line at '|' into n trimmed cells (missing ones empty).
func cells(line string, n int) []string {
	parts := strings.SplitN(line, "|", n)
	for len(parts) < n {
		parts = append(parts, "")
	}
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// parseForm reads the form into an operation, keeping the ids of
// premises already on it (matched by name and postcode).
func parseForm(f opForm, old operation.Operation) (operation.Operation, error) {
	o := old
	o.Name, o.Start, o.End = strings.TrimSpace(f.Name), f.Start, f.End
	o.Briefing, o.Rendezvous = strings.TrimSpace(f.Briefing), strings.TrimSpace(f.Rendezvous)
	o.Teams, o.Partners, o.Interpreters, o.Premises = nil, nil, nil, nil
	for i, l := range lines(f.Teams) {
		name, members, ok := strings.Cut(l, ":")
		if !ok {
			return o, errForm{fmt.Sprintf("Team line %d needs a name, a colon, then account ids.", i+1)}
		}
		o.Teams = append(o.Teams, operation.Team{Name: strings.TrimSpace(name), Members: list(members)})
	}
	for _, l := range lines(f.Partners) {
		cs := cells(l, 3)
		o.Partners = append(o.Partners, operation.Partner{Agency: cs[0], Contact: cs[1], Members: list(cs[2])})
	}
	for _, l := range lines(f.Interpreters) {
		cs := cells(l, 3)
		o.Interpreters = append(o.Interpreters, operation.Interpreter{Name: cs[0], Languages: list(cs[1]), Phone: cs[2]})
	}
	for _, l := range lines(f.Premises) {
		cs := cells(l, 6)
		p := operation.Premises{Name: cs[0], Address: cs[1], Postcode: cs[2], Business: encounter.Business(cs[3]), Intelligence: cs[4], Safety: cs[5]}
		for _, was := range old.Premises {
			if was.Name == p.Name && encounter.NormalisePostcode(was.Postcode) == encounter.NormalisePostcode(p.Postcode) {
				p.ID = was.ID
			}
		}
		if p.ID == uuid.Nil {
			p.ID = uuid.Must(uuid.NewV7())
		}
		o.Premises = append(o.Premises, p)
	}
	return o, nil
}

// saveOperation saves the form: a new operation, or a new revision of one
// (refused if someone else saved in between).
func (c *Console) saveOperation(w http.ResponseWriter, r *http.Request, req *request) error {
	f := opForm{Name: r.PostFormValue("name"), Start: r.PostFormValue("start"), End: r.PostFormValue("end"),
		Briefing: r.PostFormValue("briefing"), Rendezvous: r.PostFormValue("rendezvous"), Teams: r.PostFormValue("teams"),
		Partners: r.PostFormValue("partners"), Interpreters: r.PostFormValue("interpreters"), Premises: r.PostFormValue("premises"),
		Revision: r.PostFormValue("revision")}
	var old operation.Operation
	if r.PathValue("id") != "" {
		var err error
		if old, err = c.visibleOperation(r, req); err != nil {
			return err
		}
		if f.Revision != fmt.Sprint(old.Revision) {
			old.Revision = -1 // someone saved since this form was drawn
		}
		f.ID = old.ID.String()
	} else {
		old.ID = uuid.Must(uuid.NewV7())
	}
	o, err := parseForm(f, old)
	if err == nil {
		err = c.checkMembers(r, o)
	}
	if err == nil {
		o, err = c.srv.Operations().SaveOperation(r.Context(), o, "console:"+req.me.ID)
	}
	if err != nil {
		var ef errForm
		switch {
		case errors.Is(err, server.ErrStale):
			f.Problem = "Someone else changed this operation since you opened it. Open it again to see their change, then make yours."
		case errors.As(err, &ef):
			f.Problem = ef.msg
		case errors.Is(err, operation.ErrInvalid):
			msg, _, _ := strings.Cut(err.Error(), ": "+operation.ErrInvalid.Error())
			f.Problem = "The " + strings.TrimPrefix(strings.TrimPrefix(msg, "save operation: "), "operation field ") + "."
		default:
			return err
		}
		d := opFormData{F: f, New: r.PathValue("id") == "", Agencies: agencyOptions(), CSRF: req.sess.csrf}
		for _, b := range encounter.Businesses {
			d.Businesses = append(d.Businesses, option{string(b), businessNames[b]})
		}
		c.render(w, r, http.StatusUnprocessableEntity, "operation_form", req, "Check the operation", d)
		return nil
	}
	http.Redirect(w, r, "/console/operations/"+o.ID.String()+"?saved=1", http.StatusSeeOther)
	return nil
}

// errForm is a problem with what was typed in the form.
type errForm struct{ msg string }

func (e errForm) Error() string { return e.msg }

// checkMembers refuses members that are not accounts, or not of the
// partner's agency.
func (c *Console) checkMembers(r *http.Request, o operation.Operation) error {
	dir := c.srv.Directory()
	for _, t := range o.Teams {
		for _, id := range t.Members {
			if _, err := dir.Account(r.Context(), id); err != nil {
				return errForm{fmt.Sprintf("team %s: %s is not an account on this server", t.Name, id)}
			}
		}
	}
	for _, p := range o.Partners {
		for _, id := range p.Members {
			a, err := dir.Account(r.Context(), id)
			if err != nil {
				return errForm{fmt.Sprintf("partner %s: %s is not an account on this server", p.Agency, id)}
			}
			if a.Agency != p.Agency {
				return errForm{fmt.Sprintf("partner %s: %s belongs to another agency", p.Agency, id)}
			}
		}
	}
	return nil
}
