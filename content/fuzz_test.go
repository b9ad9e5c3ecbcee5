package content_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"testing"

	"github.com/waymark-app/waymark/content"
)

// FuzzParseBundle feeds ParseBundle arbitrary bytes: it must never panic,
// must refuse with ErrInvalid, and whatever it accepts must bundle again
// to the same canonical bytes.
func FuzzParseBundle(f *testing.F) {
	p, err := content.Default()
	if err != nil {
		f.Fatal(err)
	}
	b := p.Bundle()
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Add([]byte{})
	f.Add([]byte("PK\x05\x06"))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("pack.json")
	w.Write([]byte(`{"format": 1, "id": "x", "version": 1}`))
	zw.SetComment("waymark content bundle 1")
	zw.Close()
	f.Add(buf.Bytes())

	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := content.ParseBundle(b)
		if err != nil {
			if !errors.Is(err, content.ErrInvalid) || err.Error() == "" {
				t.Fatalf("refusal %v does not wrap ErrInvalid", err)
			}
			return
		}
		again, err := content.ParseBundle(p.Bundle())
		if err != nil {
			t.Fatalf("accepted pack's own bundle refused: %v", err)
		}
		if again.Digest != p.Digest || !bytes.Equal(again.Bundle(), p.Bundle()) {
			t.Fatal("canonical bundle not stable")
		}
	})
}
