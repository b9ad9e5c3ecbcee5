package vault

import (
	"errors"
	"strings"
	"testing"
)

func TestPINRules(t *testing.T) {
	passphrase := PINRules{MinDigits: 6, MinLength: 10, Passphrase: true}
	for _, tc := range []struct {
		pin   string
		rules PINRules
		rule  string // "" for accepted
	}{
		{"246810", PINRules{}, ""},
		{"802413", PINRules{}, ""},
		{"12345", PINRules{}, RuleTooShort},
		{"111111", PINRules{}, RuleRepeated},
		{"121212", PINRules{}, RuleRepeated},
		{"123123", PINRules{}, RuleRepeated},
		{"123456", PINRules{}, RuleSequence},
		{"987654", PINRules{}, RuleSequence},
		{"890123", PINRules{}, RuleSequence},
		{"1234567890", PINRules{}, RuleSequence},
		{"112233", PINRules{}, RuleCommon},
		{"159753", PINRules{}, RuleCommon},
		{"24681357", PINRules{}, ""},
		{"correct horse", PINRules{}, ""},
		{"short", PINRules{}, RuleTooShort},
		{"aaaaaaaaaa", PINRules{}, RuleRepeated},
		{"Gwyliwch yr ŵyn", PINRules{}, ""},
		{"bad\x00byte pass", PINRules{}, RuleEncoding},
		{"bad\xffutf8 pass", PINRules{}, RuleEncoding},
		{string(make([]byte, 300)), PINRules{}, RuleTooLong},
		{"246810", passphrase, RulePassphrase},
		{"nine char", passphrase, RuleTooShort},
		{"ten chars!", passphrase, ""},
	} {
		err := tc.rules.Check([]byte(tc.pin))
		var pe *PINError
		switch {
		case tc.rule == "" && err != nil:
			t.Errorf("%q refused: %v", tc.pin, err)
		case tc.rule != "" && (!errors.As(err, &pe) || pe.Rule != tc.rule || !errors.Is(err, ErrPIN)):
			t.Errorf("%q: %v, want rule %s", tc.pin, err, tc.rule)
		}
		if err != nil && len(tc.pin) >= 6 && strings.Contains(err.Error(), tc.pin) {
			t.Errorf("error %q quotes the PIN", err)
		}
	}
}

// TestPINNormalised: a passphrase typed with a precomposed letter or with
// a combining accent opens the same vault.
func TestPINNormalised(t *testing.T) {
	clk := newFakeClock()
	v := openAt(t, t.TempDir(), clk)
	composed := []byte("Gwyliwch yr \u0175yn")
	decomposed := []byte("Gwyliwch yr w\u0302yn")
	k, err := v.Create(ctx, composed, nil)
	if err != nil {
		t.Fatal(err)
	}
	k.Close()
	k, err = v.Unlock(ctx, decomposed)
	if err != nil {
		t.Fatalf("unlock with the decomposed form: %v", err)
	}
	k.Close()
}
