package vault

import (
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// tempPrefix starts the name of every temporary file the vault writes, so
// that one left by a crash is found and shredded the next time.
const tempPrefix = ".tmp-"

// prepareDir makes dir with mode 0700, or narrows an existing one to it.
func prepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("make vault folder: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("set vault folder mode: %w", err)
	}
	return nil
}

// writeAtomic replaces dir/name with b: a temporary file (mode 0600) is
// written and synced, renamed over the old one, and the folder synced, so
// that after a crash the file is either all old or all new.
func writeAtomic(dir, name string, b []byte) (err error) {
	f, err := os.CreateTemp(dir, tempPrefix+name+"-*")
	if err != nil {
		return fmt.Errorf("create temporary %s: %w", name, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("set mode of temporary %s: %w", name, err)
	}
	if _, err := f.Write(b); err != nil {
		return fmt.Errorf("write temporary %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync temporary %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close temporary %s: %w", name, err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return fmt.Errorf("replace %s: %w", name, err)
	}
	return syncDir(dir)
}

// readFile reads dir/name, narrowing its mode to 0600 if it was wider. A
// missing file gives os.ErrNotExist.
func readFile(dir, name string) ([]byte, error) {
	path := filepath.Join(dir, name)
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: %w", name, ErrCorrupt)
	}
	if fi.Mode().Perm() != 0o600 {
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("set mode of %s: %w", name, err)
		}
	}
	return os.ReadFile(path)
}

// syncDir makes a rename or removal in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open vault folder to sync: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync vault folder: %w", err)
	}
	return nil
}

// Shred overwrites the file at path with random bytes, syncs it, removes
// it and syncs its folder. A missing file is not an error. The app uses it
// for the raw key file of versions before the vault.
//
// Overwriting is the best a program can do through a file system; flash
// storage may keep the old blocks elsewhere (docs/security.md says
// what that means for the vault).
func Shred(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open %s to shred: %w", filepath.Base(path), err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat %s to shred: %w", filepath.Base(path), err)
	}
	buf := make([]byte, 4096)
	for off := int64(0); off < fi.Size(); off += int64(len(buf)) {
		n := min(int64(len(buf)), fi.Size()-off)
		rand.Read(buf[:n])
		if _, err := f.WriteAt(buf[:n], off); err != nil {
			return fmt.Errorf("overwrite %s: %w", filepath.Base(path), err)
		}
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sync overwritten %s: %w", filepath.Base(path), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close overwritten %s: %w", filepath.Base(path), err)
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("remove %s: %w", filepath.Base(path), err)
	}
	return syncDir(filepath.Dir(path))
}

// shredTemps shreds every temporary file a crash left in dir: one may hold
// a copy of the sealed keys.
func shredTemps(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list vault folder: %w", err)
	}
	var errs []error
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) && e.Type().IsRegular() {
			errs = append(errs, Shred(filepath.Join(dir, e.Name())))
		}
	}
	return errors.Join(errs...)
}
