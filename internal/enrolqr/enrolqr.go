// Package enrolqr writes an enrolment link as a QR code image and reads it
// back from one: the server's administrator prints or shows the image,
// the app on a desktop reads the image file.
package enrolqr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// Size is the width and height of the images Encode makes, in pixels.
const Size = 400

// Encode returns text as a QR code, a PNG image of Size pixels with a
// quiet zone, at error correction level M.
func Encode(text string) ([]byte, error) {
	hints := map[gozxing.EncodeHintType]any{
		gozxing.EncodeHintType_ERROR_CORRECTION: "M",
		gozxing.EncodeHintType_MARGIN:           4,
	}
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, Size, Size, hints)
	if err != nil {
		return nil, fmt.Errorf("make QR code: %w", err)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		return nil, fmt.Errorf("write QR code image: %w", err)
	}
	return b.Bytes(), nil
}

// ErrNoCode is returned by Decode for an image with no QR code it can read.
var ErrNoCode = errors.New("no QR code found in the image")

// Decode reads the text of the QR code in an image (PNG, or any format
// registered with image).
func Decode(r io.Reader) (string, error) {
	img, _, err := image.Decode(io.LimitReader(r, 32<<20))
	if err != nil {
		return "", fmt.Errorf("read image: %w", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", fmt.Errorf("read image: %w", err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		// The detector misjudges the size of some codes (about one in
		// twenty-five of Encode's own: "dimension = 31"). An image that is
		// the code alone, as Encode writes it, is read as such.
		res, err = qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	}
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoCode, err)
	}
	return res.GetText(), nil
}
