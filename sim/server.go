package sim

import (
	"context"
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/waymark-app/waymark/server"
)

// LocalServer is a sync server in this process, on its own encrypted store,
// listening on a loopback port: what a simulation runs against when it is
// given no server.
type LocalServer struct {
	URL    string
	Server *server.Server
	hs     *http.Server
	done   chan error
}

// StartServer opens a server store in dir (with a fresh key) and serves it
// on 127.0.0.1.
func StartServer(dir string) (*LocalServer, error) {
	key := make([]byte, 32)
	rand.Read(key)
	srv, err := server.Open(server.Options{Dir: dir, Key: key})
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return nil, err
	}
	l := &LocalServer{URL: "http://" + ln.Addr().String(), Server: srv, done: make(chan error, 1)}
	l.hs = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { l.done <- l.hs.Serve(ln) }()
	return l, nil
}

// Close shuts the HTTP server down, letting pushes in flight finish, then
// closes the store.
func (l *LocalServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := l.hs.Shutdown(ctx)
	if serr := <-l.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if cerr := l.Server.Close(); err == nil {
		err = cerr
	}
	return err
}
