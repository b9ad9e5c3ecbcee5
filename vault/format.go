package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// File names inside the vault folder.
const (
	vaultName   = "vault.json"
	lockoutName = "lockout.json"
)

// Format names and versions written in the files. A file of another
// format or a newer version is refused, never guessed at.
const (
	vaultFormat   = "waymark-vault"
	lockoutFormat = "waymark-lockout"
	fileVersion   = 1
)

// Sizes and limits checked when a file is read. The limits on the
// argon2id parameters keep a damaged or hostile file from making the app
// allocate gigabytes or spin for minutes before the PIN is even checked.
const (
	idSize       = 16
	saltSize     = 16 // RFC 9106: 128-bit salt
	keySize      = chacha20poly1305.KeySize
	nonceSize    = chacha20poly1305.NonceSizeX
	tagSize      = chacha20poly1305.Overhead
	maxSecret    = 4096
	maxSecrets   = 32
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 64
	maxThreads   = 16
	maxFailures  = 1000
	maxEpoch     = 128
	maxFileSize  = 64 << 10
)

// vaultFile is vault.json, version 1. Its JSON is canonical: the reader
// refuses any bytes but the exact encoding of what it decoded.
type vaultFile struct {
	Format   string          `json:"format"`
	Version  int             `json:"version"`
	ID       []byte          `json:"id"`
	KDF      kdfRecord       `json:"kdf"`
	Keystore *keystoreRecord `json:"keystore,omitempty"`
	// Master is the master key sealed by the key derived from the PIN,
	// with the header (everything above) as additional data.
	Master box `json:"master"`
	// Secrets are sealed by the master key, sorted by name.
	Secrets []secretBox `json:"secrets"`
}

// kdfRecord is how the PIN key was derived: argon2id (RFC 9106) and its
// parameters, kept so that they can be raised later.
type kdfRecord struct {
	Alg     string `json:"alg"`
	V       int    `json:"v"`
	Memory  uint32 `json:"m"` // KiB
	Time    uint32 `json:"t"`
	Threads uint8  `json:"p"`
	Salt    []byte `json:"salt"`
}

// keystoreRecord names the platform keystore key the PIN key is bound to.
type keystoreRecord struct {
	Name string `json:"name"`
	Ref  string `json:"ref"`
}

// box is one XChaCha20-Poly1305 ciphertext and its nonce.
type box struct {
	Nonce  []byte `json:"nonce"`
	Sealed []byte `json:"sealed"`
}

// secretBox is a named secret sealed by the master key.
type secretBox struct {
	Name   string `json:"name"`
	Nonce  []byte `json:"nonce"`
	Sealed []byte `json:"sealed"`
}

// lockoutFile is lockout.json, version 1: the wrong tries counted and the
// delay being served. It holds nothing secret.
type lockoutFile struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	// Failures counts tries started and not (yet) found right: a try is
	// counted before it is checked.
	Failures int  `json:"failures"`
	Erased   bool `json:"erased"`
	// Delay is the wait before the next try, if any.
	Delay *delayRecord `json:"delay,omitempty"`
}

// delayRecord is a delay being served, measured two ways (see
// (*delayRecord).left).
type delayRecord struct {
	// From is the wall-clock time the delay started, in UTC.
	From time.Time `json:"from"`
	// Length is how long the delay is.
	Length time.Duration `json:"length_ns"`
	// Served is how much of it the elapsed clock has seen pass, up to
	// Mark.
	Served time.Duration `json:"served_ns"`
	// Epoch and Mark are the elapsed clock's reading when Served was last
	// brought up to date.
	Epoch string        `json:"epoch"`
	Mark  time.Duration `json:"mark_ns"`
}

// header returns the bytes the master key's seal is bound to: everything
// in the file that says how to derive the key that opens it.
func (f *vaultFile) header() []byte {
	h := struct {
		Format   string          `json:"format"`
		Version  int             `json:"version"`
		ID       []byte          `json:"id"`
		KDF      kdfRecord       `json:"kdf"`
		Keystore *keystoreRecord `json:"keystore,omitempty"`
	}{f.Format, f.Version, f.ID, f.KDF, f.Keystore}
	b, err := json.Marshal(h)
	if err != nil {
		panic(fmt.Sprintf("vault header does not encode: %v", err)) // only fixed types
	}
	return b
}

// secretAD is the additional data a secret is sealed with: the vault's id
// and the secret's name, so that a sealed secret cannot be moved to
// another name or another vault.
func secretAD(id []byte, name string) []byte {
	return fmt.Appendf(nil, "waymark-vault/1/secret\x00%x\x00%s", id, name)
}

// encode returns the canonical JSON of v.
func encode(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("vault file does not encode: %v", err)) // only fixed types
	}
	return b
}

// decodeVault reads vault.json strictly.
func decodeVault(b []byte) (*vaultFile, error) {
	var f vaultFile
	if err := decodeCanonical(b, &f); err != nil {
		return nil, fmt.Errorf("read %s: %w", vaultName, err)
	}
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("read %s: %w", vaultName, err)
	}
	return &f, nil
}

// decodeLockout reads lockout.json strictly.
func decodeLockout(b []byte) (*lockoutFile, error) {
	var f lockoutFile
	if err := decodeCanonical(b, &f); err != nil {
		return nil, fmt.Errorf("read %s: %w", lockoutName, err)
	}
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("read %s: %w", lockoutName, err)
	}
	return &f, nil
}

// fieldError says which field of a file broke which rule, never its value.
func fieldError(field, rule string) error {
	return fmt.Errorf("field %s: %s: %w", field, rule, ErrCorrupt)
}

func (f *vaultFile) validate() error {
	switch {
	case f.Format != vaultFormat:
		return fieldError("format", "not a Waymark vault")
	case f.Version != fileVersion:
		return fieldError("version", "not a version this app reads")
	case len(f.ID) != idSize:
		return fieldError("id", "wrong length")
	}
	if err := f.KDF.validate(); err != nil {
		return err
	}
	if k := f.Keystore; k != nil && (!printable(k.Name, 64) || !printable(k.Ref, 256)) {
		return fieldError("keystore", "name or reference empty, too long or not printable")
	}
	if len(f.Master.Nonce) != nonceSize || len(f.Master.Sealed) != keySize+tagSize {
		return fieldError("master", "wrong length")
	}
	if len(f.Secrets) == 0 || len(f.Secrets) > maxSecrets {
		return fieldError("secrets", "none, or too many")
	}
	for i, s := range f.Secrets {
		switch {
		case !validName(s.Name):
			return fieldError("secrets.name", "not a secret name")
		case i > 0 && f.Secrets[i-1].Name >= s.Name:
			return fieldError("secrets.name", "not sorted, or repeated")
		case len(s.Nonce) != nonceSize:
			return fieldError("secrets.nonce", "wrong length")
		case len(s.Sealed) < tagSize+1 || len(s.Sealed) > tagSize+maxSecret:
			return fieldError("secrets.sealed", "wrong length")
		case secretSizes[s.Name] != 0 && len(s.Sealed) != tagSize+secretSizes[s.Name]:
			return fieldError("secrets.sealed", "wrong length for its name")
		}
	}
	if _, ok := f.find(SecretStore); !ok {
		return fieldError("secrets", "no store key")
	}
	return nil
}

func (k kdfRecord) validate() error {
	switch {
	case k.Alg != "argon2id" || k.V != argon2.Version:
		return fieldError("kdf", "not argon2id version 19")
	case k.Threads < 1 || k.Threads > maxThreads:
		return fieldError("kdf.p", "out of range")
	case k.Time < 1 || k.Time > maxTime:
		return fieldError("kdf.t", "out of range")
	case k.Memory < 8*uint32(k.Threads) || k.Memory > maxMemoryKiB:
		return fieldError("kdf.m", "out of range")
	case len(k.Salt) != saltSize:
		return fieldError("kdf.salt", "wrong length")
	}
	return nil
}

func (f *lockoutFile) validate() error {
	switch {
	case f.Format != lockoutFormat:
		return fieldError("format", "not a Waymark lockout file")
	case f.Version != fileVersion:
		return fieldError("version", "not a version this app reads")
	case f.Failures < 0 || f.Failures > maxFailures:
		return fieldError("failures", "out of range")
	}
	if d := f.Delay; d != nil {
		switch {
		case d.From.Location() != time.UTC || d.From.IsZero():
			return fieldError("delay.from", "not a UTC time")
		case d.Length <= 0 || d.Served < 0 || d.Mark < 0:
			return fieldError("delay", "negative or zero duration")
		case !printable(d.Epoch, maxEpoch):
			return fieldError("delay.epoch", "empty, too long or not printable")
		}
	}
	return nil
}

// find returns the index of the secret called name.
func (f *vaultFile) find(name string) (int, bool) {
	for i, s := range f.Secrets {
		if s.Name == name {
			return i, true
		}
	}
	return 0, false
}

// validName reports whether name can name a secret: 1 to 32 of a-z, 0-9
// and '-'.
func validName(name string) bool {
	if len(name) < 1 || len(name) > 32 {
		return false
	}
	for _, c := range []byte(name) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// printable reports whether s is 1 to max bytes of printable ASCII.
func printable(s string, max int) bool {
	if len(s) < 1 || len(s) > max {
		return false
	}
	for _, c := range []byte(s) {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// decodeCanonical decodes exactly one JSON object into v and refuses
// anything but the bytes v encodes back to: invalid UTF-8, a repeated
// key, an unknown field, a field in another case or order, other spacing,
// other escapes or trailing data. The files are only ever written by this
// package, so any difference is damage or tampering. The rules are also
// checked one by one first, so that the error says which was broken.
func decodeCanonical(b []byte, v any) error {
	if len(b) > maxFileSize {
		return fmt.Errorf("larger than %d bytes: %w", maxFileSize, ErrCorrupt)
	}
	if !utf8.Valid(b) {
		return fmt.Errorf("invalid UTF-8: %w", ErrCorrupt)
	}
	if err := noRepeatedKeys(b); err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return fmt.Errorf("%w: %w", ErrCorrupt, jsonRule(err))
	}
	if !bytes.Equal(encode(v), b) {
		return fmt.Errorf("not in canonical form: %w", ErrCorrupt)
	}
	return nil
}

// jsonRule turns a JSON decoding error into one that names the rule and
// the field but never quotes the input.
func jsonRule(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return fmt.Errorf("field %s: wrong type", te.Field)
	case errors.As(err, &se):
		return fmt.Errorf("syntax error at byte %d", se.Offset)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errors.New("truncated")
	default:
		// An unknown field, bad base64 or a bad time: the decoder's
		// message would quote the file, so say only the kind of problem.
		return errors.New("unknown field or malformed value")
	}
}

// noRepeatedKeys refuses JSON in which an object has the same key twice,
// which encoding/json would silently resolve to the last one.
func noRepeatedKeys(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	type frame struct {
		keys     map[string]bool
		inObject bool
		wantKey  bool
	}
	var stack []frame
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%w: %w", ErrCorrupt, jsonRule(err))
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].inObject && stack[top].wantKey {
			if k, ok := tok.(string); ok {
				if stack[top].keys[k] {
					return fmt.Errorf("a key repeated in one object: %w", ErrCorrupt)
				}
				stack[top].keys[k] = true
				stack[top].wantKey = false
				continue
			}
		}
		if top >= 0 && stack[top].inObject {
			stack[top].wantKey = true // a value was read (or an object ends below)
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{keys: map[string]bool{}, inObject: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:top]
		}
	}
}
