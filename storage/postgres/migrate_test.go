package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	ctx := context.Background()
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	names, _, err := postgres.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(names) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(names))
	}
}

func TestEnsureDatabaseCreatesMissingDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	name := fmt.Sprintf("klabot_test_ensure_%d", time.Now().UnixNano())
	url := "postgres://postgres@127.0.0.1:5432/" + name + "?sslmode=disable"
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, pgtest.DefaultServerURL)
		if err == nil {
			c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			c.Close(ctx)
		}
	})
	if _, err := postgres.Open(ctx, url); err == nil {
		t.Fatal("Open succeeded on a database that does not exist")
	}
	for range 2 { // the second call finds it and does nothing
		if err := postgres.EnsureDatabase(ctx, url); err != nil {
			t.Fatalf("EnsureDatabase: %v", err)
		}
	}
	pool, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatalf("Open after EnsureDatabase: %v", err)
	}
	defer pool.Close()
	if err := postgres.Migrate(ctx, pool); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
}

func TestOpenUnreachableSaysWhatToStart(t *testing.T) {
	t.Parallel()
	_, err := postgres.Open(context.Background(), "postgres://postgres@127.0.0.1:1/klabot?sslmode=disable")
	if !errors.Is(err, postgres.ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
}

// River's GIN indexes on args and metadata cost every job three index writes and serve
// only JobList filters klabot never runs (migration 2200).
func TestRiverJobKeepsNoUnusedGINIndexes(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	rows, err := pool.Query(context.Background(), `SELECT indexname FROM pg_indexes
		WHERE tablename = 'river_job' AND indexdef ILIKE '% USING gin %'`)
	if err != nil {
		t.Fatal(err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 0 {
		t.Fatalf("river_job has GIN indexes %v; migration 2200 drops them", names)
	}
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_indexes
		WHERE tablename = 'river_job' AND indexname = 'river_job_prioritized_fetching_index'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatal("River's fetching index is gone: the migration dropped too much")
	}
}
