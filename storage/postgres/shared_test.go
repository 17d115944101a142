package postgres_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// Telegram's update records through the shared writer: concurrent webhooks' records
// share commits, and each caller still learns whether its own update was new (a
// redelivery recorded in the same group or an earlier one is not).
func TestSharedCommitsKeepEachUpdateRecordsAnswer(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	g := postgres.NewGroupWriter(pool, postgres.GroupConfig{Conns: 1})
	defer g.Close()
	s := postgres.New(pool, nil).WithSharedCommits(g)
	if fresh, err := s.RecordTelegramUpdate(ctx, 7, 100, "c0", []byte("x"), time.Now().Add(time.Minute)); err != nil || !fresh {
		t.Fatalf("first record: %v %v", fresh, err)
	}
	// Hold the writer's only connection, so the records below queue up and go together.
	hold := &pgx.Batch{}
	hold.Queue(`SELECT pg_sleep(0.3)`)
	go g.Write(ctx, hold) //nolint:errcheck
	time.Sleep(50 * time.Millisecond)
	before := g.Stats()

	const n = 40 // updates 100..139, each recorded twice (a redelivery), 100 already once
	fresh := make([][2]bool, n)
	errs := make([][2]error, n)
	var wg sync.WaitGroup
	for i := range n {
		for k := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fresh[i][k], errs[i][k] = s.RecordTelegramUpdate(ctx, 7, int64(100+i), "c1", []byte("x"), time.Now().Add(time.Minute))
			}()
		}
	}
	wg.Wait()
	for i := range n {
		if errs[i][0] != nil || errs[i][1] != nil {
			t.Fatalf("update %d: %v, %v", 100+i, errs[i][0], errs[i][1])
		}
		news := 0
		for k := range 2 {
			if fresh[i][k] {
				news++
			}
		}
		want := 1
		if i == 0 {
			want = 0
		}
		if news != want {
			t.Errorf("update %d: told new %d times, want %d", 100+i, news, want)
		}
	}
	st := g.Stats()
	if batches, groups := st.Batches-before.Batches, st.Groups-before.Groups; batches < 2*n || groups >= batches {
		t.Errorf("%d records in %d transactions: want them to share commits", batches, groups)
	}
	var rows int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM telegram_updates WHERE bot_id = 7`).Scan(&rows); err != nil || rows != n {
		t.Errorf("%d rows (%v), want %d", rows, err, n)
	}

	// The handled marks go the same way; inside a transaction they belong to it.
	if err := s.MarkTelegramUpdatesHandled(ctx, 7, []int64{100, 101}); err != nil {
		t.Fatal(err)
	}
	err := s.InTx(ctx, func(ctx context.Context) error {
		if err := s.MarkTelegramUpdatesHandled(ctx, 7, []int64{102}); err != nil {
			return err
		}
		return context.Canceled // roll back
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	var handled []int64
	if err := pool.QueryRow(ctx, `SELECT array_agg(update_id ORDER BY update_id) FROM telegram_updates WHERE handled_at IS NOT NULL`).Scan(&handled); err != nil {
		t.Fatal(err)
	}
	if len(handled) != 2 || handled[0] != 100 || handled[1] != 101 {
		t.Errorf("handled %v, want 100 and 101 (102's mark was rolled back with its transaction)", handled)
	}
}

// The handled mark runs as a prepared statement, so a generic plan serves it: that plan
// must find the marked updates by key, not filter every unhandled update of the bot
// (what it did while its WHERE named handled_at, and so a partial index).
func TestHandledMarkFindsItsUpdatesByKeyInAGenericPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	if _, err := pool.Exec(ctx, `INSERT INTO telegram_updates (bot_id, update_id, chat_id, body, received_at, lease_until)
		SELECT 7, i, 'c' || (i % 500), 'x', now(), now() + interval '1 minute' FROM generate_series(1, 5000) i;
		UPDATE telegram_updates SET handled_at = now(), body = NULL WHERE update_id % 10 <> 0;
		ANALYZE telegram_updates`); err != nil {
		t.Fatal(err)
	}
	text := pgtest.GenericPlan(t, pool, postgres.MarkHandledSQL, `(7, '{10,20}', now())`)
	if !strings.Contains(text, "telegram_updates_pkey") || !strings.Contains(text, "update_id = ANY") {
		t.Errorf("the mark's generic plan does not look its updates up by key:\n%s", text)
	}
}
