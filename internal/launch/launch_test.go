//go:build launch

package launch

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/waymark-app/waymark/internal/xvfb"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/session"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

// alive is how long each binary must run without exiting or panicking.
const alive = 20 * time.Second

// pin is the PIN the test types, as an officer would.
const pin = "482913"

// build is one build of the officer app.
type build struct {
	name string
	tags string
	// typed is set where the test can type into the app: Fyne's phone
	// simulation on X11 (-tags mobile) takes the pointer, never the
	// keyboard (its x11.c selects no key events), so no PIN can be
	// typed into it.
	typed bool
}

var builds = []build{{"desktop", "", true}, {"mobile", "mobile", false}}

// TestLaunch builds the desktop app and the -tags mobile one (Fyne's
// phone simulation, whose driver runs fyne.Do at once before the app
// starts: the crash of issue 9), and runs each on a virtual screen of its
// own, against a live server, then again once the server is gone. Each
// must keep running for 20 seconds, print no panic and no Fyne error, and
// say an offline failure at most once.
//
// Every start asks for the PIN first (issue 10). The desktop app is
// driven as an officer would, with xdotool: on a new device it is given
// a PIN, typed twice, then enrols with the live server from its --enrol
// link and runs the officer's screens with the sync engine; started again
// with the server gone, it is unlocked with the PIN, and its engine must
// say that it cannot reach the server exactly once. The phone simulation
// cannot be typed into: on a new device it must keep its set-PIN screen
// up and make no vault; for the second run the test sets up its device
// as the app would (a PIN chosen, enrolled with the live server, through
// package session), and the app must keep its lock screen up. The
// screens behind the PIN, in both builds' code, are tested in package
// app (TestGate, TestNothingPersonalOutsideTheStore).
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
	displays := map[string]string{}
	for _, b := range builds {
		displays[b.name] = xvfb.Start(t) // one each: the keys go to the one window
	}

	srv, err := servertest.Start(servertest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	links := map[string]auth.Link{}
	for i, b := range builds {
		id := fmt.Sprintf("pc%d", 201+i)
		if _, err := srv.AddAccount(ctx, server.Account{ID: id, Name: "Launch Test " + b.name, Number: "PC " + id[2:],
			Agency: "police", Team: "launch", Roles: []wire.Role{wire.RoleOfficer}}); err != nil {
			t.Fatal(err)
		}
		links[b.name] = enrolLink(t, srv, id)
	}

	data, config := map[string]string{}, map[string]string{}
	for _, b := range builds {
		data[b.name] = filepath.Join(dir, "data-"+b.name)
		// Fyne keeps its preferences under the user's configuration
		// folder, whatever --data says: each build its own, as on two
		// devices, and none in this machine's.
		config[b.name] = filepath.Join(dir, "config-"+b.name)
	}
	t.Run("live server", func(t *testing.T) {
		runAll(t, func(b build) launch {
			l := launch{args: []string{bins[b.name], "--data", data[b.name], "--enrol", links[b.name].String()},
				display: displays[b.name], config: config[b.name]}
			if b.typed {
				l.keys = [][]string{{pin, "Return"}, {pin, "Return"}} // choose the PIN, then again
			}
			return l
		})
	})
	for _, b := range builds {
		if !b.typed {
			if got := phase(t, data[b.name]); got != session.NeedPIN {
				t.Errorf("%s: %v with no PIN typed, want %v", b.name, got, session.NeedPIN)
			}
			// Set up as the app would, with the PIN and the live server.
			setUp(t, data[b.name], enrolLink(t, srv, fmt.Sprintf("pc%d", 201+slices.Index(builds, b))))
		}
		if officer := enrolled(t, data[b.name]); officer == "" {
			t.Errorf("%s: the device is not enrolled with the live server", b.name)
		}
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	t.Run("server unreachable", func(t *testing.T) {
		runAll(t, func(b build) launch {
			l := launch{args: []string{bins[b.name], "--data", data[b.name]}, display: displays[b.name], config: config[b.name]}
			if b.typed {
				l.keys = [][]string{{pin, "Return"}} // unlock
				l.syncFailed = 1                     // its engine runs, and says so once
			}
			return l
		})
	})
}

// launch is one run of the app: its command line, its display, what is
// typed into it (each a text and a key, a second apart, once its window
// is up), its own configuration folder, and how many "sync failed" lines it must print (else at most
// one).
type launch struct {
	args       []string
	display    string
	config     string // the user's configuration folder (XDG_CONFIG_HOME)
	keys       [][]string
	syncFailed int
}

// runAll runs each build at once, as launch says.
func runAll(t *testing.T, of func(build) launch) {
	var wg sync.WaitGroup
	for _, b := range builds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if msg := run(of(b)); msg != "" {
				t.Errorf("%s: %s", b.name, msg)
			}
		}()
	}
	wg.Wait()
}

// run starts the app and returns what went wrong, or "" if it was still
// running after alive, printing no panic and no Fyne error.
func run(l launch) string {
	var out lockedBuffer
	cmd := exec.Command(l.args[0], l.args[1:]...)
	// The C locale names no language: LANGUAGE says English, as
	// scripts/demo.sh does, so Fyne has nothing alarming to say.
	env := append(os.Environ(), "DISPLAY="+l.display, "LANGUAGE=en", "XDG_CONFIG_HOME="+l.config)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err.Error()
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	typed := make(chan string, 1)
	go func() { typed <- typeInto(env, l.keys) }()
	select {
	case err := <-exited:
		return fmt.Sprintf("exited within %v (%v):\n%s", alive, err, out.String())
	case <-time.After(alive):
	}
	// What the app printed while it ran; after SIGTERM, Fyne's own
	// preferences watcher can race the save Fyne makes on quitting and
	// read the file half-written (Fyne v2.7.1, app/preferences.go): that
	// one message, at exit, is Fyne's and is not held against the app.
	running := out.String()
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-exited
	}
	log := running + fynePrefsRace.ReplaceAllString(strings.TrimPrefix(out.String(), running), "")
	failed := strings.Count(log, "sync failed")
	switch {
	case strings.Contains(log, "panic:"):
		return "panicked:\n" + log
	case strings.Contains(log, "Fyne error"), strings.Contains(log, "Error in Fyne call thread"):
		return "printed a Fyne error:\n" + log
	case failed > 1:
		return "said the same sync failure more than once:\n" + log
	case failed != l.syncFailed && l.syncFailed > 0:
		return fmt.Sprintf("said %d sync failures, want %d (was it unlocked?):\n%s", failed, l.syncFailed, log)
	}
	if msg := <-typed; msg != "" {
		return msg
	}
	return ""
}

// fynePrefsRace is how Fyne reports reading its preferences file while
// it is being rewritten: an empty file, so the decoder met its end.
var fynePrefsRace = regexp.MustCompile(`.*Fyne error:  Preferences load error:\n.*Cause: EOF\n`)

// lockedBuffer is a bytes.Buffer that the command's output goroutine
// writes while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// typeInto waits for the app's window on the display env names, then
// types each text and presses its key, a second apart, as an officer at
// the keyboard would; it returns what went wrong, or "".
func typeInto(env []string, keys [][]string) string {
	if len(keys) == 0 {
		return ""
	}
	xdotool := func(args ...string) (string, error) {
		cmd := exec.Command("xdotool", args...)
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	var window string
	for deadline := time.Now().Add(alive / 2); window == ""; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			return "no Waymark window to type into"
		}
		out, _ := xdotool("search", "--name", "^Waymark$")
		window, _, _ = strings.Cut(out, "\n")
	}
	time.Sleep(2 * time.Second) // the first frame, and the PIN entry's focus
	for _, k := range keys {
		if out, err := xdotool("windowfocus", "--sync", window); err != nil {
			return fmt.Sprintf("focus the window: %v: %s", err, out)
		}
		if out, err := xdotool("type", "--delay", "40", k[0]); err != nil {
			return fmt.Sprintf("type: %v: %s", err, out)
		}
		if out, err := xdotool("key", k[1]); err != nil {
			return fmt.Sprintf("press %s: %v: %s", k[1], err, out)
		}
		time.Sleep(time.Second)
	}
	return ""
}

// enrolLink is a one-time enrolment link for account id on srv.
func enrolLink(t *testing.T, srv *servertest.Server, id string) auth.Link {
	t.Helper()
	code, err := srv.Admin().Enrol(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	c, err := auth.ParseCode(code.Code)
	if err != nil {
		t.Fatal(err)
	}
	return auth.Link{Server: srv.URL, Code: c, Pin: srv.Pin}
}

// setUp makes the device whose data is in dir as the app makes it when
// the officer chooses the PIN and enrols with link.
func setUp(t *testing.T, dir string, link auth.Link) {
	t.Helper()
	ctx := context.Background()
	s, err := session.Open(ctx, session.Options{Dir: dir, TickEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.SetPIN(ctx, []byte(pin)); err != nil {
		t.Fatal(err)
	}
	if err := s.Enrol(ctx, link, false); err != nil {
		t.Fatal(err)
	}
}

// phase is the phase the device whose data is in dir starts in.
func phase(t *testing.T, dir string) session.Phase {
	t.Helper()
	s, err := session.Open(context.Background(), session.Options{Dir: dir, TickEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return s.State().Phase
}

// enrolled unlocks the device whose data is in dir with the PIN and
// returns the collar number of the officer it is enrolled to, or "".
func enrolled(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	s, err := session.Open(ctx, session.Options{Dir: dir, TickEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if st := s.State(); st.Phase != session.Locked {
		t.Logf("%s: %v, not locked with a PIN", dir, st.Phase)
		return ""
	}
	if err := s.Unlock(ctx, []byte(pin)); err != nil {
		t.Logf("%s: %v", dir, err)
		return ""
	}
	return s.Officer().Number
}
