package console

import (
	"errors"
	"net/http"
	"slices"

	"github.com/waymark-app/waymark/server"
)

type asideData struct {
	CSRF           string // for the forms on the page
	Open, Resolved []server.AsideEntry
	Refused        []server.Event
	Decisions      []option
	Done           string
}

var decisionWords = map[string]string{
	server.DecisionStoredStands: "The record stored first stands (keep this as evidence)",
	server.DecisionDuplicate:    "The same visit sent twice",
	server.DecisionEscalated:    "Escalated to the HT team lead",
}

// aside lists the entries kept aside (to resolve, and resolved) and the
// entries refused lately (codes and reasons only: a refused body is kept
// nowhere).
func (c *Console) aside(w http.ResponseWriter, r *http.Request, req *request) error {
	es, err := c.srv.AsideEntries(r.Context())
	if err != nil {
		return err
	}
	d := asideData{Done: r.FormValue("done"), CSRF: req.sess.csrf}
	for _, e := range es {
		if e.Resolved == nil {
			d.Open = append(d.Open, e)
		} else {
			d.Resolved = append(d.Resolved, e)
		}
	}
	for _, k := range server.Decisions {
		d.Decisions = append(d.Decisions, option{k, decisionWords[k]})
	}
	if d.Refused, err = c.srv.Refusals(r.Context(), 100); err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "aside", req, "Kept aside", d)
	return nil
}

// resolve records a decision on an entry kept aside: logged in the chain.
func (c *Console) resolve(w http.ResponseWriter, r *http.Request, req *request) error {
	ref, decision := r.PostFormValue("ref"), r.PostFormValue("decision")
	if !slices.Contains(server.Decisions, decision) {
		return badRequest("Choose a decision.")
	}
	_, err := c.srv.ResolveAside(r.Context(), ref, decision, "console:"+req.me.ID)
	switch {
	case errors.Is(err, server.ErrExists):
		return userError{http.StatusConflict, "Someone resolved this entry already."}
	case errors.Is(err, server.ErrInvalid):
		return badRequest("There is no such entry.")
	case err != nil:
		return err
	}
	http.Redirect(w, r, "/console/aside?done=1", http.StatusSeeOther)
	return nil
}
