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
	mu  sync.Mutex
	sql []string
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
	if strings.Contains(sql, "PGNotifyMany") {
		return // River's wake-up of its workers, at most once per queue every few ms
	}
	c.mu.Lock()
	c.sql = append(c.sql, short(sql))
	c.mu.Unlock()
}

func (c *pgTrips) take() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.sql
	c.sql = nil
	return s
}

// TestOrdinaryStepPostgresRoundTrips: with the durable queue in the step's transaction,
// an ordinary answer whose progress copy is current takes four round trips (River's
// throttled NOTIFY aside): BEGIN with the record and the progress stamp, the answer's
// write batch, the queued replies, COMMIT; a status three (the progress is not read); a
// navigation three (its checkpoint travels with COMMIT).
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
		text string
		max  int
	}{{"mulai", 0}, {"lewati", 4}, {"ya", 4}, {"status", 3}, {"ubah 4", 3}, {"4", 4}} {
		if _, err := s.Send(w.Ctx, step.text); err != nil {
			t.Fatalf("%q: %v", step.text, err)
		}
		got := trips.take()
		if step.max > 0 && len(got) > step.max {
			t.Errorf("%q: %d Postgres round trips, want at most %d:\n%s", step.text, len(got), step.max, strings.Join(got, "\n"))
		} else {
			t.Logf("%q: %d Postgres round trips: %s", step.text, len(got), strings.Join(got, " | "))
		}
	}
}
