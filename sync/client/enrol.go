package client

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/sync/auth"
	"github.com/waymark-app/waymark/sync/wire"
)

// EnrolOptions configures Enrol.
type EnrolOptions struct {
	// Link names the server and the code, and the server's pin if the
	// code came as a QR code or link. Without a pin the device learns the
	// key from the server and the proofs confirm it.
	Link auth.Link
	// Device is this device's id (the store's).
	Device uuid.UUID
	// AllowHTTP permits a plain http:// server, for local development
	// only: the proofs then cover no key, and nothing is pinned.
	AllowHTTP bool
	// Timeout bounds the whole enrolment (default 30 seconds).
	Timeout time.Duration
	// Key, if set, is the key pair to enrol instead of a new one: a
	// device that moves to another server with the records it signed
	// (the benchmark's copies of one device). Nil makes a new key.
	Key ed25519.PrivateKey
}

// ErrServerProof is returned when the server's answer does not prove it
// holds the same code: it is not the server that made the code.
var ErrServerProof = errors.New("the server could not prove it made this enrolment code")

// Enrol enrols this device: it makes the device's key pair, proves to
// the server that it holds the code without sending it, checks the
// server's proof in return, and returns the credential to keep. The code
// is used up on success. Every failure is an *Error; a pin that does not
// match is Kind PinMismatch, before anything is sent.
func Enrol(ctx context.Context, o EnrolOptions) (*Credential, error) {
	l := o.Link
	if err := auth.ValidServer(l.Server, o.AllowHTTP); err != nil {
		return nil, &Error{Kind: Refused, Err: err}
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	base := strings.TrimRight(l.Server, "/")
	https := strings.HasPrefix(base, "https://")

	// The server's key: pinned already (a QR code), or shown by the
	// server now and confirmed by the proofs (a typed code).
	var spki []byte
	pin := l.Pin
	if https {
		fc := &firstCertificate{}
		tc := fc.config()
		if pin != "" {
			tc = PinnedTLS(pin)
			inner := tc.VerifyConnection
			tc.VerifyConnection = func(cs tls.ConnectionState) error {
				if err := inner(cs); err != nil {
					return err
				}
				fc.leaf = cs.PeerCertificates[0]
				return nil
			}
		}
		if err := probe(ctx, base, tc); err != nil {
			return nil, err
		}
		spki = fc.leaf.RawSubjectPublicKeyInfo
		pin = auth.Pin(spki)
	}
	key := auth.Key{Device: o.Device, Private: o.Key}
	if o.Key == nil {
		var err error
		if key, err = auth.NewKey(o.Device); err != nil {
			return nil, &Error{Kind: DeviceFault, Err: err}
		}
	}
	ek := auth.EnrolKey(l.Code)
	pub := key.Public()
	req := wire.EnrolRequest{Code: l.Code.ID, Device: o.Device, PublicKey: pub, Proof: auth.DeviceProof(ek, spki, pub, o.Device)}
	body, err := wire.EncodeGzip(req)
	if err != nil {
		return nil, &Error{Kind: DeviceFault, Err: err}
	}
	hc := DefaultHTTPClient("")
	if https {
		hc = DefaultHTTPClient(pin) // the same key as probed, or nothing is sent
	}
	var resp wire.EnrolResponse
	if err := send(ctx, hc, http.MethodPost, base+wire.PathEnrol, body, nil, &resp); err != nil {
		return nil, err
	}
	if !auth.ProofOK(resp.ServerProof, auth.ServerProof(ek, spki, pub, o.Device)) || resp.Device != o.Device {
		return nil, &Error{Kind: PinMismatch, Err: ErrServerProof}
	}
	if !https {
		pin = ""
	}
	return &Credential{Server: base, Pin: pin, Device: o.Device, PrivateKey: key.Private, Account: resp.Account, Enrolled: time.Now().UTC()}, nil
}

// probe opens a TLS connection to the server with tc and asks for its
// health, so that tc's VerifyConnection sees the certificate.
func probe(ctx context.Context, base string, tc *tls.Config) error {
	hc := DefaultHTTPClient("")
	hc.Transport.(*http.Transport).TLSClientConfig = tc
	defer hc.CloseIdleConnections()
	var h wire.Health
	return send(ctx, hc, http.MethodGet, base+wire.PathHealth, nil, nil, &h)
}

// send makes one request and decodes a 200 answer into resp; every
// failure is an *Error (see classify). sign, if set, adds the
// Authorization header for the body.
func send(ctx context.Context, hc *http.Client, method, u string, body []byte, sign func(*http.Request) error, resp any) error {
	hr, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return &Error{Kind: Unreachable, Err: fmt.Errorf("server address: %w", err)}
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
		hr.Header.Set("Content-Encoding", wire.Gzip)
	}
	hr.Header.Set(wire.VersionHeader, strconv.Itoa(wire.Version))
	if sign != nil {
		if err := sign(hr); err != nil {
			return &Error{Kind: DeviceFault, Err: err}
		}
	}
	res, err := hc.Do(hr)
	if err != nil {
		if errors.Is(err, auth.ErrPinMismatch) {
			return &Error{Kind: PinMismatch, Err: err}
		}
		return &Error{Kind: Unreachable, Err: err}
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusOK {
		if err := wire.DecodeResponse(res.Body, res.Header.Get("Content-Encoding"), resp); err != nil {
			return &Error{Kind: ServerFault, Err: fmt.Errorf("%s answer: %w", hr.URL.Path, err)}
		}
		return nil
	}
	return classify(hr.URL.Path, res)
}
