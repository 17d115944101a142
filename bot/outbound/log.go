package outbound

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// LogEntry is one message in the notifications log: who got what, when, with what outcome.
type LogEntry struct {
	At         time.Time // when the outcome was recorded (sent, given up), or queued while pending
	PersonID   int64     // 0 for a group chat
	PersonName string
	Channel    string
	ChatID     string
	Kind       string // reply, notice, digest, nudge, escalation, bulk
	State      string // sent, blocked, failed, pending, skipped
	Reason     string // why it was given up
}

// Log lists a region's messages, newest first, at most limit: every delivery the queue
// recorded (to the region's people, and the region's digests to group chats), the
// region's proactive messages not delivered yet or recorded before the durable queue
// (notifications table), and the other messages to its people still queued (a review
// note waiting for its chat, "pending"). personID, when not 0, keeps that person's only.
func Log(ctx context.Context, pool *pgxpool.Pool, region string, personID int64, limit int) ([]LogEntry, error) {
	rows, err := pool.Query(ctx, `
		SELECT d.recorded_at, coalesce(d.person_id, 0), coalesce(p.name, ''), d.channel, d.chat_id, d.kind, d.state, d.reason
		FROM outbound_deliveries d
		LEFT JOIN people p ON p.id = d.person_id
		LEFT JOIN notifications n ON n.id = d.notification_id
		WHERE coalesce(n.region_code, p.region_code) = $1 AND ($2 = 0 OR d.person_id = $2)
		UNION ALL
		SELECT coalesce(n.sent_at, n.created_at), coalesce(n.person_id, 0), coalesce(p.name, ''), n.channel, n.chat_id, n.kind,
			n.status, n.error
		FROM notifications n
		LEFT JOIN people p ON p.id = n.person_id
		WHERE n.region_code = $1 AND ($2 = 0 OR n.person_id = $2) AND n.chat_id <> ''
		  AND NOT EXISTS (SELECT 1 FROM outbound_deliveries d WHERE d.notification_id = n.id)
		UNION ALL
		SELECT j.created_at, p.id, p.name, j.args->>'channel', j.args->>'chat_id', m.msg->>'kind', 'pending', ''
		FROM river_job j
		CROSS JOIN LATERAL jsonb_array_elements(j.args->'messages') WITH ORDINALITY AS m(msg, idx)
		JOIN people p ON p.id = (m.msg->>'person_id')::bigint
		WHERE j.kind = '`+JobKind+`' AND j.state IN ('available', 'pending', 'retryable', 'running', 'scheduled')
		  AND p.region_code = $1 AND ($2 = 0 OR p.id = $2)
		  AND coalesce((m.msg->>'notification_id')::bigint, 0) = 0
		  AND NOT EXISTS (SELECT 1 FROM outbound_deliveries d WHERE d.job_id = j.id AND d.idx = m.idx - 1)
		ORDER BY 1 DESC
		LIMIT $3`, region, personID, limit)
	if err != nil {
		return nil, fmt.Errorf("notifications log %s: %w", region, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (LogEntry, error) {
		var e LogEntry
		err := r.Scan(&e.At, &e.PersonID, &e.PersonName, &e.Channel, &e.ChatID, &e.Kind, &e.State, &e.Reason)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("notifications log %s: %w", region, err)
	}
	return out, nil
}
