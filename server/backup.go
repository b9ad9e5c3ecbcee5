package server

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/waymark-app/waymark/server/storage"
	"github.com/waymark-app/waymark/server/storage/badgerstore"
)

// BackupReport is what a backup wrote.
type BackupReport struct {
	// Dir is the backup's folder: an encrypted Badger store, opened with
	// the server's store key, that can take the place of DATA/db.
	Dir string `json:"dir"`
	// Keys is how many keys it holds a live value for.
	Keys int `json:"keys"`
	// StreamBytes is the size of Badger's backup stream loaded into it;
	// Bytes the size of its files.
	StreamBytes int64 `json:"stream_bytes"`
	Bytes       int64 `json:"bytes"`
	// Head is the log's head at the backup's snapshot: verify --anchor
	// on the restored store must pass through it.
	Head Head `json:"head"`
}

// ErrBackupPostgres is Backup's answer on PostgreSQL: its own tools do it.
var ErrBackupPostgres = errors.New("the store is on PostgreSQL: back it up with pg_dump or pg_basebackup (docs/operations.md, Backups)")

// Backup copies the embedded store, while the server serves, into the
// folder dir (an absolute path, which must not exist or be empty), as
// badgerstore.Store.Backup does, and records it in the admin log
// (ActionStoreBackup) as actor. On PostgreSQL it
// refuses (ErrInvalid).
func (s *Server) Backup(ctx context.Context, dir, actor string) (BackupReport, error) {
	bs, ok := s.st.(*badgerstore.Store)
	if !ok {
		return BackupReport{}, fmt.Errorf("backup: %w: %w", ErrBackupPostgres, ErrInvalid)
	}
	if !filepath.IsAbs(dir) {
		return BackupReport{}, fmt.Errorf("backup: the folder %q is not an absolute path: %w", dir, ErrInvalid)
	}
	rep := BackupReport{Dir: filepath.Clean(dir)}
	info, err := bs.Backup(ctx, rep.Dir, func(r storage.Reader) error {
		b, found, err := r.Get(storage.Meta, metaHead)
		rep.Head, err = decodeHead(b, found, err)
		return err
	})
	if err != nil {
		return BackupReport{}, err
	}
	rep.Keys, rep.StreamBytes, rep.Bytes = info.Keys, info.StreamBytes, info.Bytes
	e := LogEntry{At: s.now().UTC(), Actor: actor, Action: ActionStoreBackup,
		Detail: fmt.Sprintf("to %s, head %s, %d keys", rep.Dir, rep.Head, rep.Keys)}
	if err := s.dir.Record(ctx, e); err != nil {
		return rep, fmt.Errorf("backup written to %s, but not logged: %w", rep.Dir, err)
	}
	return rep, nil
}

// Backup copies the embedded store into dir (Server.Backup), as the
// admin's actor.
func (ad *Admin) Backup(ctx context.Context, dir string) (BackupReport, error) {
	if ad.srv == nil {
		return BackupReport{}, errNoStore
	}
	return ad.srv.Backup(ctx, dir, ad.actor)
}

// Backup asks the running server to copy its store into dir, an
// absolute path the server's user can write to. It waits as long as the
// copy takes.
func (c *AdminClient) Backup(ctx context.Context, dir string) (BackupReport, error) {
	r, err := c.call(ctx, adminRequest{Op: opBackup, Dir: dir})
	return deref(r.Backup), err
}
