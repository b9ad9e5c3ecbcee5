package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/jackc/pgx/v5"

	"github.com/waymark-app/waymark/internal/pgtest"
)

// sideTable holds figures by measure and backend, printed side by side.
type sideTable struct {
	columns  []string
	measures []string
	cells    map[string]map[string]string
	ambition map[string]string
}

func newSideTable(columns ...string) *sideTable {
	return &sideTable{columns: columns, cells: map[string]map[string]string{}, ambition: map[string]string{}}
}

// put records result for measure on column, with the ambition if any.
func (s *sideTable) put(measure, column, result, ambition string) {
	if s.cells[measure] == nil {
		s.cells[measure] = map[string]string{}
		s.measures = append(s.measures, measure)
	}
	s.cells[measure][column] = result
	if ambition != "" {
		s.ambition[measure] = ambition
	}
}

func (s *sideTable) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "measure\t%s\tambition (Badger)\n", strings.Join(s.columns, "\t"))
	fmt.Fprintf(tw, "-------\t%s\t--------\n", strings.Repeat("------\t", len(s.columns)-1)+"------")
	for _, m := range s.measures {
		row := []string{m}
		for _, c := range s.columns {
			v := s.cells[m][c]
			if v == "" {
				v = "-"
			}
			row = append(row, v)
		}
		fmt.Fprintf(tw, "%s\t%s\n", strings.Join(row, "\t"), s.ambition[m])
	}
	tw.Flush()
}

// record puts a figure of the backend under measurement into the side
// table, if the backends part is running.
func (b *bench) record(measure, result, ambition string) {
	if b.side != nil {
		b.side.put(measure, b.be.name, result, ambition)
	}
}

// backends measures the same sync and load on the embedded store, on
// PostgreSQL and on three replicas on PostgreSQL behind a balancing
// proxy, in this run, each on a fresh store: one device pushing n
// encounters, and each of loads devices pushing at once.
func (b *bench) backends(ctx context.Context, n int, loads []int, perDevice int) error {
	if b.serverBin == "" {
		return fmt.Errorf("the backends part needs --server-bin")
	}
	if b.pg == nil {
		c, err := pgtest.Start()
		if err != nil {
			return err
		}
		defer c.Stop()
		b.pg = func() (string, error) { return c.NewDatabase(context.Background()) }
		b.t.logf("bench: PostgreSQL cluster on 127.0.0.1:%d (fsync on)", c.Port)
	}
	b.side = newSideTable(embedded.name, postgres.name, replicas.name)
	saved, savedBe := b.t, b.be
	defer func() { b.t, b.be = saved, savedBe }()
	b.t = &table{log: saved.log} // the main table's rows are the sync and load parts'
	for _, be := range []backend{embedded, postgres, replicas} {
		b.be = be
		b.t.logf("bench: %s: one device pushing %d…", be.name, n)
		if err := b.sync(ctx, n); err != nil {
			b.record("one device: sync", "FAILED: "+err.Error(), "")
		}
		for _, d := range loads {
			b.t.logf("bench: %s: %d devices…", be.name, d)
			if err := b.load(ctx, d, perDevice); err != nil {
				b.record(fmt.Sprintf("%d devices at once: push p50 / p99", d), "FAILED: "+err.Error(), "")
			}
		}
	}
	return nil
}

// topProfiles prints what each backend's server spent its CPU on, from
// the profiles its processes wrote, as go tool pprof -top sees it.
func topProfiles(dir string, w io.Writer) {
	files, _ := filepath.Glob(filepath.Join(dir, "*.pprof"))
	for _, f := range files {
		out, err := exec.Command("go", "tool", "pprof", "-top", "-nodecount=25", f).CombinedOutput()
		if err != nil {
			fmt.Fprintf(w, "\n%s: %v\n", filepath.Base(f), err)
			continue
		}
		fmt.Fprintf(w, "\n== %s\n%s", filepath.Base(f), out)
	}
	if len(files) == 0 {
		fmt.Fprintln(os.Stderr, "bench: no profiles written")
	}
}

// newDatabases makes databases on the PostgreSQL server at url (whose
// user may create them), one per call.
func newDatabases(url string) func() (string, error) {
	n := 0
	return func() (string, error) {
		n++
		name := fmt.Sprintf("waymark_bench_%d_%d", os.Getpid(), n)
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			return "", err
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "CREATE DATABASE "+name); err != nil {
			return "", err
		}
		cfg, err := pgx.ParseConfig(url)
		if err != nil {
			return "", err
		}
		u := strings.Replace(url, "/"+cfg.Database, "/"+name, 1)
		return u, nil
	}
}
