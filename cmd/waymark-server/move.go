package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/storage"
)

// move runs migrate, export and import: they work on the store itself
// (not through a running server), so the embedded store must not be in
// use; a PostgreSQL store may be, by its replicas.
func (c *config) move(ctx context.Context, cmd string) error {
	d := server.DataDir(c.data)
	sc := c.storeConfig()
	switch cmd {
	case "migrate":
		sc.NoMigrate = false
		st, err := c.openForMove(ctx, d, sc, true)
		if err != nil {
			return err
		}
		defer st.Close()
		// Opening migrated it; say where it stands.
		m := st.(storage.Migrator)
		have, newest, err := m.SchemaVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.out, "The %s store is at schema version %d (the newest this program knows: %d).\n", st.Backend(), have, newest)
		return nil
	case "export":
		st, err := c.openForMove(ctx, d, sc, false)
		if err != nil {
			return err
		}
		defer st.Close()
		var w io.Writer = c.out
		if c.outFile != "" {
			// What it holds is everything the store holds, in the clear:
			// only its owner reads it, and it must be new.
			f, err := os.OpenFile(c.outFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			defer f.Close()
			w = f
		}
		m, err := server.Export(ctx, st, w)
		if err != nil {
			return err
		}
		if f, ok := w.(*os.File); ok && f != os.Stdout {
			if err := f.Sync(); err != nil {
				return err
			}
		}
		say := c.out
		if c.outFile == "" {
			say = os.Stderr // standard output is the stream
		}
		fmt.Fprintf(say, "Exported %d values from the %s store (%s); digest %s.\n", m.Items, st.Backend(), counts(m), m.Digest)
		return nil
	case "import":
		st, err := c.openForMove(ctx, d, sc, true)
		if err != nil {
			return err
		}
		defer st.Close()
		var r io.Reader = c.in
		if c.inFile != "" {
			f, err := os.Open(c.inFile)
			if err != nil {
				return fmt.Errorf("import: %w", err)
			}
			defer f.Close()
			r = f
		}
		m, err := server.Import(ctx, st, r)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.out, "Imported %d values into the %s store (%s); digest %s. Run waymark-server verify to check them.\n", m.Items, st.Backend(), counts(m), m.Digest)
		return nil
	}
	return usagef("unknown command %s", cmd)
}

// openForMove opens the store itself, refusing if a server answers on
// the data folder's socket and the store is the embedded one (it holds
// it).
func (c *config) openForMove(ctx context.Context, d server.DataDir, sc server.StoreConfig, create bool) (storage.Store, error) {
	if sc.DB == "" {
		if _, err := os.Stat(d.Socket()); err == nil {
			if conn, err := dialSocket(d.Socket()); err == nil {
				conn.Close()
				return nil, fmt.Errorf("a server is running on %s: stop it first (the embedded store belongs to one process)", c.data)
			}
		}
	}
	if err := os.MkdirAll(c.data, 0o700); err != nil {
		return nil, err
	}
	return d.OpenStore(ctx, sc, create)
}

func counts(m server.Moved) string {
	var parts []string
	for _, c := range storage.Collections {
		if n := m.Counts[c.Name]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c.Name, n))
		}
	}
	return strings.Join(parts, ", ")
}

// dialSocket reaches a server's administration socket, if one answers.
func dialSocket(path string) (net.Conn, error) { return net.DialTimeout("unix", path, 5*time.Second) }
