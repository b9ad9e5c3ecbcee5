package vault

import (
	"context"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"runtime/debug"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// KDF is the cost of deriving the key that wraps the vault from the PIN
// with argon2id. The zero value means DefaultKDF.
type KDF struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8  // lanes
}

// DefaultKDF returns the parameters new vaults are made with: RFC 9106's
// second recommended option (64 MiB, 3 passes, 4 lanes), which is above
// OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane) in memory and
// in work. docs/security.md gives the unlock time measured with it.
func DefaultKDF() KDF { return KDF{Memory: 64 << 10, Time: 3, Threads: 4} }

func (k KDF) orDefault() KDF {
	if k == (KDF{}) {
		return DefaultKDF()
	}
	return k
}

// stronger reports whether k costs more than the parameters r a vault
// was made with, and none of it less: the vault is re-wrapped with k.
func (k KDF) stronger(r kdfRecord) bool {
	return k.Memory >= r.Memory && k.Time >= r.Time && k.Threads >= r.Threads &&
		(k.Memory > r.Memory || k.Time > r.Time)
}

// record returns k with a new random salt, as kept in the vault file.
func (k KDF) record() kdfRecord {
	return kdfRecord{Alg: "argon2id", V: argon2.Version, Memory: k.Memory, Time: k.Time, Threads: k.Threads, Salt: random(saltSize)}
}

// Keystore is a platform key store (Android Keystore, the iOS Secure
// Enclave, a TPM) holding a key that never leaves it. When the vault has
// one, the key derived from the PIN is passed through the keystore's key
// before it wraps the vault, so that a copy of the vault file is of no
// use away from the device, guessing must go through the keystore (which
// may limit its rate), and deleting the keystore's key erases the vault
// even where old copies of the file survive in flash memory.
//
// No keystore is built yet; this is the seam for one.
type Keystore interface {
	// Name names the kind of keystore. It is kept in the vault file: a
	// vault made with one keystore opens only with it.
	Name() string
	// NewKey makes a key inside the keystore and returns a reference to
	// it (never the key itself).
	NewKey(ctx context.Context) (ref string, err error)
	// Bind returns at least 32 bytes computed inside the keystore from
	// pinKey with the key ref, the same every time (for example an
	// HMAC-SHA256 by a hardware-backed key). It fails once the key is
	// deleted.
	Bind(ctx context.Context, ref string, pinKey []byte) ([]byte, error)
	// DeleteKey destroys the key ref.
	DeleteKey(ctx context.Context, ref string) error
}

// errWrongKey is a key that does not open the master key's seal: a wrong
// PIN, or a file tampered with in a way that cannot be told from one.
var errWrongKey = errors.New("the key does not open the vault")

// wrapKey derives the key that seals f's master key from the normalised
// PIN p. The caller clears it.
func (v *Vault) wrapKey(ctx context.Context, p []byte, f *vaultFile) ([]byte, error) {
	k := f.KDF
	key := argon2.IDKey(p, k.Salt, k.Time, k.Memory, k.Threads, keySize)
	// argon2id's memory (64 MiB by default) is garbage now, and holds
	// values derived from the PIN, which x/crypto does not clear. Hand
	// it back to the system at once: the next unlock would otherwise
	// double the app's peak memory on a phone, and on Linux the pages
	// given back are discarded by the kernel.
	debug.FreeOSMemory()
	if f.Keystore == nil {
		return key, nil
	}
	defer clear(key)
	if v.ks == nil || v.ks.Name() != f.Keystore.Name {
		return nil, ErrKeystore
	}
	bound, err := v.ks.Bind(ctx, f.Keystore.Ref, key)
	defer clear(bound)
	if err != nil {
		return nil, fmt.Errorf("keystore %s: %w", f.Keystore.Name, err)
	}
	if len(bound) < keySize {
		return nil, fmt.Errorf("keystore %s gave %d bytes, want at least %d", f.Keystore.Name, len(bound), keySize)
	}
	// Both the PIN key and the keystore's answer go into the wrapping
	// key, so a weak keystore never makes the vault weaker than the PIN.
	secret := make([]byte, 0, len(key)+len(bound))
	secret = append(append(secret, key...), bound...)
	defer clear(secret)
	kek, err := hkdf.Key(sha256.New, secret, f.ID, "waymark-vault/1/wrap", keySize)
	if err != nil {
		return nil, fmt.Errorf("derive the wrapping key: %w", err)
	}
	return kek, nil
}

// seal encrypts plain with key and additional data ad.
func seal(key, plain, ad []byte) box {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		panic(fmt.Sprintf("vault key of %d bytes: %v", len(key), err)) // keys are made here, always 32 bytes
	}
	nonce := random(nonceSize)
	return box{Nonce: nonce, Sealed: aead.Seal(nil, nonce, plain, ad)}
}

// open decrypts b with key and additional data ad.
func open(key []byte, b box, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("vault key of %d bytes: %w", len(key), err)
	}
	return aead.Open(nil, b.Nonce, b.Sealed, ad)
}

// random returns n bytes from crypto/rand, which never fails.
func random(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
