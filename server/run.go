package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"
)

// RunOptions configures Run.
type RunOptions struct {
	// Data is the data folder, initialised first if it is new.
	Data DataDir
	// Addr is the address to listen on.
	Addr string
	// Init configures the initialisation of a new data folder (its Addr
	// is set from Addr).
	Init InitOptions
	// OnInit, if set, is told what initialisation made: the first
	// administrator's enrolment code, which must be shown.
	OnInit func(Initialised)
	// InsecureHTTP serves plain HTTP: local development only.
	InsecureHTTP bool
	// Logger receives the server's log. Nil discards it.
	Logger *slog.Logger
	// Content is the content pack to publish, or nil.
	Content *Content
	// Limits bound what clients may cost the server (zero: defaults).
	Limits Limits
	// Console, if set, makes the web console of the server, which is
	// then served under /console/ beside the protocol (package
	// server/console).
	Console func(*Server) (http.Handler, error)
	// Store is where the server keeps its store: the embedded one in the
	// data folder, or PostgreSQL (several replicas may share it).
	Store StoreConfig
	// AnchorEvery is how often the log's head is printed to the server's
	// log, to be kept where the server cannot rewrite it (default a day;
	// it is also printed at start and at shutdown).
	AnchorEvery time.Duration
}

// Run serves the data folder until ctx is done, then shuts down
// gracefully: requests in flight finish, then the store closes. It speaks
// TLS with the folder's certificate, unless InsecureHTTP, and answers
// administration requests on the folder's socket.
func Run(ctx context.Context, o RunOptions) error {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := o.Data
	if !d.Initialised() {
		log.Info("data folder not initialised: initialising", "data", string(d))
		o.Init.Addr = o.Addr
		o.Init.Store = o.Store
		in, err := Init(ctx, d, o.Init)
		if err != nil {
			return fmt.Errorf("init %s: %w", d, err)
		}
		if o.OnInit != nil {
			o.OnInit(in)
		}
		// The enrolment code's key derivation took 32 MiB, once: give it
		// back rather than carry it as idle memory.
		debug.FreeOSMemory()
	}
	cfg, err := d.Config()
	if err != nil {
		return err
	}
	var tlsCfg *tls.Config
	var spki []byte
	var pin string
	if o.InsecureHTTP {
		log.Warn("SERVING PLAIN HTTP WITHOUT TLS (--insecure-http): anyone on the network can read and alter what devices send. Local development only.")
	} else {
		cert, s, p, err := d.TLS(cfg)
		if err != nil {
			return err
		}
		tlsCfg, spki, pin = TLSConfig(cert), s, p
	}
	sc := o.Store
	sc.Logger = log
	st, err := d.OpenStore(ctx, sc, false)
	if err != nil {
		return err
	}
	srv, err := d.Open(Options{Store: st, Logger: log, SPKI: spki, Policy: cfg.Policy, Content: o.Content, Limits: o.Limits})
	if err != nil {
		return err
	}
	defer srv.Close()

	// The administration socket: the store is this process's now, so a
	// socket file left by a killed server is stale.
	os.Remove(d.Socket())
	old := umask(0o177)
	aln, err := net.Listen("unix", d.Socket())
	umask(old)
	if err != nil {
		return fmt.Errorf("admin socket: %w", err)
	}
	defer os.Remove(d.Socket())
	defer aln.Close()
	go func() {
		if err := srv.ServeAdmin(aln); err != nil {
			log.Error("admin socket", "err", err)
		}
	}()

	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	limits := o.Limits.withDefaults()
	ln = LimitListener(ln, limits.Connections)
	handler, err := srv.WithConsole(o.Console)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           handler,
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		if tlsCfg != nil {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	scheme := "https"
	if tlsCfg == nil {
		scheme = "http"
	}
	log.Info("waymark-server listening", "addr", ln.Addr().String(), "scheme", scheme, "data", string(d), "store", st.Backend(), "pin", pin, "admin_socket", d.Socket())
	log.Info("limits", "limits", limits.String())
	srv.printHead("start")
	every := o.AnchorEvery
	if every == 0 {
		every = 24 * time.Hour
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
wait:
	for {
		select {
		case err := <-errc:
			return err
		case <-tick.C:
			srv.printHead("daily")
		case <-ctx.Done():
			break wait
		}
	}
	log.Info("shutting down: finishing requests in flight")
	tctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(tctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	srv.printHead("shutdown")
	if err := srv.Close(); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}
