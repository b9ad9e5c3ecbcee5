package auth

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

var (
	dev   = uuid.MustParse("0192f1a0-0000-7000-8000-00000000d001")
	other = uuid.MustParse("0192f1a0-0000-7000-8000-00000000d002")
	at    = time.UnixMilli(1767225600123)
)

func newKey(t testing.TB, d uuid.UUID) Key {
	k, err := NewKey(d)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestSignVerify signs a request and checks that every change to what
// the signature covers makes it fail.
func TestSignVerify(t *testing.T) {
	k := newKey(t, dev)
	body := []byte("gzip bytes as sent")
	h, err := Sign(k, "POST", "/v2/push", at, body)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Parse(h)
	if err != nil {
		t.Fatal(err)
	}
	if s.Device != dev || s.TS != at.UnixMilli() || !s.Time().Equal(at.Truncate(time.Millisecond)) {
		t.Fatalf("parsed %+v", s)
	}
	if err := s.Verify(k.Public(), "POST", "/v2/push", body); err != nil {
		t.Fatalf("a good signature failed: %v", err)
	}
	wrong := newKey(t, dev)
	tests := []struct {
		name   string
		change func(s *Signed) (key Key, method, path string, body []byte)
	}{
		{"other key", func(s *Signed) (Key, string, string, []byte) { return wrong, "POST", "/v2/push", body }},
		{"method", func(s *Signed) (Key, string, string, []byte) { return k, "GET", "/v2/push", body }},
		{"path", func(s *Signed) (Key, string, string, []byte) { return k, "POST", "/v2/pull", body }},
		{"body", func(s *Signed) (Key, string, string, []byte) {
			return k, "POST", "/v2/push", []byte("gzip bytes as Sent")
		}},
		{"empty body", func(s *Signed) (Key, string, string, []byte) { return k, "POST", "/v2/push", nil }},
		{"device", func(s *Signed) (Key, string, string, []byte) { s.Device = other; return k, "POST", "/v2/push", body }},
		{"time", func(s *Signed) (Key, string, string, []byte) { s.TS++; return k, "POST", "/v2/push", body }},
		{"nonce", func(s *Signed) (Key, string, string, []byte) { s.Nonce[3] ^= 1; return k, "POST", "/v2/push", body }},
		{"signature", func(s *Signed) (Key, string, string, []byte) { s.Sig[10] ^= 1; return k, "POST", "/v2/push", body }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := Parse(h)
			key, m, p, b := tc.change(&c)
			if err := c.Verify(key.Public(), m, p, b); !errors.Is(err, ErrBadSignature) {
				t.Errorf("verify after changing the %s: %v", tc.name, err)
			}
		})
	}
}

func TestNoncesDiffer(t *testing.T) {
	k := newKey(t, dev)
	a, _ := Sign(k, "POST", "/v2/pull", at, nil)
	b, _ := Sign(k, "POST", "/v2/pull", at, nil)
	sa, _ := Parse(a)
	sb, _ := Parse(b)
	if sa.Nonce == sb.Nonce {
		t.Error("two signatures share a nonce")
	}
}

func TestParseRefuses(t *testing.T) {
	k := newKey(t, dev)
	good, _ := Sign(k, "POST", "/v2/pull", at, nil)
	s, _ := Parse(good)
	nonce := strings.Split(strings.Split(good, "nonce=")[1], ",")[0]
	sig := strings.Split(good, "sig=")[1]
	for name, v := range map[string]string{
		"empty":          "",
		"bearer":         "Bearer abc",
		"scheme only":    Scheme,
		"no space":       Scheme + "device=" + dev.String(),
		"order":          Scheme + " ts=1, device=" + dev.String() + ", nonce=" + nonce + ", sig=" + sig,
		"missing sig":    Scheme + " device=" + dev.String() + ", ts=1, nonce=" + nonce,
		"extra":          good + ", x=1",
		"upper uuid":     strings.Replace(good, dev.String(), strings.ToUpper(dev.String()), 1),
		"nil device":     strings.Replace(good, dev.String(), uuid.Nil.String(), 1),
		"negative ts":    strings.Replace(good, "ts="+itoa(s.TS), "ts=-5", 1),
		"zero ts":        strings.Replace(good, "ts="+itoa(s.TS), "ts=0", 1),
		"leading zero":   strings.Replace(good, "ts="+itoa(s.TS), "ts=0"+itoa(s.TS), 1),
		"short nonce":    strings.Replace(good, nonce, nonce[:10], 1),
		"padded nonce":   strings.Replace(good, nonce, nonce+"==", 1),
		"std base64 sig": strings.Replace(good, sig, strings.NewReplacer("-", "+", "_", "/").Replace(sig)+"x", 1),
		"short sig":      strings.Replace(good, sig, sig[:20], 1),
	} {
		if _, err := Parse(v); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Parse(%q) = %v", name, v, err)
		}
	}
}

func itoa(n int64) string { return fmtInt(n) }

func fmtInt(n int64) string {
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func TestCode(t *testing.T) {
	c, err := NewCode()
	if err != nil {
		t.Fatal(err)
	}
	s := c.String()
	if len(s) != 14 || s[4] != '-' || s[9] != '-' {
		t.Fatalf("code shown as %q", s)
	}
	for _, typed := range []string{s, strings.ToLower(s), strings.ReplaceAll(s, "-", ""), " " + strings.ReplaceAll(s, "-", " ") + " "} {
		got, err := ParseCode(typed)
		if err != nil || got != c {
			t.Errorf("ParseCode(%q) = %v, %v", typed, got, err)
		}
	}
	if got, err := ParseCode("ABCD-EFGH-IJKO"); err != nil || got.Secret != "EFGH1JK0" {
		t.Errorf("I, L and O are not read as 1, 1 and 0: %v, %v", got, err)
	}
	for _, bad := range []string{"", "ABCD-EFGH-JKM", "ABCD-EFGH-JKMNP", "ABCD-EFGH-JKMU", "ABCD-EFGH-JKM!", "ÄBCD-EFGH-JKMN"} {
		if _, err := ParseCode(bad); !errors.Is(err, ErrBadCode) {
			t.Errorf("ParseCode(%q) = %v", bad, err)
		}
	}
	if !ValidCodeID(c.ID) || ValidCodeID("ABC") || ValidCodeID("ABCU") {
		t.Error("ValidCodeID")
	}
}

// TestProofs: the device's proof passes only for the same code, server
// key, device key and device; the server's proof is not the device's.
func TestProofs(t *testing.T) {
	c, _ := NewCode()
	k := EnrolKey(c)
	if len(k) != 32 || bytes.Equal(k, EnrolKey(Code{ID: c.ID, Secret: "00000000"})) {
		t.Fatal("enrolment key does not depend on the secret")
	}
	if bytes.Equal(k, EnrolKey(Code{ID: "ZZZZ", Secret: c.Secret})) {
		t.Fatal("enrolment key is not salted by the id")
	}
	spki, pub := []byte("server spki"), bytes.Repeat([]byte{1}, 32)
	p := DeviceProof(k, spki, pub, dev)
	for name, q := range map[string][]byte{
		"other spki":   DeviceProof(k, []byte("attacker spki"), pub, dev),
		"other key":    DeviceProof(k, spki, bytes.Repeat([]byte{2}, 32), dev),
		"other device": DeviceProof(k, spki, pub, other),
		"other code":   DeviceProof(EnrolKey(Code{ID: c.ID, Secret: "00000000"}), spki, pub, dev),
		"server proof": ServerProof(k, spki, pub, dev),
		"run together": DeviceProof(k, []byte("server spk"), append([]byte("i"), pub...), dev),
	} {
		if ProofOK(q, p) {
			t.Errorf("%s: proof matches", name)
		}
	}
	if !ProofOK(DeviceProof(k, spki, pub, dev), p) {
		t.Error("the same proof does not match")
	}
}

func TestLink(t *testing.T) {
	c, _ := NewCode()
	pin := Pin([]byte("spki"))
	l := Link{Server: "https://waymark.example:8765", Code: c, Pin: pin}
	got, err := ParseLink(l.String())
	if err != nil || got != l {
		t.Fatalf("round trip: %v, %v (%s)", got, err, l)
	}
	if !strings.HasPrefix(l.String(), "waymark://enrol?") {
		t.Errorf("link %s", l)
	}
	for _, bad := range []string{
		"https://enrol?code=" + c.String(),
		"waymark://other?server=https://a&code=" + c.String(),
		"waymark://enrol?server=https://a&code=ABC",
		"waymark://enrol?server=ftp://a&code=" + c.String(),
		"waymark://enrol?server=https://a&code=" + c.String() + "&pin=md5/abc",
	} {
		if _, err := ParseLink(bad); err == nil {
			t.Errorf("ParseLink(%q) accepted", bad)
		}
	}
	if err := ValidServer("http://127.0.0.1:1", false); err == nil {
		t.Error("plain http accepted without the development flag")
	}
}

func TestPin(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	spki, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	cert := &x509.Certificate{RawSubjectPublicKeyInfo: spki}
	pin := Pin(spki)
	if err := ValidPin(pin); err != nil || !strings.HasPrefix(pin, "sha256/") {
		t.Fatalf("pin %q: %v", pin, err)
	}
	if err := CheckPin(cert, pin); err != nil {
		t.Error(err)
	}
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ospki, _ := x509.MarshalPKIXPublicKey(&other.PublicKey)
	if err := CheckPin(&x509.Certificate{RawSubjectPublicKeyInfo: ospki}, pin); !errors.Is(err, ErrPinMismatch) {
		t.Errorf("another key passed the pin: %v", err)
	}
	if err := CheckPin(nil, pin); !errors.Is(err, ErrPinMismatch) {
		t.Error("no certificate passed the pin")
	}
	for _, bad := range []string{"", "sha256/", "sha1/abc", "sha256/" + strings.Repeat("A", 43)} {
		if ValidPin(bad) == nil {
			t.Errorf("ValidPin(%q) passed", bad)
		}
	}
}

// FuzzParse: whatever Parse accepts formats back to the same header, and
// a signature over anything verifies only with its own inputs.
func FuzzParse(f *testing.F) {
	k, _ := NewKey(dev)
	h, _ := Sign(k, "POST", "/v2/push", at, []byte("x"))
	f.Add(h)
	f.Add(Scheme + " device=" + dev.String() + ", ts=1, nonce=AAAAAAAAAAAAAAAAAAAAAA, sig=" + strings.Repeat("A", 86))
	f.Fuzz(func(t *testing.T, v string) {
		s, err := Parse(v)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if s.String() != v {
			t.Fatalf("Parse(%q) formats back as %q", v, s.String())
		}
		if s.Verify(k.Public(), "POST", "/v2/push", []byte("y")) == nil {
			t.Fatalf("a parsed header verified over another body")
		}
	})
}
