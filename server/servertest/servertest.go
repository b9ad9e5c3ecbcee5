// Package servertest runs a real Waymark server in this process, over TLS
// on a loopback port with a certificate of its own, and enrols devices
// with it as a device would: for tests, the simulator and the fault
// harness. Nothing in it is a stand-in: the server, the enrolment and
// the credentials are the product's own.
package servertest

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/evidence"
	"github.com/waymark-app/waymark/server"
	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/client"
)

// Options configures Start. The zero value serves an in-memory store.
type Options struct {
	// Dir is the store's folder; empty keeps it in memory.
	Dir string
	// Key encrypts the store; nil leaves it plain.
	Key []byte
	// Content is the pack the server publishes, or nil.
	Content *server.Content
	// Logger receives the server's log; nil discards it.
	Logger *slog.Logger
	// Now is the server's clock; nil means time.Now.
	Now func() time.Time
	// Limits are the server's limits (zero: its defaults).
	Limits server.Limits
	// Console, if set, makes the web console, served under /console/.
	Console func(*server.Server) (http.Handler, error)
	// OpenStore, if set, opens the store the server keeps everything in
	// (at each start): PostgreSQL, for replicas. Nil: the embedded store
	// in Dir.
	OpenStore func() (storage.Store, error)
	// Cert is the TLS certificate to serve; nil makes one. Replicas share
	// one, as devices pin its key.
	Cert *tls.Certificate
}

// Server is a running server.
type Server struct {
	// URL is the server's base URL, https://127.0.0.1:port.
	URL string
	// Addr is its host:port.
	Addr string
	// Pin is the pin of its certificate's key.
	Pin string
	// Server is the server itself; it changes on Restart.
	Server *server.Server

	opts Options
	cert tls.Certificate
	spki []byte
	hs   *http.Server
	done chan error
}

// Start makes a certificate, opens the server and serves it over TLS on
// a free loopback port.
func Start(o Options) (*Server, error) {
	var cert tls.Certificate
	if o.Cert != nil {
		cert = *o.Cert
	} else {
		certPEM, keyPEM, err := server.MakeCertificate(nil, time.Now())
		if err != nil {
			return nil, err
		}
		if cert, err = tls.X509KeyPair(certPEM, keyPEM); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), opts: o, cert: cert}
	s.URL = "https://" + s.Addr
	leaf, err := parseLeaf(cert)
	if err != nil {
		ln.Close()
		return nil, err
	}
	s.spki = leaf
	s.Pin = auth.Pin(leaf)
	if err := s.serve(ln); err != nil {
		ln.Close()
		return nil, err
	}
	return s, nil
}

func (s *Server) serve(ln net.Listener) error {
	var st storage.Store
	if s.opts.OpenStore != nil {
		var err error
		if st, err = s.opts.OpenStore(); err != nil {
			return err
		}
	}
	srv, err := server.Open(server.Options{Store: st, Dir: s.opts.Dir, Key: s.opts.Key, Content: s.opts.Content,
		Logger: s.opts.Logger, Now: s.opts.Now, SPKI: s.spki, Limits: s.opts.Limits})
	if err != nil {
		return err
	}
	s.Server = srv
	h, err := srv.WithConsole(s.opts.Console)
	if err != nil {
		srv.Close()
		return err
	}
	s.hs = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)}
	s.done = make(chan error, 1)
	tln := tls.NewListener(ln, server.TLSConfig(s.cert))
	go func() { s.done <- s.hs.Serve(tln) }()
	return nil
}

// Close shuts the HTTP server down, letting requests in flight finish,
// then closes the store.
func (s *Server) Close() error {
	if s.hs == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := s.hs.Shutdown(ctx)
	if serr := <-s.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if cerr := s.Server.Close(); err == nil {
		err = cerr
	}
	s.hs = nil
	return err
}

// Restart closes the server and starts it again on the same port, store
// and certificate.
func (s *Server) Restart() error {
	if err := s.Close(); err != nil {
		return err
	}
	return s.Start()
}

// Start starts a closed server again on the same port, store and
// certificate.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return err
	}
	if err := s.serve(ln); err != nil {
		ln.Close()
		return err
	}
	return nil
}

// Admin administers the server's accounts and devices as "test".
func (s *Server) Admin() *server.Admin { return s.Server.Admin("test") }

// AddAccount adds an account; see server.Admin.AddUser.
func (s *Server) AddAccount(ctx context.Context, a server.Account) (server.Account, error) {
	return s.Admin().AddUser(ctx, a)
}

// Device is what a device must give to enrol: its id, and a place to
// keep the credential. *store.Store is one.
type Device interface {
	DeviceID() uuid.UUID
	client.CredentialStore
}

// Enrol makes an enrolment code for account and enrols d with it, over
// TLS, as the app does with a QR code; the credential is kept in d and
// returned. url, if set, is where the device reaches the server (a fault
// proxy in front of it).
func (s *Server) Enrol(ctx context.Context, d Device, account string) (*client.Credential, error) {
	return Enrol(ctx, s.Admin(), s.URL, s.Pin, d, account)
}

// Enrol makes a code with ad for account and enrols d with the server at
// url (pinned to pin), keeping the credential in d: the whole enrolment a
// device goes through, against any server, in process or not.
func Enrol(ctx context.Context, ad server.Administration, url, pin string, d Device, account string) (*client.Credential, error) {
	code, err := ad.Enrol(ctx, account)
	if err != nil {
		return nil, err
	}
	c, err := auth.ParseCode(code.Code)
	if err != nil {
		return nil, err
	}
	o := client.EnrolOptions{Link: auth.Link{Server: url, Code: c, Pin: pin}, Device: d.DeviceID()}
	if old, err := client.LoadCredential(ctx, d); err == nil {
		// Enrolled elsewhere before: keep the key its records are signed with.
		o.Key = old.PrivateKey
	}
	cred, err := client.Enrol(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("enrol device %s as %s: %w", d.DeviceID(), account, err)
	}
	if err := client.SaveCredential(ctx, d, cred); err != nil {
		return nil, err
	}
	if s, ok := d.(interface{ SetSigner(evidence.Signer) }); ok {
		s.SetSigner(cred) // a store signs what it finalises from now on
	}
	return cred, nil
}

// Officer is account as a record names its author.
func Officer(a server.Account) encounter.Officer {
	return encounter.Officer{Name: a.Name, Number: a.Number, Agency: a.Agency}
}

// Engine returns a sync engine for the enrolled device box, reaching the
// server at url (empty: the credential's server) with TLS pinned to the
// credential's pin. Further options may be set in o.
func Engine(box client.Outbox, cred *client.Credential, url string, o client.Options) *client.Engine {
	if url == "" {
		url = cred.Server
	}
	o.Server, o.Signer, o.Pin = url, cred, cred.Pin
	if sink, ok := box.(client.OperationSink); ok && o.Operations == nil {
		o.Operations = sink
	}
	return client.New(box, o)
}

func parseLeaf(cert tls.Certificate) ([]byte, error) {
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("parse test certificate: %w", err)
	}
	return leaf.RawSubjectPublicKeyInfo, nil
}
