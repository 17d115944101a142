package postgres

import (
	"context"
	"fmt"
)

// MarkUnreachable records that a channel refused to deliver to the person (they blocked
// the bot), keeping the first time it happened. It satisfies outbound.Unreachable.
func (s *Store) MarkUnreachable(ctx context.Context, personID int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE people SET unreachable_at = $2 WHERE id = $1 AND unreachable_at IS NULL`, personID, s.now())
	if err != nil {
		return fmt.Errorf("mark person %d unreachable: %w", personID, err)
	}
	return nil
}
