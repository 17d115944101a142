// Package pgtest gives each test its own freshly migrated PostgreSQL database, cloned from
// a template built once per migration set, so integration tests run in parallel against
// the real server. TEST_DATABASE_URL (default the local trust-auth server) names the server.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/klabot/klabot/storage/postgres"
)

// DefaultServerURL is the local server used when TEST_DATABASE_URL is unset.
const DefaultServerURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

var (
	templateOnce sync.Once
	templateName string
	templateErr  error
)

func serverURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultServerURL
}

func withDB(raw, db string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	u.Path = "/" + db
	return u.String()
}

// template builds (once per process, and once per migration set across processes) a
// migrated database to clone.
func template(ctx context.Context) (string, error) {
	templateOnce.Do(func() {
		names, bodies, err := postgres.Migrations()
		if err != nil {
			templateErr = err
			return
		}
		h := sha256.New()
		for _, n := range names {
			h.Write([]byte(n))
			h.Write([]byte(bodies[n]))
		}
		templateName = "klabot_tmpl_" + hex.EncodeToString(h.Sum(nil))[:16]
		conn, err := pgx.Connect(ctx, serverURL())
		if err != nil {
			templateErr = fmt.Errorf("pgtest: PostgreSQL is not answering at %s (start it; see .ci/run): %w", serverURL(), err)
			return
		}
		defer conn.Close(ctx)
		// Serialise template creation across test processes.
		if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7240002)`); err != nil {
			templateErr = err
			return
		}
		defer conn.Exec(ctx, `SELECT pg_advisory_unlock(7240002)`) //nolint:errcheck
		var ready bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate)`, templateName).Scan(&ready); err != nil {
			templateErr = err
			return
		}
		if ready {
			return
		}
		conn.Exec(ctx, "DROP DATABASE IF EXISTS "+templateName) //nolint:errcheck
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+templateName); err != nil {
			templateErr = err
			return
		}
		pool, err := pgxpool.New(ctx, withDB(serverURL(), templateName))
		if err != nil {
			templateErr = err
			return
		}
		templateErr = postgres.Migrate(ctx, pool)
		pool.Close()
		if templateErr != nil {
			return
		}
		_, templateErr = conn.Exec(ctx, "ALTER DATABASE "+templateName+" WITH is_template true")
	})
	return templateName, templateErr
}

// URL creates a fresh migrated database for t, drops it when t ends, and returns its URL.
func URL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	tmpl, err := template(ctx)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "klabot_test_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, serverURL())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer conn.Close(ctx)
	for attempt := 0; ; attempt++ {
		_, err = conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+tmpl)
		if err == nil {
			break
		}
		// Another process may hold a connection to the template for a moment.
		if attempt < 50 && strings.Contains(err.Error(), "being accessed by other users") {
			time.Sleep(100 * time.Millisecond)
			continue
		}
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), serverURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") //nolint:errcheck
	})
	return withDB(serverURL(), name)
}

// New returns a pool on a fresh migrated database for t, closed when t ends.
func New(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, err := pgxpool.New(context.Background(), URL(t))
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}
