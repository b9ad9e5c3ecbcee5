package faults

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// mountSmall mounts a tmpfs of size bytes on dir: a device disk that can
// fill up. It needs root (or CAP_SYS_ADMIN).
func mountSmall(dir string, size int64) (unmount func() error, err error) {
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%d", size)); err != nil {
		return nil, fmt.Errorf("mount a %d MiB tmpfs on %s: %w", size>>20, dir, err)
	}
	return func() error { return syscall.Unmount(dir, syscall.MNT_DETACH) }, nil
}

// freeBytes reports the bytes free on the file system holding dir.
func freeBytes(dir string) (int64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, err
	}
	return int64(st.Bavail) * int64(st.Bsize), nil
}

// fillTo grows or shrinks the ballast file at path until the file system
// has about free bytes left. It never fills the disk further than that,
// even for a moment: a device store in the middle of a write could crash.
func fillTo(path string, free int64) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	now, err := freeBytes(filepath.Dir(path))
	if err != nil {
		return err
	}
	size := fi.Size()
	if now <= free {
		return f.Truncate(max(size-(free-now), 0))
	}
	// Real blocks: a sparse file would take no space.
	buf := make([]byte, 1<<20)
	for left := now - free; left > 0; {
		n, err := f.WriteAt(buf[:min(int64(len(buf)), left)], size)
		size += int64(n)
		left -= int64(n)
		if err != nil {
			return fmt.Errorf("fill %s: %w", path, err)
		}
	}
	return f.Sync()
}
