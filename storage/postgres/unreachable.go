package postgres

import (
	"context"
	"fmt"
)

// MarkUnreachable records that a channel refused to deliver to the person (they blocked
// the bot), keeping the first time it happened. It satisfies outbound.Unreachable.
func (s *Store) MarkUnreachable(ctx context.Context, personID int64) error {
	_, err := s.db(ctx).Exec(ctx, `UPDATE people SET unreachable_at = $2 WHERE id = $1 AND unreachable_at IS NULL`, personID, s.now())
	if err != nil {
		return fmt.Errorf("mark person %d unreachable: %w", personID, err)
	}
	return nil
}

// MarkReachable clears the person's unreachable mark after a successful delivery (they
// unblocked the bot). It costs one indexed no-op update when there is no mark.
func (s *Store) MarkReachable(ctx context.Context, personID int64) error {
	_, err := s.db(ctx).Exec(ctx, `UPDATE people SET unreachable_at = NULL WHERE id = $1 AND unreachable_at IS NOT NULL`, personID)
	if err != nil {
		return fmt.Errorf("mark person %d reachable: %w", personID, err)
	}
	return nil
}
