// Command waymark-faults runs Waymark's fault harness (package faults):
// randomised cycles of killed device and server processes, cut and slow
// connections and a full device disk, each followed by an audit that no
// acknowledged record was lost, duplicated or altered and no saved draft
// damaged. It prints a line per cycle and a report whose last line is the
// verdict, and exits 1 if any cycle failed.
//
//	waymark-faults --cycles 200 --server-bin bin/waymark-server
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
)

func main() {
	if faults.IsChild() {
		os.Exit(faults.RunChild())
	}
	var o faults.Options
	flag.IntVar(&o.Cycles, "cycles", 200, "cycles to run")
	flag.DurationVar(&o.Duration, "duration", 0, "keep running cycles until this long has passed")
	flag.Uint64Var(&o.Seed, "seed", uint64(time.Now().UnixNano()%1e6), "seed for the cycles")
	flag.Float64Var(&o.Scale, "scale", 1, "multiplies the work per cycle")
	flag.StringVar(&o.ServerBin, "server-bin", "", "waymark-server binary (default: run this program as the server)")
	flag.StringVar(&o.Dir, "dir", "", "work folder (default: a temporary one, kept if a cycle fails)")
	kinds := flag.String("kinds", "", "comma-separated kinds of cycle (default all: "+strings.Join(faults.Kinds, ",")+")")
	quiet := flag.Bool("q", false, "print only the report")
	flag.Parse()
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
		os.Exit(2)
	}
	rep.Print(os.Stdout)
	if !rep.OK() {
		os.Exit(1)
	}
}
