package wire

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
)

// Fuzz inputs are a body and how it travels: mode 0 sends it as it is,
// mode 1 gzip-compresses it first (so the JSON decoder sees arbitrary
// JSON through gzip), mode 2 labels the raw bytes gzip (so the gzip
// reader sees arbitrary bytes). Seeds are in testdata/fuzz.

// gzipWriters saves allocating a compressor (most of a megabyte) per input.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return zw
}}

func fuzzBody(data []byte, mode uint8) ([]byte, string) {
	switch mode % 3 {
	case 1:
		var b bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&b)
		zw.Write(data)
		zw.Close()
		gzipWriters.Put(zw)
		return b.Bytes(), Gzip
	case 2:
		return data, Gzip
	}
	return data, ""
}

// decodeChecked decodes data into v and fails the test unless Decode
// either succeeds or returns a wire error with one of its three codes.
func decodeChecked(t *testing.T, data []byte, mode uint8, v any) bool {
	body, enc := fuzzBody(data, mode)
	err := Decode(bytes.NewReader(body), enc, v)
	if err == nil {
		return true
	}
	var we *Error
	if !errors.As(err, &we) {
		t.Fatalf("Decode returned %T %v, not a wire error", err, err)
	}
	switch we.Code {
	case CodeBadRequest, CodeTooLarge, CodeUnsupportedEncoding:
	default:
		t.Fatalf("Decode returned code %q", we.Code)
	}
	if we.Message == "" {
		t.Fatal("Decode returned an error without a message")
	}
	return false
}

// checkValidate fails the test unless err is nil or a wire error the
// server can answer with.
func checkValidate(t *testing.T, err error) bool {
	if err == nil {
		return true
	}
	var we *Error
	if !errors.As(err, &we) || (we.Code != CodeBadRequest && we.Code != CodeTooLarge) || we.Message == "" {
		t.Fatalf("Validate returned %v", err)
	}
	return false
}

// roundTrip encodes v as JSON (EncodeGzip adds only compression),
// decodes it into fresh and checks that nothing changed.
func roundTrip(t *testing.T, v, fresh any) {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("a valid message does not encode: %v", err)
	}
	if err := Decode(bytes.NewReader(b), "", fresh); err != nil {
		t.Fatalf("a valid message does not decode after encoding: %v", err)
	}
	x, _ := json.Marshal(v)
	y, _ := json.Marshal(fresh)
	if !bytes.Equal(x, y) {
		t.Fatalf("round trip changed the message:\n%s\n%s", x, y)
	}
}

func FuzzDecodePushRequest(f *testing.F) {
	f.Add([]byte(`{"entries":[{"seq":1,"id":"0192f1a0-1111-7111-8111-000000000001","kind":"encounter","body":{"a":1}}]}`), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		var r PushRequest
		if !decodeChecked(t, data, mode, &r) || !checkValidate(t, r.Validate()) {
			return
		}
		// What Validate lets through, the server can store: every body
		// compacts to a JSON object.
		for i, e := range r.Entries {
			c, err := CompactBody(e.Body)
			if err != nil || !isObject(c) {
				t.Fatalf("entry %d passed Validate but its body does not compact to an object: %v", i, err)
			}
		}
		roundTrip(t, &r, new(PushRequest))
	})
}

func FuzzDecodePullRequest(f *testing.F) {
	f.Add([]byte(`{"since":41,"limit":500}`), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		var r PullRequest
		if !decodeChecked(t, data, mode, &r) || !checkValidate(t, r.Validate()) {
			return
		}
		if r.Limit < 0 || r.Limit > MaxPullLimit {
			t.Fatalf("limit %d passed Validate", r.Limit)
		}
		roundTrip(t, &r, new(PullRequest))
	})
}

func FuzzDecodeContentRequest(f *testing.F) {
	f.Add([]byte(`{"have":2}`), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		var r ContentRequest
		if !decodeChecked(t, data, mode, &r) || !checkValidate(t, r.Validate()) {
			return
		}
		if r.Have < 0 {
			t.Fatalf("version %d passed Validate", r.Have)
		}
		roundTrip(t, &r, new(ContentRequest))
	})
}

// FuzzDecodeResponses decodes what a device reads from a server, which
// may be anything (a proxy, a captive portal, a broken server), into each
// response type.
func FuzzDecodeResponses(f *testing.F) {
	f.Add([]byte(`{"ack":2,"rejected":[{"seq":2,"id":"0192f1a0-1111-7111-8111-000000000002","code":"conflict"}]}`), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		for _, v := range []any{new(PushResponse), new(PullResponse), new(ContentResponse), new(ErrorResponse), new(Health), new(EnrolResponse), new(Me)} {
			if decodeChecked(t, data, mode, v) {
				roundTrip(t, v, reflect.New(reflect.TypeOf(v).Elem()).Interface())
			}
		}
	})
}

func FuzzDecodeEnrolRequest(f *testing.F) {
	f.Add([]byte(`{"code":"7KQ2","device":"0192f1a0-0000-7000-8000-00000000d001","public_key":"0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NA=","proof":"n5+fn5+fn5+fn5+fn5+fn5+fn5+fn5+fn5+fn5+fn58="}`), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		var r EnrolRequest
		if !decodeChecked(t, data, mode, &r) || !checkValidate(t, r.Validate()) {
			return
		}
		if len(r.PublicKey) != 32 || len(r.Proof) != 32 || len(r.Code) != 4 {
			t.Fatalf("enrolment %+v passed Validate", r)
		}
		roundTrip(t, &r, new(EnrolRequest))
	})
}
