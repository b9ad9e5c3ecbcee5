package vault

import (
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxPINBytes bounds what is fed to the key derivation.
const maxPINBytes = 256

// PINRules is what a new PIN or passphrase must be. The zero value means
// DefaultPINRules.
type PINRules struct {
	// MinDigits is the shortest PIN made only of digits.
	MinDigits int
	// MinLength is the shortest passphrase, in characters (any secret
	// that is not only digits).
	MinLength int
	// Passphrase refuses PINs of digits only: a force that wants copies
	// of the device's files to resist offline guessing sets it (see
	// docs/security.md).
	Passphrase bool
}

// DefaultPINRules returns the rules the app uses: PINs of at least six
// digits (NCSC and MASVS accept a six-digit device PIN behind a lockout)
// and passphrases of at least eight characters (NIST SP 800-63B).
func DefaultPINRules() PINRules { return PINRules{MinDigits: 6, MinLength: 8} }

func (r PINRules) orDefault() PINRules {
	if r == (PINRules{}) {
		return DefaultPINRules()
	}
	return r
}

// The rules a new PIN can break, named in PINError.
const (
	RuleEncoding   = "encoding"    // not valid UTF-8, or holds control characters
	RuleTooShort   = "too-short"   // shorter than the rules allow
	RuleTooLong    = "too-long"    // longer than 256 bytes
	RuleRepeated   = "repeated"    // one short pattern repeated: 111111, 121212, 123123
	RuleSequence   = "sequence"    // digits counting up or down: 123456, 987654
	RuleCommon     = "common"      // among the most used PINs
	RulePassphrase = "passphrase"  // digits only, where a passphrase is required
	RuleSame       = "same-as-old" // a new PIN equal to the one it replaces
)

// PINError says which rule a new PIN broke. It never holds the PIN.
type PINError struct {
	Rule string
}

// Error names the rule broken.
func (e *PINError) Error() string { return "PIN refused: " + e.Rule }

// Is makes errors.Is(err, ErrPIN) true.
func (e *PINError) Is(target error) bool { return target == ErrPIN }

// commonPINs are six-digit PINs that published studies of leaked PINs
// find among the most used and that the pattern rules below do not
// already catch. A simplification: a force can only add rules by a code
// change.
var commonPINs = map[string]bool{
	"112233": true, "159753": true, "147258": true, "258369": true,
	"789456": true, "456123": true, "102030": true, "147852": true,
	"159357": true, "753951": true, "101010": true, "112358": true,
	"696969": true, "131313": true, "200000": true, "100000": true,
}

// Check reports whether pin may be set as a new PIN: nil, or a *PINError
// naming the rule it breaks.
func (r PINRules) Check(pin []byte) error {
	r = r.orDefault()
	p, err := normalise(pin)
	if err != nil {
		return err
	}
	defer clear(p)
	n := utf8.RuneCount(p)
	digits := allDigits(p)
	switch {
	case digits && r.Passphrase:
		return &PINError{RulePassphrase}
	case digits && n < r.MinDigits, !digits && n < r.MinLength:
		return &PINError{RuleTooShort}
	case repeats(p):
		return &PINError{RuleRepeated}
	case digits && sequence(p):
		return &PINError{RuleSequence}
	case digits && commonPINs[string(p)]:
		return &PINError{RuleCommon}
	}
	return nil
}

// normalise returns the PIN as the key is derived from it: Unicode NFC,
// so that a passphrase typed on another keyboard gives the same bytes.
// Invalid UTF-8, control characters and over-long PINs are refused. The
// caller clears the result.
func normalise(pin []byte) ([]byte, error) {
	if len(pin) > maxPINBytes {
		return nil, &PINError{RuleTooLong}
	}
	if !utf8.Valid(pin) {
		return nil, &PINError{RuleEncoding}
	}
	for _, c := range string(pin) {
		if unicode.IsControl(c) {
			return nil, &PINError{RuleEncoding}
		}
	}
	out := norm.NFC.Append(make([]byte, 0, 2*len(pin)), pin...)
	if len(out) > maxPINBytes {
		clear(out)
		return nil, &PINError{RuleTooLong}
	}
	return out, nil
}

// checkTry refuses, without counting it, a try that cannot be any PIN:
// empty, too long or badly encoded. A pocket press should not bring the
// erase nearer. A short PIN is counted: a PIN set under older, looser
// rules must still open the vault.
func checkTry(pin []byte) ([]byte, error) {
	if len(pin) == 0 {
		return nil, fmt.Errorf("empty: %w", &PINError{RuleTooShort})
	}
	p, err := normalise(pin)
	if err != nil {
		return nil, fmt.Errorf("not counted: %w", err)
	}
	return p, nil
}

func allDigits(p []byte) bool {
	for _, c := range p {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(p) > 0
}

// repeats reports whether p is one pattern of one to three bytes repeated.
func repeats(p []byte) bool {
	for period := 1; period <= 3 && period < len(p); period++ {
		same := true
		for i := period; i < len(p) && same; i++ {
			same = p[i] == p[i-period]
		}
		if same {
			return true
		}
	}
	return false
}

// sequence reports whether the digits p count up or down by one (with 9
// followed by 0 when counting up, as on a keypad: 890123).
func sequence(p []byte) bool {
	up, down := true, true
	for i := 1; i < len(p); i++ {
		d := (int(p[i]) - int(p[i-1]) + 10) % 10
		up = up && d == 1
		down = down && d == 9
	}
	return up || down
}

// ErrPIN is matched by every *PINError.
var ErrPIN = errors.New("PIN refused")
