package abuse

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The hostile client speaks the protocol from its documentation alone,
// with net/http and crypto: it signs requests and records itself, builds
// bodies by hand, and trusts any certificate. Only enrolment uses the
// project's client (abuse.go), as a device in the field would have been
// enrolled by the real app.

// device is an enrolled device the hostile client holds the key of.
type device struct {
	id      string // uuid
	priv    ed25519.PrivateKey
	account string
	name    string
	number  string
	agency  string
	seq     uint64 // the last outbox sequence used
}

// answer is what the server did with a request.
type answer struct {
	status     int
	code       string // the wire error code, if any
	retryAfter string
	body       []byte
	err        error // the request failed: connection closed, reset, timed out
	took       time.Duration
}

func (a answer) String() string {
	if a.err != nil {
		return "connection ended (" + shortErr(a.err) + ")"
	}
	s := strconv.Itoa(a.status)
	if a.code != "" {
		s += " " + a.code
	}
	if a.retryAfter != "" {
		s += ", Retry-After " + a.retryAfter
	}
	return s
}

// shortErr names a transport error briefly.
func shortErr(err error) string {
	var ne net.Error
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "closed by the server"
	case strings.Contains(err.Error(), "reset"):
		return "reset by the server"
	case strings.Contains(err.Error(), "broken pipe"):
		return "closed by the server"
	}
	return "failed"
}

// hostile is the client.
type hostile struct {
	addr string
	hc   *http.Client
}

func newHostile(addr string) *hostile {
	return &hostile{addr: addr, hc: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		TLSClientConfig:    &tls.Config{InsecureSkipVerify: true}, // hostile: it trusts anything
		DisableCompression: true, MaxIdleConnsPerHost: 16,
	}}}
}

// authorization is the Authorization header a device signs, per
// docs/protocol.md: the canonical lines, Ed25519.
func authorization(d *device, method, path string, ts time.Time, body []byte) string {
	nonce := make([]byte, 16)
	rand.Read(nonce)
	return signWith(d, method, path, ts.UnixMilli(), base64.RawURLEncoding.EncodeToString(nonce), body)
}

func signWith(d *device, method, path string, ts int64, nonce string, body []byte) string {
	sum := sha256.Sum256(body)
	msg := strings.Join([]string{"waymark-request-v2", method, path, d.id, strconv.FormatInt(ts, 10), nonce, hex.EncodeToString(sum[:])}, "\n")
	sig := ed25519.Sign(d.priv, []byte(msg))
	return fmt.Sprintf("Waymark-Ed25519 device=%s, ts=%d, nonce=%s, sig=%s", d.id, ts, nonce, base64.RawURLEncoding.EncodeToString(sig))
}

// recordSig is a record's signature, per docs/protocol.md.
func recordSig(d *device, kind string, doc []byte) string {
	msg := append([]byte("waymark-record-v1\n"+kind+"\n"), doc...)
	return base64.StdEncoding.EncodeToString(ed25519.Sign(d.priv, msg))
}

// req is one request to send.
type req struct {
	method, path string
	body         []byte
	gzip         bool
	headers      map[string]string
	signer       *device // nil: unsigned
	auth         string  // a ready Authorization header, instead of signing
	ts           time.Time
	version      string // empty: 3
}

func (h *hostile) do(ctx context.Context, r req) answer {
	body := r.body
	if r.gzip {
		body = gz(body)
	}
	hr, err := http.NewRequestWithContext(ctx, r.method, "https://"+h.addr+r.path, bytes.NewReader(body))
	if err != nil {
		return answer{err: err}
	}
	v := r.version
	if v == "" {
		v = "3"
	}
	hr.Header.Set("Waymark-Protocol", v)
	hr.Header.Set("Content-Type", "application/json")
	if r.gzip {
		hr.Header.Set("Content-Encoding", "gzip")
	}
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	switch {
	case r.auth != "":
		hr.Header.Set("Authorization", r.auth)
	case r.signer != nil:
		ts := r.ts
		if ts.IsZero() {
			ts = time.Now()
		}
		hr.Header.Set("Authorization", authorization(r.signer, r.method, r.path, ts, body))
	}
	return h.send(hr)
}

func (h *hostile) send(hr *http.Request) answer {
	start := time.Now()
	res, err := h.hc.Do(hr)
	if err != nil {
		return answer{err: err, took: time.Since(start)}
	}
	defer res.Body.Close()
	var rd io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		if zr, err := gzip.NewReader(res.Body); err == nil {
			rd = zr
		}
	}
	b, err := io.ReadAll(io.LimitReader(rd, 64<<20))
	a := answer{status: res.StatusCode, body: b, retryAfter: res.Header.Get("Retry-After"), took: time.Since(start)}
	if err != nil {
		a.err = err
		return a
	}
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(b, &e) == nil {
		a.code = e.Error.Code
	}
	return a
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// entry is one outbox entry as JSON, its body signed by d unless sig is
// given.
func entry(d *device, seq uint64, id, kind string, doc []byte, sig string) string {
	if sig == "" {
		sig = recordSig(d, kind, doc)
	}
	return fmt.Sprintf(`{"seq":%d,"id":%q,"kind":%q,"body":%s,"sig":%q}`, seq, id, kind, doc, sig)
}

// push is a push request of entries.
func push(entries ...string) []byte {
	return []byte(`{"entries":[` + strings.Join(entries, ",") + `]}`)
}

// pushResult reads a push answer's ack and the codes of rejected entries.
func pushResult(a answer) (uint64, []string) {
	var r struct {
		Ack      uint64 `json:"ack"`
		Rejected []struct {
			Code string `json:"code"`
		} `json:"rejected"`
	}
	json.Unmarshal(a.body, &r)
	var codes []string
	for _, x := range r.Rejected {
		codes = append(codes, x.Code)
	}
	return r.Ack, codes
}
