package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/server"
)

// serve runs the server on the data folder, initialising it first if it
// is new: TLS with the folder's certificate, unless --insecure-http.
func (c *config) serve(ctx context.Context) error {
	var handler slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	if c.logFormat == "json" {
		handler = slog.NewJSONHandler(os.Stderr, nil)
	}
	log := slog.New(handler)

	pack, err := content.Default()
	if c.content != "" {
		pack, err = content.Parse(os.DirFS(c.content))
	}
	if err != nil {
		return fmt.Errorf("content pack not published: %w", err)
	}

	d := server.DataDir(c.data)
	if !d.Initialised() {
		log.Info("data folder not initialised: initialising", "data", c.data)
		if err := c.init(ctx); err != nil {
			return err
		}
	}
	cfg, err := d.Config()
	if err != nil {
		return err
	}
	var tlsCfg *tls.Config
	var spki []byte
	var pin string
	if c.insecureHTTP {
		log.Warn("SERVING PLAIN HTTP WITHOUT TLS (--insecure-http): anyone on the network can read and alter what devices send. Local development only.")
	} else {
		cert, s, p, err := d.TLS(cfg)
		if err != nil {
			return err
		}
		tlsCfg, spki, pin = server.TLSConfig(cert), s, p
	}
	log.Info("publishing content pack", "pack", pack.ID, "version", pack.Version, "digest", pack.Digest)
	srv, err := d.Open(server.Options{
		Logger: log, SPKI: spki, Policy: cfg.Policy,
		Content: &server.Content{ID: pack.ID, Version: pack.Version, Bundle: pack.Bundle()},
	})
	if err != nil {
		return err
	}
	defer srv.Close()

	// The administration socket: the store is this process's now.
	os.Remove(d.Socket())
	old := syscallUmask(0o177)
	aln, err := net.Listen("unix", d.Socket())
	syscallUmask(old)
	if err != nil {
		return fmt.Errorf("admin socket: %w", err)
	}
	defer os.Remove(d.Socket())
	os.Chmod(d.Socket(), 0o600)
	go func() {
		if err := srv.ServeAdmin(aln); err != nil {
			log.Error("admin socket", "err", err)
		}
	}()
	defer aln.Close()

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	sctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
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
	log.Info("waymark-server listening", "addr", ln.Addr().String(), "scheme", scheme, "data", c.data, "pin", pin, "admin_socket", d.Socket())

	select {
	case err := <-errc:
		return err
	case <-sctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	tctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(tctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if err := srv.Close(); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}
