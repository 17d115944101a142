package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is klabot's Postgres store. Its methods live in one file per subject
// (instrument.go, people.go, answers.go ...); each file states which consumer
// interfaces it satisfies with a compile-time check.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time

	inst instrumentCache // Instrument() per year and version; zero value ready

	group  *GroupWriter // when set, the engine's write batches share commits
	shared *GroupWriter // when set, lone records (Telegram's update records) share commits
}

// New returns a Store on pool. now is the clock for timestamps (time.Now in production).
func New(pool *pgxpool.Pool, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{pool: pool, now: now}
}

// WithGroupCommit makes the store send the engine's write batches (answers, skips,
// evidence) through g, so concurrent steps share commits; each still returns only after
// its own commit, with the error it would have had alone.
func (s *Store) WithGroupCommit(g *GroupWriter) *Store {
	s.group = g
	return s
}

// WithSharedCommits makes the store's lone records — the statements a caller runs alone
// and waits for, many at once from concurrent requests: Telegram's update records and
// their handled marks — go through g, so that concurrent ones share a round trip and a
// commit. Each still returns after its own commit, with its own result. Inside a
// transaction (InTx) they run in it as before.
func (s *Store) WithSharedCommits(g *GroupWriter) *Store {
	s.shared = g
	return s
}

// execShared runs one statement: in ctx's transaction when it carries one, else through
// the shared writer when the store has one (WithSharedCommits), else alone.
func (s *Store) execShared(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	if _, ok := TxFrom(ctx); ok || s.shared == nil {
		return s.db(ctx).Exec(ctx, sql, args...)
	}
	var tag pgconn.CommandTag
	b := &pgx.Batch{}
	b.Queue(sql, args...).Exec(func(t pgconn.CommandTag) error {
		tag = t
		return nil
	})
	err := s.shared.Write(ctx, b)
	return tag, err
}

// Pool returns the underlying pool, for health checks and the load tool's baseline.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }
