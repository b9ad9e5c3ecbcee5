package console

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/sync/wire"
)

type exportsData struct {
	From, To      string
	Year, Quarter int
	Supervisor    bool
	Agency        string
}

func (c *Console) exports(w http.ResponseWriter, r *http.Request, req *request) error {
	now := c.srv.Now().In(c.loc)
	d := exportsData{From: now.AddDate(0, 0, -7).Format(time.DateOnly), To: now.Format(time.DateOnly),
		Year: now.Year(), Quarter: (int(now.Month())-1)/3 + 1, Supervisor: req.me.Has(wire.RoleSupervisor), Agency: agencyName(req.me.Agency)}
	c.render(w, r, http.StatusOK, "exports", req, "Exports", d)
	return nil
}

// exportCSV writes the encounters of a date range the reader may see (a
// partner: their agency's) as CSV, one row each, summaries only: no
// free text, no one's details. The read of every row is logged first.
func (c *Console) exportCSV(w http.ResponseWriter, r *http.Request, req *request) error {
	f := listForm{From: r.FormValue("from"), To: r.FormValue("to")}
	if f.From == "" || f.To == "" {
		return badRequest("Give the first and last day of the export.")
	}
	flt, err := c.filter(f, req)
	if err != nil {
		return err
	}
	var rows []server.Summary
	c.srv.Each(flt, func(s *server.Summary) { rows = append(rows, *s) })
	slices.Reverse(rows) // oldest first
	ids := make([]uuid.UUID, len(rows))
	for i, s := range rows {
		ids[i] = s.ID
	}
	if err := c.srv.LogRead(r.Context(), "console:"+req.me.ID, req.me.ID, remote(r), ids, "console: CSV export"); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="waymark-encounters-%s-to-%s.csv"`, f.From, f.To))
	cw := csv.NewWriter(w)
	cw.Write([]string{"record", "occurred_at", "operation", "premises", "postcode", "business", "officer_number", "agency", "team",
		"rag", "people_present", "people_recorded", "children", "nrm_referrals", "child_nrm_referrals", "duty_to_notify",
		"crime_due", "crime_reference", "amendments", "signed"})
	now := c.srv.Now()
	for _, s := range rows {
		due, ref := "", ""
		if s.Crime != nil {
			if !s.Crime.Due.IsZero() {
				due = s.Crime.Due.UTC().Format(time.RFC3339)
			}
			ref = s.Crime.Reference
			if ref == "" && s.CrimeStatus(now) == encounter.CrimeOverdue {
				ref = "OVERDUE"
			}
		}
		op := s.Operation
		if s.OperationID != uuid.Nil {
			if o, err := c.srv.Operations().Operation(r.Context(), s.OperationID); err == nil {
				op = o.Name
			}
		}
		cw.Write([]string{s.ID.String(), s.OccurredAt.UTC().Format(time.RFC3339), csvSafe(op), csvSafe(s.Premises.Name),
			s.Place.Postcode, string(s.Premises.Business), csvSafe(s.Officer.Number), s.Officer.Agency, csvSafe(s.Scope.Team),
			s.Level, strconv.Itoa(s.PeoplePresent), strconv.Itoa(s.Screened), strconv.Itoa(s.Children), strconv.Itoa(s.NRM),
			strconv.Itoa(s.ChildNRM), strconv.Itoa(s.DtN), due, csvSafe(ref), strconv.Itoa(s.Amendments), strconv.FormatBool(s.Signed)})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

type count struct {
	Label string
	N     int
}

type dtnData struct {
	Year, Quarter int
	From, To      time.Time
	Returns       int
	Encounters    int
	ByNationality []count
	BySex         []count
	ByAge         []count
	ByBusiness    []count
	ByMonth       []count
}

// dtnStats is the quarterly Duty to Notify statistics: how many returns,
// by nationality, sex, age band and type of premises, as the Home Office
// asks of first responders. Counts only; the read of each record is
// logged.
func (c *Console) dtnStats(w http.ResponseWriter, r *http.Request, req *request) error {
	year, _ := strconv.Atoi(r.FormValue("year"))
	q, _ := strconv.Atoi(r.FormValue("quarter"))
	if year < 2015 || year > 2100 || q < 1 || q > 4 {
		return badRequest("Choose a year and a quarter (1 to 4).")
	}
	from := time.Date(year, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, c.loc)
	to := from.AddDate(0, 3, 0)
	d := dtnData{Year: year, Quarter: q, From: from, To: to.AddDate(0, 0, -1)}
	var ids []uuid.UUID
	c.srv.Each(server.Filter{May: req.may, From: from, To: to, State: "referred"}, func(s *server.Summary) {
		if s.DtN > 0 {
			ids = append(ids, s.ID)
		}
	})
	if err := c.srv.LogRead(r.Context(), "console:"+req.me.ID, req.me.ID, remote(r), ids, "console: Duty to Notify statistics"); err != nil {
		return err
	}
	tally := map[string]map[string]int{"nat": {}, "sex": {}, "age": {}, "bus": {}, "month": {}}
	for _, id := range ids {
		v, err := c.srv.Record(r.Context(), id)
		if err != nil {
			return err
		}
		d.Encounters++
		for _, p := range v.Record.People {
			if p.Referral == nil || p.Referral.DutyToNotify == nil {
				continue
			}
			d.Returns++
			tally["nat"][orUnknown(p.Nationality)]++
			tally["sex"][orUnknown(p.Gender)]++
			tally["age"][ageBand(p.AgeYears)]++
			tally["bus"][businessNames[v.Record.Premises.Business]]++
			tally["month"][v.Record.OccurredAt.In(c.loc).Format("January")]++
		}
	}
	d.ByNationality, d.BySex, d.ByAge, d.ByBusiness, d.ByMonth = counts(tally["nat"]), counts(tally["sex"]), counts(tally["age"]), counts(tally["bus"]), counts(tally["month"])
	c.render(w, r, http.StatusOK, "dtn", req, fmt.Sprintf("Duty to Notify, %d quarter %d", year, q), d)
	return nil
}

func orUnknown(s string) string {
	if s == "" {
		return "Not recorded"
	}
	return s
}

// ageBand is the band of an adult's age, as the Duty to Notify sheet
// gives it (encounter's copy sheet rule).
func ageBand(years int) string {
	switch {
	case years == 0:
		return "Not recorded"
	case years < 25:
		return "18–24"
	case years < 35:
		return "25–34"
	case years < 45:
		return "35–44"
	case years < 55:
		return "45–54"
	case years < 65:
		return "55–64"
	}
	return "65 and over"
}

func counts(m map[string]int) []count {
	out := make([]count, 0, len(m))
	for k, n := range m {
		out = append(out, count{k, n})
	}
	slices.SortFunc(out, func(a, b count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		if a.Label < b.Label {
			return -1
		}
		return 1
	})
	return out
}
