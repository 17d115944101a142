// Package postgres implements klabot's durable stores on PostgreSQL with pgx v5: the
// schema (embedded, ordered SQL migrations), the instrument, regions, people, answers,
// evidence metadata, reviews, notifications and score snapshots.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrUnreachable is returned by Open when the server cannot be reached at all.
var ErrUnreachable = errors.New("postgres unreachable")

// Open connects to the database at url and checks that it answers. A server that does not
// answer gives an error that says what to start, not a driver stack.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL is not a valid PostgreSQL URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, describe(cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return pool, nil
}

// describe turns a connection failure into one line a person can act on.
func describe(host string, port uint16, db string, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "3D000" {
		return fmt.Errorf("database %q does not exist on %s:%d: run `klabot migrate` to create it", db, host, port)
	}
	var netErr net.Error
	if errors.As(err, &netErr) || strings.Contains(err.Error(), "connect") {
		return fmt.Errorf("%w: cannot reach PostgreSQL at %s:%d — start it (e.g. `pg_ctlcluster 15 main start`) or set DATABASE_URL", ErrUnreachable, host, port)
	}
	return fmt.Errorf("postgres at %s:%d: %v", host, port, err)
}

// EnsureDatabase creates the database named in url when it does not exist yet, by
// connecting to the server's "postgres" database with the same credentials.
func EnsureDatabase(ctx context.Context, rawURL string) error {
	rawURL = withoutPoolParams(rawURL)
	cfg, err := pgx.ParseConfig(rawURL)
	if err != nil {
		return fmt.Errorf("DATABASE_URL is not a valid PostgreSQL URL: %w", err)
	}
	name := cfg.Database
	u, err := url.Parse(rawURL)
	if err != nil || name == "" {
		return fmt.Errorf("DATABASE_URL names no database")
	}
	u.Path = "/postgres"
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, u.String())
	if err != nil {
		return describe(cfg.Host, cfg.Port, "postgres", err)
	}
	defer conn.Close(ctx)
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return fmt.Errorf("look up database %q: %w", name, err)
	}
	if exists {
		return nil
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" { // created meanwhile by someone else
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %q: %w", name, err)
	}
	return nil
}

// withoutPoolParams drops pgxpool's pool_* settings (pool_max_conns ...) from a URL: a
// single connection would send them to the server, which refuses unknown parameters.
func withoutPoolParams(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Migrations returns the embedded migration names and contents in the order they apply.
func Migrations() ([]string, map[string]string, error) {
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return nil, nil, err
	}
	var names []string
	bodies := map[string]string{}
	for _, e := range entries {
		b, err := migrationFS.ReadFile("migrations/" + e.Name())
		if err != nil {
			return nil, nil, err
		}
		names = append(names, e.Name())
		bodies[e.Name()] = string(b)
	}
	sort.Strings(names)
	return names, bodies, nil
}

// Migrate applies every embedded migration not applied yet, each in its own transaction,
// under an advisory lock so that several processes starting together apply each once.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	names, bodies, err := Migrations()
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	const lockID = 7_240_001 // arbitrary, klabot's own
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockID); err != nil {
		return fmt.Errorf("migrate lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockID) //nolint:errcheck
	// River's own tables (the durable outbound queue, bot/outbound) come first: klabot's
	// migrations index river_job. rivermigrate tracks what it applied in river_migration.
	// Each of River's versions runs in a transaction of its own (some add enum values
	// that later ones use); the advisory lock held on conn still serialises processes.
	rm, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if _, err := rm.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrations: %w", err)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	applied := map[string]bool{}
	rows, err := conn.Query(ctx, `SELECT name FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		applied[n] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for _, name := range names {
		if applied[name] {
			continue
		}
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, bodies[name]); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name) VALUES ($1)`, name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

// InstanceID names this incarnation of the database: its OID, which a database dropped
// and created again under the same name does not keep. Caches of database rows kept
// outside it (the dialogue states in Redis hold answer ids) key on it, so they never
// outlive the rows they point at.
func InstanceID(ctx context.Context, pool *pgxpool.Pool) (string, error) {
	var oid uint32
	if err := pool.QueryRow(ctx, `SELECT oid FROM pg_database WHERE datname = current_database()`).Scan(&oid); err != nil {
		return "", fmt.Errorf("database instance: %w", err)
	}
	return fmt.Sprint(oid), nil
}
