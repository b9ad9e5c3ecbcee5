package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/operation"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/sync/wire"
)

// pageSize is the rows of one page of encounters.
const pageSize = 50

// listForm is the encounters page's filters, as the form sends them.
type listForm struct {
	Op, Level, From, To, Officer, Agency, State, Q string
	Page                                           int
}

func readListForm(r *http.Request) listForm {
	f := listForm{Op: r.FormValue("op"), Level: r.FormValue("level"), From: r.FormValue("from"), To: r.FormValue("to"),
		Officer: strings.TrimSpace(r.FormValue("officer")), Agency: r.FormValue("agency"), State: r.FormValue("state"),
		Q: strings.TrimSpace(r.FormValue("q"))}
	f.Page, _ = strconv.Atoi(r.FormValue("page"))
	f.Page = max(f.Page, 1)
	return f
}

// query is the form as a query string, for links to other pages of it.
func (f listForm) query(page int) string {
	v := url.Values{}
	for k, s := range map[string]string{"op": f.Op, "level": f.Level, "from": f.From, "to": f.To, "officer": f.Officer,
		"agency": f.Agency, "state": f.State, "q": f.Q} {
		if s != "" {
			v.Set(k, s)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v.Encode()
}

// filter turns the form into a catalogue filter for req.
func (c *Console) filter(f listForm, req *request) (server.Filter, error) {
	flt := server.Filter{May: req.may, Level: f.Level, Officer: f.Officer, Agency: f.Agency, State: f.State, Text: f.Q, Now: c.srv.Now()}
	if f.Op != "" {
		id, err := uuid.Parse(f.Op)
		if err != nil {
			return flt, badRequest("The operation is not one of the list.")
		}
		flt.Operation = id
	}
	if f.From != "" {
		t, err := time.ParseInLocation(time.DateOnly, f.From, c.loc)
		if err != nil {
			return flt, badRequest("'From' must be a date.")
		}
		flt.From = t
	}
	if f.To != "" {
		t, err := time.ParseInLocation(time.DateOnly, f.To, c.loc)
		if err != nil {
			return flt, badRequest("'To' must be a date.")
		}
		flt.To = t.AddDate(0, 0, 1) // the whole of the last day
	}
	if !slices.Contains([]string{"", "red", "amber", "green", "none"}, f.Level) {
		return flt, badRequest("The RAG level is not one of the list.")
	}
	if !slices.Contains([]string{"", "amended", "children", "referred", "overdue", "clock"}, f.State) {
		return flt, badRequest("The state is not one of the list.")
	}
	if f.Agency != "" && !slices.Contains(wire.Agencies, f.Agency) {
		return flt, badRequest("The agency is not one of the list.")
	}
	return flt, nil
}

type option struct{ Value, Label string }

type listData struct {
	Form       listForm
	Operations []operation.Operation
	Agencies   []option
	Rows       []server.Summary
	Total      int
	From, To   int
	Prev, Next string
	Now        time.Time
}

func agencyOptions() []option {
	out := make([]option, len(wire.Agencies))
	for i, a := range wire.Agencies {
		out[i] = option{a, agencyName(a)}
	}
	return out
}

// encounters is the table of encounters with search and filters.
func (c *Console) encounters(w http.ResponseWriter, r *http.Request, req *request) error {
	form := readListForm(r)
	flt, err := c.filter(form, req)
	if err != nil {
		return err
	}
	ops, err := c.visible(r, req)
	if err != nil {
		return err
	}
	rows, total := c.srv.Find(flt, (form.Page-1)*pageSize, pageSize)
	d := listData{Form: form, Operations: ops, Agencies: agencyOptions(), Rows: rows, Total: total, Now: c.srv.Now()}
	if total > 0 {
		d.From, d.To = (form.Page-1)*pageSize+1, (form.Page-1)*pageSize+len(rows)
	}
	if form.Page > 1 {
		d.Prev = form.query(form.Page - 1)
	}
	if d.To < total {
		d.Next = form.query(form.Page + 1)
	}
	ids := make([]uuid.UUID, len(rows))
	for i, s := range rows {
		ids[i] = s.ID
	}
	if err := c.srv.LogRead(r.Context(), "console:"+req.me.ID, req.me.ID, remote(r), ids, "console: encounters"); err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "encounters", req, "Encounters", d)
	return nil
}

type personView struct {
	encounter.Person
	Child   bool
	Answers []option
}

type amendmentView struct {
	encounter.Amendment
	Verdict evidence.Verdict
}

type recordData struct {
	R          encounter.Record
	S          server.Summary
	People     []personView
	Verdict    evidence.Verdict
	Amendments []amendmentView
	Operation  *operation.Operation
	Visit      []server.Summary // other records of the same visit the reader may see
	Now        time.Time
	Crime      string
}

// record is one encounter in full: people, screening answers, referrals,
// checklist, amendments and the signatures' status. The read is logged
// before anything is shown; a record the reader may not see is "no such
// page", as if it did not exist.
func (c *Console) record(w http.ResponseWriter, r *http.Request, req *request) error {
	id, err := uuid.Parse(r.PathValue("id"))
	if err != nil {
		return server.ErrNotFound
	}
	sum, ok := c.srv.Summary(id)
	if !ok || !req.may(sum.Scope) {
		return server.ErrNotFound
	}
	v, err := c.srv.Record(r.Context(), id)
	if err != nil {
		return err
	}
	d := recordData{R: v.Record, S: v.Summary, Verdict: v.Verdict, Now: c.srv.Now()}
	for i, a := range v.Record.Amendments {
		d.Amendments = append(d.Amendments, amendmentView{a, v.Amendments[i]})
	}
	for _, p := range v.Record.People {
		pv := personView{Person: p, Child: p.Child()}
		for _, k := range sortedKeys(p.Answers) {
			pv.Answers = append(pv.Answers, option{k, p.Answers[k]})
		}
		d.People = append(d.People, pv)
	}
	switch v.Record.CrimeStatus(d.Now) {
	case encounter.CrimeRecorded:
		d.Crime = "Crime recorded: " + v.Record.Crime.Reference
	case encounter.CrimeOverdue:
		d.Crime = "Crime record overdue by " + duration(d.Now.Sub(v.Record.Crime.Due))
	case encounter.CrimeDue, encounter.CrimeDueSoon:
		d.Crime = "Crime record due in " + duration(v.Record.Crime.Due.Sub(d.Now))
	}
	read := []uuid.UUID{id}
	if v.Record.OperationID != uuid.Nil {
		if o, err := c.srv.Operations().Operation(r.Context(), v.Record.OperationID); err == nil {
			d.Operation = &o
		}
		if v.Record.PremisesID != uuid.Nil {
			c.srv.Each(server.Filter{May: req.may, Operation: v.Record.OperationID}, func(s *server.Summary) {
				if s.PremisesID == v.Record.PremisesID && s.ID != id {
					d.Visit = append(d.Visit, *s)
					read = append(read, s.ID)
				}
			})
		}
	}
	if err := c.srv.LogRead(r.Context(), "console:"+req.me.ID, req.me.ID, remote(r), read, "console: record"); err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "record", req, fmt.Sprintf("%s, %s", orDash(v.Record.Title()), v.Record.OccurredAt.In(c.loc).Format("2 Jan 2006 15:04")), d)
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

type chaseRow struct {
	server.Summary
	Left    time.Duration
	Overdue bool
	Team    string
}

type referralsData struct {
	Chase    []chaseRow
	Children []server.Summary
	DtN      []server.Summary
	Now      time.Time
}

// referrals lists police NRM referrals without a crime reference, the
// least time left first (overdue first), with who to chase; children
// referred; Duty to Notify returns.
func (c *Console) referrals(w http.ResponseWriter, r *http.Request, req *request) error {
	now := c.srv.Now()
	var d referralsData
	d.Now = now
	var ids []uuid.UUID
	c.srv.Each(server.Filter{May: req.may}, func(s *server.Summary) {
		listed := false
		if s.Crime != nil && !s.Crime.Due.IsZero() && s.Crime.Reference == "" {
			d.Chase = append(d.Chase, chaseRow{Summary: *s, Left: s.Crime.Due.Sub(now), Overdue: !now.Before(s.Crime.Due), Team: s.Scope.Team})
			listed = true
		}
		if s.ChildNRM > 0 && len(d.Children) < 50 {
			d.Children = append(d.Children, *s)
			listed = true
		}
		if s.DtN > 0 && len(d.DtN) < 50 {
			d.DtN = append(d.DtN, *s)
			listed = true
		}
		if listed {
			ids = append(ids, s.ID)
		}
	})
	slices.SortStableFunc(d.Chase, func(a, b chaseRow) int { return a.Crime.Due.Compare(b.Crime.Due) })
	if err := c.srv.LogRead(r.Context(), "console:"+req.me.ID, req.me.ID, remote(r), ids, "console: referrals"); err != nil {
		return err
	}
	c.render(w, r, http.StatusOK, "referrals", req, "Referrals and crime records", d)
	return nil
}
