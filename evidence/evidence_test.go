package evidence

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
	"github.com/waymark-app/waymark/sync/auth"
)

// newKey is a fixed device key, as the device's credential holds it.
func newKey(seed byte) auth.Key {
	return auth.Key{Device: uuid.MustParse("0192f1a0-0000-7000-8000-00000000d001"), Private: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))}
}

var t0 = time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC)

func record(t testing.TB) []byte {
	r := encounter.Record{
		ID: uuid.MustParse("0192f1a0-1111-7111-8111-000000000001"), Schema: encounter.Schema,
		Device: newKey(1).Device, Officer: encounter.Officer{Name: "A Example", Number: "PC 101", Agency: "police"},
		Premises:   encounter.Premises{Name: "Example Hand Car Wash <&>", Business: encounter.CarWash},
		OccurredAt: t0.In(time.FixedZone("BST", 3600)), CreatedAt: t0, UpdatedAt: t0, FinalisedAt: t0,
		People: []encounter.Person{{ID: uuid.MustParse("0192f1a0-2222-7222-8222-000000000001"), AgeYears: 30,
			Answers: map[string]string{"b": "2", "a": "1"}}},
	}
	b, err := r.Document()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSignVerify(t *testing.T) {
	doc := record(t)
	k := newKey(1)
	seal, err := Sign(k, KindEncounter, doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(KindEncounter, doc, seal); err != nil {
		t.Fatalf("own signature refused: %v", err)
	}
	flipped := bytes.Clone(doc)
	flipped[len(flipped)/2] ^= 1
	other := newKey(2)
	tests := []struct {
		name string
		kind string
		doc  []byte
		seal Seal
		want error
	}{
		{"one byte of the document", KindEncounter, flipped, seal, ErrBadSignature},
		{"another kind", KindAmendment, doc, seal, ErrBadSignature},
		{"another key", KindEncounter, doc, Seal{Device: seal.Device, Key: other.Public(), Sig: seal.Sig}, ErrBadSignature},
		{"one bit of the signature", KindEncounter, doc, Seal{Key: seal.Key, Sig: append([]byte{seal.Sig[0] ^ 0x80}, seal.Sig[1:]...)}, ErrBadSignature},
		{"short signature", KindEncounter, doc, Seal{Key: seal.Key, Sig: seal.Sig[:63]}, ErrMalformed},
		{"no key", KindEncounter, doc, Seal{Sig: seal.Sig}, ErrMalformed},
		{"nothing", KindEncounter, doc, Seal{}, ErrUnsigned},
		{"a request signature's context", KindEncounter, doc, Seal{Key: seal.Key, Sig: ed25519.Sign(k.Private, append([]byte("waymark-request-v2\n"), doc...))}, ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Verify(tt.kind, tt.doc, tt.seal); !errors.Is(err, tt.want) {
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestCanonicalRoundTrip is what lets the server store its own encoding
// and still verify the device's signature: decoding a document and
// encoding it again gives the same bytes.
func TestCanonicalRoundTrip(t *testing.T) {
	doc := record(t)
	r, err := encounter.ParseDocument(doc)
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.Document()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, again) {
		t.Errorf("re-encoding differs:\n%s\n%s", doc, again)
	}
}

func TestCheck(t *testing.T) {
	doc := record(t)
	seal, _ := Sign(newKey(1), KindEncounter, doc)
	v := Check(KindEncounter, doc, &seal)
	if v.State != Verified || v.By.Number != "PC 101" || v.Device != newKey(1).Device {
		t.Fatalf("verdict %+v", v)
	}
	if got, want := v.String(), "signed by device 0192f1a0 of PC 101, verified"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if v.KeyID != KeyID(newKey(1).Public()) || len(v.KeyID) != len("ed25519:")+16 {
		t.Errorf("key id %q", v.KeyID)
	}
	changed := bytes.Replace(doc, []byte("PC 101"), []byte("PC 102"), 1)
	if v := Check(KindEncounter, changed, &seal); v.State != Broken {
		t.Errorf("changed document: %+v", v)
	}
	if v := Check(KindEncounter, doc, nil); v.State != Unsigned || v.String() != "not signed" {
		t.Errorf("unsigned: %+v %q", v, v.String())
	}
}

// TestCheckStates: each thing that can be wrong with a signature has a
// verdict of its own, in the order a reader needs it: a signature that
// does not match is broken whoever made it; a key that is not a key, or
// not the one known for the device, leaves the signer unconfirmed; a good
// signature by a device other than the one the document names is said so.
func TestCheckStates(t *testing.T) {
	doc := record(t)
	k, other := newKey(1), newKey(2)
	good, _ := Sign(k, KindEncounter, doc)
	stranger := auth.Key{Device: uuid.MustParse("7c3e9d21-0000-4000-8000-00000000d002"), Private: other.Private}
	byStranger, _ := Sign(stranger, KindEncounter, doc)
	tests := []struct {
		name string
		seal *Seal
		doc  []byte
		want State
		text string
	}{
		{"verified", &good, doc, Verified, "signed by device 0192f1a0 of PC 101, verified"},
		{"no seal", nil, doc, Unsigned, "not signed"},
		{"an empty seal", &Seal{}, doc, Unsigned, "not signed"},
		{"the document changed", &good, bytes.Replace(doc, []byte("PC 101"), []byte("PC 102"), 1), Broken, "signature of device 0192f1a0 does NOT match: the record has changed since it was signed"},
		{"a short signature", &Seal{Device: k.Device, Key: good.Key, Sig: good.Sig[:10]}, doc, Broken, ""},
		{"no key", &Seal{Device: k.Device, Sig: good.Sig}, doc, KeyUnknown, "signed as device 0192f1a0 with a key not known for it: who signed cannot be confirmed"},
		{"a key of the wrong size", &Seal{Device: k.Device, Key: good.Key[:31], Sig: good.Sig}, doc, KeyUnknown, ""},
		{"another device signed", &byStranger, doc, OtherDevice, "signed by device 7c3e9d21, not by device 0192f1a0 that made it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Check(KindEncounter, tt.doc, tt.seal)
			if v.State != tt.want {
				t.Errorf("state %v, want %v (%s)", v.State, tt.want, v)
			}
			if tt.text != "" && v.String() != tt.text {
				t.Errorf("String() = %q, want %q", v.String(), tt.text)
			}
		})
	}
	if v := Check(KindEncounter, doc, &byStranger); v.Made != k.Device || v.Device != stranger.Device {
		t.Errorf("made by %v, signed by %v", v.Made, v.Device)
	}

	// What this device knows of its own key.
	if v := Check(KindEncounter, doc, &good).WithKnownKey(k.Device, k.Public()); v.State != Verified {
		t.Errorf("own key: %v", v.State)
	}
	if v := Check(KindEncounter, doc, &good).WithKnownKey(k.Device, other.Public()); v.State != KeyUnknown {
		t.Errorf("a key other than the device's own: %v", v.State)
	}
	if v := Check(KindEncounter, doc, &good).WithKnownKey(stranger.Device, other.Public()); v.State != Verified {
		t.Errorf("another device's key is not this device's to judge: %v", v.State)
	}
	changed := bytes.Replace(doc, []byte("PC 101"), []byte("PC 102"), 1)
	if v := Check(KindEncounter, changed, &good).WithKnownKey(k.Device, other.Public()); v.State != Broken {
		t.Errorf("a broken signature stays broken: %v", v.State)
	}
}

func FuzzVerify(f *testing.F) {
	doc := record(f)
	k := newKey(1)
	seal, _ := Sign(k, KindEncounter, doc)
	f.Add(doc, seal.Sig, []byte(k.Public()), KindEncounter)
	f.Add([]byte("{}"), make([]byte, 64), make([]byte, 32), KindAmendment)
	f.Fuzz(func(t *testing.T, d, sig, pub []byte, kind string) {
		err := Verify(kind, d, Seal{Key: pub, Sig: sig})
		genuine := kind == KindEncounter && bytes.Equal(d, doc) && bytes.Equal(sig, seal.Sig) && bytes.Equal(pub, seal.Key)
		if err == nil && !genuine && bytes.Equal(pub, seal.Key) {
			// Only the key's holder could have made this signature.
			if !ed25519.Verify(ed25519.PublicKey(pub), Message(kind, d), sig) {
				t.Fatal("accepted a signature ed25519 refuses")
			}
		}
		if genuine && err != nil {
			t.Fatalf("genuine signature refused: %v", err)
		}
		Check(kind, d, &Seal{Key: pub, Sig: sig})
	})
}

func BenchmarkSign(b *testing.B) {
	doc, k := record(b), newKey(1)
	for b.Loop() {
		if _, err := Sign(k, KindEncounter, doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	doc, k := record(b), newKey(1)
	seal, _ := Sign(k, KindEncounter, doc)
	for b.Loop() {
		if err := Verify(KindEncounter, doc, seal); err != nil {
			b.Fatal(err)
		}
	}
}
