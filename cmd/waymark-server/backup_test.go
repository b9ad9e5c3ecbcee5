package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/waymark-app/waymark/server"
)

var backupHead = regexp.MustCompile(`(?m)^Log head at the snapshot: (\d+:[0-9a-f]{64}) `)

// TestBackupCommand: bad command lines are refused with the right exit
// kind and nothing written; a backup taken through a running server's
// socket, put in place of db/ in a data folder with the same key and
// configuration, passes verify through the head it printed.
func TestBackupCommand(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	d := []string{"--data", data}
	ok(t, append(d, "init")...)
	ok(t, append(d, "user", "add", "pc8", "--name", "B Example", "--number", "PC 8", "--agency", "police", "--roles", "officer")...)

	full := filepath.Join(root, "full")
	if err := os.Mkdir(full, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full, "keep"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		usage bool // exit status 2, else 1
		want  string
	}{
		{"no --out", []string{"backup"}, true, "needs --out"},
		{"an argument", []string{"backup", "--out", filepath.Join(root, "b"), "extra"}, true, "no arguments"},
		{"not empty", []string{"backup", "--out", full}, false, "is not empty"},
		{"a file", []string{"backup", "--out", filepath.Join(full, "keep")}, false, "not a folder"},
		{"postgres", []string{"backup", "--out", filepath.Join(root, "b"), "--db", "postgres://nowhere.invalid/waymark"}, false, "pg_dump or pg_basebackup"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cli(t, append(d, tc.args...)...)
			if err == nil || !strings.Contains(err.Error(), tc.want) || errors.As(err, new(usageError)) != tc.usage {
				t.Errorf("%q: %v, want %q (usage %v)", tc.args, err, tc.want, tc.usage)
			}
		})
	}
	names, _ := os.ReadDir(root)
	if len(names) != 2 {
		t.Errorf("after refused backups %s holds %d entries, want data and full", root, len(names))
	}
	if names, _ := os.ReadDir(full); len(names) != 1 {
		t.Errorf("the full folder holds %d files", len(names))
	}

	// Through a running server.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Run(ctx, server.RunOptions{Data: server.DataDir(data), Addr: "127.0.0.1:0"}) }()
	for !socketUp(server.DataDir(data).Socket()) {
		time.Sleep(10 * time.Millisecond)
	}
	// An empty folder will do; a relative path is the caller's.
	if err := os.Mkdir(filepath.Join(root, "empty"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(root)
	out := ok(t, append(d, "backup", "--out", "empty")...)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	m := backupHead.FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "Backup written to "+filepath.Join(root, "empty")+": ") {
		t.Fatalf("backup printed:\n%s", out)
	}

	// Restored: the backup in place of db/, beside the same
	// configuration, certificate and key.
	restored := filepath.Join(root, "restored")
	copyFolder(t, data, restored, "config.json", "tls", "server.key")
	if err := os.Rename(filepath.Join(root, "empty"), filepath.Join(restored, "db")); err != nil {
		t.Fatal(err)
	}
	v := ok(t, "--data", restored, "verify", "--anchor", m[1])
	if !strings.Contains(v, "OK") {
		t.Errorf("verify on the restored folder:\n%s", v)
	}
	if !strings.Contains(ok(t, "--data", restored, "user", "list"), "pc8") {
		t.Error("the restored folder lacks account pc8")
	}
	// The live folder's admin log records the backup, and verifies.
	if l := ok(t, append(d, "log")...); !strings.Contains(l, "store.backup") || !strings.Contains(l, "head "+m[1]) {
		t.Errorf("the admin log lacks the backup:\n%s", l)
	}
	if l := ok(t, append(d, "verify")...); !strings.Contains(l, "OK") {
		t.Errorf("verify on the live folder:\n%s", l)
	}
}
