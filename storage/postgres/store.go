package postgres

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Store is klabot's Postgres store. Its methods live in one file per subject
// (instrument.go, people.go, answers.go ...); each file states which consumer
// interfaces it satisfies with a compile-time check.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time

	inst instrumentCache // Instrument() per year and version; zero value ready

	group *GroupWriter // when set, the engine's write batches share commits
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

// Pool returns the underlying pool, for health checks and the load tool's baseline.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }
