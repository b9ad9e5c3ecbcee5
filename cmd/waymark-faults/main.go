// Command waymark-faults runs Waymark's fault harness (package faults):
// randomised cycles of killed device and server processes, cut and slow
// connections and a full device disk, each followed by an audit that no
// acknowledged record was lost, duplicated or altered and no saved draft
// damaged. It prints a line per cycle and a report whose last line is the
// verdict, and exits 1 if any cycle failed.
//
//	waymark-faults --cycles 200 --server-bin bin/waymark-server
//	waymark-faults --cycles 60 --server-bin bin/waymark-server --replicas 3
//
// With --replicas, the servers are that many replicas on one PostgreSQL
// database (--db, or a throwaway cluster started here), behind the fault
// proxy as their load balancer, and one replica is also killed during
// pushes while the others serve.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/waymark-app/waymark/faults"
	"github.com/waymark-app/waymark/internal/pgtest"
)

func main() {
	if faults.IsChild() {
		os.Exit(faults.RunChild())
	}
	os.Exit(run())
}

// run runs the harness and returns the exit status, after its deferred
// clean-up (the throwaway cluster) has run.
func run() int {
	var o faults.Options
	flag.IntVar(&o.Cycles, "cycles", 200, "cycles to run")
	flag.DurationVar(&o.Duration, "duration", 0, "keep running cycles until this long has passed")
	flag.Uint64Var(&o.Seed, "seed", uint64(time.Now().UnixNano()%1e6), "seed for the cycles")
	flag.Float64Var(&o.Scale, "scale", 1, "multiplies the work per cycle")
	flag.StringVar(&o.ServerBin, "server-bin", "", "waymark-server binary (default: run this program as the server)")
	flag.StringVar(&o.Dir, "dir", "", "work folder (default: a temporary one, kept if a cycle fails)")
	kinds := flag.String("kinds", "", "comma-separated kinds of cycle (default all: "+strings.Join(faults.Kinds, ",")+")")
	quiet := flag.Bool("q", false, "print only the report")
	flag.IntVar(&o.Replicas, "replicas", 0, "run this many server replicas on PostgreSQL (0: one server on the embedded store)")
	flag.StringVar(&o.Postgres, "db", "", "with --replicas: an empty PostgreSQL database (default: a throwaway cluster started here)")
	flag.Parse()
	if o.Replicas > 0 && o.Postgres == "" {
		c, err := pgtest.Start()
		if err != nil {
			fmt.Fprintln(os.Stderr, "waymark-faults:", err)
			return 2
		}
		defer c.Stop()
		if o.Postgres, err = c.NewDatabase(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "waymark-faults:", err)
			return 2
		}
	}
	if *kinds != "" {
		o.Kinds = strings.Split(*kinds, ",")
	}
	if !*quiet {
		o.Log = os.Stdout
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := faults.Run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "waymark-faults:", err)
		return 2
	}
	rep.Print(os.Stdout)
	if !rep.OK() {
		return 1
	}
	return 0
}
