// Package pgstore is the server's PostgreSQL storage backend, through
// pgx: one table per collection (schema.go), shared by every server
// replica on the database. Writers are serialised across replicas by a
// transaction-scoped advisory lock, which is what makes cursors follow
// commit order (docs/operations.md, "Cursors in commit order"); values of
// sealed collections (records, entries kept aside, enrolment codes,
// credentials, operations) are encrypted with the store key (AES-256-GCM),
// so that the database, its dumps and its replicas hold them only as
// ciphertext.
package pgstore

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/waymark-app/waymark/server/storage"
)

// Options configures Open.
type Options struct {
	// URL is the database's connection string (postgres://…).
	URL string
	// Key seals the values of sealed collections: 32 bytes, the same for
	// every replica. Nil leaves them plain (tests only).
	Key []byte
	// NoMigrate leaves the schema as it is: Open fails if it is not the
	// newest (run waymark-server migrate).
	NoMigrate bool
	// MaxConns bounds the pool. 0: the address's pool_max_conns if it
	// has one, else 16.
	MaxConns int32
	// Logger receives warnings. Nil discards them.
	Logger *slog.Logger
}

// Store is the PostgreSQL storage.Store.
type Store struct {
	pool *pgxpool.Pool
	aead cipher.AEAD // nil: values are not sealed
	log  *slog.Logger

	mu        sync.Mutex // guards lastSweep
	lastSweep time.Time
}

var _ storage.Store = (*Store)(nil)
var _ storage.Migrator = (*Store)(nil)

// writerLock is the advisory lock id every Update takes first.
const writerLock = 0x5761796d61726b01 // "Waymark", 1

// Open connects to the database and, unless NoMigrate, migrates it.
func Open(ctx context.Context, o Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(o.URL)
	if err != nil {
		return nil, fmt.Errorf("database address: %w", err)
	}
	switch {
	case o.MaxConns > 0:
		cfg.MaxConns = o.MaxConns
	case !strings.Contains(o.URL, "pool_max_conns"):
		cfg.MaxConns = 16
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to the database: %w", err)
	}
	s := &Store{pool: pool, log: o.Logger}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if o.Key != nil {
		block, err := aes.NewCipher(o.Key)
		if err == nil {
			s.aead, err = cipher.NewGCM(block)
		}
		if err != nil {
			pool.Close()
			return nil, fmt.Errorf("store key: %w", err)
		}
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect to the database: %w", err)
	}
	if !o.NoMigrate {
		if _, err := s.Migrate(ctx); err != nil {
			pool.Close()
			return nil, err
		}
	} else if have, newest, err := s.SchemaVersion(ctx); err != nil || have != newest {
		pool.Close()
		if err == nil {
			err = fmt.Errorf("the database is at schema version %d, this program needs %d: run waymark-server migrate", have, newest)
		}
		return nil, err
	}
	return s, nil
}

// Backend is "postgres".
func (s *Store) Backend() string { return "postgres" }

// Shared is true: replicas share the database.
func (s *Store) Shared() bool { return true }

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Pool is the connection pool, for tests and tools that look at the
// tables themselves.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Update runs fn in a READ COMMITTED transaction that first takes the
// writer lock: it waits for the Update of any replica to commit, and
// every statement after the lock sees what that Update wrote. Writes are
// buffered and sent in one round trip per collection before the commit.
func (s *Store) Update(ctx context.Context, fn func(storage.Tx) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.Background())
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(writerLock)); err != nil {
		return fmt.Errorf("take the writer lock: %w", err)
	}
	t := &pgTx{s: s, ctx: ctx, q: tx}
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flush(); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// View runs fn in a REPEATABLE READ, READ ONLY transaction: one snapshot.
func (s *Store) View(ctx context.Context, fn func(storage.Reader) error) error {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.Background())
	if err := fn(&pgTx{s: s, ctx: ctx, q: tx}); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// Get reads one committed value.
func (s *Store) Get(ctx context.Context, c *storage.Collection, key []byte) ([]byte, bool, error) {
	t := &pgTx{s: s, ctx: ctx, q: s.pool}
	return t.Get(c, key)
}

// RememberNonce inserts the pair unless it is there; expired pairs are
// swept at most once a minute.
func (s *Store) RememberNonce(ctx context.Context, device, nonce [16]byte, ts time.Time, keep time.Duration) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO nonces (device, nonce, expires) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		device, nonce[:], ts.Add(keep))
	if err != nil {
		return false, fmt.Errorf("remember nonce: %w", err)
	}
	s.mu.Lock()
	sweep := time.Since(s.lastSweep) > time.Minute
	if sweep {
		s.lastSweep = time.Now()
	}
	s.mu.Unlock()
	if sweep {
		if _, err := s.pool.Exec(ctx, `DELETE FROM nonces WHERE expires < $1`, ts); err != nil {
			s.log.Warn("sweep expired nonces", "err", err)
		}
	}
	return tag.RowsAffected() == 1, nil
}

// table is a collection's table: its name and key columns, and the SQL
// that reads and writes it.
type table struct {
	c              *storage.Collection
	cols           []string
	get            string
	scanGE, scanGT string // forward scans from a key, with and without it
	scanLE, scanLT string // reverse scans
	upsert, del    string
}

// columns names the key columns of each collection (schema.go).
var columns = map[string][]string{
	"meta": {"key"}, "records": {"id"}, "ops": {"cursor"}, "entries": {"device", "seq"}, "acks": {"device"},
	"aside": {"device", "seq", "hash8"}, "resolutions": {"device", "seq", "hash8"}, "quotas": {"device"},
	"chain": {"seq"}, "accounts": {"id"}, "account_numbers": {"agency", "number"}, "enrolment_codes": {"id"},
	"devices": {"id"}, "admin_log": {"at_ns", "n"}, "credentials": {"account"}, "operations": {"id"},
}

var tables = map[*storage.Collection]*table{}

func init() {
	for _, c := range storage.Collections {
		cols := columns[c.Name]
		if len(cols) != len(c.Key) {
			panic("pgstore: no columns for collection " + c.Name)
		}
		t := &table{c: c, cols: cols}
		list := strings.Join(cols, ", ")
		var where, params, arrays, join []string
		for i, col := range cols {
			where = append(where, fmt.Sprintf("%s = $%d", col, i+1))
			params = append(params, fmt.Sprintf("$%d", i+1))
			arrays = append(arrays, fmt.Sprintf("$%d::%s[]", i+1, sqlType(c.Key[i])))
			join = append(join, fmt.Sprintf("t.%s = d.%s", col, col))
		}
		row := "(" + list + ")"
		tuple := "(" + strings.Join(params, ", ") + ")"
		t.get = fmt.Sprintf("SELECT value FROM %s WHERE %s", c.Name, strings.Join(where, " AND "))
		desc := strings.Join(cols, " DESC, ") + " DESC"
		scan := func(op, order string) string {
			return fmt.Sprintf("SELECT %s, value FROM %s WHERE %s %s %s ORDER BY %s LIMIT %d", list, c.Name, row, op, tuple, order, scanChunk)
		}
		t.scanGE, t.scanGT = scan(">=", list), scan(">", list)
		t.scanLE, t.scanLT = scan("<=", desc), scan("<", desc)
		vals := append(arrays, fmt.Sprintf("$%d::bytea[]", len(cols)+1))
		t.upsert = fmt.Sprintf("INSERT INTO %s (%s, value) SELECT * FROM unnest(%s) ON CONFLICT (%s) DO UPDATE SET value = EXCLUDED.value",
			c.Name, list, strings.Join(vals, ", "), list)
		t.del = fmt.Sprintf("DELETE FROM %s t USING unnest(%s) AS d(%s) WHERE %s", c.Name, strings.Join(arrays, ", "), list, strings.Join(join, " AND "))
		tables[c] = t
	}
}

// scanChunk is how many rows one query of a scan reads: a scan that
// stops early (a pull page) reads no more than a chunk beyond it.
const scanChunk = 512

// scanBytes bounds the values of one chunk held in memory at once.
const scanBytes = 4 << 20

func sqlType(p storage.Part) string {
	switch p {
	case storage.UUID:
		return "uuid"
	case storage.Uint64, storage.Uint32:
		return "bigint"
	case storage.Bytes8:
		return "bytea"
	}
	return "text"
}

// split turns a key of c into its column values.
func split(c *storage.Collection, key []byte) ([]any, error) {
	out := make([]any, 0, len(c.Key))
	k := key
	for i, p := range c.Key {
		switch p {
		case storage.UUID:
			if len(k) < 16 {
				return nil, fmt.Errorf("%s key too short", c.Name)
			}
			var u [16]byte
			copy(u[:], k)
			out, k = append(out, u), k[16:]
		case storage.Uint64:
			if len(k) < 8 {
				return nil, fmt.Errorf("%s key too short", c.Name)
			}
			out, k = append(out, int64(binary.BigEndian.Uint64(k))), k[8:]
		case storage.Uint32:
			if len(k) < 4 {
				return nil, fmt.Errorf("%s key too short", c.Name)
			}
			out, k = append(out, int64(binary.BigEndian.Uint32(k))), k[4:]
		case storage.Bytes8:
			if len(k) < 8 {
				return nil, fmt.Errorf("%s key too short", c.Name)
			}
			out, k = append(out, bytes.Clone(k[:8])), k[8:]
		case storage.TextNUL:
			i := bytes.IndexByte(k, 0)
			if i < 0 {
				return nil, fmt.Errorf("%s key: text part not ended", c.Name)
			}
			out, k = append(out, string(k[:i])), k[i+1:]
		case storage.Text:
			if i != len(c.Key)-1 {
				return nil, fmt.Errorf("%s: a text part must be last", c.Name)
			}
			out, k = append(out, string(k)), nil
		}
	}
	if len(k) != 0 {
		return nil, fmt.Errorf("%s key: %d bytes left over", c.Name, len(k))
	}
	return out, nil
}

// join turns scanned column values back into a key of c.
func join(c *storage.Collection, vals []any) []byte {
	var k []byte
	for i, p := range c.Key {
		switch p {
		case storage.UUID:
			u := vals[i].(*[16]byte)
			k = append(k, u[:]...)
		case storage.Uint64:
			k = binary.BigEndian.AppendUint64(k, uint64(*vals[i].(*int64)))
		case storage.Uint32:
			k = binary.BigEndian.AppendUint32(k, uint32(*vals[i].(*int64)))
		case storage.Bytes8:
			k = append(k, *vals[i].(*[]byte)...)
		case storage.TextNUL:
			k = append(append(k, *vals[i].(*string)...), 0)
		case storage.Text:
			k = append(k, *vals[i].(*string)...)
		}
	}
	return k
}

// dests are fresh scan destinations for c's key columns.
func dests(c *storage.Collection) []any {
	out := make([]any, len(c.Key))
	for i, p := range c.Key {
		switch p {
		case storage.UUID:
			out[i] = new([16]byte)
		case storage.Uint64, storage.Uint32:
			out[i] = new(int64)
		case storage.Bytes8:
			out[i] = new([]byte)
		default:
			out[i] = new(string)
		}
	}
	return out
}

// seal encrypts v for key of c: version 1 ‖ nonce ‖ AES-GCM(v), with the
// collection and key as associated data, so that a value moved to
// another key or collection does not open.
func (s *Store) seal(c *storage.Collection, key, v []byte) ([]byte, error) {
	if !c.Sealed || s.aead == nil {
		return v, nil
	}
	out := make([]byte, 1+s.aead.NonceSize(), 1+s.aead.NonceSize()+len(v)+s.aead.Overhead())
	out[0] = 1
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return s.aead.Seal(out, out[1:], v, aad(c, key)), nil
}

func (s *Store) open(c *storage.Collection, key, v []byte) ([]byte, error) {
	if !c.Sealed || s.aead == nil {
		return v, nil
	}
	n := s.aead.NonceSize()
	if len(v) < 1+n || v[0] != 1 {
		return nil, fmt.Errorf("%s value is not sealed with this program's format", c.Name)
	}
	p, err := s.aead.Open(nil, v[1:1+n], v[1+n:], aad(c, key))
	if err != nil {
		return nil, fmt.Errorf("%s value does not open with the store key (another key, or changed)", c.Name)
	}
	return p, nil
}

func aad(c *storage.Collection, key []byte) []byte {
	return append(append([]byte(c.Name), 0), key...)
}

// pgTx is a transaction (or the pool, for Get): reads go through the
// writes not yet sent, then what Prefetch read, then the database.
type pgTx struct {
	s   *Store
	ctx context.Context
	q   interface {
		Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
		SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
	}
	pending map[*storage.Collection]map[string]pendingWrite
	cache   map[*storage.Collection]map[string]cached
}

type cached struct {
	value []byte
	found bool
}

type pendingWrite struct {
	key, value []byte // value nil: delete
}

var errReadOnly = errors.New("write outside a transaction")

func (t *pgTx) Get(c *storage.Collection, key []byte) ([]byte, bool, error) {
	if w, ok := t.pending[c][string(key)]; ok {
		return bytes.Clone(w.value), w.value != nil, nil
	}
	if v, ok := t.cache[c][string(key)]; ok {
		return bytes.Clone(v.value), v.found, nil
	}
	args, err := split(c, key)
	if err != nil {
		return nil, false, err
	}
	var v []byte
	err = t.q.QueryRow(t.ctx, tables[c].get, args...).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", c.Name, err)
	}
	v, err = t.s.open(c, key, v)
	return v, err == nil, err
}

func (t *pgTx) Prefetch(c *storage.Collection, keys [][]byte) error {
	var want [][]byte
	for _, k := range keys {
		if _, ok := t.pending[c][string(k)]; ok {
			continue
		}
		if _, ok := t.cache[c][string(k)]; ok {
			continue
		}
		want = append(want, k)
	}
	if len(want) == 0 {
		return nil
	}
	tb := tables[c]
	arrays, err := columnArrays(c, want)
	if err != nil {
		return err
	}
	var params, on []string
	for i, col := range tb.cols {
		params = append(params, fmt.Sprintf("$%d::%s[]", i+1, sqlType(c.Key[i])))
		on = append(on, fmt.Sprintf("t.%s = d.%s", col, col))
	}
	q := fmt.Sprintf("SELECT %s, t.value FROM %s t JOIN unnest(%s) AS d(%s) ON %s",
		"t."+strings.Join(tb.cols, ", t."), c.Name, strings.Join(params, ", "), strings.Join(tb.cols, ", "), strings.Join(on, " AND "))
	if t.cache == nil {
		t.cache = map[*storage.Collection]map[string]cached{}
	}
	m := t.cache[c]
	if m == nil {
		m = map[string]cached{}
		t.cache[c] = m
	}
	for _, k := range want {
		m[string(k)] = cached{}
	}
	rows, err := t.q.Query(t.ctx, q, arrays...)
	if err != nil {
		return fmt.Errorf("prefetch %s: %w", c.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		d := dests(c)
		var v []byte
		if err := rows.Scan(append(d, &v)...); err != nil {
			return fmt.Errorf("prefetch %s: %w", c.Name, err)
		}
		k := join(c, d)
		if v, err = t.s.open(c, k, v); err != nil {
			return err
		}
		m[string(k)] = cached{value: v, found: true}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("prefetch %s: %w", c.Name, err)
	}
	return nil
}

func (t *pgTx) Scan(c *storage.Collection, from []byte, reverse bool, fn func(k, v []byte) error) error {
	if err := t.flush(); err != nil {
		return err
	}
	tb := tables[c]
	first, next := tb.scanGE, tb.scanGT
	if reverse {
		first, next = tb.scanLE, tb.scanLT
	}
	var bound []any
	if from != nil {
		var err error
		if bound, err = split(c, from); err != nil {
			return err
		}
	} else {
		bound, first = extreme(c, reverse), next
	}
	for q := first; ; q = next {
		// A chunk is read whole before fn sees it: fn may read the store
		// itself, on the same connection.
		type kv struct{ k, v []byte }
		var chunk []kv
		var last []any
		rows, err := t.q.Query(t.ctx, q, bound...)
		if err != nil {
			return fmt.Errorf("scan %s: %w", c.Name, err)
		}
		n, size := 0, 0
		for rows.Next() {
			n++
			d := dests(c)
			var v []byte
			if err := rows.Scan(append(d, &v)...); err != nil {
				rows.Close()
				return fmt.Errorf("scan %s: %w", c.Name, err)
			}
			chunk = append(chunk, kv{join(c, d), v})
			last = d
			if size += len(v); size > scanBytes {
				break // the rest of the chunk is read again from last
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("scan %s: %w", c.Name, err)
		}
		for _, e := range chunk {
			v, err := t.s.open(c, e.k, e.v)
			if err != nil {
				return err
			}
			if err := fn(e.k, v); err != nil {
				if errors.Is(err, storage.ErrStop) {
					return nil
				}
				return err
			}
		}
		if n < scanChunk && size <= scanBytes {
			return nil
		}
		bound = make([]any, len(last))
		for i, p := range last {
			bound[i] = deref(p)
		}
	}
}

func deref(p any) any {
	switch v := p.(type) {
	case *[16]byte:
		return *v
	case *int64:
		return *v
	case *[]byte:
		return *v
	case *string:
		return *v
	}
	return nil
}

// extreme is a bound below (or, for reverse, above) every key of c.
func extreme(c *storage.Collection, reverse bool) []any {
	out := make([]any, len(c.Key))
	for i, p := range c.Key {
		switch p {
		case storage.UUID:
			var u [16]byte
			if reverse {
				for j := range u {
					u[j] = 0xff
				}
			}
			out[i] = u
		case storage.Uint64, storage.Uint32:
			if reverse {
				out[i] = int64(1<<63 - 1)
			} else {
				out[i] = int64(-1 << 63)
			}
		case storage.Bytes8:
			if reverse {
				out[i] = bytes.Repeat([]byte{0xff}, 9)
			} else {
				out[i] = []byte{}
			}
		default:
			if reverse {
				out[i] = "\U0010FFFF\U0010FFFF\U0010FFFF\U0010FFFF"
			} else {
				out[i] = ""
			}
		}
	}
	return out
}

func (t *pgTx) write(c *storage.Collection, key, value []byte) error {
	if _, ok := t.q.(*pgxpool.Pool); ok {
		return errReadOnly
	}
	if t.pending == nil {
		t.pending = map[*storage.Collection]map[string]pendingWrite{}
	}
	m := t.pending[c]
	if m == nil {
		m = map[string]pendingWrite{}
		t.pending[c] = m
	}
	m[string(key)] = pendingWrite{key: bytes.Clone(key), value: value}
	return nil
}

func (t *pgTx) Put(c *storage.Collection, key, value []byte) error {
	if value == nil {
		value = []byte{}
	}
	if _, err := split(c, key); err != nil {
		return err
	}
	return t.write(c, key, bytes.Clone(value))
}

func (t *pgTx) Delete(c *storage.Collection, key []byte) error {
	if _, err := split(c, key); err != nil {
		return err
	}
	return t.write(c, key, nil)
}

// flush sends the buffered writes: per collection, one upsert of every
// value put and one delete of every key deleted, all in one batch.
func (t *pgTx) flush() error {
	if len(t.pending) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, c := range storage.Collections {
		m := t.pending[c]
		if len(m) == 0 {
			continue
		}
		var puts, dels [][]byte
		var vals [][]byte
		for _, w := range m {
			if w.value == nil {
				dels = append(dels, w.key)
				continue
			}
			sv, err := t.s.seal(c, w.key, w.value)
			if err != nil {
				return err
			}
			puts = append(puts, w.key)
			vals = append(vals, sv)
		}
		if len(puts) > 0 {
			arrays, err := columnArrays(c, puts)
			if err != nil {
				return err
			}
			b.Queue(tables[c].upsert, append(arrays, vals)...)
		}
		if len(dels) > 0 {
			arrays, err := columnArrays(c, dels)
			if err != nil {
				return err
			}
			b.Queue(tables[c].del, arrays...)
		}
		// What is written is what a later read must find.
		if t.cache != nil {
			delete(t.cache, c)
		}
	}
	t.pending = nil
	if err := t.q.SendBatch(t.ctx, b).Close(); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// columnArrays turns keys of c into one array per key column.
func columnArrays(c *storage.Collection, keys [][]byte) ([]any, error) {
	out := make([]any, len(c.Key))
	for i, p := range c.Key {
		switch p {
		case storage.UUID:
			out[i] = make([][16]byte, 0, len(keys))
		case storage.Uint64, storage.Uint32:
			out[i] = make([]int64, 0, len(keys))
		case storage.Bytes8:
			out[i] = make([][]byte, 0, len(keys))
		default:
			out[i] = make([]string, 0, len(keys))
		}
	}
	for _, k := range keys {
		vals, err := split(c, k)
		if err != nil {
			return nil, err
		}
		for i, v := range vals {
			switch a := out[i].(type) {
			case [][16]byte:
				out[i] = append(a, v.([16]byte))
			case []int64:
				out[i] = append(a, v.(int64))
			case [][]byte:
				out[i] = append(a, v.([]byte))
			case []string:
				out[i] = append(a, v.(string))
			}
		}
	}
	return out, nil
}
