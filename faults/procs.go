package faults

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/servertest"
)

// child is a running child process and the lines it prints.
type child struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	lines chan string // closed at EOF
	done  chan struct{}
	err   error // from Wait, once done is closed

	mu     sync.Mutex // guards stderr
	stderr strings.Builder
}

// startChild runs exe in role with config c. Its stdout lines arrive on
// lines; its stderr is kept for failure reports and copied to log.
func startChild(exe, role string, c childConfig, args []string, log io.Writer) (*child, error) {
	cfg, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	var cmd *exec.Cmd
	if role == "server" && exe != "" && len(args) > 0 {
		cmd = exec.Command(exe, args...) // a real waymark-server
	} else {
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		cmd = exec.Command(self)
		cmd.Env = append(os.Environ(), envRole+"="+role, envConfig+"="+string(cfg))
	}
	ch := &child{cmd: cmd, lines: make(chan string, 1<<16), done: make(chan struct{})}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	errp, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if ch.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		defer close(ch.lines)
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			ch.lines <- sc.Text()
		}
	}()
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(errp)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			ch.mu.Lock()
			ch.stderr.WriteString(sc.Text() + "\n")
			if ch.stderr.Len() > 256<<10 { // keep the end: that is where it died
				rest := tail(ch.stderr.String(), 64<<10)
				ch.stderr.Reset()
				ch.stderr.WriteString(rest)
			}
			ch.mu.Unlock()
			if log != nil {
				fmt.Fprintln(log, "  |", sc.Text())
			}
		}
	}()
	go func() {
		wg.Wait()
		ch.err = cmd.Wait()
		close(ch.done)
	}()
	return ch, nil
}

// kill sends SIGKILL and waits for the process to be gone.
func (c *child) kill() {
	c.cmd.Process.Signal(syscall.SIGKILL)
	<-c.done
}

// signalled reports the signal that ended the child, if one did.
func (c *child) signalled() (syscall.Signal, bool) {
	var ee *exec.ExitError
	if !errors.As(c.err, &ee) {
		return 0, false
	}
	ws, ok := ee.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() {
		return 0, false
	}
	return ws.Signal(), true
}

// errText is the child's stderr so far.
func (c *child) errText() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stderr.String()
}

// serverProc is the sync server as a process of its own, restarted on the
// same port and data folder.
type serverProc struct {
	bin    string // a waymark-server binary; empty re-executes the harness
	dir    string // data folder (server.DataDir), initialised on first start
	db     string // PostgreSQL address shared by every replica; empty: the embedded store
	addr   string
	log    io.Writer
	proc   *child
	remote *servertest.Remote // its address, pin and admin socket, once started
}

// newServerProc picks a free loopback port for a server on dir (and db,
// if not empty).
func newServerProc(bin, dir, db string, log io.Writer) (*serverProc, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	return &serverProc{bin: bin, dir: dir, db: db, addr: addr, log: log}, nil
}

func (s *serverProc) url() string { return "https://" + s.addr }

// start runs the server and waits until it answers its health check over
// TLS pinned to its key.
func (s *serverProc) start() error {
	var args []string
	if s.bin != "" {
		args = []string{"--addr", s.addr, "--data", s.dir, "--log", "json"}
		if s.db != "" {
			args = append(args, "--db", s.db)
		}
	}
	p, err := startChild(s.bin, "server", childConfig{Dir: s.dir, Addr: s.addr, DB: s.db}, args, nil)
	if err != nil {
		return fmt.Errorf("start server: %w", err)
	}
	go func() { // a real server logs to stderr; the re-executed one prints here
		for range p.lines {
		}
	}()
	s.proc = p
	r, err := servertest.Ready(context.Background(), server.DataDir(s.dir), s.addr, p.done)
	if err != nil {
		p.kill()
		return fmt.Errorf("server did not start: %v\n%s", err, tail(p.errText(), 2000))
	}
	s.remote = r
	return nil
}

// kill stops the server with SIGKILL.
func (s *serverProc) kill() {
	if s.proc != nil {
		s.proc.kill()
		s.proc = nil
	}
}

// stop stops the server with SIGTERM, letting it finish what is in
// flight, and reports whether it exited cleanly.
func (s *serverProc) stop() error {
	if s.proc == nil {
		return nil
	}
	p := s.proc
	s.proc = nil
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(40 * time.Second):
		p.kill()
		return errors.New("server did not stop within 40s of SIGTERM")
	}
	if p.err != nil {
		return fmt.Errorf("server exit after SIGTERM: %v\n%s", p.err, tail(p.errText(), 2000))
	}
	return nil
}

// inspect opens the server's store in this process and counts what it
// holds: the embedded store once the server has stopped; PostgreSQL
// while replicas run.
func (s *serverProc) inspect(ctx context.Context) (server.Stats, []server.Aside, error) {
	d := server.DataDir(s.dir)
	store, err := d.OpenStore(ctx, server.StoreConfig{DB: s.db}, false)
	if err != nil {
		return server.Stats{}, nil, err
	}
	srv, err := d.Open(server.Options{Store: store})
	if err != nil {
		return server.Stats{}, nil, err
	}
	defer srv.Close()
	st, err := srv.Stats(ctx)
	if err != nil {
		return st, nil, err
	}
	aside, err := srv.Aside(ctx)
	return st, aside, err
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
