package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/uuid"
	"golang.org/x/crypto/argon2"
)

// An enrolment code is 12 Crockford base32 characters, shown in three
// groups: XXXX-XXXX-XXXX. The first group is a public lookup id; the
// other two, 40 bits, are the secret. The secret never travels: the
// device proves it knows it with an HMAC under a key derived from it by
// Argon2id, which is slow and memory-hard enough that the 40 bits cannot
// be searched offline in the code's 15 minutes.
const (
	// CodeIDChars is the length of the lookup id.
	CodeIDChars = 4
	// CodeSecretChars is the length of the secret: 40 bits.
	CodeSecretChars = 8
	codeChars       = CodeIDChars + CodeSecretChars
)

// Argon2id parameters for the enrolment key. Changing them changes the
// protocol: a device and a server must agree.
const (
	kdfTime    = 2
	kdfMemory  = 32 << 10 // KiB: 32 MiB
	kdfThreads = 2
	keyBytes   = 32
)

// crockford is Crockford's base32 alphabet: no I, L, O or U.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ErrBadCode is wrapped by the errors ParseCode returns.
var ErrBadCode = errors.New("not an enrolment code")

// Code is a parsed enrolment code.
type Code struct {
	ID     string // the lookup id, CodeIDChars characters
	Secret string // the secret, CodeSecretChars characters
}

// NewCode makes a code from crypto/rand.
func NewCode() (Code, error) {
	var b [codeChars]byte
	if _, err := rand.Read(b[:]); err != nil {
		return Code{}, fmt.Errorf("make enrolment code: %w", err)
	}
	var s strings.Builder
	for _, c := range b {
		s.WriteByte(crockford[c&31]) // 256 is a multiple of 32: no bias
	}
	return Code{ID: s.String()[:CodeIDChars], Secret: s.String()[CodeIDChars:]}, nil
}

// String is the code as shown: XXXX-XXXX-XXXX.
func (c Code) String() string {
	return c.ID + "-" + c.Secret[:4] + "-" + c.Secret[4:]
}

// ParseCode reads a code as typed: case, hyphens and spaces do not
// matter, and I, L and O are read as 1, 1 and 0.
func ParseCode(s string) (Code, error) {
	var out []byte
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'I' || r == 'L':
			r = '1'
		case r == 'O':
			r = '0'
		}
		if r > 0x7f || strings.IndexByte(crockford, byte(r)) < 0 {
			return Code{}, fmt.Errorf("%w: a character is not one of 0-9 and A-Z without U", ErrBadCode)
		}
		out = append(out, byte(r))
	}
	if len(out) != codeChars {
		return Code{}, fmt.Errorf("%w: it has %d characters, not %d", ErrBadCode, len(out), codeChars)
	}
	return Code{ID: string(out[:CodeIDChars]), Secret: string(out[CodeIDChars:])}, nil
}

// ValidCodeID reports whether id could be a code's lookup id.
func ValidCodeID(id string) bool {
	if len(id) != CodeIDChars {
		return false
	}
	for i := range len(id) {
		if strings.IndexByte(crockford, id[i]) < 0 {
			return false
		}
	}
	return true
}

// EnrolKey derives the key both sides prove knowledge of the code with:
// Argon2id of the secret, salted with the code's id. The server keeps
// this key, never the code.
func EnrolKey(c Code) []byte {
	return argon2.IDKey([]byte(c.Secret), []byte("waymark-enrol/"+c.ID), kdfTime, kdfMemory, kdfThreads, keyBytes)
}

// DeviceProof is what the device sends to prove it holds the code: an
// HMAC, under the enrolment key, of the server's public key as the device
// saw it (spki, DER), the device's public key and its id. A man in the
// middle shows the device another key, so the server's check fails.
func DeviceProof(key, spki, devicePub []byte, device uuid.UUID) []byte {
	return proof(key, "device", spki, devicePub, device)
}

// ServerProof is the server's answer: the same HMAC with another label.
// The device checks it before it trusts the key it pins.
func ServerProof(key, spki, devicePub []byte, device uuid.UUID) []byte {
	return proof(key, "server", spki, devicePub, device)
}

// ProofOK compares a proof received with the one expected, in constant
// time.
func ProofOK(got, want []byte) bool { return hmac.Equal(got, want) }

func proof(key []byte, label string, spki, devicePub []byte, device uuid.UUID) []byte {
	m := hmac.New(sha256.New, key)
	for _, part := range [][]byte{[]byte("waymark-enrol-" + label), spki, devicePub, device[:]} {
		// Length-prefixed, so that no two inputs run together alike.
		m.Write(binary.BigEndian.AppendUint32(nil, uint32(len(part))))
		m.Write(part)
	}
	return m.Sum(nil)
}

// LinkScheme is the URL scheme of an enrolment link.
const LinkScheme = "waymark"

// Link is everything a device needs to enrol, as one URL (the text of
// the enrolment QR code):
// waymark://enrol?server=https://host:port&code=XXXX-XXXX-XXXX&pin=sha256/...
type Link struct {
	Server string // base URL of the server
	Code   Code
	Pin    string // empty when not known (a typed code)
}

// String formats the link.
func (l Link) String() string {
	q := url.Values{}
	q.Set("server", l.Server)
	q.Set("code", l.Code.String())
	if l.Pin != "" {
		q.Set("pin", l.Pin)
	}
	return LinkScheme + "://enrol?" + q.Encode()
}

// ParseLink reads an enrolment link.
func ParseLink(s string) (Link, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return Link{}, fmt.Errorf("enrolment link: %w", err)
	}
	if u.Scheme != LinkScheme || u.Host != "enrol" {
		return Link{}, fmt.Errorf("enrolment link does not start %s://enrol", LinkScheme)
	}
	q := u.Query()
	l := Link{Server: q.Get("server"), Pin: q.Get("pin")}
	if l.Code, err = ParseCode(q.Get("code")); err != nil {
		return Link{}, fmt.Errorf("enrolment link: %w", err)
	}
	if err := ValidServer(l.Server, true); err != nil {
		return Link{}, fmt.Errorf("enrolment link: %w", err)
	}
	if l.Pin != "" {
		if err := ValidPin(l.Pin); err != nil {
			return Link{}, fmt.Errorf("enrolment link: %w", err)
		}
	}
	return l, nil
}

// ValidServer checks a server base URL: https, or http only if
// allowHTTP, with a host and nothing after it but an optional path.
func ValidServer(s string, allowHTTP bool) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("server address: %w", err)
	}
	switch {
	case u.Scheme == "http" && !allowHTTP:
		return errors.New("server address is plain http; only https is allowed")
	case u.Scheme != "https" && u.Scheme != "http":
		return errors.New("server address does not start https://")
	case u.Host == "":
		return errors.New("server address has no host")
	case u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return errors.New("server address has more than a scheme, host and path")
	}
	return nil
}
