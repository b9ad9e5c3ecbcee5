// Command waymark-sim simulates a day of action against a Waymark server:
// many devices, each with its own encrypted store and sync engine, record
// encounters and push them, through injected network faults if asked; then
// it checks that the server holds every acknowledged record exactly once.
// Its last line is the verdict; it exits 1 if anything was lost,
// duplicated or altered, and 2 if some device could not finish.
//
//	waymark-sim --devices 50 --encounters 200 --cut 0.1 --latency 20ms
//	waymark-sim --server https://127.0.0.1:8765 --server-data ./server-data --devices 200
//	waymark-sim --replicas 3 --devices 50          three replicas on a throwaway PostgreSQL
//
// Against a server of its own, it makes accounts and enrols its devices
// through the server's administration socket, in its data folder.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"time"

	"github.com/waymark-app/waymark/internal/pgtest"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/sim"
)

func main() { os.Exit(run()) }

// run runs the simulation and returns the exit status, after its
// deferred clean-up (a throwaway cluster) has run.
func run() int {
	var o sim.Options
	flag.StringVar(&o.Server, "server", "", "sync server URL; empty starts one in this process on a temporary store")
	serverData := flag.String("server-data", "", "with --server: the server's data folder, whose admin socket enrols the devices")
	flag.IntVar(&o.Devices, "devices", 10, "simulated devices")
	flag.IntVar(&o.Encounters, "encounters", 100, "encounters each device records")
	flag.IntVar(&o.Edits, "edits", 3, "draft saves per encounter before it is finalised")
	flag.IntVar(&o.SyncEvery, "sync-every", 0, "encounters recorded between syncs; 0 records all, then every device pushes at once")
	flag.IntVar(&o.Batch, "batch", 0, "most entries per push (0: the engine's default, 200)")
	flag.IntVar(&o.Concurrency, "concurrency", 0, "devices working at once (0: all)")
	flag.DurationVar(&o.Latency, "latency", 0, "latency added to every chunk, each way, by a fault proxy")
	flag.IntVar(&o.Bandwidth, "bandwidth", 0, "bytes per second per direction per connection (0: unlimited)")
	flag.Float64Var(&o.CutProb, "cut", 0, "probability that a connection is cut at a random byte offset")
	flag.Int64Var(&o.CutWithin, "cut-within", 64<<10, "a cut lands at a byte offset below this")
	flag.Uint64Var(&o.Seed, "seed", 1, "seed for content and faults")
	flag.StringVar(&o.Dir, "dir", "", "folder for the device stores (default: a temporary one, removed)")
	flag.DurationVar(&o.Deadline, "deadline", 5*time.Minute, "how long a device keeps retrying its sync")
	flag.IntVar(&o.Replicas, "replicas", 0, "without --server: run this many replicas on PostgreSQL (--db, or a throwaway cluster) behind a balancing proxy")
	flag.StringVar(&o.Postgres, "db", "", "with --replicas: an empty PostgreSQL database")
	verbose := flag.Bool("v", false, "log each device as it finishes")
	flag.Parse()
	if *verbose {
		o.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if o.Server != "" {
		u, err := url.Parse(o.Server)
		if err != nil || *serverData == "" {
			fmt.Fprintln(os.Stderr, "waymark-sim: --server needs an https:// address and --server-data")
			return 2
		}
		r, err := servertest.Ready(ctx, server.DataDir(*serverData), u.Host, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "waymark-sim:", err)
			return 2
		}
		o.Enrol = sim.EnrollerOf(r)
	}
	if o.Replicas > 0 && o.Server == "" && o.Postgres == "" {
		c, err := pgtest.Start()
		if err != nil {
			fmt.Fprintln(os.Stderr, "waymark-sim:", err)
			return 2
		}
		defer c.Stop()
		if o.Postgres, err = c.NewDatabase(ctx); err != nil {
			fmt.Fprintln(os.Stderr, "waymark-sim:", err)
			return 2
		}
	}
	rep, err := sim.Run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "waymark-sim:", err)
		return 2
	}
	rep.Print(os.Stdout)
	switch {
	case !rep.Audit.OK():
		return 1
	case !rep.OK():
		return 2
	}
	return 0
}
