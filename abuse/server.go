package abuse

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// serverProc is the real waymark-server binary, run as a child process on
// a data folder of its own, its log in a file.
type serverProc struct {
	bin, data, addr string
	extra           []string // serve flags
	logPath         string
	cmd             *exec.Cmd
	logFile         *os.File
}

// freeAddr returns a loopback address with a port nothing listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// cli runs a waymark-server command on the data folder and returns its
// output.
func (s *serverProc) cli(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, s.bin, append(args, "--data", s.data, "--addr", s.addr)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("waymark-server %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}

var reCode = regexp.MustCompile(`waymark://enrol\?\S+`)

// enrolLink makes a one-time enrolment link for account.
func (s *serverProc) enrolLink(ctx context.Context, account string) (string, error) {
	out, err := s.cli(ctx, "enrol", account)
	if err != nil {
		return "", err
	}
	l := reCode.FindString(out)
	if l == "" {
		return "", fmt.Errorf("no enrolment link in %q", out)
	}
	return l, nil
}

// start runs the server and waits until it answers its health check.
func (s *serverProc) start(ctx context.Context) error {
	f, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	s.logFile = f
	s.cmd = exec.Command(s.bin, append([]string{"serve", "--data", s.data, "--addr", s.addr}, s.extra...)...)
	s.cmd.Stdout, s.cmd.Stderr = f, f
	if err := s.cmd.Start(); err != nil {
		return err
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if s.up(ctx) {
			return nil
		}
		if s.exited() {
			return fmt.Errorf("waymark-server exited at start; see %s", s.logPath)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("waymark-server did not answer within 30 s")
}

// exited reports whether the process has ended.
func (s *serverProc) exited() bool {
	return s.cmd.Process.Signal(syscall.Signal(0)) != nil
}

// up reports whether the server answers GET /healthz within 5 seconds.
func (s *serverProc) up(ctx context.Context) bool {
	hc := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, DisableKeepAlives: true}} // a health check: nothing sent
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+s.addr+"/healthz", nil)
	res, err := hc.Do(req)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// stop ends the server with SIGTERM and waits for it.
func (s *serverProc) stop() error {
	if s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	var err error
	select {
	case err = <-done:
	case <-time.After(40 * time.Second):
		s.cmd.Process.Kill()
		err = <-done
	}
	s.logFile.Close()
	s.cmd = nil
	return err
}

// memory returns the server's resident memory now and its peak so far,
// in bytes (VmRSS and VmHWM of /proc/<pid>/status).
func (s *serverProc) memory() (now, peak int64) {
	if s.cmd == nil {
		return 0, 0
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ":")
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(fields[0], 10, 64)
		switch k {
		case "VmRSS":
			now = n << 10
		case "VmHWM":
			peak = n << 10
		}
	}
	return now, peak
}

// disk is the bytes of disk the data folder's store takes: blocks in
// use, not apparent sizes (Badger's files are made large and filled
// later).
func (s *serverProc) disk() int64 {
	var n int64
	filepath.WalkDir(filepath.Join(s.data, "db"), func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				if st, ok := fi.Sys().(*syscall.Stat_t); ok {
					n += st.Blocks * 512
				} else {
					n += fi.Size()
				}
			}
		}
		return nil
	})
	return n
}

// verify runs waymark-server verify and returns the records' digest, or
// an error that says what verify found wrong.
func (s *serverProc) verify(ctx context.Context) (string, error) {
	out, err := s.cli(ctx, "verify")
	m := regexp.MustCompile(`digest: ([0-9a-f]{64})`).FindStringSubmatch(out)
	if err != nil || m == nil {
		return "", fmt.Errorf("verify: %v\n%s", err, out)
	}
	return m[1], nil
}
