package server

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/server/storage/badgerstore"
	"github.com/waymark-app/waymark/sync/wire"
)

// canary is in every record's premises name: it must not be found in
// clear in any file of a backup.
const canary = "Canary Carwash Zq7vXk"

// TestHotBackup takes a backup through the admin socket while devices
// keep pushing. A server opened on the backup passes Verify through the
// head the backup reported and holds every record acknowledged before
// the backup started; the backup does not open without the key or with
// another; the canary is in no file of it.
func TestHotBackup(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	key := bytes.Repeat([]byte{7}, 32)
	// Rates high enough that the pushers are never refused for speed.
	s, hs := newServer(t, Options{Dir: filepath.Join(root, "db"), Key: key, Limits: Limits{DeviceRate: 1e6, DeviceBurst: 1e6}})

	// The admin socket, as the server runs it (a short path: sockets
	// have a limit of about 100 bytes).
	sockDir, err := os.MkdirTemp("", "wmb")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(sockDir)
	ln, err := net.Listen("unix", filepath.Join(sockDir, "admin.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go s.ServeAdmin(ln)
	admin := &AdminClient{Socket: filepath.Join(sockDir, "admin.sock")}

	// Pushers: each device pushes batches of 5 until told to stop, and
	// reports each acknowledged batch's records.
	var (
		mu    sync.Mutex
		acked []uuid.UUID
		errs  []error
	)
	stop := make(chan struct{})
	firstRound := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for range 4 {
		dev := enrolDevice(t, s, account("north", ""))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for batch := 0; ; batch++ {
				select {
				case <-stop:
					return
				default:
				}
				var entries []wire.Entry
				for i := range 5 {
					id := uuid.New()
					entries = append(entries, wire.Entry{Seq: uint64(batch*5 + i + 1), ID: id, Kind: wire.KindEncounter, Body: body(dev, id, canary)})
				}
				var resp wire.PushResponse
				code, _, err := tryPost(hs, dev, wire.PathPush, wire.PushRequest{Entries: entries}, &resp)
				mu.Lock()
				if err == nil && (code != 200 || resp.Ack != uint64(batch*5+5) || len(resp.Rejected) != 0) {
					err = errors.New("a push was not acknowledged whole")
				}
				if err != nil {
					errs = append(errs, err)
					mu.Unlock()
					return
				}
				for _, e := range entries {
					acked = append(acked, e.ID)
				}
				mu.Unlock()
				if batch == 1 {
					firstRound <- struct{}{}
				}
			}
		}()
	}
	for range 4 {
		<-firstRound // every device has two batches stored and keeps pushing
	}
	mu.Lock()
	before := append([]uuid.UUID(nil), acked...)
	mu.Unlock()

	out := filepath.Join(root, "backup")
	rep, err := admin.Backup(ctx, out)
	mu.Lock()
	during := len(acked) - len(before)
	mu.Unlock()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) > 0 {
		t.Fatalf("pushes failed: %v", errs)
	}
	t.Logf("backup: %+v; %d records before it, %d acknowledged while it ran, %d in all", rep, len(before), during, len(acked))
	if rep.Dir != out || rep.Keys == 0 || rep.StreamBytes == 0 || rep.Bytes == 0 || rep.Head.Seq == 0 {
		t.Errorf("backup report %+v", rep)
	}
	if _, err := os.Stat(out + ".tmp"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the backup's temporary folder is left: %v", err)
	}
	log, err := s.Admin("test").Log(ctx)
	if err != nil || len(log) == 0 || log[len(log)-1].Action != ActionStoreBackup || !strings.HasPrefix(log[len(log)-1].Actor, "cli:") ||
		!strings.Contains(log[len(log)-1].Detail, rep.Head.String()) {
		t.Errorf("the admin log does not end with the backup: %v %+v", err, log)
	}
	live, err := s.Verify(ctx, rep.Head)
	if err != nil || !live.OK() {
		t.Errorf("the live server after the backup: %v %+v", err, live.Problems)
	}

	// Without the key, or with another, the backup does not open.
	for _, k := range [][]byte{nil, bytes.Repeat([]byte{8}, 32)} {
		st, err := badgerstore.Open(badgerstore.Options{Dir: out, Key: k})
		if err == nil {
			st.Close()
			t.Fatalf("the backup opened with key %x", k)
		}
		if !strings.Contains(err.Error(), "Encryption key mismatch") {
			t.Errorf("the backup opened with key %x: %v", k, err)
		}
	}

	// The canary is in no file of the backup.
	err = filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if bytes.Contains(b, []byte(canary)) {
			t.Errorf("the canary is in clear in %s", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// A server on the backup: verified through the head it reported,
	// and holding every record acknowledged before it started.
	b, err := Open(Options{Dir: out, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	got, err := b.Verify(ctx, rep.Head)
	if err != nil || !got.OK() {
		t.Fatalf("verify on the backup: %v %+v", err, got.Problems)
	}
	if got.Head.String() != rep.Head.String() || got.Events != rep.Head.Seq {
		t.Errorf("the backup's log ends at %s (%d events), reported head %s", got.Head, got.Events, rep.Head)
	}
	for _, id := range before {
		if _, found, err := b.Store().Get(ctx, storage.Records, recordKey(id)); err != nil || !found {
			t.Fatalf("record %s, acknowledged before the backup, is not in it (%v)", id, err)
		}
	}
	if got.Records < len(before) || got.Records > len(acked) {
		t.Errorf("the backup holds %d records: want %d to %d", got.Records, len(before), len(acked))
	}
}

// TestCanaryControl: the canary check above can fail. A Badger store
// without a key holds the canary in clear in its files.
func TestCanaryControl(t *testing.T) {
	dir := t.TempDir()
	st, err := badgerstore.Open(badgerstore.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(context.Background(), func(tx storage.Tx) error {
		return tx.Put(storage.Records, []byte("k"), []byte(`{"premises":"`+canary+`"}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	found := false
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			found = found || bytes.Contains(b, []byte(canary))
		}
		return err
	})
	if !found {
		t.Error("the canary is not found in a plain store's files: the backup's check proves nothing")
	}
}

// TestBackupRefused: a backup is refused on PostgreSQL, into a folder
// that is not empty, and to a relative path; nothing is written.
func TestBackupRefused(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	full := filepath.Join(root, "full")
	if err := os.Mkdir(full, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(full, "keep"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	onBadger, _ := newServer(t, Options{Dir: filepath.Join(root, "db"), Key: bytes.Repeat([]byte{7}, 32)})
	plain, _ := newServer(t, Options{Dir: filepath.Join(root, "plain")})
	onPG, err := Open(Options{Store: openPostgres(t, newDatabase(t))})
	if err != nil {
		t.Fatal(err)
	}
	defer onPG.Close()
	for _, tc := range []struct {
		name string
		s    *Server
		dir  string
		want string
	}{
		{"postgres", onPG, filepath.Join(root, "pg"), "pg_dump or pg_basebackup"},
		{"not empty", onBadger, full, "is not empty"},
		{"relative", onBadger, "backup", "not an absolute path"},
		{"no key", plain, filepath.Join(root, "plain-backup"), "no key"},
		{"no parent", onBadger, filepath.Join(root, "missing", "b"), "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.s.Backup(ctx, tc.dir, "test")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("backup to %s: %v, want %q", tc.dir, err, tc.want)
			}
		})
	}
	names, _ := os.ReadDir(root)
	var left []string
	for _, n := range names {
		left = append(left, n.Name())
	}
	if strings.Join(left, " ") != "db full plain" {
		t.Errorf("after refused backups the folder holds %v", left)
	}
	if names, _ := os.ReadDir(full); len(names) != 1 {
		t.Errorf("the full folder holds %d files", len(names))
	}
}
