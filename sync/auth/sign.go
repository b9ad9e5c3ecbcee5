package auth

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Scheme is the Authorization scheme of a signed request.
const Scheme = "Waymark-Ed25519"

// Header is the HTTP header that carries the signature.
const Header = "Authorization"

// NonceBytes is the length of a request's nonce.
const NonceBytes = 16

// Window is how far a request's time may be from the server's: a request
// signed longer ago (or further ahead) is refused, and the server need
// remember each nonce only this long.
const Window = 5 * time.Minute

// context is the first line of every signed string, so that a signature
// made for a request can never pass as one for anything else.
const context = "waymark-request-v2"

// ErrMalformed is wrapped by every error Parse returns.
var ErrMalformed = errors.New("malformed Authorization header")

// ErrBadSignature is returned by Verify for a signature that does not
// match the request.
var ErrBadSignature = errors.New("signature does not match the request")

// Signed is a parsed Authorization header: who signed, when, with which
// nonce, and the signature.
type Signed struct {
	Device uuid.UUID
	TS     int64 // Unix milliseconds
	Nonce  [NonceBytes]byte
	Sig    []byte
}

// Time is when the request says it was signed.
func (s Signed) Time() time.Time { return time.UnixMilli(s.TS) }

// Canonical is the string a request's signature covers: the context line,
// method, path, device, time, nonce and the SHA-256 of the body exactly as
// sent (compressed, if it was), one per line.
func Canonical(method, path string, device uuid.UUID, ts int64, nonce [NonceBytes]byte, body []byte) []byte {
	sum := sha256.Sum256(body)
	var b strings.Builder
	b.Grow(len(context) + len(method) + len(path) + 200)
	for _, part := range []string{context, method, path, device.String(), strconv.FormatInt(ts, 10),
		base64.RawURLEncoding.EncodeToString(nonce[:])} {
		b.WriteString(part)
		b.WriteByte('\n')
	}
	b.WriteString(hex.EncodeToString(sum[:]))
	return []byte(b.String())
}

// Signer signs with the device's private key. ed25519.PrivateKey
// implements it (as a crypto.Signer); a key sealed elsewhere may too.
type Signer interface {
	// DeviceID is the device the key was enrolled for.
	DeviceID() uuid.UUID
	// Sign returns the Ed25519 signature of message.
	Sign(message []byte) ([]byte, error)
}

// Sign signs a request to path with method and body, at time now, with a
// fresh random nonce, and returns the Authorization header's value.
func Sign(s Signer, method, path string, now time.Time, body []byte) (string, error) {
	var nonce [NonceBytes]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", fmt.Errorf("sign request: nonce: %w", err)
	}
	ts := now.UnixMilli()
	dev := s.DeviceID()
	sig, err := s.Sign(Canonical(method, path, dev, ts, nonce, body))
	if err != nil {
		return "", fmt.Errorf("sign request: %w", err)
	}
	return Signed{Device: dev, TS: ts, Nonce: nonce, Sig: sig}.String(), nil
}

// String formats s as an Authorization header value.
func (s Signed) String() string {
	return fmt.Sprintf("%s device=%s, ts=%d, nonce=%s, sig=%s", Scheme, s.Device, s.TS,
		base64.RawURLEncoding.EncodeToString(s.Nonce[:]), base64.RawURLEncoding.EncodeToString(s.Sig))
}

// Parse reads an Authorization header value. It is strict: the scheme,
// then exactly the four parameters in order, each well formed.
func Parse(v string) (Signed, error) {
	var s Signed
	rest, ok := strings.CutPrefix(v, Scheme+" ")
	if !ok {
		return s, fmt.Errorf("%w: not the %s scheme", ErrMalformed, Scheme)
	}
	parts := strings.Split(rest, ", ")
	names := []string{"device", "ts", "nonce", "sig"}
	if len(parts) != len(names) {
		return s, fmt.Errorf("%w: want parameters %s", ErrMalformed, strings.Join(names, ", "))
	}
	vals := make([]string, len(parts))
	for i, p := range parts {
		k, val, ok := strings.Cut(p, "=")
		if !ok || k != names[i] || val == "" {
			return s, fmt.Errorf("%w: parameter %d is not %s", ErrMalformed, i+1, names[i])
		}
		vals[i] = val
	}
	dev, err := uuid.Parse(vals[0])
	if err != nil || dev == uuid.Nil || dev.String() != vals[0] {
		return s, fmt.Errorf("%w: device is not a canonical uuid", ErrMalformed)
	}
	s.Device = dev
	s.TS, err = strconv.ParseInt(vals[1], 10, 64)
	if err != nil || s.TS <= 0 || strconv.FormatInt(s.TS, 10) != vals[1] {
		return s, fmt.Errorf("%w: ts is not a positive number of milliseconds", ErrMalformed)
	}
	nonce, err := base64.RawURLEncoding.Strict().DecodeString(vals[2])
	if err != nil || len(nonce) != NonceBytes {
		return s, fmt.Errorf("%w: nonce is not %d bytes of base64url", ErrMalformed, NonceBytes)
	}
	copy(s.Nonce[:], nonce)
	s.Sig, err = base64.RawURLEncoding.Strict().DecodeString(vals[3])
	if err != nil || len(s.Sig) != ed25519.SignatureSize {
		return s, fmt.Errorf("%w: sig is not %d bytes of base64url", ErrMalformed, ed25519.SignatureSize)
	}
	return s, nil
}

// Verify checks s against the device's public key and the request as
// received. It does not judge the time or the nonce: that is the server's
// (it knows its clock and what it has seen).
func (s Signed) Verify(pub ed25519.PublicKey, method, path string, body []byte) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("verify: public key is %d bytes", len(pub))
	}
	if !ed25519.Verify(pub, Canonical(method, path, s.Device, s.TS, s.Nonce, body), s.Sig) {
		return ErrBadSignature
	}
	return nil
}

// Key is a device key pair held in memory: the simplest Signer.
type Key struct {
	Device  uuid.UUID
	Private ed25519.PrivateKey
}

// NewKey makes a key pair for device from crypto/rand.
func NewKey(device uuid.UUID) (Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return Key{}, fmt.Errorf("make device key: %w", err)
	}
	return Key{Device: device, Private: priv}, nil
}

// DeviceID is the device the key belongs to.
func (k Key) DeviceID() uuid.UUID { return k.Device }

// Sign signs message with the private key.
func (k Key) Sign(message []byte) ([]byte, error) {
	if len(k.Private) != ed25519.PrivateKeySize {
		return nil, errors.New("device key is not an Ed25519 private key")
	}
	return ed25519.Sign(k.Private, message), nil
}

// Public is the public half of the key.
func (k Key) Public() ed25519.PublicKey { return k.Private.Public().(ed25519.PublicKey) }
