package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	srvpkg "github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/sim"
	"github.com/waymark-app/waymark/store"
)

// bench holds what the measurements share.
type bench struct {
	t         *table
	dir       string
	serverBin string
	serverRSS []string           // what the server processes measured used
	n         int                // counter for fresh folders
	offline   *servertest.Server // enrols devices that record offline
}

// offlineDevice opens a device store in dir enrolled (as simulated
// officer 0) with a server of its own in this process, to record with no
// server in reach: its records name the officer as any server's sim-0000.
func (b *bench) offlineDevice(ctx context.Context, dir string, key []byte, seed uint64) (*sim.Device, error) {
	if b.offline == nil {
		s, err := sim.StartServer(b.fresh("offline-server"))
		if err != nil {
			return nil, err
		}
		b.offline = s
	}
	return sim.OpenDevice(ctx, sim.DeviceOptions{Dir: dir, Key: key, Server: "https://127.0.0.1:1", Seed: seed, Enrol: sim.EnrollerFor(b.offline)})
}

// reenrol enrols the device store in dir (closed) with srv, as simulated
// officer 0 again: a copy of a device, taken to another server.
func reenrol(ctx context.Context, dir string, key []byte, srv *server) error {
	st, err := store.Open(ctx, store.Options{Dir: dir, Key: key})
	if err != nil {
		return err
	}
	defer st.Close()
	if _, err := srv.enrol.Device(ctx, st, 0); err != nil {
		return err
	}
	return st.Close()
}

// fresh returns a new folder under the bench's own.
func (b *bench) fresh(name string) string {
	b.n++
	d := filepath.Join(b.dir, fmt.Sprintf("%s-%d", name, b.n))
	os.MkdirAll(d, 0o700)
	return d
}

// server is a sync server under measurement: a real waymark-server
// process if the bench has the binary, else one in this process; and
// what enrols devices with it.
type server struct {
	url    string
	cmd    *exec.Cmd
	exited chan struct{}
	local  *servertest.Server
	enrol  *sim.Enroller
}

func (b *bench) startServer(ctx context.Context) (*server, error) {
	dir := b.fresh("server")
	if b.serverBin == "" {
		ls, err := sim.StartServer(dir)
		if err != nil {
			return nil, err
		}
		return &server{url: ls.URL, local: ls, enrol: sim.EnrollerFor(ls)}, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	cmd := exec.Command(b.serverBin, "--addr", addr, "--data", dir, "--log", "json")
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", b.serverBin, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	r, err := servertest.Ready(ctx, srvpkg.DataDir(dir), addr, exited)
	if err != nil {
		cmd.Process.Kill()
		<-exited
		return nil, fmt.Errorf("server did not start: %v\n%s", err, logs.String())
	}
	return &server{url: r.URL, cmd: cmd, enrol: sim.EnrollerOf(r), exited: exited}, nil
}

// rss reports the server process's resident memory now and at its peak,
// in MiB; ok false for an in-process server.
func (s *server) rss() (now, peak float64, ok bool) {
	if s.cmd == nil {
		return 0, 0, false
	}
	return procRSS(s.cmd.Process.Pid)
}

func (s *server) stop() {
	if s.local != nil {
		s.local.Close()
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	<-s.exited
}

// procRSS reads VmRSS and VmHWM (the peak) of a process, in MiB.
func procRSS(pid int) (now, peak float64, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, false
	}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(l, ":")
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[0], 64)
		switch k {
		case "VmRSS":
			now = kb / 1024
		case "VmHWM":
			peak = kb / 1024
		}
	}
	return now, peak, now > 0
}
