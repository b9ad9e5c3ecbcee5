package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/waymark-app/waymark/internal/enrolqr"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/sync/auth"
)

// cli runs a command line and returns what it printed.
func cli(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(args, &out)
	return out.String(), err
}

// TestAdministration runs the administration commands on a data folder:
// first with the store opened here, then through a running server's
// socket. Bad input is refused with a clear error, the right exit kind,
// and nothing written.
func TestAdministration(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	d := []string{"--data", data}
	if _, err := cli(t, append(d, "user", "list")...); err == nil || !strings.Contains(err.Error(), "not initialised") {
		t.Fatalf("user list before init: %v", err)
	}
	out, err := cli(t, append(d, "init", "--host", "waymark.example", "--addr", "127.0.0.1:9443")...)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"https://waymark.example:9443", "sha256/", "first administrator (admin)", "waymark://enrol?"} {
		if !strings.Contains(out, want) {
			t.Errorf("init output lacks %q:\n%s", want, out)
		}
	}
	for _, f := range []string{"server.key", "tls/key.pem"} {
		if fi, err := os.Stat(filepath.Join(data, f)); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v", f, fi.Mode(), err)
		}
	}
	if fi, _ := os.Stat(data); fi.Mode().Perm() != 0o700 {
		t.Errorf("data folder mode %v", fi.Mode())
	}
	if _, err := cli(t, append(d, "init")...); err == nil {
		t.Error("a second init succeeded")
	}

	add := append(d, "user", "add", "pc101", "--name", "A Example", "--number", "PC 101", "--agency", "police", "--team", "north", "--roles", "officer")
	if _, err := cli(t, add...); err != nil {
		t.Fatal(err)
	}
	var ue usageError
	for _, tc := range []struct {
		args  []string
		usage bool
		msg   string
	}{
		{append(d, "user", "add", "pc102", "--name", "B", "--number", "PC 102", "--agency", "mars", "--roles", "officer"), false, "field agency"},
		{append(d, "user", "add", "pc103", "--name", "", "--number", "PC 103", "--agency", "police", "--roles", "officer"), false, "field name"},
		{append(d, "user", "add", "pc104", "--name", "C", "--number", "PC 104", "--agency", "police", "--roles", "officer,wizard"), false, "field roles"},
		{append(d, "user", "add", "Bad Id", "--name", "C", "--number", "PC 105", "--agency", "police", "--roles", "officer"), false, "field id"},
		{append(d, "user", "add", "pc106", "--name", "D", "--number", "PC 101", "--agency", "police", "--roles", "officer"), false, "already exists"},
		{append(d, "user", "add"), true, "account id"},
		{append(d, "user", "frob"), true, "unknown command"},
		{append(d, "device", "revoke", "not-a-uuid"), true, "not a uuid"},
		{append(d, "user", "disable", "nobody"), false, "not found"},
		{append(d, "--bogus"), true, "not defined"},
	} {
		_, err := cli(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.msg) || errors.As(err, &ue) != tc.usage {
			t.Errorf("%q: %v (usage error: %v)", tc.args[2:], err, errors.As(err, &ue))
		}
	}
	out, _ = cli(t, append(d, "user", "list")...)
	if strings.Count(out, "\n") != 3 || !strings.Contains(out, "pc101") {
		t.Errorf("after refused commands the accounts are:\n%s", out)
	}

	// A running server: the commands go through its socket.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Run(ctx, server.RunOptions{Data: server.DataDir(data), Addr: "127.0.0.1:0"}) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	for !socketUp(server.DataDir(data).Socket()) {
		time.Sleep(10 * time.Millisecond)
	}
	qr := filepath.Join(t.TempDir(), "pc101.png")
	out, err = cli(t, append(d, "enrol", "pc101", "--qr", qr)...)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(qr)
	if err != nil {
		t.Fatal(err)
	}
	text, err := enrolqr.Decode(f)
	f.Close()
	l, lerr := auth.ParseLink(text)
	if err != nil || lerr != nil || l.Server != "https://waymark.example:9443" || l.Pin == "" || !strings.Contains(out, l.Code.String()) {
		t.Errorf("QR code %q (%v, %v) for output:\n%s", text, err, lerr, out)
	}
	if fi, _ := os.Stat(qr); fi.Mode().Perm() != 0o600 {
		t.Errorf("QR image mode %v", fi.Mode())
	}
	if _, err := cli(t, append(d, "user", "role", "pc101", "officer,supervisor")...); err != nil {
		t.Fatal(err)
	}
	if _, err := cli(t, append(d, "user", "disable", "pc101")...); err != nil {
		t.Fatal(err)
	}
	out, _ = cli(t, append(d, "user", "list")...)
	if !strings.Contains(out, "officer,supervisor") || !strings.Contains(out, "disabled") {
		t.Errorf("after role and disable:\n%s", out)
	}
	out, _ = cli(t, append(d, "log")...)
	for _, want := range []string{"account.add", "enrol.code", "account.roles", "roles officer -> officer,supervisor", "account.disable"} {
		if !strings.Contains(out, want) {
			t.Errorf("admin log lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(out, "cli:") {
		t.Errorf("admin log does not name the OS user:\n%s", out)
	}
}

func socketUp(path string) bool {
	_, err := (&server.AdminClient{Socket: path}).Users(context.Background())
	return err == nil
}

// TestVerifyAndHead: verify passes on an initialised folder, through
// the head it printed, and fails through a head the log never had.
func TestVerifyAndHead(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	d := []string{"--data", data}
	if _, err := cli(t, append(d, "init")...); err != nil {
		t.Fatal(err)
	}
	if _, err := cli(t, append(d, "user", "add", "pc7", "--name", "A Example", "--number", "PC 7", "--agency", "police", "--roles", "officer")...); err != nil {
		t.Fatal(err)
	}
	out, err := cli(t, append(d, "head")...)
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Fields(out)[0]
	if _, err := server.ParseHead(head); err != nil {
		t.Fatalf("head printed %q: %v", out, err)
	}
	if out, err := cli(t, append(d, "verify", "--anchor", head)...); err != nil || !strings.Contains(out, "OK") {
		t.Errorf("verify: %v\n%s", err, out)
	}
	out, err = cli(t, append(d, "verify", "--anchor", "2:"+strings.Repeat("0", 64))...)
	if !errors.Is(err, errVerify) || !strings.Contains(out, "PROBLEM") || !strings.Contains(out, "anchor 2:") {
		t.Errorf("verify through a wrong anchor: %v\n%s", err, out)
	}
	if _, err := cli(t, append(d, "verify", "--anchor", "nonsense")...); !errors.As(err, new(usageError)) {
		t.Errorf("a malformed anchor: %v", err)
	}
}
