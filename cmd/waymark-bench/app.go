package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/waymark-app/waymark/sim"
	"github.com/waymark-app/waymark/vault"
)

// app measures the memory of the real app binary in a virtual X display
// (Xvfb), with whatever OpenGL the machine has (under Xvfb: Mesa's
// software renderer): once with an empty store, once showing a list of
// 1,000 synced encounters. If shot is set, it saves a screenshot there.
func (b *bench) app(ctx context.Context, bin, shot string) error {
	const what = "app RSS (bin/waymark): new device (PIN screen); 1,000 encounters listed"
	if bin == "" {
		b.t.add(what, "not measured: no --app-bin")
		return nil
	}
	if _, err := os.Stat(bin); err != nil {
		b.t.add(what, fmt.Sprintf("not measured: %v (make build makes it)", err))
		return nil
	}
	xvfb, err := exec.LookPath("Xvfb")
	if err != nil {
		b.t.add(what, "not measured: no Xvfb on this machine (apt-get install xvfb)")
		return nil
	}
	if _, err := exec.LookPath("xdotool"); err != nil {
		b.t.add(what, "not measured: no xdotool to see the window (apt-get install xdotool)")
		return nil
	}
	srv, err := b.startServer(ctx)
	if err != nil {
		return err
	}
	defer srv.stop()

	display := ""
	for n := 90; n < 100; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); os.IsNotExist(err) {
			display = fmt.Sprintf(":%d", n)
			break
		}
	}
	if display == "" {
		b.t.add(what, "not measured: no free X display between :90 and :99")
		return nil
	}
	x := exec.Command(xvfb, display, "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
	if err := x.Start(); err != nil {
		return err
	}
	defer func() { x.Process.Kill(); x.Wait() }()
	time.Sleep(time.Second)

	// A new device: the app asks for a PIN before anything else.
	empty := b.fresh("app-empty")
	e, err := runApp(bin, display, empty, srv.url, "", false)
	if err != nil {
		b.t.add(what, "not measured: "+err.Error())
		return nil
	}
	// The app's data folder, laid out as the app lays it out: the vault
	// sealed by the bench's PIN, and the store it opens holding 1,000
	// encounters already synced. The app is unlocked by typing the PIN.
	data := b.fresh("app-data")
	v, err := vault.Open(ctx, filepath.Join(data, "vault"), vault.Options{})
	if err != nil {
		return err
	}
	k, err := v.Create(ctx, benchPIN, nil)
	if err != nil {
		v.Close()
		return err
	}
	key := k.DataKey()
	v.Close()
	d, err := sim.OpenDevice(ctx, sim.DeviceOptions{Dir: filepath.Join(data, "store"), Key: key, Seed: 5, Enrol: srv.enrol})
	if err != nil {
		return err
	}
	_, err = d.Record(ctx, 1000, 1)
	if err == nil {
		_, err = d.Sync(ctx)
	}
	d.Close()
	if err != nil {
		return err
	}
	f, err := runApp(bin, display, data, srv.url, shot, true)
	if err != nil {
		b.t.add(what, "not measured: "+err.Error())
		return nil
	}
	b.t.add(what, fmt.Sprintf("%.0f MiB (peak %.0f); %.0f MiB (peak %.0f), unlocked with argon2id's 64 MiB; under Xvfb with Mesa software OpenGL", e[0], e[1], f[0], f[1]))
	return nil
}

// runApp runs the app on display with its data in data, waits for its
// window, types the bench's PIN into the lock screen if unlock is set,
// waits five seconds more, and returns its RSS and peak RSS in MiB.
func runApp(bin, display, data, server, shot string, unlock bool) ([2]float64, error) {
	var logs strings.Builder
	a := exec.Command(bin, "--data", data, "--server", server)
	a.Env = append(os.Environ(), "DISPLAY="+display)
	a.Stdout, a.Stderr = &logs, &logs
	if err := a.Start(); err != nil {
		return [2]float64{}, err
	}
	exited := make(chan error, 1)
	go func() { exited <- a.Wait() }()
	defer func() { a.Process.Kill(); <-exited }()
	shown, window := false, ""
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline) && !shown; time.Sleep(250 * time.Millisecond) {
		select {
		case err := <-exited:
			exited <- err
			return [2]float64{}, fmt.Errorf("the app exited: %v: %.300s", err, logs.String())
		default:
		}
		xd := exec.Command("xdotool", "search", "--name", "Waymark")
		xd.Env = a.Env
		out, _ := xd.Output()
		window, _, _ = strings.Cut(strings.TrimSpace(string(out)), "\n")
		shown = window != ""
	}
	if !shown {
		return [2]float64{}, errors.New("no Waymark window within a minute")
	}
	if unlock {
		time.Sleep(2 * time.Second) // the lock screen's entry takes the keys
		// Keys sent to a window (--window, XSendEvent) do not always
		// reach it; keys typed into the focused window (XTEST) do, as the
		// launch test found.
		for _, args := range [][]string{
			{"windowfocus", "--sync", window},
			{"type", "--delay", "30", string(benchPIN)},
			{"key", "Return"},
		} {
			xd := exec.Command("xdotool", args...)
			xd.Env = a.Env
			if out, err := xd.CombinedOutput(); err != nil {
				return [2]float64{}, fmt.Errorf("type the PIN: %v: %s", err, out)
			}
		}
	}
	time.Sleep(5 * time.Second)
	now, peak, ok := procRSS(a.Process.Pid)
	if !ok {
		return [2]float64{}, errors.New("cannot read /proc")
	}
	if shot != "" {
		imp := exec.Command("import", "-window", "root", shot)
		imp.Env = a.Env
		imp.Run()
	}
	return [2]float64{now, peak}, nil
}
