// Command waymark-server runs the Waymark sync server on an embedded store.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/store"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "waymark-server:", err)
		os.Exit(1)
	}
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run() error {
	addr := flag.String("addr", env("WAYMARK_ADDR", "127.0.0.1:8765"), "address to listen on (env WAYMARK_ADDR)")
	data := flag.String("data", env("WAYMARK_DATA", "waymark-server-data"), "folder of the embedded store (env WAYMARK_DATA)")
	logFormat := flag.String("log", env("WAYMARK_LOG", "text"), "log format: text or json (env WAYMARK_LOG)")
	contentDir := flag.String("content", env("WAYMARK_CONTENT", ""), "folder of the content pack to publish; empty: the pack built in (env WAYMARK_CONTENT)")
	flag.Parse()

	var handler slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	if *logFormat == "json" {
		handler = slog.NewJSONHandler(os.Stderr, nil)
	}
	log := slog.New(handler)

	pack, err := content.Default()
	if *contentDir != "" {
		pack, err = content.Parse(os.DirFS(*contentDir))
	}
	if err != nil {
		return fmt.Errorf("content pack not published: %w", err)
	}
	log.Info("publishing content pack", "pack", pack.ID, "version", pack.Version, "digest", pack.Digest)

	if err := os.MkdirAll(*data, 0o700); err != nil {
		return err
	}
	key, err := store.LoadOrCreateKey(filepath.Join(*data, "server.key"))
	if err != nil {
		return err
	}
	srv, err := server.Open(server.Options{
		Dir: filepath.Join(*data, "db"), Key: key, Logger: log,
		Content: &server.Content{ID: pack.ID, Version: pack.Version, Bundle: pack.Bundle()},
	})
	if err != nil {
		return err
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(handler, slog.LevelWarn),
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("waymark-server listening", "addr", ln.Addr().String(), "data", *data)

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if err := srv.Close(); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}
