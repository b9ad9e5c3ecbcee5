// Command waymark-abuse attacks a real waymark-server binary over TLS as
// a hostile client enrolled as one device, and prints a table: attack,
// answer, server still up, data unchanged. It exits 1 if any attack
// succeeded, the server fell over, the records changed, or the canary
// pushed in refused entries was kept anywhere.
//
//	waymark-abuse --server-bin bin/waymark-server [--short] [--dir D]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/waymark-app/waymark/abuse"
)

func main() {
	bin := flag.String("server-bin", "bin/waymark-server", "the waymark-server binary to attack")
	short := flag.Bool("short", false, "small scale (as make test runs it)")
	dir := flag.String("dir", "", "work folder, kept; empty: a temporary one, removed if everything passed")
	verbose := flag.Bool("v", false, "print each attack as it starts")
	flag.Parse()
	o := abuse.Options{ServerBin: *bin, Short: *short, Dir: *dir}
	if *verbose {
		o.Log = os.Stderr
	}
	rep, err := abuse.Run(context.Background(), o)
	rep.Print(os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "waymark-abuse:", err)
		os.Exit(1)
	}
	if !rep.OK() {
		fmt.Fprintf(os.Stderr, "waymark-abuse: FAILED; the work folder is kept: %s\n", rep.Dir)
		os.Exit(1)
	}
}
