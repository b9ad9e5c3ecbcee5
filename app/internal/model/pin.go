package model

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// The officer's unlock PIN is kept only as an argon2id hash (RFC 9106)
// in the PHC string format, with OWASP's minimum parameters for
// argon2id: 19 MiB of memory, 2 passes, 1 thread. The PIN only stops the
// person holding the device from leaving the hand-over screen; the
// records it guards are in the encrypted store, not behind the PIN.
const (
	PINLength     = 6
	argonMemory   = 19 * 1024 // KiB
	argonTime     = 2
	argonThreads  = 1
	argonKeyLen   = 32
	argonSaltSize = 16
)

// HashPIN returns the PHC string of pin with a new random salt.
func HashPIN(pin string) (string, error) {
	salt := make([]byte, argonSaltSize)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt for the unlock PIN: %w", err)
	}
	key := argon2.IDKey([]byte(pin), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPIN reports whether pin matches the PHC string hash, with the
// parameters the hash was made with.
func CheckPIN(hash, pin string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var version int
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pin), salt, time, memory, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
