package store

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/waymark-app/waymark/encounter"
)

var ctx = context.Background()

func testKey() []byte { return bytes.Repeat([]byte{7}, 32) }

func openMem(t testing.TB) *Store {
	t.Helper()
	s, err := Open(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return withSigner(s)
}

func openDir(t testing.TB, dir string, key []byte) *Store {
	t.Helper()
	s, err := Open(ctx, Options{Dir: dir, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	return withSigner(s)
}

// draft returns a complete draft ready to finalise.
func draft(t testing.TB, s *Store, name string) encounter.Record {
	t.Helper()
	r, err := encounter.New(s.DeviceID(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r.Premises = encounter.Premises{Name: name, Address: "1 Example Street", Business: encounter.CarWash}
	r.PeoplePresent = 3
	if err := s.SaveDraft(ctx, r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir, testKey())
	dev := s.DeviceID()
	d := draft(t, s, "Draft Wash")
	q := draft(t, s, "Queued Wash")
	if _, err := s.Finalise(ctx, q.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openDir(t, dir, testKey())
	defer s.Close()
	if s.DeviceID() != dev {
		t.Errorf("device id changed across reopen: %s, then %s", dev, s.DeviceID())
	}
	got, err := s.Get(ctx, d.ID)
	if err != nil || got.Premises.Name != "Draft Wash" || got.State != encounter.Draft {
		t.Errorf("draft after reopen: %+v, %v", got, err)
	}
	got, err = s.Get(ctx, q.ID)
	if err != nil || got.State != encounter.Queued || got.FinalisedAt.IsZero() {
		t.Errorf("queued record after reopen: %+v, %v", got, err)
	}
	p, err := s.Progress(ctx)
	if err != nil || p.Last != 1 || p.Queued() != 1 {
		t.Errorf("progress after reopen: %+v, %v", p, err)
	}
}

func TestWrongKeyRefused(t *testing.T) {
	dir := t.TempDir()
	s := openDir(t, dir, testKey())
	draft(t, s, "Somewhere")
	s.Close()
	other := bytes.Repeat([]byte{8}, 32)
	if s, err := Open(ctx, Options{Dir: dir, Key: other}); err == nil {
		s.Close()
		t.Fatal("store opened with the wrong key")
	}
}

// TestEncryptedAtRest writes a record holding a marker string and looks for
// the marker in every file of the store. The same run without a key must
// find it, or the search proves nothing.
func TestEncryptedAtRest(t *testing.T) {
	const marker = "SYNTHETIC-MARKER-Zq7Xw3-officer-notes"
	for _, tc := range []struct {
		name      string
		key       []byte
		wantFound bool
	}{
		{"unencrypted control", nil, true},
		{"encrypted", testKey(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openDir(t, dir, tc.key)
			r := draft(t, s, marker)
			r.Notes = strings.Repeat(marker+" ", 20)
			if err := s.SaveDraft(ctx, r); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Finalise(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			found := ""
			files := 0
			filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				files++
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Contains(b, []byte(marker)) {
					found = path
				}
				return nil
			})
			if files == 0 {
				t.Fatal("store wrote no files")
			}
			if (found != "") != tc.wantFound {
				t.Errorf("marker found in %q, want found=%v", found, tc.wantFound)
			}
		})
	}
}

func TestLoadOrCreateKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "keys", "device.key")
	k1, err := LoadOrCreateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	k2, err := LoadOrCreateKey(path)
	if err != nil || !bytes.Equal(k1, k2) || len(k1) != 32 {
		t.Errorf("second load gave a different key or failed: %v", err)
	}
	os.WriteFile(path, []byte("short"), 0o600)
	if _, err := LoadOrCreateKey(path); err == nil {
		t.Error("short key file accepted")
	}
}

func TestFinalise(t *testing.T) {
	s := openMem(t)
	r, _ := encounter.New(s.DeviceID(), time.Now())
	if err := s.SaveDraft(ctx, r); err != nil {
		t.Fatal(err)
	}
	_, err := s.Finalise(ctx, r.ID)
	var ve *encounter.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, encounter.ErrInvalid) {
		t.Fatalf("finalising an empty draft: %v, want a validation error", err)
	}
	if got, _ := s.Get(ctx, r.ID); got.State != encounter.Draft {
		t.Errorf("invalid draft became %v", got.State)
	}

	r = draft(t, s, "Example Takeaway")
	fin, err := s.Finalise(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fin.State != encounter.Queued || fin.FinalisedAt.IsZero() {
		t.Errorf("finalised record: %+v", fin)
	}
	if err := s.SaveDraft(ctx, r); !errors.Is(err, ErrFinalised) {
		t.Errorf("saving over a finalised record: %v, want ErrFinalised", err)
	}
	if _, err := s.Finalise(ctx, r.ID); !errors.Is(err, ErrFinalised) {
		t.Errorf("finalising twice: %v, want ErrFinalised", err)
	}
	if err := s.DeleteDraft(ctx, r.ID); !errors.Is(err, ErrFinalised) {
		t.Errorf("deleting a finalised record: %v, want ErrFinalised", err)
	}
	pend, err := s.Pending(ctx, 10, 1<<20)
	if err != nil || len(pend) != 1 {
		t.Fatalf("pending: %v, %v", pend, err)
	}
	doc, err := encounter.ParseDocument(pend[0].Body)
	if err != nil || doc.ID != r.ID || doc.Premises.Name != "Example Takeaway" {
		t.Errorf("outbox body: %+v, %v", doc, err)
	}
	if _, err := s.Finalise(ctx, uuid.New()); !errors.Is(err, ErrNotFound) {
		t.Errorf("finalising a missing record: %v", err)
	}
}

func TestListOrder(t *testing.T) {
	s := openMem(t)
	base := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	mk := func(name string, at time.Time, final bool) {
		r := draft(t, s, name)
		r.OccurredAt = at
		if err := s.SaveDraft(ctx, r); err != nil {
			t.Fatal(err)
		}
		if final {
			if _, err := s.Finalise(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	mk("old queued", base, true)
	mk("new queued", base.Add(2*time.Hour), true)
	mk("old draft", base.Add(-time.Hour), false)
	mk("new draft", base.Add(time.Hour), false)
	list, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range list {
		names = append(names, r.Premises.Name)
	}
	want := "new draft,old draft,new queued,old queued"
	if got := strings.Join(names, ","); got != want {
		t.Errorf("order %s, want %s", got, want)
	}
}

func TestAcknowledge(t *testing.T) {
	s := openMem(t)
	var ids []uuid.UUID
	for i := range 5 {
		r := draft(t, s, fmt.Sprint("premises ", i))
		if _, err := s.Finalise(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.ID)
	}
	pend, _ := s.Pending(ctx, 2, 1<<20)
	if len(pend) != 2 || pend[0].Seq != 1 || pend[1].Seq != 2 {
		t.Fatalf("pending(2): %+v", pend)
	}
	if pend, _ := s.Pending(ctx, 10, 1); len(pend) != 1 {
		t.Errorf("pending with a 1-byte budget returned %d entries, want 1", len(pend))
	}
	if err := s.Acknowledge(ctx, 3, []Rejected{{Seq: 2, Code: "conflict"}}); err != nil {
		t.Fatal(err)
	}
	states := func() string {
		var out []string
		for _, id := range ids {
			r, _ := s.Get(ctx, id)
			out = append(out, r.State.String())
		}
		return strings.Join(out, ",")
	}
	if got, want := states(), "synced,held,synced,queued,queued"; got != want {
		t.Errorf("states %s, want %s", got, want)
	}
	pend, _ = s.Pending(ctx, 10, 1<<20)
	if len(pend) != 2 || pend[0].Seq != 4 {
		t.Errorf("pending after ack 3: %+v", pend)
	}
	// Reading on from a batch sent but not yet acknowledged, and from
	// before the acknowledged one, which is not sent again.
	for _, tt := range []struct {
		after    uint64
		wantSeqs []uint64
	}{{4, []uint64{5}}, {5, nil}, {1, []uint64{4, 5}}} {
		pend, err := s.PendingAfter(ctx, tt.after, 10, 1<<20)
		var seqs []uint64
		for _, e := range pend {
			seqs = append(seqs, e.Seq)
		}
		if err != nil || !slices.Equal(seqs, tt.wantSeqs) {
			t.Errorf("pending after %d: %v, %v; want %v", tt.after, seqs, err, tt.wantSeqs)
		}
	}
	if err := s.Acknowledge(ctx, 9, nil); !errors.Is(err, ErrAckAhead) {
		t.Errorf("ack beyond the queue: %v, want ErrAckAhead", err)
	}
	// A server restored from a backup acknowledges less: resend from there.
	if err := s.Acknowledge(ctx, 1, nil); err != nil {
		t.Fatal(err)
	}
	if got, want := states(), "synced,queued,queued,queued,queued"; got != want {
		t.Errorf("states after rewind %s, want %s", got, want)
	}
	pend, _ = s.Pending(ctx, 10, 1<<20)
	if len(pend) != 4 || pend[0].Seq != 2 {
		t.Errorf("pending after rewind: %d entries from %d", len(pend), pend[0].Seq)
	}
	p, _ := s.Progress(ctx)
	if p.Queued() != 4 {
		t.Errorf("queued %d, want 4", p.Queued())
	}
}

func TestApplyPulled(t *testing.T) {
	s := openMem(t)
	own := draft(t, s, "Own Farm")
	if _, err := s.Finalise(ctx, own.ID); err != nil {
		t.Fatal(err)
	}
	other := uuid.New()
	foreign, _ := encounter.New(other, time.Now())
	foreign.Premises = encounter.Premises{Name: "Other Factory", Business: encounter.Factory}
	foreign.FinalisedAt = time.Now().UTC()
	body, _ := foreign.Document()
	ownBody, _ := own.Document()
	ops := []Pulled{
		{Cursor: 5, Kind: KindEncounter, ID: foreign.ID, Device: other, Body: body},
		{Cursor: 6, Kind: KindEncounter, ID: own.ID, Device: s.DeviceID(), Body: ownBody},
		{Cursor: 7, Kind: "future-kind", ID: uuid.New(), Device: other, Body: []byte(`{}`)},
	}
	if err := s.ApplyPulled(ctx, ops, 7); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, foreign.ID)
	if err != nil || got.State != encounter.Synced || got.Premises.Name != "Other Factory" {
		t.Errorf("foreign record: %+v, %v", got, err)
	}
	if got, _ := s.Get(ctx, own.ID); got.State != encounter.Synced {
		t.Errorf("own record after pull: %v, want synced", got.State)
	}
	if p, _ := s.Progress(ctx); p.Cursor != 7 {
		t.Errorf("cursor %d, want 7", p.Cursor)
	}
	bad := []Pulled{{Cursor: 8, Kind: KindEncounter, ID: uuid.New(), Body: body}}
	if err := s.ApplyPulled(ctx, bad, 8); err == nil {
		t.Error("a body for another record id was accepted")
	}
	if p, _ := s.Progress(ctx); p.Cursor != 7 {
		t.Errorf("cursor moved to %d past a failed operation", p.Cursor)
	}
}

// TestLargeBatches pulls and acknowledges more than one Badger transaction
// holds on the small-memory profile, so the work is split.
func TestLargeBatches(t *testing.T) {
	s := openMem(t)
	other := uuid.New()
	var ops []Pulled
	for i := range 1500 {
		r, _ := encounter.New(other, time.Now())
		r.Premises.Name = fmt.Sprint("premises ", i)
		r.Notes = strings.Repeat("n", 2000)
		b, _ := r.Document()
		ops = append(ops, Pulled{Cursor: uint64(i + 1), Kind: KindEncounter, ID: r.ID, Device: other, Body: b})
	}
	if err := s.ApplyPulled(ctx, ops, 1500); err != nil {
		t.Fatal(err)
	}
	list, _ := s.List(ctx)
	if len(list) != 1500 {
		t.Errorf("%d records after pull, want 1500", len(list))
	}
	for i := range 1200 {
		r := draft(t, s, fmt.Sprint("own ", i))
		r.Notes = strings.Repeat("n", 2000)
		s.SaveDraft(ctx, r)
		if _, err := s.Finalise(ctx, r.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Acknowledge(ctx, 1200, nil); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Progress(ctx); p.Queued() != 0 || p.Acked != 1200 {
		t.Errorf("progress %+v", p)
	}
}

// TestKilledWhileTyping saves a draft once per keystroke in a child process,
// kills it with SIGKILL at an arbitrary moment, and checks that the store
// holds at least the last edit the child reported as saved.
func TestKilledWhileTyping(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperTyping$")
		cmd.Env = append(os.Environ(), "WAYMARK_HELPER_DIR="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		var id string
		last := -1
		stopAt := 20 + 37*round
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) != 3 || f[0] != "saved" {
				continue
			}
			id = f[1]
			last, _ = strconv.Atoi(f[2])
			if last >= stopAt {
				cmd.Process.Kill()
				break
			}
		}
		cmd.Wait()
		if last < stopAt {
			t.Fatalf("child stopped after %d saves", last)
		}
		s := openDir(t, dir, testKey())
		r, err := s.Get(ctx, uuid.MustParse(id))
		s.Close()
		if err != nil {
			t.Fatalf("round %d: draft lost after kill: %v", round, err)
		}
		if n := len(r.Notes); n < last {
			t.Errorf("round %d: draft holds %d characters, but %d were reported saved", round, n, last)
		}
	}
}

// TestHelperTyping is the child of TestKilledWhileTyping: it types into a
// new draft forever, reporting each durable save.
func TestHelperTyping(t *testing.T) {
	dir := os.Getenv("WAYMARK_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	s := openDir(t, dir, testKey())
	r, _ := encounter.New(s.DeviceID(), time.Now())
	for i := 1; ; i++ {
		r.Notes += "x"
		if err := s.SaveDraft(ctx, r); err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fmt.Printf("saved %s %d\n", r.ID, i)
	}
}

func BenchmarkSaveDraft(b *testing.B) {
	s := openDir(b, b.TempDir(), testKey())
	defer s.Close()
	r, _ := encounter.New(s.DeviceID(), time.Now())
	r.Premises = encounter.Premises{Name: "Bench Wash", Business: encounter.CarWash}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r.Notes = strconv.Itoa(i)
		if err := s.SaveDraft(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
}
