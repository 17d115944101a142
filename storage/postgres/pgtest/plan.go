package pgtest

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// GenericPlan returns the plan Postgres uses for sql as a prepared statement once it
// plans it for any arguments (plan_cache_mode = force_generic_plan): what pgx's cached
// statements run with after a few executions. args is the EXECUTE argument list, e.g.
// `('telegram:7', 9000)`.
func GenericPlan(t testing.TB, pool *pgxpool.Pool, sql, args string) string {
	t.Helper()
	ctx := context.Background()
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	for _, s := range []string{`SET plan_cache_mode = force_generic_plan`, `DEALLOCATE ALL`, `PREPARE pgtest_plan AS ` + sql} {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	defer conn.Exec(ctx, `RESET plan_cache_mode; DEALLOCATE ALL`) //nolint:errcheck
	rows, err := conn.Query(ctx, `EXPLAIN EXECUTE pgtest_plan`+args)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}
