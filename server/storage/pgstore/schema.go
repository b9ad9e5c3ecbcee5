package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// migrations are the schema's versions, in order: migrations[i] brings a
// database at version i to version i+1. Append-only: a step that has
// shipped is never changed, since databases have applied it.
//
// Every collection is a table: its key's parts are typed columns (uuid,
// bigint, bytea, text in the C collation, so that rows sort as the
// keys' bytes do), and value holds the bytes package server wrote (JSON;
// for sealed collections, encrypted with the store key). Text keys use
// the C collation so that every backend scans in the same order.
var migrations = []string{
	// 1: the collections of issue 14.
	`CREATE TABLE meta (key text COLLATE "C" PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE records (id uuid PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE ops (cursor bigint PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE entries (device uuid, seq bigint, value bytea NOT NULL, PRIMARY KEY (device, seq));
CREATE TABLE acks (device uuid PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE aside (device uuid, seq bigint, hash8 bytea, value bytea NOT NULL, PRIMARY KEY (device, seq, hash8));
CREATE TABLE resolutions (device uuid, seq bigint, hash8 bytea, value bytea NOT NULL, PRIMARY KEY (device, seq, hash8));
CREATE TABLE quotas (device uuid PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE chain (seq bigint PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE accounts (id text COLLATE "C" PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE account_numbers (agency text COLLATE "C", number text COLLATE "C", value bytea NOT NULL, PRIMARY KEY (agency, number));
CREATE TABLE enrolment_codes (id text COLLATE "C" PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE devices (id uuid PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE admin_log (at_ns bigint, n bigint, value bytea NOT NULL, PRIMARY KEY (at_ns, n));
CREATE TABLE credentials (account text COLLATE "C" PRIMARY KEY, value bytea NOT NULL);
CREATE TABLE operations (id uuid PRIMARY KEY, value bytea NOT NULL);`,
	// 2: nonces of signed requests, shared by every replica, so that a
	// request replayed to another replica, or after a restart, is
	// refused; swept once they have expired.
	`CREATE TABLE nonces (device uuid, nonce bytea, expires timestamptz NOT NULL, PRIMARY KEY (device, nonce));
CREATE INDEX nonces_expires ON nonces (expires);`,
}

// Newest is the newest schema version this program knows.
var Newest = len(migrations)

// migrationLock is the advisory lock id that serialises migrations, so
// that replicas starting together migrate once.
const migrationLock = 0x5761796d61726b02 // "Waymark", 2

// SchemaVersion reads the database's version (0: empty).
func (s *Store) SchemaVersion(ctx context.Context) (int, int, error) {
	v, err := version(ctx, s.pool)
	return v, Newest, err
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func version(ctx context.Context, q querier) (int, error) {
	var v int
	err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM waymark_schema`).Scan(&v)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "42P01" { // undefined_table: an empty database
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("read the schema version: %w", err)
	}
	return v, nil
}

// Migrate brings the database to the newest version, a step per
// transaction, each with the version row it reaches.
func (s *Store) Migrate(ctx context.Context) ([]int, error) {
	return MigrateTo(ctx, s.pool, Newest)
}

// MigrateTo brings the database db reaches to version to (tests start
// from an older version with it).
func MigrateTo(ctx context.Context, db interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}, to int) ([]int, error) {
	var applied []int
	for {
		done, v, err := step(ctx, db, to)
		if err != nil {
			return applied, err
		}
		if done {
			return applied, nil
		}
		applied = append(applied, v)
	}
}

// step applies the next migration, if any, under the migration lock.
func step(ctx context.Context, db interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}, to int) (bool, int, error) {
	tx, err := db.Begin(ctx)
	if err != nil {
		return false, 0, fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
		return false, 0, fmt.Errorf("migrate: lock: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS waymark_schema (version int PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())`); err != nil {
		return false, 0, fmt.Errorf("migrate: %w", err)
	}
	have, err := version(ctx, tx)
	if err != nil {
		return false, 0, err
	}
	if have > Newest {
		return false, 0, fmt.Errorf("the database is at schema version %d, newer than this program's %d: upgrade waymark-server", have, Newest)
	}
	if have >= to {
		return true, have, tx.Commit(ctx)
	}
	next := have + 1
	if _, err := tx.Exec(ctx, migrations[have]); err != nil {
		return false, 0, fmt.Errorf("migrate to schema version %d: %w", next, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO waymark_schema (version) VALUES ($1)`, next); err != nil {
		return false, 0, fmt.Errorf("migrate to schema version %d: %w", next, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, 0, fmt.Errorf("migrate to schema version %d: %w", next, err)
	}
	return false, next, nil
}
