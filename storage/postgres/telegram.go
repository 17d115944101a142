package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// The telegram_updates table is Telegram's durable inbound record: every update is
// recorded (webhook: before the 200) under its bot id and update_id — the dedupe key, so a
// new bot on the same database, or update ids that start again, lose nothing — and stays
// until it is handled. A process holds the updates it works on with a lease
// (lease_until) that it renews; a dead process's updates become free when their lease
// runs out and are claimed by the next sweep of any process.

// recordedUpdate is one recorded, unhandled update claimed for a replay.
type recordedUpdate struct {
	id       int64
	body     []byte // sealed update JSON
	attempts int    // earlier handlings given back because a dependency was down
	received time.Time
}

// RecordTelegramUpdate stores a raw update before it is handled, held by the caller until
// leaseUntil, and reports whether it was new: false means this update_id was recorded
// before (a redelivery, maybe to another replica) and must be dropped.
func (s *Store) RecordTelegramUpdate(ctx context.Context, botID, updateID int64, chatID string, body []byte, leaseUntil time.Time) (bool, error) {
	tag, err := s.execShared(ctx, `INSERT INTO telegram_updates (bot_id, update_id, chat_id, body, received_at, lease_until)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, botID, updateID, chatID, body, s.now(), leaseUntil)
	if err != nil {
		return false, fmt.Errorf("record telegram update %d: %w", updateID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// MarkTelegramUpdatesHandled marks updates handled and drops their bodies. An update
// marked before keeps its first handled time. (The statement leaves handled_at out of its
// WHERE on purpose: with it, the generic plan of the prepared statement took a partial
// index of the unhandled updates and filtered all of the bot's, 230 buffers a call in the
// webhook load; without it only the primary key serves.)
func (s *Store) MarkTelegramUpdatesHandled(ctx context.Context, botID int64, updateIDs []int64) error {
	_, err := s.execShared(ctx, markHandledSQL, botID, updateIDs, s.now())
	if err != nil {
		return fmt.Errorf("mark telegram updates handled: %w", err)
	}
	return nil
}

const markHandledSQL = `UPDATE telegram_updates SET handled_at = coalesce(handled_at, $3), body = NULL, lease_until = NULL
	WHERE bot_id = $1 AND update_id = ANY($2)`

// RenewTelegramLeases extends the caller's hold on unhandled updates until until.
func (s *Store) RenewTelegramLeases(ctx context.Context, botID int64, updateIDs []int64, until time.Time) error {
	_, err := s.db(ctx).Exec(ctx, `UPDATE telegram_updates SET lease_until = $3
		WHERE bot_id = $1 AND update_id = ANY($2) AND handled_at IS NULL`, botID, updateIDs, until)
	if err != nil {
		return fmt.Errorf("renew telegram update leases: %w", err)
	}
	return nil
}

// DeferTelegramUpdates gives updates back unhandled (a dependency was down): their lease
// ends, their attempts grow by one, and they are replayed from retryAt.
func (s *Store) DeferTelegramUpdates(ctx context.Context, botID int64, updateIDs []int64, retryAt time.Time) error {
	_, err := s.db(ctx).Exec(ctx, `UPDATE telegram_updates SET lease_until = NULL, retry_at = $3, attempts = attempts + 1
		WHERE bot_id = $1 AND update_id = ANY($2) AND handled_at IS NULL`, botID, updateIDs, retryAt)
	if err != nil {
		return fmt.Errorf("defer telegram updates: %w", err)
	}
	return nil
}

// ClaimTelegramUpdates takes up to limit unhandled updates that nobody holds (no lease,
// or a lease that ran out: its process died) and whose retry time has come, oldest first,
// holds them for the caller until leaseUntil, and calls fn for each (with its sealed body,
// how often it was given back, and when it was received). Concurrent callers claim
// disjoint sets.
func (s *Store) ClaimTelegramUpdates(ctx context.Context, botID int64, leaseUntil time.Time, limit int, fn func(updateID int64, body []byte, attempts int, received time.Time)) error {
	now := s.now()
	rows, err := s.db(ctx).Query(ctx, `UPDATE telegram_updates t SET lease_until = $3
		FROM (SELECT update_id FROM telegram_updates
			WHERE bot_id = $1 AND handled_at IS NULL AND body IS NOT NULL
			  AND (lease_until IS NULL OR lease_until < $2) AND (retry_at IS NULL OR retry_at <= $2)
			ORDER BY update_id LIMIT $4 FOR UPDATE SKIP LOCKED) free
		WHERE t.bot_id = $1 AND t.update_id = free.update_id
		RETURNING t.update_id, t.body, t.attempts, t.received_at`, botID, now, leaseUntil, limit)
	if err != nil {
		return fmt.Errorf("claim telegram updates: %w", err)
	}
	defer rows.Close()
	var out []recordedUpdate
	for rows.Next() {
		var u recordedUpdate
		if err := rows.Scan(&u.id, &u.body, &u.attempts, &u.received); err != nil {
			return fmt.Errorf("claim telegram updates: %w", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("claim telegram updates: %w", err)
	}
	// RETURNING does not keep the subquery's order.
	slices.SortFunc(out, func(a, b recordedUpdate) int { return cmp.Compare(a.id, b.id) })
	for _, u := range out {
		fn(u.id, u.body, u.attempts, u.received)
	}
	return nil
}

// PruneTelegramUpdates deletes handled dedupe records received before before (Telegram
// never redelivers an update after 24 hours).
func (s *Store) PruneTelegramUpdates(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.db(ctx).Exec(ctx, `DELETE FROM telegram_updates WHERE handled_at IS NOT NULL AND received_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("prune telegram updates: %w", err)
	}
	return tag.RowsAffected(), nil
}

// EarlierHeldTelegramUpdates returns (up to 20 of) the chat's unhandled updates before
// updateID that a live process holds (their lease has not run out): that process is
// handling them, so a later update of the chat waits for them. An update nobody holds (its
// process died, or it waits for a retry) is replayed by the sweep and waited for by no one.
func (s *Store) EarlierHeldTelegramUpdates(ctx context.Context, botID int64, chatID string, updateID int64) ([]int64, error) {
	rows, err := s.db(ctx).Query(ctx, `SELECT update_id FROM telegram_updates
		WHERE bot_id = $1 AND chat_id = $2 AND update_id < $3 AND handled_at IS NULL AND lease_until > $4
		ORDER BY update_id LIMIT 20`, botID, chatID, updateID, s.now())
	if err != nil {
		return nil, fmt.Errorf("earlier telegram updates of chat %s: %w", chatID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("earlier telegram updates of chat %s: %w", chatID, err)
	}
	return ids, nil
}
