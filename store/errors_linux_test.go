package store

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDiskFullReal fills a small tmpfs for real. It needs to mount one
// (root, or CAP_SYS_ADMIN), and skips otherwise.
func TestDiskFullReal(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=64m"); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v); TestDiskFullInjected covers the store", err)
	}
	t.Cleanup(func() { syscall.Unmount(mnt, syscall.MNT_DETACH) })
	dir := filepath.Join(mnt, "store")
	s := openDir(t, dir, testKey())
	ballast := filepath.Join(mnt, "ballast")
	checkFullDisk(t, s,
		func() { fill(t, ballast, diskReserve/2) },
		func() { os.Remove(ballast) })

	// A store opens on a full disk, so the officer can read what is saved.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	fill(t, ballast, diskReserve/2)
	s = openDir(t, dir, testKey())
	defer s.Close()
	list, err := s.List(ctx)
	if err != nil || len(list) != 1 || list[0].Notes != "typed while the disk was full" {
		t.Fatalf("after reopening on a full disk: %+v, %v", list, err)
	}
}

// fill writes path until the file system is full, then gives back leave
// bytes.
func fill(t *testing.T, path string, leave int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	var n int64
	for {
		m, err := f.Write(buf)
		n += int64(m)
		if err != nil {
			break
		}
	}
	if err := f.Truncate(max(n-leave, 0)); err != nil {
		t.Fatal(err)
	}
}
