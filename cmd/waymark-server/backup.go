package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/waymark-app/waymark/server"
)

// backup copies the embedded store into the new folder --out: through
// the running server's socket (the server writes it, as its user, while
// it serves), else on the store opened here.
func (c *config) backup(ctx context.Context, args []string) error {
	if len(args) != 0 {
		return usagef("backup takes no arguments (the folder with --out)")
	}
	if c.outFile == "" {
		return usagef("backup needs --out DIR: a folder that does not exist or is empty")
	}
	if c.db != "" {
		return fmt.Errorf("backup: %w", server.ErrBackupPostgres)
	}
	dir, err := filepath.Abs(c.outFile)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	ad, done, err := c.administration()
	if err != nil {
		return err
	}
	defer done()
	rep, err := ad.Backup(ctx, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "Backup written to %s: %d keys, %d bytes streamed, %d bytes on disk.\n", rep.Dir, rep.Keys, rep.StreamBytes, rep.Bytes)
	fmt.Fprintf(c.out, "Log head at the snapshot: %s (%s).\n", rep.Head, rep.Head.At.UTC().Format(time.RFC3339))
	fmt.Fprintln(c.out, "It is encrypted with the store key, which it does not hold: keep the key apart. To restore it, see docs/operations.md, Backups.")
	return nil
}
