package enrolqr

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/waymark-app/waymark/sync/auth"
)

// TestRoundTrip writes enrolment links as QR images and reads them back:
// two with a new random code, and one whose image the detector misjudged
// ("dimension = 31"; about one code in twenty-five did so).
func TestRoundTrip(t *testing.T) {
	c, _ := auth.NewCode()
	for _, text := range []string{
		auth.Link{Server: "https://127.0.0.1:8765", Code: c, Pin: auth.Pin([]byte("spki"))}.String(),
		auth.Link{Server: "https://waymark.force.example:443", Code: c}.String(),
		"waymark://enrol?code=DHGH-STZ0-4D93&pin=sha256%2Fb%2B7MjBbFVR2f6z61934tp3O%2FaL2e%2BcUpJ86yyG5WiSs%3D&server=https%3A%2F%2F127.0.0.1%3A8765",
	} {
		b, err := Encode(text)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() != Size {
			t.Fatalf("image: %v, %v", img.Bounds(), err)
		}
		got, err := Decode(bytes.NewReader(b))
		if err != nil || got != text {
			t.Errorf("read back %q, %v; want %q", got, err, text)
		}
	}
}

func TestNoCode(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 200, 200))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	img.Set(10, 10, color.Black)
	var b bytes.Buffer
	png.Encode(&b, img)
	if _, err := Decode(&b); !errors.Is(err, ErrNoCode) {
		t.Errorf("blank image: %v", err)
	}
	if _, err := Decode(bytes.NewReader([]byte("not an image"))); err == nil {
		t.Error("not an image was read")
	}
}
