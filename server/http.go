package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/sync/wire"
)

// Handler returns the HTTP handler serving protocol 3. Routes:
//
//	GET  /healthz      anonymous
//	POST /v3/enrol     anonymous, gated by an enrolment code, rate limited
//	POST /v3/push      signed; officer, partner or supervisor
//	POST /v3/pull      signed; officer, partner or supervisor
//	POST /v3/content   signed; any active account
//	GET  /v3/me        signed; any active account
//	POST /v3/operations signed; officer, partner or supervisor
//	/v1/..., /v2/...   protocol_version: update the app
//
// Anything else is not_found; a known path with another method is
// method_not_allowed.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	routes := []struct {
		method, path string
		h            http.HandlerFunc
	}{
		{http.MethodGet, wire.PathHealth, s.onHealth},
		{http.MethodPost, wire.PathEnrol, s.protocol(false, s.onEnrol)},
		{http.MethodPost, wire.PathPush, s.protocol(true, endpoint(s, pushRoles, s.Push))},
		{http.MethodPost, wire.PathPull, s.protocol(true, s.onPull)},
		{http.MethodPost, wire.PathContent, s.protocol(true, endpoint(s, nil, s.contentFor))},
		{http.MethodGet, wire.PathMe, s.protocol(true, s.onMe)},
		{http.MethodPost, wire.PathOperations, s.protocol(true, endpoint(s, pullRoles, s.OperationsFor))},
	}
	for _, rt := range routes {
		mux.HandleFunc(rt.method+" "+rt.path, rt.h)
		want := rt.method
		mux.HandleFunc(rt.path, func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, wire.Errorf(wire.CodeMethodNotAllowed, "use %s", want))
		})
	}
	for i, old := range wire.OldPaths {
		mux.HandleFunc(old, func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, wire.Errorf(wire.CodeProtocolVersion,
				"this server speaks protocol %d, the request protocol %d: update the app", wire.Version, i+1))
		})
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, wire.Errorf(wire.CodeNotFound, "no such path"))
	})
	return s.logged(mux)
}

// WithConsole returns the server's handler with the console that
// console makes (nil: none) under /console/, and / sent there.
func (s *Server) WithConsole(console func(*Server) (http.Handler, error)) (http.Handler, error) {
	h := s.Handler()
	if console == nil {
		return h, nil
	}
	ch, err := console(s)
	if err != nil {
		return nil, fmt.Errorf("console: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/console/", ch)
	mux.Handle("GET /{$}", http.RedirectHandler("/console/", http.StatusSeeOther))
	mux.Handle("/", h)
	return mux, nil
}

func (s *Server) onHealth(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, r, wire.Health{Status: "ok", Protocol: wire.Version})
}

// call is a request that passed the protocol checks: its body as sent,
// and, for a signed route, who sent it.
type call struct {
	body    []byte
	who     Principal
	decoded *budgetReader // what decoding the body holds of the budget
}

// decode decodes c's body strictly into v, charging the decompressed
// bytes to the server's budget until the request is done.
func (s *Server) decode(r *http.Request, c *call, v any) error {
	return wire.DecodeThrough(bytes.NewReader(c.body), r.Header.Get("Content-Encoding"), v, func(rd io.Reader) io.Reader {
		c.decoded = &budgetReader{r: rd, g: s.gate}
		return c.decoded
	})
}

// protocol wraps a protocol endpoint. In order: the right protocol
// version and content type; an address that has not failed to
// authenticate too often; a place among the requests in flight (waiting
// a little); for a signed route, the headers' checks (before the body is
// read); the body, of bounded size, within the bodies' memory budget and
// deadline (a body trickled in is cut off); then the signature, the
// device's request rate, and the rest of the authentication. A refusal of
// an enrolled device's request is logged in the chain (code and reason).
func (s *Server) protocol(signed bool, h func(http.ResponseWriter, *http.Request, *call) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if v := r.Header.Get(wire.VersionHeader); v != strconv.Itoa(wire.Version) {
			if v == "" {
				v = "none"
			}
			s.writeError(w, r, wire.Errorf(wire.CodeProtocolVersion,
				"this server speaks protocol %d, the request protocol %.8s", wire.Version, v))
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
			s.writeError(w, r, wire.Errorf(wire.CodeUnsupportedEncoding, "content type is not application/json"))
			return
		}
		addr, start := remoteHost(r), s.now()
		if s.failLimit.exceeded(addr, start) {
			s.writeError(w, r, &busy{err: wire.Errorf(wire.CodeRateLimited, "too many failed requests from this address; wait a minute"), after: time.Minute})
			return
		}
		if err := s.gate.enter(r); err != nil {
			s.writeError(w, r, err)
			return
		}
		defer s.gate.leave()
		var au *authenticator
		if signed {
			var err error
			if au, err = s.authenticateHeaders(r); err != nil {
				s.failed(addr, err)
				s.writeError(w, r, err)
				return
			}
		}
		// The body's deadline runs on the real clock, from when the
		// request got its place.
		raw := &budgetReader{g: s.gate, r: &deadlineReader{
			r: http.MaxBytesReader(w, r.Body, wire.MaxRequestBytes), rc: http.NewResponseController(w),
			start: time.Now(), grace: s.limits.BodyGrace, rate: s.limits.BodyRate,
		}}
		defer raw.done()
		body, err := io.ReadAll(raw)
		if err != nil {
			if isTimeout(err) {
				err = wire.Errorf(wire.CodeBadRequest, "the request body arrived too slowly")
			}
			s.writeError(w, r, err)
			return
		}
		c := &call{body: body}
		defer func() {
			if c.decoded != nil {
				c.decoded.done()
			}
		}()
		if au != nil {
			if c.who, err = au.body(r, body); err != nil {
				s.failed(addr, err)
				s.refusedRequest(r, au.dev, err)
				s.writeError(w, r, err)
				return
			}
			c.who.Remote = addr
		}
		if err := h(w, r, c); err != nil {
			if au != nil {
				s.refusedRequest(r, au.dev, err)
			}
			s.writeError(w, r, err)
		}
	}
}

// failed counts a failed authentication against addr.
func (s *Server) failed(addr string, err error) {
	if wire.CodeOf(err) == wire.CodeUnauthenticated {
		s.failLimit.count(addr, s.now())
	}
}

// refusedRequest logs in the chain that a request signed by an enrolled
// device (dev) was refused whole: its code and reason (which name the
// rule and the field, never a value). Refusals for load, and failures of
// the server's own, are not refusals of what the device sent.
func (s *Server) refusedRequest(r *http.Request, dev Device, err error) {
	var we *wire.Error
	if !errors.As(err, &we) {
		return
	}
	switch we.Code {
	case wire.CodeRateLimited, wire.CodeUnavailable, wire.CodeInternal, wire.CodeUnauthenticated, wire.CodeAsideFull:
		return
	}
	ev := Event{At: s.now(), Type: EventRequestRefuse, Actor: "device:" + dev.ID.String(), Account: dev.Account,
		Device: dev.ID, Remote: remoteHost(r), Code: we.Code, Reason: logMethod(r) + " " + logPath(r) + ": " + we.Message}
	if _, err := s.chain.Append(r.Context(), ev); err != nil {
		s.log.Error("log a refused request", "err", err)
	}
}

// endpoint is the one adapter from a JSON endpoint to HTTP: it checks the
// account holds one of roles (nil: any), decodes the body strictly into
// Req, validates it, calls fn and writes its answer.
func endpoint[Req any, PReq interface {
	*Req
	Validate() error
}, Resp any](s *Server, roles []wire.Role, fn func(context.Context, Principal, PReq) (Resp, error)) func(http.ResponseWriter, *http.Request, *call) error {
	return func(w http.ResponseWriter, r *http.Request, c *call) error {
		if roles != nil && !hasAny(c.who.Account, roles) {
			return wire.Errorf(wire.CodeForbidden, "this account's roles do not allow %s", r.URL.Path)
		}
		req := PReq(new(Req))
		if err := s.decode(r, c, req); err != nil {
			return err
		}
		if err := req.Validate(); err != nil {
			return err
		}
		resp, err := fn(r.Context(), c.who, req)
		if err != nil {
			return err
		}
		s.writeJSON(w, r, resp)
		return nil
	}
}

// onPull answers a pull, streaming the page: each operation's record is
// read and written in turn, so that an answer's size in memory is one
// record, however slowly the device reads it.
func (s *Server) onPull(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.PullRequest
	if err := s.decode(r, c, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	pg, err := s.page(r.Context(), c.who, &req)
	if err != nil {
		return err
	}
	out := s.startBody(w, r, http.StatusOK)
	defer out.Close()
	out.Write([]byte(`{"ops":[`))
	err = s.st.View(r.Context(), func(rd storage.Reader) error {
		for i, ref := range pg.refs {
			o, err := s.op(rd, ref)
			if err != nil {
				return err
			}
			b, err := json.Marshal(o)
			if err != nil {
				return err
			}
			if i > 0 {
				out.Write([]byte{','})
			}
			if _, err := out.Write(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// The status is sent: cut the answer off, so that the device sees
		// a broken answer and tries again.
		s.log.Error("pull answer cut off", "err", err)
		panic(http.ErrAbortHandler)
	}
	cv := 0
	if s.content != nil {
		cv = s.content.Version
	}
	ov, err := s.ops.OperationsVersion(r.Context())
	if err != nil {
		s.log.Error("pull answer cut off", "err", err)
		panic(http.ErrAbortHandler)
	}
	fmt.Fprintf(out, `],"cursor":%d,"more":%t,"content_version":%d`, pg.cursor, pg.more, cv)
	if ov > 0 {
		fmt.Fprintf(out, `,"operations_version":%d`, ov)
	}
	fmt.Fprint(out, "}\n")
	return nil
}

func (s *Server) onMe(w http.ResponseWriter, r *http.Request, c *call) error {
	if len(c.body) != 0 {
		return wire.Errorf(wire.CodeBadRequest, "GET %s takes no body", wire.PathMe)
	}
	me := wire.Me{Account: c.who.Account.Wire(), Device: c.who.Device, Policy: s.policy}
	if s.content != nil {
		me.ContentVersion = s.content.Version
	}
	s.writeJSON(w, r, me)
	return nil
}

// contentFor answers a content request from any active account.
func (s *Server) contentFor(ctx context.Context, p Principal, req *wire.ContentRequest) (wire.ContentResponse, error) {
	if s.content == nil {
		return wire.ContentResponse{}, wire.Errorf(wire.CodeNotFound, "this server publishes no content pack")
	}
	return wire.ContentResponse{ID: s.content.ID, Version: s.content.Version, Bundle: s.content.Bundle}, nil
}

// writeJSON writes v with status 200, gzip-compressed if the client
// accepts it.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, v any) {
	s.write(w, r, http.StatusOK, v)
}

func (s *Server) write(w http.ResponseWriter, r *http.Request, status int, v any) {
	out := s.startBody(w, r, status)
	json.NewEncoder(out).Encode(v)
	out.Close()
}

// nopCloser is an io.WriteCloser whose Close does nothing.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// startBody writes the headers of an answer with status and returns
// where its body goes: gzip-compressed if the client accepts it. Close it
// when done.
func (s *Server) startBody(w http.ResponseWriter, r *http.Request, status int) io.WriteCloser {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(wire.VersionHeader, strconv.Itoa(wire.Version))
	h.Add("Vary", "Accept-Encoding")
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", "Waymark-Ed25519")
	}
	if !acceptsGzip(r) {
		w.WriteHeader(status)
		return nopCloser{w}
	}
	h.Set("Content-Encoding", wire.Gzip)
	w.WriteHeader(status)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(w)
	return &pooledGzip{Writer: zw}
}

// gzipWriters keeps compressors between answers: a new one allocates
// about a megabyte of tables, which under many devices at once was most
// of what an answer cost (make bench, --profile).
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

// pooledGzip is an answer's compressor; Close finishes the answer and
// gives the compressor back, once: Close again does nothing.
type pooledGzip struct {
	*gzip.Writer
	closed bool
}

func (p *pooledGzip) Close() error {
	if p.closed {
		return nil
	}
	p.closed = true
	err := p.Writer.Close()
	p.Writer.Reset(io.Discard) // let go of the answer's writer
	gzipWriters.Put(p.Writer)
	return err
}

// writeError answers with err's wire code and message. Errors that are not
// wire errors are the server's own failures: logged, and answered without
// detail.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var later interface{ RetryAfter() time.Duration }
	if errors.As(err, &later) {
		w.Header().Set("Retry-After", retryAfter(later.RetryAfter()))
	}
	var we *wire.Error
	if errors.As(err, &we) && we.Code == wire.CodeAsideFull {
		w.Header().Set("Retry-After", retryAfter(asideRetry))
	}
	if !errors.As(err, &we) {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			we = wire.Errorf(wire.CodeTooLarge, "body is over %d bytes", mbe.Limit)
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			we = wire.Errorf(wire.CodeUnavailable, "request cancelled")
		default:
			s.log.Error("request failed", "path", logPath(r), "err", err)
			we = wire.Errorf(wire.CodeInternal, "the server could not complete the request; try again later")
		}
	}
	s.write(w, r, we.Code.HTTPStatus(), wire.ErrorResponse{Error: *we})
}

// logPath is r's path as the log may show it: one of the server's own
// routes, or "(other)": a path is the sender's text, and may carry
// anything.
func logPath(r *http.Request) string {
	switch p := r.URL.Path; p {
	case wire.PathHealth, wire.PathEnrol, wire.PathPush, wire.PathPull, wire.PathContent, wire.PathMe, wire.PathOperations:
		return p
	}
	for _, old := range wire.OldPaths {
		if strings.HasPrefix(r.URL.Path, old) {
			return old + "…"
		}
	}
	return "(other)"
}

// logMethod is r's method if it is a standard one, else "(other)".
func logMethod(r *http.Request) string {
	switch r.Method {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodHead, http.MethodOptions, http.MethodPatch:
		return r.Method
	}
	return "(other)"
}

// asideRetry is how long a device whose quota of entries kept aside is
// reached waits before it tries again: a person has to review them.
const asideRetry = 10 * time.Minute

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		coding, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(coding), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}

// statusWriter remembers the status a handler wrote, and the refusal
// code, for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection: the body
// deadline (deadlineReader) is set through it.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// logged logs each request (method, path, status, time, size, remote
// address: never a header or body value) and turns a panic into a 500, so
// one bad request cannot take the server down.
func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("handler panic", "path", logPath(r), "panic", p)
				if sw.status == 0 {
					s.writeError(sw, r, errors.New("panic"))
				}
			}
			level := slog.LevelInfo
			if sw.status >= 500 {
				level = slog.LevelError
			} else if sw.status >= 400 {
				level = slog.LevelWarn
			}
			s.log.LogAttrs(r.Context(), level, "request",
				slog.String("method", logMethod(r)), slog.String("path", logPath(r)),
				slog.Int("status", sw.status), slog.Duration("took", time.Since(start)),
				slog.Int64("bytes_in", r.ContentLength), slog.String("remote", r.RemoteAddr))
		}()
		sw.Header().Set(wire.VersionHeader, strconv.Itoa(wire.Version))
		h.ServeHTTP(sw, r)
	})
}
