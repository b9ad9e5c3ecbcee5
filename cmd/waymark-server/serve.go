package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/waymark-app/waymark/content"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/console"
)

// serve runs the server on the data folder until SIGINT or SIGTERM,
// initialising the folder first if it is new.
func (c *config) serve(ctx context.Context) error {
	var handler slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	if c.logFormat == "json" {
		handler = slog.NewJSONHandler(os.Stderr, nil)
	}
	log := slog.New(handler)
	if c.cpuProfile != "" {
		f, err := os.Create(c.cpuProfile)
		if err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	pack, err := content.Default()
	if c.content != "" {
		pack, err = content.Parse(os.DirFS(c.content))
	}
	if err != nil {
		return fmt.Errorf("content pack not published: %w", err)
	}
	log.Info("publishing content pack", "pack", pack.ID, "version", pack.Version, "digest", pack.Digest)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	return server.Run(ctx, server.RunOptions{
		Data: server.DataDir(c.data), Addr: c.addr, InsecureHTTP: c.insecureHTTP, Logger: log,
		Init: server.InitOptions{Hosts: c.hosts, URL: c.url, TLSCert: c.tlsCert, TLSKey: c.tlsKey, Actor: actor()},
		OnInit: func(in server.Initialised) {
			fmt.Fprintf(c.out, "Initialised %s\nserver address: %s\nserver key pin: %s\n", c.data, in.Config.URL, in.Pin)
			c.printCode(in.Code, in.Link, "first administrator ("+in.Admin.ID+")")
		},
		Content: &server.Content{ID: pack.ID, Version: pack.Version, Bundle: pack.Bundle()},
		Limits:  c.limits,
		Store:   c.storeConfig(),
		Console: func(s *server.Server) (http.Handler, error) {
			con, err := console.New(s, console.Options{Logger: log, Insecure: c.insecureHTTP})
			if err != nil {
				return nil, err
			}
			return con.Handler(), nil
		},
	})
}
