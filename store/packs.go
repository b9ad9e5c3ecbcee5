package store

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Content packs are kept as bundles under p/<id>/<version>/<part>, the
// version and part uint64 big-endian, so that every pack a record was made
// under stays available to show it. A bundle is cut into parts of
// packPart bytes: an in-memory store takes no value larger than its value
// threshold.
var prefixPack = []byte("p/")

const packPart = 32 << 10

func packPrefix(id string, version int) []byte {
	k := append(append(append([]byte{}, prefixPack...), id...), '/')
	return binary.BigEndian.AppendUint64(k, uint64(version))
}

// SavePack keeps a content pack's bundle.
func (s *Store) SavePack(ctx context.Context, id string, version int, bundle []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	prefix := packPrefix(id, version)
	parts := (len(bundle) + packPart - 1) / packPart
	// A few parts a transaction, to stay within what Badger takes at once
	// on the small-memory profile. A pack cut short by a crash fails
	// validation when read back, is skipped, and is fetched again.
	err := s.chunked(parts, func(txn *badger.Txn, part int) error {
		chunk := bundle[part*packPart : min((part+1)*packPart, len(bundle))]
		return txn.Set(binary.BigEndian.AppendUint64(bytes.Clone(prefix), uint64(part)), chunk)
	}, func(*badger.Txn, int) error { return nil })
	if err != nil {
		return fmt.Errorf("save content pack %s %d: %w", id, version, err)
	}
	return nil
}

// Packs returns every saved content pack bundle, oldest version first
// within each pack.
func (s *Store) Packs(ctx context.Context) ([][]byte, error) {
	var out [][]byte
	err := s.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, Prefix: prefixPack})
		defer it.Close()
		var cur []byte // key prefix of the bundle being read
		for it.Seek(prefixPack); it.ValidForPrefix(prefixPack); it.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			k := it.Item().Key()
			prefix := k[:len(k)-8]
			if !bytes.Equal(prefix, cur) {
				cur = bytes.Clone(prefix)
				out = append(out, nil)
			}
			v, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out[len(out)-1] = append(out[len(out)-1], v...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read content packs: %w", err)
	}
	return out, nil
}
