package store

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/waymark-app/waymark/encounter"
)

// checkFullDisk saves a draft, makes the disk full with full(), and checks
// that writes fail with ErrDiskFull, that the saved draft is intact, and
// (after free()) that writing works again.
func checkFullDisk(t *testing.T, s *Store, full, free func()) {
	t.Helper()
	d := draft(t, s, "Before Full")
	full()
	changed := d
	changed.Notes = "typed while the disk was full"
	err := s.SaveDraft(ctx, changed)
	if !errors.Is(err, ErrDiskFull) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("save on a full disk: %v, want ErrDiskFull matching ENOSPC", err)
	}
	if _, err := s.Finalise(ctx, d.ID); !errors.Is(err, ErrDiskFull) {
		t.Errorf("finalise on a full disk: %v, want ErrDiskFull", err)
	}
	got, err := s.Get(ctx, d.ID)
	if err != nil || got.Premises.Name != "Before Full" || got.Notes != "" || got.State != encounter.Draft {
		t.Fatalf("draft after refused writes: %+v, %v", got, err)
	}
	free()
	if err := s.SaveDraft(ctx, changed); err != nil {
		t.Fatalf("save once space is freed: %v", err)
	}
}

func TestDiskFullInjected(t *testing.T) {
	s := openDir(t, t.TempDir(), testKey())
	defer s.Close()
	defer func(f func(string) (int64, bool)) { freeSpace = f }(freeSpace)
	checkFullDisk(t, s,
		func() { freeSpace = func(string) (int64, bool) { return diskReserve - 1, true } },
		func() { freeSpace = func(string) (int64, bool) { return diskReserve, true } })
}

func TestAsDiskFull(t *testing.T) {
	raw := fmt.Errorf("write manifest: %w", syscall.ENOSPC)
	if err := asDiskFull(raw); !errors.Is(err, ErrDiskFull) || !strings.Contains(err.Error(), "manifest") {
		t.Errorf("asDiskFull(%v) = %v", raw, err)
	}
	other := errors.New("other")
	if asDiskFull(other) != other || asDiskFull(nil) != nil {
		t.Error("asDiskFull changed an error that is not ENOSPC")
	}
}
