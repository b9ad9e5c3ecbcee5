package server

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/waymark-app/waymark/sync/wire"
)

// Handler returns the HTTP handler serving the sync protocol.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc(wire.PathHealth, s.onHealth)
	mux.HandleFunc(wire.PathPush, s.protocol(s.onPush))
	mux.HandleFunc(wire.PathPull, s.protocol(s.onPull))
	mux.HandleFunc(wire.PathContent, s.protocol(s.onContent))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, wire.Errorf(wire.CodeNotFound, "no such path %q", r.URL.Path))
	})
	return s.logged(mux)
}

func (s *Server) onHealth(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s.writeError(w, r, wire.Errorf(wire.CodeMethodNotAllowed, "use GET"))
		return
	}
	s.writeJSON(w, r, wire.Health{Status: "ok", Protocol: wire.Version})
}

// protocol wraps a protocol endpoint: POST only, the right protocol
// version, a bounded body.
func (s *Server) protocol(h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			s.writeError(w, r, wire.Errorf(wire.CodeMethodNotAllowed, "use POST"))
			return
		}
		if v := r.Header.Get(wire.VersionHeader); v != strconv.Itoa(wire.Version) {
			if v == "" {
				v = "none"
			}
			s.writeError(w, r, wire.Errorf(wire.CodeProtocolVersion,
				"this server speaks protocol %d, the request protocol %s", wire.Version, v))
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
			s.writeError(w, r, wire.Errorf(wire.CodeUnsupportedEncoding, "content type %q is not application/json", ct))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, wire.MaxRequestBytes)
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

func (s *Server) onPush(w http.ResponseWriter, r *http.Request) error {
	var req wire.PushRequest
	if err := wire.Decode(r.Body, r.Header.Get("Content-Encoding"), &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	resp, err := s.push(r.Context(), &req)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, resp)
	return nil
}

func (s *Server) onPull(w http.ResponseWriter, r *http.Request) error {
	var req wire.PullRequest
	if err := wire.Decode(r.Body, r.Header.Get("Content-Encoding"), &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	resp, err := s.pull(&req)
	if err != nil {
		return err
	}
	s.writeJSON(w, r, resp)
	return nil
}

func (s *Server) onContent(w http.ResponseWriter, r *http.Request) error {
	var req wire.ContentRequest
	if err := wire.Decode(r.Body, r.Header.Get("Content-Encoding"), &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	if s.content == nil {
		return wire.Errorf(wire.CodeNotFound, "this server publishes no content pack")
	}
	s.writeJSON(w, r, wire.ContentResponse{ID: s.content.ID, Version: s.content.Version, Bundle: s.content.Bundle})
	return nil
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

// statusWriter remembers the status a handler wrote.
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

// logged logs each request and turns a panic into a 500, so one bad
// request cannot take the server down.
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
