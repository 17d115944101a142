package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
)

var _ digest.NotificationStore = (*Store)(nil)

// ClaimNotifications inserts claim and, only when its dedupe key was free, items, in one
// transaction. The unique dedupe_key is what makes a digest happen once per region per
// day across processes and restarts: the loser of the race inserts nothing.
func (s *Store) ClaimNotifications(ctx context.Context, claim digest.Notification, items []digest.Notification) (int64, []digest.Notification, error) {
	var won int64
	var out []digest.Notification
	err := pgx.BeginFunc(ctx, s.db(ctx), func(tx pgx.Tx) error {
		won, out = 0, nil
		id, ok, err := insertNotification(ctx, tx, s, claim)
		if err != nil || !ok {
			return err
		}
		won = id
		for _, n := range items {
			id, ok, err := insertNotification(ctx, tx, s, n)
			if err != nil {
				return err
			}
			if ok {
				n.ID = id
				out = append(out, n)
			}
		}
		return nil
	})
	if err != nil {
		return 0, nil, fmt.Errorf("claim notification %s: %w", claim.DedupeKey, err)
	}
	return won, out, nil
}

func insertNotification(ctx context.Context, tx pgx.Tx, s *Store, n digest.Notification) (int64, bool, error) {
	if n.Status == "" {
		n.Status = digest.NotificationPending
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.now()
	}
	var person *int64
	if n.PersonID != 0 {
		person = &n.PersonID
	}
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO notifications (region_code, person_id, kind, dedupe_key, channel, chat_id, status, error, created_at, sent_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (dedupe_key) DO NOTHING
		RETURNING id`,
		n.RegionCode, person, n.Kind, n.DedupeKey, string(n.To.Channel), n.To.ChatID, n.Status, n.Error, n.CreatedAt, n.SentAt).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return id, true, nil
}

// RecordNotificationOutcome marks a notification sent (errText empty) or failed with the
// reason. Sent is final: a late failure report does not overwrite it.
func (s *Store) RecordNotificationOutcome(ctx context.Context, id int64, errText string) error {
	var err error
	if errText == "" {
		_, err = s.db(ctx).Exec(ctx, `UPDATE notifications SET status = 'sent', error = '', sent_at = $2 WHERE id = $1`, id, s.now())
	} else {
		_, err = s.db(ctx).Exec(ctx, `UPDATE notifications SET status = 'failed', error = $2 WHERE id = $1 AND status <> 'sent'`, id, errText)
	}
	if err != nil {
		return fmt.Errorf("record notification %d: %w", id, err)
	}
	return nil
}

// Notifications returns the region's notifications of a kind, oldest first (for audits
// and tests).
func (s *Store) Notifications(ctx context.Context, region, kind string) ([]digest.Notification, error) {
	rows, err := s.db(ctx).Query(ctx, `
		SELECT id, region_code, coalesce(person_id, 0), kind, dedupe_key, channel, chat_id, status, error, created_at, sent_at
		FROM notifications WHERE region_code = $1 AND ($2 = '' OR kind = $2) ORDER BY id`, region, kind)
	if err != nil {
		return nil, fmt.Errorf("notifications %s: %w", region, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (digest.Notification, error) {
		var n digest.Notification
		var ch string
		err := r.Scan(&n.ID, &n.RegionCode, &n.PersonID, &n.Kind, &n.DedupeKey, &ch, &n.To.ChatID, &n.Status, &n.Error, &n.CreatedAt, &n.SentAt)
		n.To.Channel = conversations.Channel(ch)
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("notifications %s: %w", region, err)
	}
	return out, nil
}

// ClaimEach inserts every notification whose dedupe key is free, in one statement, and
// returns those inserted with their ids (the others were claimed before, by this process
// or another). It is how a tick claims thousands of nudges in one round trip.
func (s *Store) ClaimEach(ctx context.Context, items []digest.Notification) ([]digest.Notification, error) {
	if len(items) == 0 {
		return nil, nil
	}
	n := len(items)
	regions, kinds, keys, channels, chats, statuses, errs := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	persons := make([]*int64, n)
	created := make([]time.Time, n)
	byKey := make(map[string]int, n)
	items = append([]digest.Notification(nil), items...) // defaults filled in below
	for i := range items {
		it := &items[i]
		if it.Status == "" {
			it.Status = digest.NotificationPending
		}
		if it.CreatedAt.IsZero() {
			it.CreatedAt = s.now()
		}
		if it.PersonID != 0 {
			p := it.PersonID
			persons[i] = &p
		}
		regions[i], kinds[i], keys[i], channels[i], chats[i], statuses[i], errs[i], created[i] =
			it.RegionCode, it.Kind, it.DedupeKey, string(it.To.Channel), it.To.ChatID, it.Status, it.Error, it.CreatedAt
		byKey[it.DedupeKey] = i
	}
	rows, err := s.db(ctx).Query(ctx, `
		INSERT INTO notifications (region_code, person_id, kind, dedupe_key, channel, chat_id, status, error, created_at)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
		ON CONFLICT (dedupe_key) DO NOTHING
		RETURNING id, dedupe_key`, regions, persons, kinds, keys, channels, chats, statuses, errs, created)
	if err != nil {
		return nil, fmt.Errorf("claim %d notifications: %w", n, err)
	}
	var out []digest.Notification
	var id int64
	var key string
	if _, err := pgx.ForEachRow(rows, []any{&id, &key}, func() error {
		it := items[byKey[key]]
		it.ID = id
		out = append(out, it)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("claim %d notifications: %w", n, err)
	}
	return out, nil
}

// ExpirePendingNotifications marks notifications still pending from before `before` as
// failed: the process that queued them stopped before the sender reported an outcome
// (the outbound queue lives in memory). It returns how many it marked.
func (s *Store) ExpirePendingNotifications(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.db(ctx).Exec(ctx, `UPDATE notifications SET status = 'failed',
		error = 'lost: klabot stopped before the message was delivered'
		WHERE status = 'pending' AND created_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("expire pending notifications: %w", err)
	}
	return tag.RowsAffected(), nil
}
