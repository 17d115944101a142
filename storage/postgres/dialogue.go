package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/klabot/klabot/conversations"
)

var _ conversations.Checkpoints = (*Store)(nil)

// execer is what a pool and a transaction both offer for single statements.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// SaveCheckpoint stores the person's dialogue position, so a lost Redis state can be
// rebuilt exactly.
func (s *Store) SaveCheckpoint(ctx context.Context, personID int64, st conversations.State) error {
	return saveCheckpoint(ctx, s.pool, personID, &st, s.now())
}

func saveCheckpoint(ctx context.Context, q execer, personID int64, st *conversations.State, at any) error {
	if st == nil {
		return nil
	}
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = q.Exec(ctx, `INSERT INTO dialogue_checkpoints (person_id, state, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (person_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
		personID, b, at)
	if err != nil {
		return fmt.Errorf("save checkpoint of person %d: %w", personID, err)
	}
	return nil
}

// Checkpoint returns the person's last saved dialogue position, or ErrNotFound.
func (s *Store) Checkpoint(ctx context.Context, personID int64) (conversations.State, error) {
	var b []byte
	err := s.pool.QueryRow(ctx, `SELECT state FROM dialogue_checkpoints WHERE person_id = $1`, personID).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return conversations.State{}, fmt.Errorf("checkpoint of person %d: %w", personID, conversations.ErrNotFound)
	}
	if err != nil {
		return conversations.State{}, fmt.Errorf("checkpoint of person %d: %w", personID, err)
	}
	var st conversations.State
	if err := json.Unmarshal(b, &st); err != nil {
		return conversations.State{}, fmt.Errorf("checkpoint of person %d: %w", personID, err)
	}
	return st, nil
}
