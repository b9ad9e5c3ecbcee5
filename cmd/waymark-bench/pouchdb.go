package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"time"
)

// writeEncounters writes n encounter documents, one JSON document a
// line, drafted and finalised as the sync part's device drafts them (the
// same synthetic premises, business, people present and notes), for the
// PouchDB comparison (scripts/pouchdb-bench.sh) to push the same records.
func (b *bench) writeEncounters(ctx context.Context, n int, path string) error {
	d, err := b.offlineDevice(ctx, b.fresh("pouchdb-docs"), newKey(), 2)
	if err != nil {
		return err
	}
	defer d.Close()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("encounters out: %w", err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	for i := range n {
		r, err := d.Draft(ctx, 1)
		if err != nil {
			return fmt.Errorf("draft encounter %d: %w", i, err)
		}
		r.FinalisedAt = time.Now()
		doc, err := r.Document()
		if err != nil {
			return fmt.Errorf("encounter %d: %w", i, err)
		}
		w.Write(doc)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("encounters out: %w", err)
	}
	return f.Close()
}
