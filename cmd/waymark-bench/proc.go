package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	srvpkg "github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
	"github.com/waymark-app/waymark/sim"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/faultproxy"
)

// bench holds what the measurements share.
type bench struct {
	t         *table
	dir       string
	serverBin string
	be        backend                // where startServer keeps the store
	side      *sideTable             // figures by backend, when the backends part runs
	pg        func() (string, error) // a fresh PostgreSQL database
	profiles  string                 // folder for the servers' CPU profiles, if any
	serverRSS []string               // what the server processes measured used
	n         int                    // counter for fresh folders
	offline   *servertest.Server     // enrols devices that record offline
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
	// others are the further replicas, and balancer spreads connections
	// over all of them, for a server run as replicas.
	others   []*server
	balancer *faultproxy.Proxy
}

// backend is where a server under measurement keeps its store: the
// embedded one, or PostgreSQL, as one server or as replicas.
type backend struct {
	name     string
	postgres bool
	replicas int // 0 or 1: one server
}

var (
	embedded = backend{name: "Badger"}
	postgres = backend{name: "PostgreSQL", postgres: true}
	replicas = backend{name: "3 replicas (PostgreSQL)", postgres: true, replicas: 3}
)

func (b *bench) startServer(ctx context.Context) (*server, error) {
	if b.serverBin == "" {
		if b.be.postgres {
			return nil, fmt.Errorf("%s needs --server-bin", b.be.name)
		}
		ls, err := sim.StartServer(b.fresh("server"))
		if err != nil {
			return nil, err
		}
		return &server{url: ls.URL, local: ls, enrol: sim.EnrollerFor(ls)}, nil
	}
	var db string
	if b.be.postgres {
		var err error
		if db, err = b.pg(); err != nil {
			return nil, err
		}
	}
	first, err := b.startProcess(ctx, b.fresh("server"), db, "")
	if err != nil {
		return nil, err
	}
	if b.be.replicas < 2 {
		return first, nil
	}
	addrs := []string{strings.TrimPrefix(first.url, "https://")}
	for i := 1; i < b.be.replicas; i++ {
		s, err := b.startProcess(ctx, b.fresh("replica"), db, first.dir())
		if err != nil {
			first.stop()
			return nil, err
		}
		first.others = append(first.others, s)
		addrs = append(addrs, strings.TrimPrefix(s.url, "https://"))
	}
	if first.balancer, err = faultproxy.New(addrs[0]); err != nil {
		first.stop()
		return nil, err
	}
	first.balancer.SetTargets(addrs...)
	first.url = first.balancer.URL()
	first.enrol.URL = first.url
	return first, nil
}

// dir is the server process's data folder.
func (s *server) dir() string { return s.cmd.Args[slices.Index(s.cmd.Args, "--data")+1] }

// startProcess starts a waymark-server on dir (and db); a replica gets
// a copy of like's configuration, certificate and store key first.
func (b *bench) startProcess(ctx context.Context, dir, db, like string) (*server, error) {
	for _, f := range []string{"config.json", "server.key", "tls/cert.pem", "tls/key.pem"} {
		if like == "" {
			break
		}
		data, err := os.ReadFile(filepath.Join(like, f))
		if err != nil {
			return nil, err
		}
		os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o700)
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o600); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	args := []string{"--addr", addr, "--data", dir, "--log", "json", "--max-connections", "2048"}
	if db != "" {
		args = append(args, "--db", db)
	}
	if b.profiles != "" {
		b.n++
		args = append(args, "--cpuprofile", filepath.Join(b.profiles, fmt.Sprintf("%s-%d.pprof", strings.Fields(b.be.name)[0], b.n)))
	}
	cmd := exec.Command(b.serverBin, args...)
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
// in MiB (the first replica's); ok false for an in-process server.
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
	if s.balancer != nil {
		s.balancer.Close()
	}
	for _, o := range append([]*server{s}, s.others...) {
		o.cmd.Process.Signal(syscall.SIGTERM)
		<-o.exited
	}
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
