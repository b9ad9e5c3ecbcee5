package session

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Narrow makes every folder under dir (dir too) mode 0700 and every file
// mode 0600, where they are wider: files written before PrivateFiles was
// in force, or by an older version. Symbolic links are left alone.
func Narrow(dir string) error {
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		var want fs.FileMode
		switch {
		case d.IsDir():
			want = 0o700
		case d.Type().IsRegular():
			want = 0o600
		default:
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&^want != 0 {
			return os.Chmod(path, fi.Mode().Perm()&want)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("narrow the modes under the data folder: %w", err)
	}
	return nil
}
