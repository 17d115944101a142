package main

import (
	"bytes"
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
)

// A database dropped and created again under the same name (every `klabot loadtest` on
// a fresh database, a re-seeded demo) gives its person ids to the same people again but
// its answer ids to other answers. A dialogue state left in Redis by the old database
// said "narrative for answer 4923": the new engine trusted it (same person id, same
// year) and its UPDATE hit another person's uncommitted answer, or none ("set narrative
// of answer N: not found"). The engine's Redis keys now name the database instance.
func TestEngineStateDoesNotOutliveItsDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	env := chatEnv(t)
	const key = "telegram:7000000355:7000000355"
	states := func() *engineParts {
		t.Helper()
		var out, errs bytes.Buffer
		app := NewApp(func(k string) string { return env[k] }, strings.NewReader(""), &out, &errs)
		t.Cleanup(app.Close)
		parts, err := buildEngine(ctx, app, nil)
		if err != nil {
			t.Fatal(err)
		}
		return parts
	}
	old := conversations.State{PersonID: 355, Year: 2026, Mode: conversations.ModeNarrative, Question: "1.12", AnswerID: 5131}
	if err := states().States.Save(ctx, key, &old, "", ""); err != nil {
		t.Fatal(err)
	}
	// The same database, opened again: the dialogue goes on where it was.
	if st, _, err := states().States.Load(ctx, key, "", ""); err != nil || st == nil || st.AnswerID != old.AnswerID {
		t.Fatalf("same database: state = %+v, %v; want answer %d", st, err, old.AnswerID)
	}
	u, err := url.Parse(env["DATABASE_URL"])
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
	// The database created again under the same name: the old state is not found, so
	// the engine rebuilds the dialogue from this database's checkpoint.
	if st, _, err := states().States.Load(ctx, key, "", ""); err != nil || st != nil {
		t.Fatalf("recreated database: state = %+v, %v; want none (answer %d is another database's)", st, err, old.AnswerID)
	}
}
