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
	"time"

	"github.com/waymark-app/waymark/internal/strictjson"
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

// Decode reads one JSON value from r into v, strictly (package
// internal/strictjson): a field v does not have, a duplicate key, invalid
// UTF-8, a number out of its field's range, deep nesting are each an
// error that names the field and the rule, never the value, so that
// nothing rides along unnoticed and no refusal repeats what it refused
// (a v1 device's "device" field among them). encoding is the body's
// Content-Encoding: empty, "identity" or "gzip". The body may be at most
// MaxRequestBytes as read and MaxDecodedBytes once decompressed. Every
// failure is an *Error: CodeUnsupportedEncoding, CodeTooLarge or
// CodeBadRequest. Servers decode requests with it.
func Decode(r io.Reader, encoding string, v any) error { return decode(r, encoding, v, true, nil) }

// DecodeThrough is Decode with the decompressed body read through
// through(r): a server charges it to a budget of memory there. An error
// of through's with a RetryAfter method is returned as it is.
func DecodeThrough(r io.Reader, encoding string, v any, through func(io.Reader) io.Reader) error {
	return decode(r, encoding, v, true, through)
}

// DecodeResponse is Decode for what a device reads from the server: fields
// it does not know, added by a newer server, are ignored (but still
// checked as JSON: no duplicate keys, valid UTF-8).
func DecodeResponse(r io.Reader, encoding string, v any) error {
	return decode(r, encoding, v, false, nil)
}

func decode(r io.Reader, encoding string, v any, strict bool, through func(io.Reader) io.Reader) error {
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
			return Errorf(CodeBadRequest, "body is not valid gzip")
		}
		defer zr.Close()
		body = zr
	default:
		return Errorf(CodeUnsupportedEncoding, "content encoding is not supported; use gzip")
	}
	body = io.LimitReader(body, MaxDecodedBytes+1)
	if through != nil {
		body = through(body)
	}
	b, err := io.ReadAll(body)
	var mbe *http.MaxBytesError
	var later interface{ RetryAfter() time.Duration }
	switch {
	case errors.As(err, &later):
		return err // through refused for load: the caller says when to retry
	case raw.n > MaxRequestBytes || errors.As(err, &mbe):
		return Errorf(CodeTooLarge, "body is over %d bytes", MaxRequestBytes)
	case len(b) > MaxDecodedBytes:
		return Errorf(CodeTooLarge, "body is over %d bytes once decompressed", MaxDecodedBytes)
	case err != nil:
		return Errorf(CodeBadRequest, "body could not be read: %s", readProblem(err))
	case len(bytes.TrimSpace(b)) == 0:
		return Errorf(CodeBadRequest, "body is empty")
	}
	if err := (strictjson.Options{AllowUnknown: !strict}).Unmarshal(b, v); err != nil {
		return Errorf(CodeBadRequest, "body refused: %v", err)
	}
	return nil
}

// readProblem names what went wrong reading a body, without the reader's
// message (a gzip error is safe; anything else is named by kind).
func readProblem(err error) string {
	switch {
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.Is(err, io.ErrUnexpectedEOF):
		return "the gzip stream is damaged or cut short"
	}
	return "the connection failed or was too slow"
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
