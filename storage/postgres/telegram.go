package postgres

import (
	"context"
	"fmt"
	"time"
)

// RecordTelegramUpdate stores a raw update before it is handled and reports whether it was
// new: false means this update_id was recorded before (a redelivery, maybe to another
// replica) and must be dropped.
func (s *Store) RecordTelegramUpdate(ctx context.Context, botID, updateID int64, chatID string, body []byte) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO telegram_updates (bot_id, update_id, chat_id, body, received_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, botID, updateID, chatID, body, s.now())
	if err != nil {
		return false, fmt.Errorf("record telegram update %d: %w", updateID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// MarkTelegramUpdatesHandled marks updates handled and drops their bodies.
func (s *Store) MarkTelegramUpdatesHandled(ctx context.Context, botID int64, updateIDs []int64) error {
	_, err := s.pool.Exec(ctx, `UPDATE telegram_updates SET handled_at = $3, body = NULL
		WHERE bot_id = $1 AND update_id = ANY($2) AND handled_at IS NULL`, botID, updateIDs, s.now())
	if err != nil {
		return fmt.Errorf("mark telegram updates handled: %w", err)
	}
	return nil
}

// UnhandledTelegramUpdates returns the bodies of updates recorded before receivedBefore and
// not handled yet, oldest update first, at most limit.
func (s *Store) UnhandledTelegramUpdates(ctx context.Context, botID int64, receivedBefore time.Time, limit int) ([][]byte, error) {
	rows, err := s.pool.Query(ctx, `SELECT body FROM telegram_updates
		WHERE bot_id = $1 AND handled_at IS NULL AND received_at < $2 AND body IS NOT NULL
		ORDER BY update_id LIMIT $3`, botID, receivedBefore, limit)
	if err != nil {
		return nil, fmt.Errorf("unhandled telegram updates: %w", err)
	}
	defer rows.Close()
	var out [][]byte
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// PruneTelegramUpdates deletes handled dedupe records received before before (Telegram
// never redelivers an update after 24 hours).
func (s *Store) PruneTelegramUpdates(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM telegram_updates WHERE handled_at IS NOT NULL AND received_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("prune telegram updates: %w", err)
	}
	return tag.RowsAffected(), nil
}

// EarlierUnhandledTelegramUpdate reports whether the chat has an update before updateID
// that was recorded and not handled yet (another replica holds it).
func (s *Store) EarlierUnhandledTelegramUpdate(ctx context.Context, botID int64, chatID string, updateID int64) (bool, error) {
	var found bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM telegram_updates
		WHERE bot_id = $1 AND chat_id = $2 AND update_id < $3 AND handled_at IS NULL)`, botID, chatID, updateID).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("earlier telegram updates of chat %s: %w", chatID, err)
	}
	return found, nil
}
