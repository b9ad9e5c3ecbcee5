package server

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/server/storage/badgerstore"
	"github.com/waymark-app/waymark/server/storage/pgstore"
	"github.com/waymark-app/waymark/store"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

// DataDir is a server's data folder (mode 0700):
//
//	config.json      Config; written last by Init, so its presence says
//	                 the folder is initialised
//	server.key       the store's encryption key (0600), unless it is kept
//	                 outside the folder (StoreConfig.KeyFile, a systemd
//	                 credential)
//	db/              the embedded store: records, accounts, devices, admin
//	                 log; absent when the store is PostgreSQL
//	tls/cert.pem     the server's certificate and its key (0600), made
//	tls/key.pem      by Init unless it was given others
//	admin.sock       the administration socket, while the server runs
type DataDir string

// Paths in the data folder.
func (d DataDir) path(name string) string { return filepath.Join(string(d), name) }

// Socket is the administration socket's path.
func (d DataDir) Socket() string { return d.path("admin.sock") }

// DB is the store's folder.
func (d DataDir) DB() string { return d.path("db") }

// Initialised reports whether Init has completed in the folder.
func (d DataDir) Initialised() bool {
	_, err := os.Stat(d.path("config.json"))
	return err == nil
}

// Config is what Init decides once and later commands read.
type Config struct {
	// URL is where devices reach the server: the server of enrolment
	// links, such as https://waymark.example:8765.
	URL string `json:"url"`
	// TLSCert and TLSKey are certificate files given at init; empty:
	// the certificate Init made in tls/.
	TLSCert string `json:"tls_cert,omitempty"`
	TLSKey  string `json:"tls_key,omitempty"`
	// Policy is what devices are told to enforce.
	Policy wire.Policy `json:"policy"`
}

// Config reads the folder's configuration.
func (d DataDir) Config() (Config, error) {
	var c Config
	b, err := os.ReadFile(d.path("config.json"))
	if err != nil {
		return c, fmt.Errorf("read configuration: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("read configuration %s: %w", d.path("config.json"), err)
	}
	return c, nil
}

// TLS loads the server's certificate and returns it with its public key
// (SPKI, DER) and pin.
func (d DataDir) TLS(c Config) (tls.Certificate, []byte, string, error) {
	certFile, keyFile := c.TLSCert, c.TLSKey
	if certFile == "" {
		certFile, keyFile = d.path("tls/cert.pem"), d.path("tls/key.pem")
	}
	return LoadCertificate(certFile, keyFile)
}

// LoadCertificate loads a PEM certificate and key and returns them with
// the leaf's SubjectPublicKeyInfo and pin.
func LoadCertificate(certFile, keyFile string) (tls.Certificate, []byte, string, error) {
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return cert, nil, "", fmt.Errorf("load TLS certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		return cert, nil, "", fmt.Errorf("parse TLS certificate: %w", err)
	}
	cert.Leaf = leaf
	return cert, leaf.RawSubjectPublicKeyInfo, auth.Pin(leaf.RawSubjectPublicKeyInfo), nil
}

// StoreConfig says where a data folder's server keeps its store. The
// zero value is the embedded store in the folder, with the key in it.
type StoreConfig struct {
	// DB is a PostgreSQL address (postgres://…) shared by every replica;
	// empty keeps the embedded store in the data folder.
	DB string
	// KeyFile holds the store key: 32 bytes, or 64 hex digits. Empty:
	// the systemd credential waymark-store-key if systemd passed one
	// ($CREDENTIALS_DIRECTORY), else server.key in the data folder (made
	// at init). Replicas on one database need the same key.
	KeyFile string
	// NoMigrate opens a PostgreSQL store only if its schema is the
	// newest: run waymark-server migrate first.
	NoMigrate bool
	// Logger receives the store's warnings.
	Logger *slog.Logger
}

// CredentialName is the name of the systemd credential that holds the
// store key (LoadCredential=waymark-store-key:/path in the unit).
const CredentialName = "waymark-store-key"

// Key reads the store key as sc says; create makes the data folder's if
// it is missing (at init).
func (d DataDir) Key(sc StoreConfig, create bool) ([]byte, error) {
	file := sc.KeyFile
	if file == "" {
		if dir := os.Getenv("CREDENTIALS_DIRECTORY"); dir != "" {
			if _, err := os.Stat(filepath.Join(dir, CredentialName)); err == nil {
				file = filepath.Join(dir, CredentialName)
			}
		}
	}
	if file == "" {
		if !create {
			if _, err := os.Stat(d.path("server.key")); err != nil {
				return nil, fmt.Errorf("no store key: %s/server.key is missing and no --key-file or systemd credential %s was given", d, CredentialName)
			}
		}
		return store.LoadOrCreateKey(d.path("server.key"))
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("read the store key: %w", err)
	}
	if len(b) == 32 {
		return b, nil
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != 32 {
		return nil, fmt.Errorf("the store key file %s holds neither 32 bytes nor 64 hex digits", file)
	}
	return k, nil
}

// OpenStore opens the store sc names, with its key.
func (d DataDir) OpenStore(ctx context.Context, sc StoreConfig, create bool) (storage.Store, error) {
	key, err := d.Key(sc, create)
	if err != nil {
		return nil, err
	}
	switch {
	case sc.DB == "":
		return badgerstore.Open(badgerstore.Options{Dir: d.DB(), Key: key, Logger: sc.Logger})
	case strings.HasPrefix(sc.DB, "postgres://"), strings.HasPrefix(sc.DB, "postgresql://"):
		return pgstore.Open(ctx, pgstore.Options{URL: sc.DB, Key: key, NoMigrate: sc.NoMigrate, Logger: sc.Logger})
	}
	return nil, fmt.Errorf("--db must be a postgres:// address: %w", ErrInvalid)
}

// Open opens the folder's server on o.Store, or on the embedded store
// in the folder if o.Store is nil.
func (d DataDir) Open(o Options) (*Server, error) {
	if o.Store == nil {
		st, err := d.OpenStore(context.Background(), StoreConfig{Logger: o.Logger}, false)
		if err != nil {
			return nil, err
		}
		o.Store = st
	}
	return Open(o)
}

// InitOptions configures Init.
type InitOptions struct {
	// Addr is the address the server will listen on; its port goes into
	// the default URL.
	Addr string
	// Hosts are names and addresses the certificate is made for, besides
	// localhost, 127.0.0.1 and ::1. The first is the default URL's host.
	Hosts []string
	// URL overrides the address devices are given.
	URL string
	// TLSCert and TLSKey, if set, are used instead of making a
	// certificate.
	TLSCert, TLSKey string
	// Admin is the first administrator; zero fields take defaults (id
	// "admin", roles admin, agency police).
	Admin Account
	// Actor is who runs init, as the admin log records it.
	Actor string
	// Store is where the server keeps its store.
	Store StoreConfig
}

// Initialised is what Init made.
type Initialised struct {
	Config Config
	Pin    string
	Admin  Account
	Code   Code
	Link   auth.Link // the first administrator's enrolment
}

// Init initialises an empty data folder: the store's key, a self-signed
// ECDSA P-256 certificate (unless given one), the store with the first
// administrator, and that administrator's enrolment code. Everything is
// checked before anything is written, and the configuration written last.
func Init(ctx context.Context, d DataDir, o InitOptions) (Initialised, error) {
	var in Initialised
	if d.Initialised() {
		return in, fmt.Errorf("%s is initialised already", d)
	}
	a := o.Admin
	a.ID = orDefault(a.ID, "admin")
	a.Name = orDefault(a.Name, "First administrator")
	a.Number = orDefault(a.Number, "ADMIN-1")
	a.Agency = orDefault(a.Agency, "police")
	if len(a.Roles) == 0 {
		a.Roles = []wire.Role{wire.RoleAdmin}
	}
	if err := check(a); err != nil {
		return in, fmt.Errorf("first administrator: %w", err)
	}
	for _, h := range o.Hosts {
		if h == "" || strings.ContainsAny(h, "/: ") && net.ParseIP(h) == nil {
			return in, fmt.Errorf("host %q is not a name or an address", h)
		}
	}
	if (o.TLSCert == "") != (o.TLSKey == "") {
		return in, errors.New("give both --tls-cert and --tls-key, or neither")
	}
	cfg := Config{URL: o.URL, TLSCert: o.TLSCert, TLSKey: o.TLSKey,
		Policy: wire.Policy{RetentionDays: DefaultRetentionDays, OfflineLockDays: DefaultOfflineLockDays}}
	if cfg.URL == "" {
		cfg.URL = defaultURL(o.Addr, o.Hosts)
	}
	if err := auth.ValidServer(cfg.URL, false); err != nil {
		return in, err
	}
	if o.TLSCert != "" {
		if _, _, _, err := LoadCertificate(o.TLSCert, o.TLSKey); err != nil {
			return in, err
		}
	}

	if err := os.MkdirAll(string(d), 0o700); err != nil {
		return in, fmt.Errorf("make data folder: %w", err)
	}
	if err := os.Chmod(string(d), 0o700); err != nil {
		return in, err
	}
	if _, err := os.Stat(d.path("tls/cert.pem")); o.TLSCert == "" && err != nil {
		certPEM, keyPEM, err := MakeCertificate(o.Hosts, time.Now())
		if err != nil {
			return in, err
		}
		if err := os.MkdirAll(d.path("tls"), 0o700); err != nil {
			return in, err
		}
		if err := writeFile(d.path("tls/key.pem"), keyPEM, 0o600); err != nil {
			return in, err
		}
		if err := writeFile(d.path("tls/cert.pem"), certPEM, 0o644); err != nil {
			return in, err
		}
	}
	_, spki, pin, err := d.TLS(cfg)
	if err != nil {
		return in, err
	}
	st, err := d.OpenStore(ctx, o.Store, true)
	if err != nil {
		return in, err
	}
	srv, err := d.Open(Options{SPKI: spki, Store: st})
	if err != nil {
		return in, err
	}
	defer srv.Close()
	ad := srv.Admin(orDefault(o.Actor, "server"))
	in.Admin, err = ad.AddUser(ctx, a)
	if errors.Is(err, ErrExists) { // an init cut short before: carry on
		in.Admin, err = srv.dir.Account(ctx, a.ID)
	}
	if err != nil {
		return in, err
	}
	if in.Code, err = ad.Enrol(ctx, a.ID); err != nil {
		return in, err
	}
	if err := srv.Close(); err != nil {
		return in, err
	}
	b, _ := json.MarshalIndent(cfg, "", "  ")
	if err := writeFile(d.path("config.json"), append(b, '\n'), 0o600); err != nil {
		return in, err
	}
	code, _ := auth.ParseCode(in.Code.Code)
	in.Config, in.Pin = cfg, pin
	in.Link = auth.Link{Server: cfg.URL, Code: code, Pin: pin}
	return in, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// defaultURL is https:// and the first host (else 127.0.0.1) with addr's
// port.
func defaultURL(addr string, hosts []string) string {
	_, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		port = "8765"
	}
	host := "127.0.0.1"
	if len(hosts) > 0 {
		host = hosts[0]
	}
	return "https://" + net.JoinHostPort(host, port)
}

// MakeCertificate makes a self-signed ECDSA P-256 certificate for
// localhost, 127.0.0.1, ::1 and hosts, and returns it and its key as PEM.
// Devices trust it by its pinned public key, not by its names or dates.
func MakeCertificate(hosts []string, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("make TLS key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "Waymark server", Organization: []string{"Waymark"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(5, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("make TLS certificate: %w", err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
}

// writeFile writes b to a new file at path with mode perm, synced, or
// leaves nothing.
func writeFile(path string, b []byte, perm os.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// TLSConfig is the server's TLS configuration for cert: TLS 1.2 or later.
func TLSConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}
