package badgerstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dgraph-io/badger/v4"

	"github.com/waymark-app/waymark/server/storage"
)

// BackupInfo is what Backup wrote.
type BackupInfo struct {
	// Keys is how many keys the backup holds a live value for.
	Keys int
	// StreamBytes is the size of Badger's backup stream that was loaded.
	StreamBytes int64
	// Bytes is the size of the backup folder's files.
	Bytes int64
}

// loadPending is how many write batches Load keeps in flight.
const loadPending = 64

// Backup copies the store, while it serves, into the folder dir, which
// must not exist or be empty: Badger's backup stream, read from one
// snapshot, is loaded into a new Badger store opened with the same key
// and options, so that the copy is itself an encrypted store that can
// take the place of the data folder's db/. It is written to dir.tmp and
// renamed to dir once closed and synced; on failure dir.tmp is removed
// and dir is left as it was. inspect, if not nil, reads the copy before
// it is closed (the server reads the log's head there: the head at the
// snapshot); its error fails the backup.
//
// A store without a key is refused: its copy would be in the clear.
func (s *Store) Backup(ctx context.Context, dir string, inspect func(storage.Reader) error) (BackupInfo, error) {
	var info BackupInfo
	if s.opts.Key == nil {
		return info, errors.New("backup: the store has no key, so its copy would be in the clear")
	}
	dir = filepath.Clean(dir)
	if err := usable(dir); err != nil {
		return info, err
	}
	tmp := dir + ".tmp"
	if err := os.Mkdir(tmp, 0o700); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return info, fmt.Errorf("backup: %s exists: a backup to %s is being written, or one failed and left it (remove it then)", tmp, dir)
		}
		return info, fmt.Errorf("backup: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	if err := ctx.Err(); err != nil {
		return info, err
	}
	o := s.opts
	o.Dir = tmp
	dst, err := badger.Open(o.badgerOptions())
	if err != nil {
		return info, fmt.Errorf("backup: open the copy %s: %w", tmp, err)
	}
	info.StreamBytes, err = s.stream(dst)
	if err == nil {
		err = dst.View(func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{})
			for it.Rewind(); it.Valid(); it.Next() {
				info.Keys++
			}
			it.Close()
			if inspect != nil {
				return inspect(tx{txn})
			}
			return nil
		})
	}
	if cerr := dst.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("backup: close the copy: %w", cerr)
	}
	if err != nil {
		return info, err
	}
	if err := syncDir(tmp); err != nil {
		return info, err
	}
	// os.Rename will not replace a folder, even an empty one.
	if err := os.Remove(dir); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return info, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return info, fmt.Errorf("backup: %w", err)
	}
	done = true
	if err := syncDir(filepath.Dir(dir)); err != nil {
		return info, err
	}
	info.Bytes, err = folderSize(dir)
	return info, err
}

// stream pipes Badger's backup stream of the store into dst and
// returns its size. DB.Backup reads with one transaction per producer
// goroutine (eight by default), which may start at different moments
// while pushes commit; the same Stream.Backup with one producer reads
// everything from one snapshot.
func (s *Store) stream(dst *badger.DB) (int64, error) {
	pr, pw := io.Pipe()
	cw := &countingWriter{w: pw}
	streamed := make(chan error, 1)
	go func() {
		st := s.db.NewStream()
		st.LogPrefix = "waymark backup"
		st.NumGo = 1
		_, err := st.Backup(cw, 0)
		pw.CloseWithError(err)
		streamed <- err
	}()
	err := dst.Load(pr, loadPending)
	// Unblocks the stream if Load stopped early; it then returns.
	pr.CloseWithError(errors.New("the backup's load stopped"))
	if serr := <-streamed; err == nil && serr != nil {
		err = serr
	}
	if err != nil {
		return cw.n, fmt.Errorf("backup: stream the store into the copy: %w", err)
	}
	return cw.n, nil
}

// usable checks that dir does not exist or is an empty folder.
func usable(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("backup: %s exists and is not a folder", dir)
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if len(names) > 0 {
		return fmt.Errorf("backup: %s is not empty", dir)
	}
	return nil
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: sync %s: %w", dir, err)
	}
	return nil
}

func folderSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup: size of %s: %w", dir, err)
	}
	return n, nil
}

// countingWriter counts what passes through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
