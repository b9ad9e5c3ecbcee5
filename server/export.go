package server

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"time"

	"github.com/waymark-app/waymark/server/storage"
)

// Moving a whole server between backends (waymark-server export and
// import): every value of every collection, with its key, as the store
// holds it, so that the hashes the chain keeps of records, operations
// and entries kept aside still match after the move and verify passes on
// both sides.
//
// The stream is JSON lines: a header, one line per value in collection
// then key order ({"c": collection, "k": key, "v": value}, key and value
// base64), and an end line with the count and the SHA-256 of every line
// before it, so that a stream cut short or changed is refused whole.
// It holds everything in the store in the clear, as the store's own
// backups do: pipe it from export to import, or keep it as the store is
// kept (docs/operations.md).

// exportFormat is the stream's version.
const exportFormat = 1

type exportHeader struct {
	Format  int       `json:"waymark_export"`
	Backend string    `json:"backend"`
	At      time.Time `json:"at"`
}

type exportItem struct {
	C string `json:"c"`
	K []byte `json:"k"`
	V []byte `json:"v"`
}

type exportEnd struct {
	End    bool   `json:"end"`
	Items  int    `json:"items"`
	Digest string `json:"digest"`
}

// Moved says what an export or an import moved.
type Moved struct {
	Items  int            // values
	Counts map[string]int // values by collection
	Digest string         // the stream's digest
}

// Export writes every value of st to w, from one snapshot.
func Export(ctx context.Context, st storage.Store, w io.Writer) (Moved, error) {
	m := Moved{Counts: map[string]int{}}
	bw := bufio.NewWriterSize(w, 1<<20)
	h := sha256.New()
	line := func(v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b = append(b, '\n')
		h.Write(b)
		_, err = bw.Write(b)
		return err
	}
	if err := line(exportHeader{Format: exportFormat, Backend: st.Backend(), At: time.Now().UTC()}); err != nil {
		return m, fmt.Errorf("export: %w", err)
	}
	err := st.View(ctx, func(r storage.Reader) error {
		for _, c := range storage.Collections {
			err := r.Scan(c, nil, false, func(k, v []byte) error {
				if c == storage.Meta && string(k) == storage.SchemaKey {
					return nil // the backend's own
				}
				m.Items++
				m.Counts[c.Name]++
				return line(exportItem{C: c.Name, K: k, V: v})
			})
			if err != nil {
				return fmt.Errorf("%s: %w", c.Name, err)
			}
		}
		return nil
	})
	if err != nil {
		return m, fmt.Errorf("export: %w", err)
	}
	m.Digest = hex.EncodeToString(h.Sum(nil))
	b, _ := json.Marshal(exportEnd{End: true, Items: m.Items, Digest: m.Digest})
	if _, err := bw.Write(append(b, '\n')); err != nil {
		return m, fmt.Errorf("export: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return m, fmt.Errorf("export: %w", err)
	}
	return m, nil
}

// ErrNotEmpty is an import into a store that holds something already.
var ErrNotEmpty = errors.New("the store to import into is not empty")

// importBudget is how many bytes of values one Update of an import
// writes.
const importBudget = 2 << 20

// Import reads a stream Export wrote into st, which must be empty. The
// stream is checked whole (every line, the count and the digest) before
// its last Update commits; a stream that fails a check leaves what was
// written so far, and the store must be emptied before trying again
// (the error says so).
func Import(ctx context.Context, st storage.Store, r io.Reader) (Moved, error) {
	m := Moved{Counts: map[string]int{}}
	if err := checkEmpty(ctx, st); err != nil {
		return m, err
	}
	byName := map[string]*storage.Collection{}
	for _, c := range storage.Collections {
		byName[c.Name] = c
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	h := sha256.New()
	if !sc.Scan() {
		return m, fmt.Errorf("import: the stream is empty: %w", ErrInvalid)
	}
	var hdr exportHeader
	if err := json.Unmarshal(sc.Bytes(), &hdr); err != nil || hdr.Format != exportFormat {
		return m, fmt.Errorf("import: not a Waymark export of format %d: %w", exportFormat, ErrInvalid)
	}
	hashLine(h, sc.Bytes())
	var batch []exportItem
	size := 0
	written := false
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := st.Update(ctx, func(tx storage.Tx) error {
			for _, it := range batch {
				if err := tx.Put(byName[it.C], it.K, it.V); err != nil {
					return err
				}
			}
			return nil
		})
		batch, size, written = nil, 0, true
		return err
	}
	var end *exportEnd
	for sc.Scan() {
		b := sc.Bytes()
		if bytes.HasPrefix(b, []byte(`{"end":`)) {
			end = &exportEnd{}
			if err := json.Unmarshal(b, end); err != nil {
				return m, fmt.Errorf("import: its end line cannot be read: %w", ErrInvalid)
			}
			break
		}
		var it exportItem
		if err := json.Unmarshal(b, &it); err != nil || byName[it.C] == nil {
			return m, partial(written, fmt.Errorf("import: line %d is not a value of a known collection: %w", m.Items+2, ErrInvalid))
		}
		hashLine(h, b)
		m.Items++
		m.Counts[it.C]++
		batch = append(batch, it)
		if size += len(it.K) + len(it.V); size >= importBudget {
			if err := flush(); err != nil {
				return m, partial(written, fmt.Errorf("import: %w", err))
			}
		}
	}
	if err := sc.Err(); err != nil {
		return m, partial(written, fmt.Errorf("import: %w", err))
	}
	m.Digest = hex.EncodeToString(h.Sum(nil))
	switch {
	case end == nil:
		return m, partial(written, fmt.Errorf("import: the stream ends before its end line (cut short): %w", ErrInvalid))
	case end.Items != m.Items || end.Digest != m.Digest:
		return m, partial(written, fmt.Errorf("import: the stream holds %d values, its end line says %d, or its digest differs: it was changed: %w", m.Items, end.Items, ErrInvalid))
	}
	if err := flush(); err != nil {
		return m, partial(written, fmt.Errorf("import: %w", err))
	}
	return m, nil
}

func hashLine(h hash.Hash, b []byte) {
	h.Write(b)
	h.Write([]byte{'\n'})
}

// partial adds to err that the store holds part of the stream, if it does.
func partial(written bool, err error) error {
	if !written {
		return err
	}
	return fmt.Errorf("%w (the store now holds part of the stream: empty it before importing again)", err)
}

// checkEmpty refuses a store that holds any value but its backend's own.
func checkEmpty(ctx context.Context, st storage.Store) error {
	return st.View(ctx, func(r storage.Reader) error {
		for _, c := range storage.Collections {
			var found bool
			err := r.Scan(c, nil, false, func(k, v []byte) error {
				if c == storage.Meta && string(k) == storage.SchemaKey {
					return nil
				}
				found = true
				return storage.ErrStop
			})
			if err != nil {
				return err
			}
			if found {
				return fmt.Errorf("import: %w (it holds %s)", ErrNotEmpty, c.Name)
			}
		}
		return nil
	})
}
