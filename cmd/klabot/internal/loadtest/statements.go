package loadtest

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Statement is one normalised statement's figures over the measured phase
// (pg_stat_statements).
type Statement struct {
	Query    string
	Calls    int64
	Rows     int64
	MeanMS   float64
	TotalMS  float64
	BufHits  int64 // shared buffers hit
	BufReads int64 // shared buffers read from outside
	TopLevel bool  // sent by a client, not run inside another (a foreign key check)
}

// Statements is what pg_stat_statements saw of this database during the measured phase.
type Statements struct {
	Calls   int64 // statements sent by the clients
	Nested  int64 // statements run inside them (foreign key checks, with pg_stat_statements.track = all)
	TotalMS float64
	List    []Statement // by calls, most first
}

// ResetStatements creates pg_stat_statements in the database when missing and resets its
// figures for this database only. The server must load it (shared_preload_libraries =
// 'pg_stat_statements'): use a Postgres instance of your own for this, never a shared one.
func ResetStatements(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_stat_statements`); err != nil {
		return fmt.Errorf("pg_stat_statements: %w", err)
	}
	if _, err := pool.Exec(ctx, `SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)`); err != nil {
		return fmt.Errorf("pg_stat_statements (is it in shared_preload_libraries?): %w", err)
	}
	return nil
}

// ReadStatements returns pg_stat_statements' figures of this database since the reset.
func ReadStatements(ctx context.Context, pool *pgxpool.Pool) (Statements, error) {
	rows, err := pool.Query(ctx, `SELECT query, calls, rows, mean_exec_time, total_exec_time, shared_blks_hit, shared_blks_read, toplevel
		FROM pg_stat_statements
		WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		  AND query NOT LIKE '%pg_stat_statements%'
		ORDER BY calls DESC, total_exec_time DESC`)
	if err != nil {
		return Statements{}, fmt.Errorf("pg_stat_statements: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (Statement, error) {
		var s Statement
		err := r.Scan(&s.Query, &s.Calls, &s.Rows, &s.MeanMS, &s.TotalMS, &s.BufHits, &s.BufReads, &s.TopLevel)
		s.Query = strings.Join(strings.Fields(s.Query), " ")
		return s, err
	})
	if err != nil {
		return Statements{}, fmt.Errorf("pg_stat_statements: %w", err)
	}
	st := Statements{List: list}
	for _, s := range list {
		if !s.TopLevel {
			st.Nested += s.Calls
			continue
		}
		st.Calls += s.Calls
		st.TotalMS += s.TotalMS
	}
	return st, nil
}

// Write prints the statements per answer and per message, at most top of them.
func (st Statements) Write(w io.Writer, answers, messages, top int) {
	per := func(n int64, d int) float64 {
		if d == 0 {
			return 0
		}
		return float64(n) / float64(d)
	}
	fmt.Fprintf(w, "statements (pg_stat_statements, measured phase): %d = %.2f per answer, %.2f per message; execution %.0f ms = %.3f ms per message; %d nested (foreign key checks) = %.2f per answer\n",
		st.Calls, per(st.Calls, answers), per(st.Calls, messages), st.TotalMS, st.TotalMS/max(float64(messages), 1),
		st.Nested, per(st.Nested, answers))
	for i, s := range st.List {
		if i == top {
			break
		}
		q := s.Query
		if !s.TopLevel {
			q = "(nested) " + q
		}
		if len(q) > 110 {
			q = q[:110] + "…"
		}
		fmt.Fprintf(w, "  %6.3f/answer %8d calls %7.3f ms %7.1f hits/call %5.2f rows/call  %s\n",
			per(s.Calls, answers), s.Calls, s.MeanMS, per(s.BufHits, int(s.Calls)), per(s.Rows, int(s.Calls)), q)
	}
}
