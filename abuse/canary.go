package abuse

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dgraph-io/badger/v4"
)

// countInFile counts s in the file at path.
func countInFile(path, s string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return bytes.Count(b, []byte(s)), nil
}

// countInStore counts s in every key and value, every version, of the
// server's store decrypted with its key (the server stopped), and in the
// data folder's files as they lie on disk.
func countInStore(data, s string) (int, error) {
	n := 0
	err := filepath.WalkDir(data, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Type()&fs.ModeSocket != 0 {
			return err
		}
		c, err := countInFile(path, s)
		n += c
		return err
	})
	if err != nil {
		return n, err
	}
	key, err := os.ReadFile(filepath.Join(data, "server.key"))
	if err != nil {
		return n, err
	}
	db, err := badger.Open(badger.DefaultOptions(filepath.Join(data, "db")).WithEncryptionKey(key).
		WithIndexCacheSize(16 << 20).WithLogger(nil))
	if err != nil {
		return n, fmt.Errorf("open the store to look for the canary: %w", err)
	}
	defer db.Close()
	err = db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{AllVersions: true, PrefetchValues: false})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			n += bytes.Count(it.Item().Key(), []byte(s))
			if err := it.Item().Value(func(v []byte) error {
				n += bytes.Count(v, []byte(s))
				return nil
			}); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}
