// Command waymark-bench measures Waymark and prints one table: durable
// saves against bare Badger writes, unlocking with the PIN (argon2id) and
// its memory, store open time, syncs over loopback
// (a full one, an empty one, resumed ones after cuts), 200 devices pushing
// at once to a real server process, the memory of the server and the
// app, and the console's page times over 100,000 encounters. The ambitions are printed beside the figures; nothing is
// asserted.
//
//	waymark-bench --server-bin bin/waymark-server --app-bin bin/waymark
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one line of the table.
type row struct {
	measure, result, ambition, met string
}

// table collects rows and prints them once.
type table struct {
	rows []row
	log  io.Writer
}

func (t *table) add(measure, result string) {
	t.rows = append(t.rows, row{measure: measure, result: result})
}

// goal adds a row with an ambition and whether it was met.
func (t *table) goal(measure, result, ambition string, met bool) {
	m := "no"
	if met {
		m = "yes"
	}
	t.rows = append(t.rows, row{measure, result, ambition, m})
}

func (t *table) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\tresult\tambition\tmet")
	fmt.Fprintln(tw, "-------\t------\t--------\t---")
	for _, r := range t.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.measure, r.result, r.ambition, r.met)
	}
	tw.Flush()
}

// logf reports progress on stderr, so that stdout is only the table.
func (t *table) logf(format string, args ...any) { fmt.Fprintf(t.log, format+"\n", args...) }

func main() {
	serverBin := flag.String("server-bin", "bin/waymark-server", "waymark-server binary to measure (empty: in-process server)")
	appBin := flag.String("app-bin", "bin/waymark", "waymark app binary, for its memory under Xvfb (empty: skip)")
	appShot := flag.String("app-shot", "", "save a screenshot of the app as measured to this PNG file")
	saves := flag.Int("saves", 2000, "saves for the save benchmark")
	syncN := flag.Int("sync", 10000, "encounters in the loopback sync")
	devices := flag.Int("devices", 200, "devices pushing at once")
	perDevice := flag.Int("per-device", 50, "encounters each of those devices pushes")
	authN := flag.Int("auth-n", 5000, "encounters in the authentication-cost comparison")
	consoleN := flag.Int("console-encounters", 100000, "encounters the console's pages are timed over")
	only := flag.String("only", "", "comma-separated parts to run: save,unlock,open,sync,auth,resume,load,sim,app,console,backends (default all)")
	loads := flag.String("loads", "200,1000", "backends part: numbers of devices pushing at once")
	db := flag.String("db", "", "backends part: a PostgreSQL server's address whose databases the bench may create (default: a throwaway cluster)")
	profiles := flag.String("profile", "", "backends part: write each server's CPU profile to this folder and print the top of each")
	encountersOut := flag.String("encounters-out", "", "write --sync encounter documents (JSON lines) to this file, as the sync part drafts them, and exit: for scripts/pouchdb-bench.sh")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	dir, err := os.MkdirTemp("", "waymark-bench-")
	if err != nil {
		fatal(err)
	}
	defer os.RemoveAll(dir)
	t := &table{log: os.Stderr}
	run := func(part string) bool {
		return *only == "" || strings.Contains(","+*only+",", ","+part+",")
	}
	b := &bench{t: t, dir: dir, serverBin: *serverBin, be: embedded, profiles: *profiles}
	if *db != "" {
		b.pg = newDatabases(*db)
	}
	if *profiles != "" {
		os.MkdirAll(*profiles, 0o755)
	}
	if *encountersOut != "" {
		err := b.writeEncounters(ctx, *syncN, *encountersOut)
		if b.offline != nil {
			b.offline.Close()
		}
		if err != nil {
			fatal(err)
		}
		return
	}
	var loadList []int
	for _, f := range strings.Split(*loads, ",") {
		var n int
		if _, err := fmt.Sscan(strings.TrimSpace(f), &n); err == nil && n > 0 {
			loadList = append(loadList, n)
		}
	}
	steps := []struct {
		part string
		fn   func(context.Context) error
	}{
		{"save", func(ctx context.Context) error { return b.saves(ctx, *saves) }},
		{"unlock", b.unlock},
		{"open", b.open},
		{"sync", func(ctx context.Context) error { return b.sync(ctx, *syncN) }},
		{"auth", func(ctx context.Context) error { return b.authCost(ctx, *authN) }},
		{"resume", b.resume},
		{"load", func(ctx context.Context) error { return b.load(ctx, *devices, *perDevice) }},
		{"sim", func(ctx context.Context) error { return b.simulate(ctx, *devices) }},
		{"app", func(ctx context.Context) error { return b.app(ctx, *appBin, *appShot) }},
		{"console", func(ctx context.Context) error { return b.consolePages(ctx, *consoleN) }},
		{"backends", func(ctx context.Context) error { return b.backends(ctx, *syncN, loadList, *perDevice) }},
	}
	start := time.Now()
	for _, s := range steps {
		if !run(s.part) || ctx.Err() != nil {
			continue
		}
		t.logf("bench: %s…", s.part)
		if err := s.fn(ctx); err != nil {
			t.add(s.part, "FAILED: "+err.Error())
		}
	}
	fmt.Printf("Waymark benchmarks: %s/%s, %d CPUs, %s, %s; took %v\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.Version(), cpuModel(), time.Since(start).Round(time.Second))
	t.print(os.Stdout)
	if b.side != nil {
		fmt.Println()
		fmt.Println("The same sync and load on each backend, in this run (a fresh store each; servers are real waymark-server processes; the replicas sit behind a balancing proxy in the bench):")
		b.side.print(os.Stdout)
	}
	if *profiles != "" {
		topProfiles(*profiles, os.Stdout)
	}
	if b.offline != nil {
		b.offline.Close()
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "waymark-bench:", err)
	os.Exit(1)
}

// cpuModel names the processor, where Linux says.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
