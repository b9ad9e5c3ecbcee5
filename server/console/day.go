package console

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/operation"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/sync/wire"
)

// visible lists the operations req may see: all for a supervisor, those
// they are on for a partner.
func (c *Console) visible(r *http.Request, req *request) ([]operation.Operation, error) {
	ops, err := c.srv.Operations().Operations(r.Context())
	if err != nil {
		return nil, err
	}
	if req.me.Has(wire.RoleSupervisor) {
		return ops, nil
	}
	return slices.DeleteFunc(ops, func(o operation.Operation) bool { return !o.Assigned(req.me.ID) }), nil
}

type dayCounts struct {
	Encounters, Red, Amber, Green, None       int
	People, Screened, Children, NRM, ChildNRM int
	DtN, Planned, Visited, Overdue, Partners  int
}

type premisesRow struct {
	ID             uuid.UUID
	Name, Postcode string
	Business       encounter.Business
	Visits         int
	Level          string
	Last           time.Time
	Agencies       []string
	Safety         bool
}

type dayData struct {
	Operations []operation.Operation
	Op         *operation.Operation
	Day        string
	Counts     dayCounts
	Chart      chart
	Premises   []premisesRow
}

// dayBounds is the day (YYYY-MM-DD) in the console's time zone.
func (c *Console) dayBounds(day string) (time.Time, time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, day, c.loc)
	if err != nil {
		return time.Time{}, time.Time{}, badRequest("The day must be a date.")
	}
	return t, t.AddDate(0, 0, 1), nil
}

// day is the day of an operation: its encounters by RAG, people,
// children, referrals, premises visited against planned, and a chart of
// the encounters by hour.
func (c *Console) day(w http.ResponseWriter, r *http.Request, req *request) error {
	ops, err := c.visible(r, req)
	if err != nil {
		return err
	}
	today := c.srv.Now().In(c.loc).Format(time.DateOnly)
	d := dayData{Operations: ops, Day: r.FormValue("day")}
	if id := r.FormValue("op"); id != "" {
		for i := range ops {
			if ops[i].ID.String() == id {
				d.Op = &ops[i]
			}
		}
		if d.Op == nil {
			return server.ErrNotFound
		}
	} else if r.FormValue("all") == "" {
		// The operation running today, else the latest.
		for i := range ops {
			if ops[i].On(today) {
				d.Op = &ops[i]
				break
			}
		}
		if d.Op == nil && len(ops) > 0 {
			d.Op = &ops[0]
		}
	}
	if d.Day == "" {
		d.Day = today
		if d.Op != nil && !d.Op.On(today) {
			d.Day = d.Op.Start
		}
	}
	from, to, err := c.dayBounds(d.Day)
	if err != nil {
		return err
	}
	f := server.Filter{May: req.may, From: from, To: to}
	if d.Op != nil {
		f.Operation = d.Op.ID
	}
	now := c.srv.Now()
	hours := make([][]int, 24)
	for i := range hours {
		hours[i] = make([]int, 4)
	}
	rows := map[uuid.UUID]*premisesRow{}
	if d.Op != nil {
		d.Counts.Planned = len(d.Op.Premises)
		for _, p := range d.Op.Premises {
			rows[p.ID] = &premisesRow{ID: p.ID, Name: p.Name, Postcode: p.Postcode, Business: p.Business, Safety: p.Safety != ""}
		}
	}
	agencies := map[string]bool{}
	var ids []uuid.UUID
	c.srv.Each(f, func(s *server.Summary) {
		k := &d.Counts
		k.Encounters++
		lv := 3
		switch s.Level {
		case "red":
			k.Red, lv = k.Red+1, 0
		case "amber":
			k.Amber, lv = k.Amber+1, 1
		case "green":
			k.Green, lv = k.Green+1, 2
		default:
			k.None++
		}
		k.People += s.PeoplePresent
		k.Screened += s.Screened
		k.Children += s.Children
		k.NRM += s.NRM
		k.ChildNRM += s.ChildNRM
		k.DtN += s.DtN
		if s.CrimeStatus(now) == encounter.CrimeOverdue {
			k.Overdue++
		}
		hours[s.OccurredAt.In(c.loc).Hour()][lv]++
		for _, p := range s.Present {
			agencies[p.Agency] = true
		}
		if s.Officer.Agency != "police" {
			agencies[s.Officer.Agency] = true
		}
		if row, ok := rows[s.PremisesID]; ok {
			row.Visits++
			if s.OccurredAt.After(row.Last) {
				row.Last, row.Level = s.OccurredAt, s.Level
			}
			for _, p := range s.Present {
				if !slices.Contains(row.Agencies, p.Agency) {
					row.Agencies = append(row.Agencies, p.Agency)
				}
			}
			if s.Officer.Agency != "police" && !slices.Contains(row.Agencies, s.Officer.Agency) {
				row.Agencies = append(row.Agencies, s.Officer.Agency)
			}
		}
		ids = append(ids, s.ID)
	})
	d.Counts.Partners = len(agencies)
	if d.Op != nil {
		for _, p := range d.Op.Premises {
			row := rows[p.ID]
			if row.Visits > 0 {
				d.Counts.Visited++
			}
			d.Premises = append(d.Premises, *row)
		}
	}
	// The chart: the hours with encounters, and the working day around them.
	first, last := 8, 18
	for h, v := range hours {
		if v[0]+v[1]+v[2]+v[3] > 0 {
			first, last = min(first, h), max(last, h)
		}
	}
	var labels []string
	var values [][]int
	for h := first; h <= last; h++ {
		labels = append(labels, fmt.Sprintf("%02d", h))
		values = append(values, hours[h])
	}
	d.Chart = stackedChart("Encounters by hour and RAG", labels,
		[]series{{"red", "Red"}, {"amber", "Amber"}, {"green", "Green"}, {"none", "Not assessed"}}, values)
	// The counts come from records: the reader read them.
	if err := c.srv.LogRead(r.Context(), "console:"+req.me.ID, req.me.ID, remote(r), ids, "console: the day"); err != nil {
		return err
	}
	title := "The day"
	if d.Op != nil {
		title = d.Op.Name + ": " + d.Day
	}
	c.render(w, r, http.StatusOK, "day", req, title, d)
	return nil
}

// trimLower is s without surrounding space, in lower case.
func trimLower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
