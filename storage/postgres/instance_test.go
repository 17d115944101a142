package postgres_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// A database dropped and created again under the same name is another instance: the
// dialogue states cached in Redis for the old one (answer ids among them) must not be
// found by the new one, whose ids name other people's answers.
func TestInstanceIDChangesWhenTheDatabaseIsRecreated(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL := pgtest.URL(t)
	idOf := func() string {
		t.Helper()
		if err := postgres.EnsureDatabase(ctx, dbURL); err != nil {
			t.Fatal(err)
		}
		pool, err := postgres.Open(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer pool.Close()
		id, err := postgres.InstanceID(ctx, pool)
		if err != nil || id == "" {
			t.Fatalf("instance id = %q, %v", id, err)
		}
		return id
	}
	first := idOf()
	if again := idOf(); again != first {
		t.Fatalf("same database, instance %s then %s", first, again)
	}
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := u.Path[1:]
	u.Path = "/postgres"
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
		t.Fatal(err)
	}
	if recreated := idOf(); recreated == first {
		t.Fatalf("database %s dropped and created again keeps instance %s", name, first)
	}
}
