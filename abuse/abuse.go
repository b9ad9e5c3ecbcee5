// Package abuse runs a hostile client against a real waymark-server
// binary over real TLS, enrolled as one device, and checks after every
// attack that the server still answers and that the records it holds are
// unchanged (waymark-server verify: the hash-chained log, every
// signature, and the digest of the records). It also pushes refused
// entries carrying a canary in every field and counts the canary in the
// server's log, its answers and its decrypted store, and measures the
// server's memory and disk under the attacks.
//
// The attacks are those of issues 8 ("Only the right people") and 11
// ("Evidence that stands up"); cmd/waymark-abuse prints the table and
// `make abuse` runs it. A short run is part of `make test`.
package abuse

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
)

// Options configures Run.
type Options struct {
	// ServerBin is the waymark-server binary to attack. Required.
	ServerBin string
	// Dir is the work folder (data folder, server log); empty: a
	// temporary one, removed if every attack passed.
	Dir string
	// Short runs every attack at a small scale (the pulls of large
	// records with 20 records, not 1,000), with a 2-second body grace:
	// for make test.
	Short bool
	// Log receives progress. Nil discards it.
	Log io.Writer
}

// Result is one attack's row.
type Result struct {
	Attack    string
	Want      string // what a server that holds answers
	Got       string // what it answered
	Up        bool   // it still answered its health check afterwards
	Unchanged bool   // verify passed and the records' digest is the same
	OK        bool   // Got is what was wanted, and Up and Unchanged
	Note      string // figures
}

// Report is what Run found.
type Report struct {
	Results []Result
	// Canary: how often the canary pushed in refused entries appears in
	// the server's log, its answers and its decrypted store.
	CanaryLog, CanaryAnswers, CanaryStore int
	CanaryFields                          int // fields the canary was put in
	// Memory of the server process: at rest after setup, and its peak.
	IdleRSS, PeakRSS int64
	// Disk taken by the store before and after the attacks.
	DiskBefore, DiskAfter int64
	Dir                   string
}

// OK reports whether every attack passed and the canary was found
// nowhere.
func (r Report) OK() bool {
	for _, x := range r.Results {
		if !x.OK {
			return false
		}
	}
	return len(r.Results) > 0 && r.CanaryLog == 0 && r.CanaryAnswers == 0 && r.CanaryStore == 0
}

// Print writes the report as a table.
func (r Report) Print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "attack\tanswer\tserver up\tdata unchanged\tresult")
	yes := map[bool]string{true: "yes", false: "NO"}
	for _, x := range r.Results {
		res := "pass"
		if !x.OK {
			res = "FAIL (want " + x.Want + ")"
		}
		got := x.Got
		if x.Note != "" {
			got += "; " + x.Note
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", x.Attack, got, yes[x.Up], yes[x.Unchanged], res)
	}
	tw.Flush()
	fmt.Fprintf(w, "\ncanary in %d fields of refused entries: %d in the server's log, %d in its answers, %d in its decrypted store\n",
		r.CanaryFields, r.CanaryLog, r.CanaryAnswers, r.CanaryStore)
	fmt.Fprintf(w, "server memory: %s resident after setup, %s at its peak (setup and attacks)\n", mib(r.IdleRSS), mib(r.PeakRSS))
	fmt.Fprintf(w, "store on disk: %s before the attacks, %s after (+%s)\n", mib(r.DiskBefore), mib(r.DiskAfter), mib(r.DiskAfter-r.DiskBefore))
	failed := 0
	for _, x := range r.Results {
		if !x.OK {
			failed++
		}
	}
	fmt.Fprintf(w, "%d passed, %d failed\n", len(r.Results)-failed, failed)
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// env is what the attacks work with.
type env struct {
	opts    Options
	srv     *serverProc
	h       *hostile
	me      *device // the hostile client's enrolled device (officer, team north)
	victim  *device // another officer of team north
	south   *device // an officer of team south
	revoked *device // a device revoked by the administrator
	canary  string
	digest  string // the records' digest before the attacks
	// records: the victim's, the south team's, the hostile device's own
	victimRec, southRec, mine uuid.UUID
	mineDoc                   []byte
	large                     int // large records the victim pushed, for the pulls
	answers                   [][]byte
	log                       io.Writer
}

func (e *env) logf(format string, args ...any) { fmt.Fprintf(e.log, format+"\n", args...) }

// Run sets a server up, runs every attack and reports.
func Run(ctx context.Context, o Options) (Report, error) {
	var rep Report
	if o.Log == nil {
		o.Log = io.Discard
	}
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "waymark-abuse-")
		if err != nil {
			return rep, err
		}
		dir = d
		defer func() {
			if rep.OK() {
				os.RemoveAll(d)
			}
		}()
	}
	rep.Dir = dir
	addr, err := freeAddr()
	if err != nil {
		return rep, err
	}
	srv := &serverProc{bin: o.ServerBin, data: filepath.Join(dir, "data"), addr: addr, logPath: filepath.Join(dir, "server.log")}
	if o.Short {
		srv.extra = []string{"--body-grace", "2s"}
	}
	canary := make([]byte, 8)
	rand.Read(canary)
	e := &env{opts: o, srv: srv, h: newHostile(addr), canary: "CANARYzq" + hex.EncodeToString(canary), log: o.Log}
	defer srv.stop()
	if err := e.setup(ctx); err != nil {
		return rep, fmt.Errorf("setup: %w", err)
	}
	rep.IdleRSS, _ = srv.memory()
	rep.DiskBefore = srv.disk()
	for _, a := range attacks {
		if o.Short && !a.short {
			continue
		}
		e.logf("attack: %s", a.name)
		got, ok, note := a.run(ctx, e)
		r := Result{Attack: a.name, Want: a.want, Got: got, Note: note}
		r.Up = srv.up(ctx) && !srv.exited()
		if d, err := srv.verify(ctx); err == nil && d == e.digest {
			r.Unchanged = true
		} else if err != nil {
			r.Note = strings.TrimSpace(r.Note + " " + err.Error())
		}
		r.OK = ok && r.Up && r.Unchanged
		rep.Results = append(rep.Results, r)
		if !r.Up {
			break // nothing else can be learnt
		}
	}
	_, rep.PeakRSS = srv.memory()
	rep.DiskAfter = srv.disk()
	for _, b := range e.answers {
		rep.CanaryAnswers += strings.Count(string(b), e.canary)
	}
	if err := srv.stop(); err != nil {
		e.logf("server stopped: %v", err)
	}
	rep.CanaryFields = canaryFields
	rep.CanaryLog, err = countInFile(srv.logPath, e.canary)
	if err != nil {
		return rep, err
	}
	rep.CanaryStore, err = countInStore(srv.data, e.canary)
	return rep, err
}

// setup initialises the data folder, adds the accounts, starts the
// server, enrols the devices, revokes one, and has the honest devices
// push their records.
func (e *env) setup(ctx context.Context) error {
	s := e.srv
	if _, err := s.cli(ctx, "init"); err != nil {
		return err
	}
	users := []struct{ id, team string }{{"pc-h", "north"}, {"pc-v", "north"}, {"pc-s", "south"}, {"pc-r", "north"}}
	for i, u := range users {
		if _, err := s.cli(ctx, "user", "add", u.id, "--name", fmt.Sprintf("Test Officer %d", i+1), "--number", fmt.Sprintf("PC %d", 900+i),
			"--agency", "police", "--team", u.team, "--roles", "officer"); err != nil {
			return err
		}
	}
	if err := s.start(ctx); err != nil {
		return err
	}
	devs := make([]*device, len(users))
	for i, u := range users {
		d, err := e.enrol(ctx, u.id)
		if err != nil {
			return err
		}
		devs[i] = d
	}
	e.me, e.victim, e.south, e.revoked = devs[0], devs[1], devs[2], devs[3]
	if _, err := s.cli(ctx, "device", "revoke", e.revoked.id); err != nil {
		return err
	}
	// Honest records: the victim's and the south team's, and one of the
	// hostile device's own (whose id the conflicts will reuse).
	var err error
	if e.victimRec, _, err = e.honest(ctx, e.victim, "Example Hand Car Wash", ""); err != nil {
		return err
	}
	if e.southRec, _, err = e.honest(ctx, e.south, "Example Farm", ""); err != nil {
		return err
	}
	if e.mine, e.mineDoc, err = e.honest(ctx, e.me, "Example Nails", ""); err != nil {
		return err
	}
	// Large records the hostile device may read (its team's), for the
	// pulls that never read their answers.
	e.large = 1000
	if e.opts.Short {
		e.large = 20
	}
	notes := strings.Repeat("Workers sleeping on site; manager answered for them. ", 128<<10/54)
	var batch []string
	for i := range e.large {
		id, doc := record(e.victim, fmt.Sprintf("Large premises %d", i), notes)
		e.victim.seq++
		batch = append(batch, entry(e.victim, e.victim.seq, id.String(), "encounter", doc, ""))
		if len(batch) == 100 || i == e.large-1 {
			a := e.h.do(ctx, req{method: "POST", path: "/v3/push", body: push(batch...), gzip: true, signer: e.victim})
			if ack, rej := pushResult(a); a.status != 200 || ack != e.victim.seq || len(rej) > 0 {
				return fmt.Errorf("large records: %s, ack %d, rejected %v", a, ack, rej)
			}
			batch = nil
		}
	}
	e.digest, err = s.verify(ctx)
	return err
}

// enrol enrols a new device for account with the project's client (as
// the app would), and returns its key to the hostile client.
func (e *env) enrol(ctx context.Context, account string) (*device, error) {
	link, err := e.srv.enrolLink(ctx, account)
	if err != nil {
		return nil, err
	}
	l, err := auth.ParseLink(link)
	if err != nil {
		return nil, err
	}
	cred, err := client.Enrol(ctx, client.EnrolOptions{Link: l, Device: uuid.New()})
	if err != nil {
		return nil, fmt.Errorf("enrol %s: %w", account, err)
	}
	a := cred.Account
	return &device{id: cred.Device.String(), priv: cred.PrivateKey, account: a.ID, name: a.Name, number: a.Number, agency: a.Agency}, nil
}

// record is a finalised encounter of d's at premises name, and its
// canonical document (the encounter package's encoding, which a device
// signs).
func record(d *device, name, notes string) (uuid.UUID, []byte) {
	now := time.Now().UTC().Add(-time.Hour)
	r := encounter.Record{ID: uuid.Must(uuid.NewV7()), Schema: encounter.Schema, Device: uuid.MustParse(d.id),
		Officer:  encounter.Officer{Name: d.name, Number: d.number, Agency: d.agency},
		Premises: encounter.Premises{Name: name, Business: encounter.CarWash}, OccurredAt: now.Truncate(time.Minute),
		PeoplePresent: 3, Notes: notes, CreatedAt: now, UpdatedAt: now, FinalisedAt: now}
	doc, err := r.Document()
	if err != nil {
		panic(err)
	}
	return r.ID, doc
}

// honest pushes one valid record of d's and checks it is stored.
func (e *env) honest(ctx context.Context, d *device, name, notes string) (uuid.UUID, []byte, error) {
	id, doc := record(d, name, notes)
	d.seq++
	a := e.h.do(ctx, req{method: "POST", path: "/v3/push", body: push(entry(d, d.seq, id.String(), "encounter", doc, "")), gzip: true, signer: d})
	if ack, rej := pushResult(a); a.status != 200 || ack != d.seq || len(rej) > 0 {
		return id, doc, fmt.Errorf("honest push of %s: %s, ack %d, rejected %v: %s", d.account, a, ack, rej, a.body)
	}
	return id, doc, nil
}
