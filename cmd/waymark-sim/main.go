// Command waymark-sim simulates a day of action against a Waymark server:
// many devices, each with its own encrypted store and sync engine, record
// encounters and push them, through injected network faults if asked; then
// it checks that the server holds every acknowledged record exactly once.
// Its last line is the verdict; it exits 1 if anything was lost,
// duplicated or altered, and 2 if some device could not finish.
//
//	waymark-sim --devices 50 --encounters 200 --cut 0.1 --latency 20ms
//	waymark-sim --server https://127.0.0.1:8765 --server-data ./server-data --devices 200
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

	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/sim"
)

func main() {
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
			os.Exit(2)
		}
		r, err := servertest.Ready(ctx, server.DataDir(*serverData), u.Host, nil)
		if err != nil {
			fmt.Fprintln(os.Stderr, "waymark-sim:", err)
			os.Exit(2)
		}
		o.Enrol = sim.EnrollerOf(r)
	}
	rep, err := sim.Run(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "waymark-sim:", err)
		os.Exit(2)
	}
	rep.Print(os.Stdout)
	switch {
	case !rep.Audit.OK():
		os.Exit(1)
	case !rep.OK():
		os.Exit(2)
	}
}
