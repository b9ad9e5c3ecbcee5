package server

import (
	"bytes"
	"context"
	"testing"

	"github.com/waymark-app/waymark/internal/pgtest"
	"github.com/waymark-app/waymark/server/storage/pgstore"
)

// The server's behaviour is tested on every storage backend: the tests
// open their servers through newServer, which opens the embedded store,
// or, while onPostgres runs them, a database of their own on a throwaway
// PostgreSQL cluster started once for the package.

var cluster *pgtest.Cluster

func TestMain(m *testing.M) { pgtest.Main(m, &cluster) }

// testBackend is the backend newServer opens: "" for the embedded store,
// "postgres" while TestOnPostgres runs.
var testBackend string

// storeKey seals the PostgreSQL tests' values.
var storeKey = bytes.Repeat([]byte{0x42}, 32)

// newDatabase returns the address of a fresh database.
func newDatabase(t testing.TB) string {
	t.Helper()
	url, err := cluster.NewDatabase(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return url
}

// openPostgres opens the store of the database at url.
func openPostgres(t testing.TB, url string) *pgstore.Store {
	t.Helper()
	st, err := pgstore.Open(context.Background(), pgstore.Options{URL: url, Key: storeKey})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// withBackend gives opts the store of the backend under test: for
// PostgreSQL, a new database (Dir, if set, names which: the same Dir,
// the same database, so that a test that reopens its store finds it).
func withBackend(t testing.TB, opts Options) Options {
	if testBackend != "postgres" || opts.Store != nil {
		return opts
	}
	key := opts.Dir
	if key == "" {
		key = t.Name() + "/memory"
	}
	url, ok := databases[key]
	if !ok || opts.Dir == "" {
		url = newDatabase(t)
		databases[key] = url
	}
	opts.Store = openPostgres(t, url)
	return opts
}

// databases are the test databases by the Dir a test gave.
var databases = map[string]string{}

// TestOnPostgres runs the server's behaviour tests again on PostgreSQL.
func TestOnPostgres(t *testing.T) {
	testBackend = "postgres"
	defer func() { testBackend = "" }()
	for _, tc := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"PushSemantics", TestPushSemantics},
		{"RefusedReuseKeepsTheFirst", TestRefusedReuseKeepsTheFirst},
		{"RecordRules", TestRecordRules},
		{"AmendmentChain", TestAmendmentChain},
		{"IdentityRule", TestIdentityRule},
		{"AmendmentMakingAChild", TestAmendmentMakingAChild},
		{"AsideAndStats", TestAsideAndStats},
		{"PullPages", TestPullPages},
		{"RestartKeepsEverything", TestRestartKeepsEverything},
		{"ConcurrentPushes", TestConcurrentPushes},
		{"CloseFinishesPushes", TestCloseFinishesPushes},
		{"ResolveAside", TestResolveAside},
		{"LargePushes", TestLargePushes},
		{"VerifyClean", TestVerifyClean},
		{"VerifyCatchesTampering", TestVerifyCatchesTampering},
		{"VerifyNamesThePlace", TestVerifyNamesThePlace},
	} {
		t.Run(tc.name, tc.fn)
	}
}
