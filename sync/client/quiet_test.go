package client

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/waymark-app/waymark/store"
)

// TestOfflineSaysItOnce: while the server cannot be reached, every retry
// fails the same way; the log says so once, not at every backoff.
func TestOfflineSaysItOnce(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e := New(st, Options{Server: "https://127.0.0.1:1", Logger: log})
	for range 4 {
		if err := e.SyncOnce(ctx); KindOf(err) != Unreachable {
			t.Fatalf("sync to a closed port: %v", err)
		}
	}
	if n := strings.Count(buf.String(), "sync failed"); n != 1 {
		t.Errorf("%d warnings for four failures alike:\n%s", n, buf.String())
	}
}
