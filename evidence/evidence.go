// Package evidence signs and verifies the documents Waymark keeps as
// evidence: each finalised encounter record and each amendment is signed
// by the device that made it, with the Ed25519 key enrolled for that
// device, and anyone holding the document, its signature and the
// device's public key can check it.
//
// What a signature covers (Message) is, byte for byte:
//
//	"waymark-record-v1\n" + kind + "\n" + document
//
// where kind is "encounter" or "amendment" and document is the record's
// canonical encoding: encounter.Record.Document or
// encounter.Amendment.Document, the bytes the device queues, sends and the
// server stores (the server decodes what it receives strictly and encodes
// it again, and the signature must verify over that re-encoding). The
// first line keeps a record signature from ever passing for a request
// signature (sync/auth signs "waymark-request-v2\n…") or anything else.
package evidence

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
)

// context is the first line of every signed message.
const context = "waymark-record-v1"

// The kinds of document that are signed, as the sync protocol names them.
const (
	KindEncounter = "encounter"
	KindAmendment = "amendment"
)

// Message returns the bytes a signature of a document of kind covers.
func Message(kind string, doc []byte) []byte {
	m := make([]byte, 0, len(context)+len(kind)+len(doc)+2)
	m = append(m, context...)
	m = append(m, '\n')
	m = append(m, kind...)
	m = append(m, '\n')
	return append(m, doc...)
}

// Signer signs with a device's enrolled key. The sync client's credential
// implements it; a key sealed by the officer's PIN may too.
type Signer interface {
	// DeviceID is the device the key was enrolled for.
	DeviceID() uuid.UUID
	// Public is the key's public half, as enrolled.
	Public() ed25519.PublicKey
	// Sign returns the Ed25519 signature of message.
	Sign(message []byte) ([]byte, error)
}

// Seal is a document's signature and who made it: the device and the
// public key enrolled for it. It travels with the document to the server
// and from there to every device and the console.
type Seal struct {
	Device uuid.UUID `json:"device"`
	Key    []byte    `json:"key"` // Ed25519 public key, 32 bytes
	Sig    []byte    `json:"sig"` // Ed25519 signature, 64 bytes
}

// KeyID is a short, stable name for the key: the first 8 bytes of its
// SHA-256, in hex, after "ed25519:".
func (s Seal) KeyID() string { return KeyID(s.Key) }

// KeyID names a public key as Seal.KeyID does.
func KeyID(pub []byte) string {
	sum := sha256.Sum256(pub)
	return "ed25519:" + hex.EncodeToString(sum[:8])
}

// Sign signs doc, a document of kind, with s.
func Sign(s Signer, kind string, doc []byte) (Seal, error) {
	sig, err := s.Sign(Message(kind, doc))
	if err != nil {
		return Seal{}, fmt.Errorf("sign %s: %w", kind, err)
	}
	return Seal{Device: s.DeviceID(), Key: s.Public(), Sig: sig}, nil
}

// Errors Verify returns, tested with errors.Is.
var (
	ErrUnsigned     = errors.New("document is not signed")
	ErrMalformed    = errors.New("signature or key is malformed")
	ErrBadSignature = errors.New("signature does not match the document")
)

// Verify checks that seal is a signature of doc, a document of kind, by
// seal's key. Whether that key is the one enrolled for seal's device is
// for the holder of the enrolments (the server) to say.
func Verify(kind string, doc []byte, seal Seal) error {
	switch {
	case len(seal.Sig) == 0 && len(seal.Key) == 0:
		return ErrUnsigned
	case len(seal.Key) != ed25519.PublicKeySize || len(seal.Sig) != ed25519.SignatureSize:
		return ErrMalformed
	case !ed25519.Verify(ed25519.PublicKey(seal.Key), Message(kind, doc), seal.Sig):
		return ErrBadSignature
	}
	return nil
}

// State is what a check of a document's signature found.
type State int

const (
	// Unsigned: the document carries no signature (made before records
	// were signed).
	Unsigned State = iota
	// Verified: the signature matches the document and the key.
	Verified
	// Broken: the signature does not match; the document, its signature
	// or the key has changed since it was signed. Do not rely on it.
	Broken
	// KeyUnknown: the signature was made with a key that is not the one
	// known for the device that signed (or with no usable key at all), so
	// who signed it cannot be confirmed.
	KeyUnknown
	// OtherDevice: the signature matches, but it was made by a device
	// other than the one the document says made it.
	OtherDevice
)

// Verdict is what a record view shows about a document: "signed by
// device X of PC N, verified".
type Verdict struct {
	State State
	// Device is the device that signed, KeyID its key.
	Device uuid.UUID
	KeyID  string
	// Made is the device the document itself says made it; a signature
	// by any other device is OtherDevice.
	Made uuid.UUID
	// By is the officer the signed document names as its maker (a
	// record's officer, an amendment's author): the server accepted it
	// only from a device enrolled to that officer's account.
	By encounter.Officer
}

// Check verifies doc against seal and says who signed it, for display.
// The officer named is read from the document itself, which the
// signature covers.
func Check(kind string, doc []byte, seal *Seal) Verdict {
	var v Verdict
	if seal == nil {
		return v
	}
	v.Device, v.KeyID = seal.Device, seal.KeyID()
	switch kind {
	case KindEncounter:
		if r, err := encounter.ParseDocument(doc); err == nil {
			v.By, v.Made = r.Officer, r.Device
		}
	case KindAmendment:
		if a, err := encounter.ParseAmendment(doc); err == nil {
			v.By, v.Made = a.Author, a.Device
		}
	}
	switch err := Verify(kind, doc, *seal); {
	case errors.Is(err, ErrUnsigned):
		return Verdict{}
	case len(seal.Key) != ed25519.PublicKeySize:
		v.State = KeyUnknown
	case err != nil:
		v.State = Broken
	case v.Made != uuid.Nil && v.Made != seal.Device:
		v.State = OtherDevice
	default:
		v.State = Verified
	}
	return v
}

// WithKnownKey checks v against the key known for device (a device knows
// its own enrolled key): a signature said to be that device's but made
// with another key becomes KeyUnknown. A broken signature stays broken.
func (v Verdict) WithKnownKey(device uuid.UUID, pub ed25519.PublicKey) Verdict {
	if v.Device == device && (v.State == Verified || v.State == OtherDevice) && v.KeyID != KeyID(pub) {
		v.State = KeyUnknown
	}
	return v
}

// ShortDevice is the first block of the device id, as people read it out.
func (v Verdict) ShortDevice() string { return shortID(v.Device) }

// ShortMade is the first block of the id of the device the document says
// made it.
func (v Verdict) ShortMade() string { return shortID(v.Made) }

func shortID(id uuid.UUID) string { return id.String()[:8] }

// String is the verdict in English, for logs, tests and the console:
// "signed by device 0192f1a0 of PC 101, verified".
func (v Verdict) String() string {
	switch v.State {
	case Verified:
		by := v.By.Number
		if by == "" {
			by = "an unnamed officer"
		}
		return fmt.Sprintf("signed by device %s of %s, verified", v.ShortDevice(), by)
	case Broken:
		return fmt.Sprintf("signature of device %s does NOT match: the record has changed since it was signed", v.ShortDevice())
	case KeyUnknown:
		return fmt.Sprintf("signed as device %s with a key not known for it: who signed cannot be confirmed", v.ShortDevice())
	case OtherDevice:
		return fmt.Sprintf("signed by device %s, not by device %s that made it", v.ShortDevice(), v.ShortMade())
	}
	return "not signed"
}
