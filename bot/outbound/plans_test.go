package outbound

import (
	"context"
	"strings"
	"testing"

	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// The worker's per-job queries on a chat's unfinished jobs run as prepared statements
// (pgx caches them), so after a few executions Postgres may plan them once for any
// arguments. That generic plan must still probe the chat's partial index: with the job
// kind as a parameter it could not prove the index's predicate and scanned every
// unfinished job of the queue, 327 buffers and 3.5 ms a call with a webhook backlog,
// most of Postgres's CPU. This test fails on that version of the queries. (The in-flight
// prompt lookup, promptInFlightSQL, reads running jobs only: few, as many as the workers,
// and a probe of River's state index is as good there.)
func TestChatJobQueriesUseTheChatIndex(t *testing.T) {
	ctx := context.Background()
	pool := pgtest.New(t)
	// A backlog like the webhook load's: thousands of chats with a job waiting, more done.
	if _, err := pool.Exec(ctx, `
		INSERT INTO river_job (args, kind, max_attempts, priority, queue, state, finalized_at)
		SELECT jsonb_build_object('chat_key', 'telegram:' || (i % 4000), 'channel', 'telegram',
		         'messages', jsonb_build_array(jsonb_build_object('asks', 'q' || i))),
		       $1, 5, 1, 'outbound_telegram',
		       (CASE WHEN i % 3 = 0 THEN 'available' ELSE 'completed' END)::river_job_state,
		       CASE WHEN i % 3 = 0 THEN NULL ELSE now() END
		FROM generate_series(1, 12000) AS i`, JobKind); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `ANALYZE river_job`); err != nil {
		t.Fatal(err)
	}
	queries := map[string]struct {
		sql  string
		args string
	}{
		"awaitEarlier": {earlierJobSQL, `('telegram:7', 9000)`},
		"superseded":   {supersededSQL, `('telegram:7', 9000, 'q1')`},
	}
	for name, q := range queries {
		t.Run(name, func(t *testing.T) {
			text := pgtest.GenericPlan(t, pool, q.sql, q.args)
			if !strings.Contains(text, "river_job_outbound_chat") || strings.Contains(text, "Seq Scan on river_job") ||
				strings.Contains(text, "river_job_prioritized_fetching_index") {
				t.Errorf("generic plan does not probe the chat's index:\n%s", text)
			}
		})
	}
}
