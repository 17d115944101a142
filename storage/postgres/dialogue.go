package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
)

var _ conversations.Checkpoints = (*Store)(nil)

const upsertCheckpoint = `INSERT INTO dialogue_checkpoints (person_id, state, updated_at) VALUES ($1, $2, $3)
	ON CONFLICT (person_id) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`

// SaveCheckpoint stores the person's dialogue position, so a lost Redis state can be
// rebuilt exactly.
func (s *Store) SaveCheckpoint(ctx context.Context, personID int64, st conversations.State) error {
	b, err := json.Marshal(st.ForCheckpoint())
	if err != nil {
		return err
	}
	if tx, ok := TxFrom(ctx); ok {
		if lt, ok := tx.(*lazyTx); ok {
			// In a step's transaction: sent with its COMMIT, not a round trip of its own
			// (a failure is logged and leaves the step, as a failed write batch would).
			lt.Defer(upsertCheckpoint, func(err error) {
				slog.Warn("save checkpoint", "person", personID, "err", err)
			}, personID, b, s.now())
			return nil
		}
	}
	// A write batch of its own, so that with group commit (WithGroupCommit) the
	// checkpoints of concurrent steps share commits too.
	wb := &pgx.Batch{}
	wb.Queue(upsertCheckpoint, personID, b, s.now())
	if err := s.runWrite(ctx, wb); err != nil {
		return fmt.Errorf("save checkpoint of person %d: %w", personID, err)
	}
	return nil
}

// queueCheckpoint adds the checkpoint of st (when not nil) to a write batch.
func queueCheckpoint(b *pgx.Batch, personID int64, st *conversations.State, at time.Time) error {
	if st == nil {
		return nil
	}
	raw, err := json.Marshal(st.ForCheckpoint())
	if err != nil {
		return err
	}
	b.Queue(upsertCheckpoint, personID, raw, at)
	return nil
}

// Checkpoint returns the person's last saved dialogue position, or ErrNotFound.
func (s *Store) Checkpoint(ctx context.Context, personID int64) (conversations.State, error) {
	var b []byte
	err := s.db(ctx).QueryRow(ctx, `SELECT state FROM dialogue_checkpoints WHERE person_id = $1`, personID).Scan(&b)
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
