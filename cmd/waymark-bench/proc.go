package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/waymark-app/waymark/sim"
	"github.com/waymark-app/waymark/sync/wire"
)

// bench holds what the measurements share.
type bench struct {
	t         *table
	dir       string
	serverBin string
	serverRSS []string // what the server processes measured used
	n         int      // counter for fresh folders
}

// fresh returns a new folder under the bench's own.
func (b *bench) fresh(name string) string {
	b.n++
	d := filepath.Join(b.dir, fmt.Sprintf("%s-%d", name, b.n))
	os.MkdirAll(d, 0o700)
	return d
}

// server is a sync server under measurement: a real waymark-server
// process if the bench has the binary, else one in this process.
type server struct {
	url   string
	cmd   *exec.Cmd
	local *sim.LocalServer
}

func (b *bench) startServer(ctx context.Context) (*server, error) {
	dir := b.fresh("server")
	if b.serverBin == "" {
		ls, err := sim.StartServer(dir)
		if err != nil {
			return nil, err
		}
		return &server{url: ls.URL, local: ls}, nil
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
	s := &server{url: "http://" + addr, cmd: cmd}
	for deadline := time.Now().Add(20 * time.Second); ; {
		resp, err := http.Get(s.url + wire.PathHealth)
		if err == nil {
			resp.Body.Close()
			return s, nil
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			return nil, fmt.Errorf("server did not start: %v\n%s", err, logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
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
	s.cmd.Wait()
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
