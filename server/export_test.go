package server

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/waymark-app/waymark/server/storage/badgerstore"
)

// TestExportImport moves a whole server from the embedded store to
// PostgreSQL and back: verify passes on every side with the same records
// (digest) and the same chain (head), and the two exports hold the same
// values.
func TestExportImport(t *testing.T) {
	ctx := context.Background()
	src := populated(t) // embedded, in memory
	if _, err := src.ResolveAside(ctx, mustAside(t, src), DecisionDuplicate, "cli:test"); err != nil {
		t.Fatal(err)
	}
	want, err := src.Verify(ctx)
	if err != nil || !want.OK() {
		t.Fatalf("source: %v %v", want.Problems, err)
	}
	var first bytes.Buffer
	moved, err := Export(ctx, src.st, &first)
	if err != nil {
		t.Fatal(err)
	}
	if moved.Counts["records"] != want.Records || moved.Counts["chain"] != int(want.Head.Seq) || moved.Counts["accounts"] == 0 {
		t.Fatalf("exported %v", moved.Counts)
	}

	pg := openPostgres(t, newDatabase(t))
	if _, err := Import(ctx, pg, bytes.NewReader(first.Bytes())); err != nil {
		t.Fatal(err)
	}
	onPG, err := Open(Options{Store: pg})
	if err != nil {
		t.Fatal(err)
	}
	defer onPG.Close()
	got, err := onPG.Verify(ctx)
	if err != nil || !got.OK() || got.Digest != want.Digest || got.Head != want.Head || got.Records != want.Records || got.Aside != want.Aside {
		t.Fatalf("on PostgreSQL: %+v %v (want %+v)", got, err, want)
	}
	if a, _ := onPG.AsideEntries(ctx); len(a) != want.Aside || a[len(a)-1].Resolved == nil {
		t.Fatalf("entries kept aside on PostgreSQL: %+v", a)
	}
	if _, n := onPG.Find(Filter{}, 0, 1); n != 5 {
		t.Errorf("the catalogue on PostgreSQL holds %d encounters, want 5", n)
	}

	var second bytes.Buffer
	if _, err := Export(ctx, onPG.st, &second); err != nil {
		t.Fatal(err)
	}
	if a, b := items(first.String()), items(second.String()); a != b {
		t.Fatal("the export from PostgreSQL holds other values than the one into it")
	}
	back, err := badgerstore.Open(badgerstore.Options{Dir: t.TempDir(), Key: storeKey})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Import(ctx, back, &second); err != nil {
		t.Fatal(err)
	}
	onBadger, err := Open(Options{Store: back})
	if err != nil {
		t.Fatal(err)
	}
	defer onBadger.Close()
	if got, err := onBadger.Verify(ctx); err != nil || !got.OK() || got.Digest != want.Digest || got.Head != want.Head {
		t.Fatalf("back on Badger: %+v %v", got, err)
	}

	// A store that holds something is refused; a stream cut short or
	// changed is refused.
	if _, err := Import(ctx, back, bytes.NewReader(first.Bytes())); !errors.Is(err, ErrNotEmpty) {
		t.Errorf("import into a store that holds data: %v", err)
	}
	for name, stream := range map[string]string{
		"cut short": first.String()[:first.Len()*2/3],
		"changed":   strings.Replace(first.String(), `"c":"records"`, `"c":"devices"`, 1),
		"empty":     "",
	} {
		fresh, _ := badgerstore.Open(badgerstore.Options{})
		if _, err := Import(ctx, fresh, strings.NewReader(stream)); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s stream: %v", name, err)
		}
		fresh.Close()
	}
}

// items is an export without its header and end line.
func items(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[1:len(lines)-1], "\n")
}

func mustAside(t *testing.T, s *Server) string {
	t.Helper()
	a, err := s.AsideEntries(context.Background())
	if err != nil || len(a) == 0 {
		t.Fatalf("entries kept aside: %v %v", a, err)
	}
	return a[0].Ref
}
