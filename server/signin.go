package server

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Signing in to the console: a password, hashed with Argon2id, and a
// time-based one-time code (TOTP, RFC 6238: HMAC-SHA1, 30-second steps,
// 6 digits, the step before and after accepted), each set up from the
// command line by an administrator (waymark-server user passwd, user
// totp). A code is accepted once: the step it was for is remembered.

// Credential is an account's console sign-in: its password hash and
// TOTP secret. Neither is ever logged or shown after it is set up.
type Credential struct {
	Salt     []byte    `json:"salt,omitempty"`
	Hash     []byte    `json:"hash,omitempty"` // Argon2id(password, salt)
	TOTP     []byte    `json:"totp,omitempty"` // the shared secret, 20 bytes
	LastStep int64     `json:"last_step,omitempty"`
	Set      time.Time `json:"set,omitzero"`
}

// Ready reports whether the account can sign in: a password and a TOTP.
func (c Credential) Ready() bool { return len(c.Hash) > 0 && len(c.TOTP) > 0 }

// Argon2id parameters of console passwords: one derivation per sign-in.
const (
	pwTime    = 2
	pwMemory  = 64 << 10 // KiB
	pwThreads = 2
	pwKey     = 32
)

// MinPassword is the shortest password the console takes.
const MinPassword = 12

// hashPassword derives the stored hash of password with salt.
func hashPassword(password string, salt []byte) []byte {
	return argon2.IDKey([]byte(password), salt, pwTime, pwMemory, pwThreads, pwKey)
}

// checkPasswordRule refuses a password that is too short or not text.
func checkPasswordRule(p string) error {
	if utf8.RuneCountInString(p) < MinPassword || !utf8.ValidString(p) || strings.ContainsAny(p, "\n\r\x00") {
		return fmt.Errorf("the password must be at least %d characters on one line: %w", MinPassword, ErrInvalid)
	}
	return nil
}

// TOTP parameters.
const (
	totpStep   = 30 * time.Second
	totpDigits = 6
)

// totpAt is the code for step.
func totpAt(secret []byte, step int64) string {
	m := hmac.New(sha1.New, secret)
	binary.Write(m, binary.BigEndian, uint64(step))
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, n%1_000_000)
}

// TOTPCode is the code an authenticator shows for secret at t: for tests
// and for the demo's first sign-in.
func TOTPCode(secret []byte, t time.Time) string {
	return totpAt(secret, t.Unix()/int64(totpStep/time.Second))
}

// totpMatch returns the step code was made for, within one step of t, and
// whether it is later than last (a code is good once).
func totpMatch(secret []byte, code string, t time.Time, last int64) (int64, bool) {
	now := t.Unix() / int64(totpStep/time.Second)
	for _, step := range []int64{now, now - 1, now + 1} {
		if step > last && subtle.ConstantTimeCompare([]byte(totpAt(secret, step)), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// TOTPSetup is what an administrator gives the person: the secret (base32)
// and the otpauth:// URL an authenticator app reads from a QR code.
type TOTPSetup struct {
	Account string `json:"account"`
	Secret  string `json:"secret"`
	URL     string `json:"url"`
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func totpURL(issuer, account string, secret []byte) string {
	v := url.Values{"secret": {b32.EncodeToString(secret)}, "issuer": {issuer}, "algorithm": {"SHA1"},
		"digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + v.Encode()
}

// ParseTOTPSecret decodes a base32 secret as TOTPSetup gives it.
func ParseTOTPSecret(s string) ([]byte, error) {
	return b32.DecodeString(strings.ToUpper(strings.ReplaceAll(s, " ", "")))
}

// SetPassword sets account id's console password.
func (ad *Admin) SetPassword(ctx context.Context, id, password string) error {
	if err := checkPasswordRule(password); err != nil {
		return err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	hash := hashPassword(password, salt)
	_, err := ad.dir.UpdateCredential(ctx, id, func(c *Credential) (LogEntry, error) {
		c.Salt, c.Hash, c.Set = salt, hash, ad.now().UTC()
		return ad.entry(ActionAccountPassword, id), nil
	})
	if err != nil {
		return fmt.Errorf("set the password of %s: %w", id, err)
	}
	return nil
}

// SetupTOTP makes a new TOTP secret for account id, replacing any
// earlier one, and returns it to give the person once.
func (ad *Admin) SetupTOTP(ctx context.Context, id string) (TOTPSetup, error) {
	secret := make([]byte, 20)
	if _, err := rand.Read(secret); err != nil {
		return TOTPSetup{}, err
	}
	_, err := ad.dir.UpdateCredential(ctx, id, func(c *Credential) (LogEntry, error) {
		c.TOTP, c.LastStep = secret, 0
		return ad.entry(ActionAccountTOTP, id), nil
	})
	if err != nil {
		return TOTPSetup{}, fmt.Errorf("set up TOTP for %s: %w", id, err)
	}
	return TOTPSetup{Account: id, Secret: b32.EncodeToString(secret), URL: totpURL("Waymark", id, secret)}, nil
}

// ErrSignIn is every failed console sign-in, whatever was wrong: the
// answer does not tell which part.
var ErrSignIn = fmt.Errorf("the account, password or code is wrong")

// SignIn checks a console sign-in: an active account with a console
// credential, its password and a TOTP code not used before. On success
// the code's step is remembered, so the same code cannot sign in again.
func (s *Server) SignIn(ctx context.Context, id, password, code string) (Account, error) {
	a, err := s.dir.Account(ctx, id)
	cred, cerr := s.dir.Credential(ctx, id)
	if err != nil || cerr != nil || !cred.Ready() {
		// Spend the same time as a real check, so the answer's time does
		// not tell whether the account exists.
		hashPassword(password, make([]byte, 16))
		return Account{}, ErrSignIn
	}
	if subtle.ConstantTimeCompare(hashPassword(password, cred.Salt), cred.Hash) != 1 {
		return Account{}, ErrSignIn
	}
	step, ok := totpMatch(cred.TOTP, strings.TrimSpace(code), s.now(), cred.LastStep)
	if !ok || a.Disabled {
		return Account{}, ErrSignIn
	}
	_, err = s.dir.UpdateCredential(ctx, id, func(c *Credential) (LogEntry, error) {
		if step <= c.LastStep {
			return LogEntry{}, ErrSignIn // used meanwhile
		}
		c.LastStep = step
		return LogEntry{At: s.now().UTC(), Actor: "console:" + id, Action: ActionConsoleSignIn, Account: id}, nil
	})
	if err != nil {
		return Account{}, ErrSignIn
	}
	return a, nil
}
