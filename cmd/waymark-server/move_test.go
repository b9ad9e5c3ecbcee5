package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/waymark-app/waymark/internal/pgtest"
	"github.com/waymark-app/waymark/server/storage/pgstore"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) { pgtest.Main(m, &cluster) }

func newDB(t *testing.T) string {
	t.Helper()
	url, err := cluster.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// ok runs a command line that must succeed, and returns what it printed.
func ok(t *testing.T, args ...string) string {
	t.Helper()
	out, err := cli(t, args...)
	if err != nil {
		t.Fatalf("%q: %v\n%s", args, err, out)
	}
	return out
}

var digestLine = regexp.MustCompile(`(?m)^digest: [0-9a-f]{64}$`)
var headLine = regexp.MustCompile(`(?m)^log: \d+ events, head \S+$`)

// TestMoveBetweenBackends: a server initialised on the embedded store,
// with accounts, codes and changes logged, moves to PostgreSQL with
// export and import, and back; verify passes on every side with the same
// digest and the same log head.
func TestMoveBetweenBackends(t *testing.T) {
	root := t.TempDir()
	badger := filepath.Join(root, "badger")
	ok(t, "--data", badger, "init")
	for _, id := range []string{"pc1", "pc2"} {
		ok(t, "--data", badger, "user", "add", id, "--name", "Example "+id, "--number", "N "+id, "--agency", "police", "--roles", "officer")
		ok(t, "--data", badger, "enrol", id)
	}
	ok(t, "--data", badger, "user", "disable", "pc2")
	before := ok(t, "--data", badger, "verify")

	dump := filepath.Join(root, "dump")
	ok(t, "--data", badger, "export", "--out", dump)
	if fi, err := os.Stat(dump); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("export file: %v %v", fi, err)
	}
	if _, err := cli(t, "--data", badger, "export", "--out", dump); err == nil {
		t.Error("export overwrote a file")
	}

	// The PostgreSQL side: the data folder copied (configuration and
	// certificate), the store imported into the database.
	pg := filepath.Join(root, "pg")
	copyFolder(t, badger, pg, "config.json", "tls")
	url := newDB(t)
	db := []string{"--data", pg, "--db", url}
	out := ok(t, append(db, "import", "--in", dump)...)
	if !strings.Contains(out, "Imported") || !strings.Contains(out, "postgres") {
		t.Errorf("import said %q", out)
	}
	onPG := ok(t, append(db, "verify")...)
	if digestLine.FindString(onPG) != digestLine.FindString(before) || headLine.FindString(onPG) != headLine.FindString(before) {
		t.Fatalf("verify on PostgreSQL:\n%s\nbefore:\n%s", onPG, before)
	}
	users := ok(t, append(db, "user", "list")...)
	if !strings.Contains(users, "pc1") || !strings.Contains(users, "disabled") {
		t.Errorf("accounts on PostgreSQL:\n%s", users)
	}
	if _, err := cli(t, append(db, "import", "--in", dump)...); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a second import: %v", err)
	}
	// The server works on it: a change made there is logged and verifies.
	ok(t, append(db, "user", "enable", "pc2")...)
	after := ok(t, append(db, "verify")...)

	// And back to an embedded store.
	dump2 := filepath.Join(root, "dump2")
	ok(t, append(db, "export", "--out", dump2)...)
	back := filepath.Join(root, "back")
	copyFolder(t, badger, back, "config.json", "tls")
	ok(t, "--data", back, "import", "--in", dump2)
	onBack := ok(t, "--data", back, "verify")
	if digestLine.FindString(onBack) != digestLine.FindString(after) || headLine.FindString(onBack) != headLine.FindString(after) {
		t.Fatalf("verify back on Badger:\n%s\non PostgreSQL:\n%s", onBack, after)
	}
}

// TestMigrate: migrate brings an empty database, and one at the previous
// schema version, to the newest; serve would do the same at start.
func TestMigrate(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	empty := newDB(t)
	out := ok(t, "--data", data, "--db", empty, "migrate")
	if !strings.Contains(out, "postgres store is at schema version 2") {
		t.Errorf("migrate of an empty database said %q", out)
	}
	prev := newDB(t)
	conn, err := pgx.Connect(ctx, prev)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := pgstore.MigrateTo(ctx, conn, pgstore.Newest-1); err != nil {
		t.Fatal(err)
	}
	if _, err := cli(t, "--data", data, "--db", prev, "--no-migrate", "export", "--out", filepath.Join(data, "x")); err == nil || !strings.Contains(err.Error(), "run waymark-server migrate") {
		t.Errorf("a database one version behind, opened without migrating: %v", err)
	}
	out = ok(t, "--data", data, "--db", prev, "migrate")
	if !strings.Contains(out, "schema version 2") {
		t.Errorf("migrate from the previous version said %q", out)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM waymark_schema`).Scan(&n); err != nil || n != pgstore.Newest {
		t.Errorf("versions recorded: %d %v", n, err)
	}
	// The embedded store has versions too.
	out = ok(t, "--data", filepath.Join(data, "embedded"), "migrate")
	if !strings.Contains(out, "badger store is at schema version 1") {
		t.Errorf("migrate of an embedded store said %q", out)
	}
}

func copyFolder(t *testing.T, from, to string, names ...string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if out, err := exec.Command("cp", "-a", filepath.Join(from, n), filepath.Join(to, n)).CombinedOutput(); err != nil {
			t.Fatalf("cp: %v %s", err, out)
		}
	}
}
