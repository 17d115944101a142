package console_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/klabot/klabot/bot/console"
	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// pgTrips counts Postgres round trips: each query, exec (BEGIN and COMMIT too) and batch
// is one, with the first words of each for the log.
type pgTrips struct {
	mu    sync.Mutex
	sql   []string
	stmts int // statements sent, a batch's each
}

func (c *pgTrips) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	c.add(d.SQL)
	return ctx
}
func (c *pgTrips) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}
func (c *pgTrips) TraceBatchStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceBatchStartData) context.Context {
	var parts []string
	for _, q := range d.Batch.QueuedQueries {
		parts = append(parts, short(q.SQL))
	}
	c.add("batch[" + strings.Join(parts, "; ") + "]")
	c.mu.Lock()
	c.stmts += len(d.Batch.QueuedQueries) - 1
	c.mu.Unlock()
	return ctx
}
func (c *pgTrips) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}
func (c *pgTrips) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData)     {}

func short(sql string) string {
	f := strings.Fields(sql)
	if len(f) > 4 {
		f = f[:4]
	}
	return strings.Join(f, " ")
}

func (c *pgTrips) add(sql string) {
	if strings.Contains(sql, "PGNotifyMany") || strings.Contains(sql, "held-back insert notification") {
		// The workers' wake-up (River's, or a notification the cooldown held back and
		// that follows the commit on a timer): at most once per queue every few ms, and
		// off the step's path.
		return
	}
	c.mu.Lock()
	c.sql = append(c.sql, short(sql))
	c.stmts++
	c.mu.Unlock()
}

func (c *pgTrips) take() ([]string, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, n := c.sql, c.stmts
	c.sql, c.stmts = nil, 0
	return s, n
}

// TestOrdinaryStepPostgresRoundTrips: with the durable queue in the step's transaction,
// an ordinary answer whose progress copy is current takes three round trips: BEGIN with
// the record and the progress stamp, the answer's write batch, and COMMIT with the
// progress bumps and the queued replies (their River jobs and the workers' wake-up,
// bot/outbound insertJobsSQL); a status two (the progress is not read); a navigation two
// (its checkpoint travels with COMMIT too). The statements are pinned as well.
func TestOrdinaryStepPostgresRoundTrips(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	trips := &pgTrips{}
	cfg, err := pgxpool.ParseConfig(w.Store.Pool().Config().ConnString())
	must(t, err)
	cfg.ConnConfig.Tracer = trips
	pool, err := pgxpool.NewWithConfig(w.Ctx, cfg)
	must(t, err)
	t.Cleanup(pool.Close)
	w.Store = postgres.New(pool, w.Clock.Now)
	q, err := outbound.New(outbound.Config{Pool: pool, Secret: "test", TestOnly: true})
	must(t, err)
	w.eng = w.EngineWith(nil, func(d *conversations.Deps) { d.Outbox = q })
	s := console.NewSession(w.eng, "chat-budi", "budi")
	s.Now = w.Clock.Now
	for _, step := range []struct {
		text       string
		max, stmts int
	}{{"mulai", 0, 0}, {"lewati", 3, 14}, {"ya", 3, 14}, {"status", 2, 5}, {"ubah 4", 2, 8}, {"4", 3, 14}} {
		if _, err := s.Send(w.Ctx, step.text); err != nil {
			t.Fatalf("%q: %v", step.text, err)
		}
		got, stmts := trips.take()
		if step.max > 0 && (len(got) > step.max || stmts > step.stmts) {
			t.Errorf("%q: %d Postgres round trips, %d statements, want at most %d and %d:\n%s", step.text, len(got), stmts, step.max, step.stmts, strings.Join(got, "\n"))
		} else {
			t.Logf("%q: %d Postgres round trips, %d statements: %s", step.text, len(got), stmts, strings.Join(got, " | "))
		}
	}
}
