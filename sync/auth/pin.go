package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// pinPrefix starts every pin: the hash it uses.
const pinPrefix = "sha256/"

// ErrPinMismatch is returned when a server shows a certificate whose
// public key is not the pinned one.
var ErrPinMismatch = errors.New("the server's certificate does not match the pinned key")

// Pin is "sha256/" and the standard base64 of the SHA-256 of a
// certificate's SubjectPublicKeyInfo (DER): what a device trusts the
// server by, whatever name or issuer the certificate carries.
func Pin(spki []byte) string {
	sum := sha256.Sum256(spki)
	return pinPrefix + base64.StdEncoding.EncodeToString(sum[:])
}

// ValidPin reports an error unless pin has the form Pin returns.
func ValidPin(pin string) error {
	rest, ok := strings.CutPrefix(pin, pinPrefix)
	if !ok {
		return fmt.Errorf("pin does not start with %q", pinPrefix)
	}
	b, err := base64.StdEncoding.Strict().DecodeString(rest)
	if err != nil || len(b) != sha256.Size {
		return errors.New("pin is not the base64 of a SHA-256")
	}
	return nil
}

// CheckPin returns ErrPinMismatch unless cert's public key has pin.
func CheckPin(cert *x509.Certificate, pin string) error {
	if cert == nil {
		return fmt.Errorf("%w: no certificate", ErrPinMismatch)
	}
	got := Pin(cert.RawSubjectPublicKeyInfo)
	if subtle.ConstantTimeCompare([]byte(got), []byte(pin)) != 1 {
		return ErrPinMismatch
	}
	return nil
}
