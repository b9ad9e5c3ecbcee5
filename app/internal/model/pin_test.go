package model

import (
	"strings"
	"testing"
)

func TestPINHash(t *testing.T) {
	h1, err := HashPIN("482913")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := HashPIN("482913")
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") || h1 == h2 {
		t.Errorf("hashes %q and %q: want argon2id PHC strings with their own salts", h1, h2)
	}
	if strings.Contains(h1, "482913") {
		t.Error("the PIN is in its hash")
	}
	if !CheckPIN(h1, "482913") || !CheckPIN(h2, "482913") {
		t.Error("the right PIN is refused")
	}
	parts := strings.Split(h1, "$")
	for name, bad := range map[string]string{
		"wrong PIN":       "482914",
		"empty hash":      "",
		"other algorithm": strings.Replace(h1, "argon2id", "argon2i", 1),
		"other params":    strings.Replace(h1, "t=2", "t=3", 1),
		"cut short":       strings.Join(parts[:5], "$"),
		"bad salt":        strings.Replace(h1, parts[4], "!!", 1),
	} {
		pin := "482913"
		if name == "wrong PIN" {
			pin = bad
			bad = h1
		}
		if CheckPIN(bad, pin) {
			t.Errorf("%s: accepted", name)
		}
	}
}
