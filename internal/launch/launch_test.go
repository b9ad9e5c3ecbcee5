//go:build launch

package launch

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
	"github.com/waymark-app/waymark/sync/wire"
)

// alive is how long each binary must run without exiting or panicking.
const alive = 20 * time.Second

// build is one build of the officer app.
type build struct {
	name string
	tags string
}

var builds = []build{{"desktop", ""}, {"mobile", "mobile"}}

// TestLaunch builds the desktop app and the -tags mobile one (Fyne's
// phone simulation, whose driver runs fyne.Do at once before the app
// starts: the crash of issue 9), and runs each under Xvfb, enrolling
// with a live server, then again once the server is gone. Each must keep
// running for 20 seconds, print no panic, and say an offline failure at
// most once.
func TestLaunch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	bins := map[string]string{}
	for _, b := range builds {
		bins[b.name] = filepath.Join(dir, "waymark-"+b.name)
		args := []string{"build", "-o", bins[b.name]}
		if b.tags != "" {
			args = append(args, "-tags", b.tags)
		}
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), append(args, "../..")...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	display := startXvfb(t)

	srv, err := servertest.Start(servertest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	links := map[string]string{}
	for i, b := range builds {
		id := fmt.Sprintf("pc%d", 201+i)
		if _, err := srv.AddAccount(ctx, server.Account{ID: id, Name: "Launch Test " + b.name, Number: "PC " + id[2:],
			Agency: "police", Team: "launch", Roles: []wire.Role{wire.RoleOfficer}}); err != nil {
			t.Fatal(err)
		}
		code, err := srv.Admin().Enrol(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		c, err := auth.ParseCode(code.Code)
		if err != nil {
			t.Fatal(err)
		}
		links[b.name] = auth.Link{Server: srv.URL, Code: c, Pin: srv.Pin}.String()
	}

	data := map[string]string{}
	for _, b := range builds {
		data[b.name] = filepath.Join(dir, "data-"+b.name)
	}
	t.Run("live server", func(t *testing.T) {
		runAll(t, func(b build) []string {
			return []string{bins[b.name], "--data", data[b.name], "--enrol", links[b.name]}
		}, display)
	})
	for _, b := range builds {
		if !enrolled(t, data[b.name]) {
			t.Errorf("%s: the app did not enrol with the live server", b.name)
		}
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	t.Run("server unreachable", func(t *testing.T) {
		runAll(t, func(b build) []string { return []string{bins[b.name], "--data", data[b.name]} }, display)
	})
}

// runAll runs each build at once, with the arguments args gives it.
func runAll(t *testing.T, args func(build) []string, display string) {
	var wg sync.WaitGroup
	for _, b := range builds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if msg := run(args(b), display); msg != "" {
				t.Errorf("%s: %s", b.name, msg)
			}
		}()
	}
	wg.Wait()
}

// run starts the app on display and returns what went wrong, or "" if it
// was still running after alive, printing no panic and at most one line
// about a failed sync.
func run(args []string, display string) string {
	var out bytes.Buffer
	cmd := exec.Command(args[0], args[1:]...)
	// The C locale names no language: LANGUAGE says English, as
	// scripts/demo.sh does, so Fyne has nothing alarming to say.
	cmd.Env = append(os.Environ(), "DISPLAY="+display, "LANGUAGE=en")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err.Error()
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		return fmt.Sprintf("exited within %v (%v):\n%s", alive, err, out.String())
	case <-time.After(alive):
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
	log := out.String()
	switch {
	case strings.Contains(log, "panic:"):
		return "panicked:\n" + log
	case strings.Count(log, "sync failed") > 1:
		return "said the same sync failure more than once:\n" + log
	case strings.Contains(log, "Fyne error"):
		return "printed a Fyne error:\n" + log
	}
	return ""
}

// enrolled reports whether the device whose data is in dir holds a
// credential.
func enrolled(t *testing.T, dir string) bool {
	ctx := context.Background()
	key, err := store.LoadOrCreateKey(filepath.Join(dir, "device.key"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, store.Options{Dir: filepath.Join(dir, "store"), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	_, err = client.LoadCredential(ctx, st)
	return err == nil
}

// startXvfb starts a virtual screen on a display no one uses and returns
// its name; scripts/deps.sh installs Xvfb.
func startXvfb(t *testing.T) string {
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		t.Fatal("no Xvfb: run scripts/deps.sh (make test does)")
	}
	for n := 150; n < 200; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		display := fmt.Sprintf(":%d", n)
		cmd := exec.Command(xvfb, display, "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			cmd.Process.Signal(syscall.SIGTERM)
			cmd.Wait()
		})
		for range 50 {
			if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
				return display
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("Xvfb did not start on %s", display)
	}
	t.Fatal("no free display between :150 and :199")
	return ""
}
