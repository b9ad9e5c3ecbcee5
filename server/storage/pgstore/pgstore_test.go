package pgstore

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/waymark-app/waymark/internal/pgtest"
	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/server/storage/storagetest"
)

var cluster *pgtest.Cluster

func TestMain(m *testing.M) { pgtest.Main(m, &cluster) }

var testKey = bytes.Repeat([]byte{0x5a}, 32)

func open(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(context.Background(), Options{URL: url, Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newDB(t *testing.T) string {
	t.Helper()
	url, err := cluster.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return url
}

func TestConformance(t *testing.T) {
	urls := map[storage.Store]string{}
	storagetest.Run(t, storagetest.Backend{
		Open: func(t *testing.T) storage.Store {
			url := newDB(t)
			s := open(t, url)
			urls[s] = url
			return s
		},
		Replica: func(t *testing.T, s storage.Store) storage.Store { return open(t, urls[s]) },
	})
}

// TestSealed: the values of sealed collections are ciphertext in the
// tables; the others are the bytes written; a sealed value moved to
// another key does not open.
func TestSealed(t *testing.T) {
	ctx := context.Background()
	s := open(t, newDB(t))
	canary := []byte(`{"notes":"CANARY-7f3e"}`)
	id, other := bytes.Repeat([]byte{1}, 16), bytes.Repeat([]byte{2}, 16)
	if err := s.Update(ctx, func(tx storage.Tx) error {
		if err := tx.Put(storage.Records, id, canary); err != nil {
			return err
		}
		return tx.Put(storage.Ops, make([]byte, 8), canary)
	}); err != nil {
		t.Fatal(err)
	}
	var raw, op []byte
	if err := s.Pool().QueryRow(ctx, `SELECT value FROM records`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("CANARY")) {
		t.Fatal("a record's value is in the table as plain text")
	}
	if err := s.Pool().QueryRow(ctx, `SELECT value FROM ops`).Scan(&op); err != nil || !bytes.Equal(op, canary) {
		t.Fatalf("an op is not stored as written: %q %v", op, err)
	}
	if _, err := s.Pool().Exec(ctx, `UPDATE records SET id = $1`, [16]byte(other)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Get(ctx, storage.Records, other); err == nil {
		t.Fatal("a sealed value moved to another key opened")
	}
	// Another key does not open it either.
	s2, err := Open(ctx, Options{URL: cluster.URL(s.Pool().Config().ConnConfig.Database), Key: bytes.Repeat([]byte{1}, 32)})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if _, err := s.Pool().Exec(ctx, `UPDATE records SET id = $1`, [16]byte(id)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s2.Get(ctx, storage.Records, id); err == nil {
		t.Fatal("a sealed value opened with another key")
	}
}

// TestMigrateFromPrevious: a database at the previous schema version,
// holding data, is migrated at open; what it held is intact and what the
// new version adds works.
func TestMigrateFromPrevious(t *testing.T) {
	ctx := context.Background()
	url := newDB(t)
	pool, err := Open(ctx, Options{URL: url, NoMigrate: true})
	if err == nil {
		pool.Close()
		t.Fatal("an empty database opened without migrating")
	}
	raw, err := pgxConnect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close(ctx)
	if applied, err := MigrateTo(ctx, raw, Newest-1); err != nil || len(applied) != Newest-1 {
		t.Fatalf("to the previous version: %v %v", applied, err)
	}
	if _, err := raw.Exec(ctx, `INSERT INTO meta (key, value) VALUES ('cursor', '\x0000000000000007')`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(ctx, Options{URL: url, NoMigrate: true}); err == nil {
		t.Fatal("a database one version behind opened without migrating")
	}
	s := open(t, url)
	have, newest, err := s.SchemaVersion(ctx)
	if err != nil || have != newest {
		t.Fatalf("after open: version %d of %d (%v)", have, newest, err)
	}
	if v, found, err := s.Get(ctx, storage.Meta, []byte("cursor")); err != nil || !found || v[7] != 7 {
		t.Fatalf("the data of the previous version: %x %v %v", v, found, err)
	}
	if fresh, err := s.RememberNonce(ctx, [16]byte{1}, [16]byte{1}, timeNow(), minute); err != nil || !fresh {
		t.Fatalf("nonces after the migration: %v %v", fresh, err)
	}
	// A database newer than the program is refused.
	if _, err := raw.Exec(ctx, `INSERT INTO waymark_schema (version) VALUES ($1)`, Newest+1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Migrate(ctx); err == nil {
		t.Fatal("a database newer than the program was migrated")
	}
}

// TestPoolSize: the pool takes its size from Options, else from the
// address's pool_max_conns (as a DBA writes it), else 16.
func TestPoolSize(t *testing.T) {
	url := newDB(t)
	for _, c := range []struct {
		url  string
		opt  int32
		want int32
	}{
		{url, 0, 16},
		{url + "&pool_max_conns=3", 0, 3},
		{url + "&pool_max_conns=3", 5, 5},
	} {
		s, err := Open(context.Background(), Options{URL: c.url, Key: testKey, MaxConns: c.opt})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Pool().Config().MaxConns; got != c.want {
			t.Errorf("MaxConns %d with pool_max_conns in the address: %v: pool of %d, want %d", c.opt, strings.Contains(c.url, "pool_max_conns"), got, c.want)
		}
		s.Close()
	}
}
