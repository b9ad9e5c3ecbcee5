package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waymark-app/waymark/sync/wire"
)

// Handler returns the HTTP handler serving protocol 2. Routes:
//
//	GET  /healthz      anonymous
//	POST /v2/enrol     anonymous, gated by an enrolment code, rate limited
//	POST /v2/push      signed; officer, partner or supervisor
//	POST /v2/pull      signed; officer, partner or supervisor
//	POST /v2/content   signed; any active account
//	GET  /v2/me        signed; any active account
//	/v1/...            protocol_version: update the app
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
		{http.MethodPost, wire.PathPull, s.protocol(true, endpoint(s, pullRoles, s.Pull))},
		{http.MethodPost, wire.PathContent, s.protocol(true, endpoint(s, nil, s.contentFor))},
		{http.MethodGet, wire.PathMe, s.protocol(true, s.onMe)},
	}
	for _, rt := range routes {
		mux.HandleFunc(rt.method+" "+rt.path, rt.h)
		want := rt.method
		mux.HandleFunc(rt.path, func(w http.ResponseWriter, r *http.Request) {
			s.writeError(w, r, wire.Errorf(wire.CodeMethodNotAllowed, "use %s", want))
		})
	}
	mux.HandleFunc(wire.PathV1, func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, wire.Errorf(wire.CodeProtocolVersion,
			"this server speaks protocol %d, the request protocol 1: update the app", wire.Version))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, wire.Errorf(wire.CodeNotFound, "no such path"))
	})
	return s.logged(mux)
}

func (s *Server) onHealth(w http.ResponseWriter, r *http.Request) {
	s.writeJSON(w, r, wire.Health{Status: "ok", Protocol: wire.Version})
}

// call is a request that passed the protocol checks: its body as sent,
// and, for a signed route, who sent it.
type call struct {
	body []byte
	who  Principal
}

// protocol wraps a protocol endpoint: the right protocol version, a JSON
// body of bounded size read whole (a signature covers its bytes), and,
// if signed, an authenticated sender.
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
		var au *authenticator
		if signed {
			var err error
			if au, err = s.authenticateHeaders(r); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, wire.MaxRequestBytes))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		c := &call{body: body}
		if au != nil {
			if c.who, err = au.body(r, body); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		if err := h(w, r, c); err != nil {
			s.writeError(w, r, err)
		}
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
		if err := wire.Decode(bytes.NewReader(c.body), r.Header.Get("Content-Encoding"), req); err != nil {
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
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(wire.VersionHeader, strconv.Itoa(wire.Version))
	h.Add("Vary", "Accept-Encoding")
	if status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", "Waymark-Ed25519")
	}
	if !acceptsGzip(r) {
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
		return
	}
	h.Set("Content-Encoding", wire.Gzip)
	w.WriteHeader(status)
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	json.NewEncoder(zw).Encode(v)
	zw.Close()
}

// writeError answers with err's wire code and message. Errors that are not
// wire errors are the server's own failures: logged, and answered without
// detail.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var we *wire.Error
	if !errors.As(err, &we) {
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			we = wire.Errorf(wire.CodeTooLarge, "body is over %d bytes", mbe.Limit)
		case errors.Is(err, context.Canceled):
			we = wire.Errorf(wire.CodeUnavailable, "request cancelled")
		default:
			s.log.Error("request failed", "path", r.URL.Path, "err", err)
			we = wire.Errorf(wire.CodeInternal, "the server could not complete the request; try again later")
		}
	}
	s.write(w, r, we.Code.HTTPStatus(), wire.ErrorResponse{Error: *we})
}

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
				s.log.Error("handler panic", "path", r.URL.Path, "panic", p)
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
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.Int("status", sw.status), slog.Duration("took", time.Since(start)),
				slog.Int64("bytes_in", r.ContentLength), slog.String("remote", r.RemoteAddr))
		}()
		sw.Header().Set(wire.VersionHeader, strconv.Itoa(wire.Version))
		h.ServeHTTP(sw, r)
	})
}
