package client

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

// Credential is what a device keeps after enrolment: the server it
// enrolled with and that server's pinned key, its own private key (which
// never leaves the device) and the account it belongs to. It signs
// requests: it is an auth.Signer. The app keeps the private key sealed
// under the officer's PIN, apart from the rest (SaveSealedCredential).
type Credential struct {
	Server     string             `json:"server"`
	Pin        string             `json:"pin"` // empty only for a development http:// server
	Device     uuid.UUID          `json:"device"`
	PrivateKey ed25519.PrivateKey `json:"private_key,omitempty"` // empty where it is sealed apart
	Account    wire.Account       `json:"account"`
	Enrolled   time.Time          `json:"enrolled"`
}

// DeviceID is the device the credential was enrolled for.
func (c *Credential) DeviceID() uuid.UUID { return c.Device }

// Public is the device's public key, as enrolled.
func (c *Credential) Public() ed25519.PublicKey { return c.PrivateKey.Public().(ed25519.PublicKey) }

// Sign signs message with the device's private key.
func (c *Credential) Sign(message []byte) ([]byte, error) {
	return auth.Key{Device: c.Device, Private: c.PrivateKey}.Sign(message)
}

// Officer is the account as records name their author.
func (c *Credential) Officer() encounter.Officer {
	return encounter.Officer{Name: c.Account.Name, Number: c.Account.Number, Agency: c.Account.Agency}
}

// CredentialStore keeps the credential, encrypted. *store.Store
// implements it.
type CredentialStore interface {
	SaveCredential(ctx context.Context, b []byte) error
	Credential(ctx context.Context) ([]byte, error)
}

// SaveCredential keeps c in st.
func SaveCredential(ctx context.Context, st CredentialStore, c *Credential) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode credential: %w", err)
	}
	return st.SaveCredential(ctx, b)
}

// LoadCredential reads the credential kept in st; the store's
// ErrNotEnrolled if there is none.
func LoadCredential(ctx context.Context, st CredentialStore) (*Credential, error) {
	c, err := readCredential(ctx, st)
	if err != nil {
		return nil, err
	}
	if len(c.PrivateKey) != ed25519.PrivateKeySize {
		return nil, errors.New("decode credential: no device key")
	}
	return c, nil
}

// readCredential reads and decodes the credential kept in st, with or
// without its private key.
func readCredential(ctx context.Context, st CredentialStore) (*Credential, error) {
	b, err := st.Credential(ctx)
	if err != nil {
		return nil, err
	}
	var c Credential
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("decode credential: %w", err)
	}
	if c.Device == uuid.Nil {
		return nil, errors.New("decode credential: no device id")
	}
	return &c, nil
}

// PinnedTLS is the TLS configuration of a device that trusts the server
// by its pinned public key alone: the certificate's names, issuer and
// dates are not checked (the certificate is self-signed), its key is.
// A certificate with another key fails the handshake with
// auth.ErrPinMismatch before anything is sent.
func PinnedTLS(pin string) *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // VerifyConnection checks the pin instead
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return auth.CheckPin(nil, pin)
			}
			return auth.CheckPin(cs.PeerCertificates[0], pin)
		},
	}
}

// DefaultHTTPClient returns the client an engine uses when given none:
// TLS pinned to pin (none for a development http:// server), short
// connect timeouts, so an officer without signal learns soon, and a
// generous overall one for slow links.
func DefaultHTTPClient(pin string) *http.Client {
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: time.Minute,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   2,
		ForceAttemptHTTP2:     false,
	}
	if pin != "" {
		tr.TLSClientConfig = PinnedTLS(pin)
	}
	return &http.Client{Timeout: 2 * time.Minute, Transport: tr}
}

// firstCertificate reports the leaf certificate a TLS handshake shows,
// trusting nothing yet: the typed-code enrolment learns the key it will
// prove and pin this way.
type firstCertificate struct{ leaf *x509.Certificate }

func (f *firstCertificate) config() *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		InsecureSkipVerify: true, // nothing is trusted yet: the proofs decide
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("the server showed no certificate")
			}
			f.leaf = cs.PeerCertificates[0]
			return nil
		},
	}
}
