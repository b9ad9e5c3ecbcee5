package wire

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Gzip is the content encoding clients use for request bodies.
const Gzip = "gzip"

// EncodeGzip returns v as JSON, gzip-compressed: the body of a request.
func EncodeGzip(v any) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress %T: %w", v, err)
	}
	return buf.Bytes(), nil
}

// Decode reads one JSON value from r into v, strictly: a field v does
// not have is an error, so that nothing rides along unnoticed (a v1
// device's "device" field among them). encoding is the body's
// Content-Encoding: empty, "identity" or "gzip". The body may be at most
// MaxRequestBytes as read and MaxDecodedBytes once decompressed. Every
// failure is an *Error: CodeUnsupportedEncoding, CodeTooLarge or
// CodeBadRequest. Servers decode requests with it.
func Decode(r io.Reader, encoding string, v any) error { return decode(r, encoding, v, true) }

// DecodeResponse is Decode for what a device reads from the server: fields
// it does not know, added by a newer server, are ignored.
func DecodeResponse(r io.Reader, encoding string, v any) error { return decode(r, encoding, v, false) }

func decode(r io.Reader, encoding string, v any, strict bool) error {
	raw := &countingReader{r: io.LimitReader(r, MaxRequestBytes+1)}
	var body io.Reader = raw
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "", "identity":
	case Gzip:
		zr, err := gzip.NewReader(raw)
		if err != nil {
			var mbe *http.MaxBytesError
			if raw.n > MaxRequestBytes || errors.As(err, &mbe) {
				return Errorf(CodeTooLarge, "body is over %d bytes", MaxRequestBytes)
			}
			return Errorf(CodeBadRequest, "body is not valid gzip: %v", err)
		}
		defer zr.Close()
		body = zr
	default:
		return Errorf(CodeUnsupportedEncoding, "content encoding %q is not supported; use gzip", encoding)
	}
	decoded := &countingReader{r: io.LimitReader(body, MaxDecodedBytes+1)}
	dec := json.NewDecoder(decoded)
	if strict {
		dec.DisallowUnknownFields()
	}
	err := dec.Decode(v)
	if err == nil {
		// Exactly one value: anything after it but space is malformed.
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("unexpected data after the JSON value")
			if terr != nil && !isSyntax(terr) {
				err = terr
			}
		}
	}
	var mbe *http.MaxBytesError
	switch {
	case raw.n > MaxRequestBytes || errors.As(err, &mbe):
		return Errorf(CodeTooLarge, "body is over %d bytes", MaxRequestBytes)
	case decoded.n > MaxDecodedBytes:
		return Errorf(CodeTooLarge, "body is over %d bytes once decompressed", MaxDecodedBytes)
	case err == io.EOF:
		return Errorf(CodeBadRequest, "body is empty")
	case err != nil:
		return Errorf(CodeBadRequest, "body is not valid: %v", err)
	}
	return nil
}

func isSyntax(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
