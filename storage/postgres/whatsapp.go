package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
)

// SessionLock is a session-level Postgres advisory lock held on a connection of its own,
// so that only one klabot process holds a WhatsApp session at a time. The lock lives as
// long as the connection: when the process dies the server releases it, and when the
// connection breaks Lost is closed, because the lock may then already belong to another
// process.
type SessionLock struct {
	name string
	mu   sync.Mutex
	conn *pgx.Conn
	lost chan struct{}
	stop context.CancelFunc
	done chan struct{}
}

// TryLockSession takes the advisory lock called name ("whatsapp:session") without
// waiting. It fails with conversations.ErrConflict when another process holds it. check is
// how often the lock's connection is verified; 0 means every 10 seconds.
func (s *Store) TryLockSession(ctx context.Context, name string, check time.Duration) (*SessionLock, error) {
	if check <= 0 {
		check = 10 * time.Second
	}
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("session lock %s: %w: %v", name, conversations.ErrUnavailable, err)
	}
	// The connection leaves the pool: the pool must never hand it to anyone else or
	// close it as idle while it carries the lock.
	conn := pc.Hijack()
	var ok bool
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 7240500))`, name).Scan(&ok); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("session lock %s: %w: %v", name, conversations.ErrUnavailable, err)
	}
	if !ok {
		conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("session lock %s: held by another process: %w", name, conversations.ErrConflict)
	}
	wctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	l := &SessionLock{name: name, conn: conn, lost: make(chan struct{}), stop: stop, done: make(chan struct{})}
	go l.watch(wctx, check)
	return l, nil
}

// Lost is closed when the lock's connection failed: the holder must stop using the
// session and try to take the lock again.
func (l *SessionLock) Lost() <-chan struct{} { return l.lost }

func (l *SessionLock) watch(ctx context.Context, every time.Duration) {
	defer close(l.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		// The ping does not derive from ctx: Release cancels ctx, and pgx closes a
		// connection whose query is cancelled mid-flight — which would lose the lock's
		// connection just before Release unlocks on it.
		pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		l.mu.Lock()
		err := l.conn.Ping(pctx)
		l.mu.Unlock()
		cancel()
		if err != nil && ctx.Err() == nil {
			close(l.lost)
			return
		}
	}
}

// Release gives the lock up and closes its connection. It is safe to call more than once.
func (l *SessionLock) Release(ctx context.Context) error {
	l.stop()
	<-l.done
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return nil
	}
	_, err := l.conn.Exec(ctx, `SELECT pg_advisory_unlock(hashtextextended($1, 7240500))`, l.name)
	cerr := l.conn.Close(ctx)
	l.conn = nil
	if err != nil {
		return fmt.Errorf("release session lock %s: %w", l.name, err)
	}
	return cerr
}

// WhatsAppDigestGroups returns the WhatsApp group JIDs that regions use as digest chats
// (regions.digest_channel = 'whatsapp'): the only groups the WhatsApp channel listens to.
func (s *Store) WhatsAppDigestGroups(ctx context.Context) ([]string, error) {
	rows, err := s.db(ctx).Query(ctx, `SELECT DISTINCT digest_chat_id FROM regions
		WHERE digest_channel = 'whatsapp' AND digest_chat_id <> '' ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("whatsapp digest groups: %w", err)
	}
	groups, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("whatsapp digest groups: %w", err)
	}
	return groups, nil
}

// RecordWhatsAppMessage stores an incoming message's sealed body before it is
// acknowledged to WhatsApp, and reports whether it still needs handling: true for a new
// message and for one recorded before but not handled yet (a redelivery after a crash),
// false for one already handled.
func (s *Store) RecordWhatsAppMessage(ctx context.Context, id, chatID string, body []byte) (bool, error) {
	var pending bool
	err := s.db(ctx).QueryRow(ctx, `INSERT INTO whatsapp_messages (message_id, chat_id, body, received_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (message_id) DO UPDATE SET chat_id = whatsapp_messages.chat_id
		RETURNING handled_at IS NULL`, id, chatID, body, s.now()).Scan(&pending)
	if err != nil {
		return false, fmt.Errorf("record whatsapp message %s: %w", id, err)
	}
	return pending, nil
}

// MarkWhatsAppMessageHandled marks a message handled and drops its body.
func (s *Store) MarkWhatsAppMessageHandled(ctx context.Context, id string) error {
	_, err := s.db(ctx).Exec(ctx, `UPDATE whatsapp_messages SET handled_at = $2, body = NULL
		WHERE message_id = $1 AND handled_at IS NULL`, id, s.now())
	if err != nil {
		return fmt.Errorf("mark whatsapp message handled: %w", err)
	}
	return nil
}

// UnhandledWhatsAppMessages returns the bodies of messages recorded before before and not
// handled yet, oldest first, at most limit.
func (s *Store) UnhandledWhatsAppMessages(ctx context.Context, before time.Time, limit int) ([][]byte, error) {
	rows, err := s.db(ctx).Query(ctx, `SELECT body FROM whatsapp_messages
		WHERE handled_at IS NULL AND received_at < $1 AND body IS NOT NULL
		ORDER BY received_at, message_id LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("unhandled whatsapp messages: %w", err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[[]byte])
}

// PruneWhatsAppMessages deletes handled dedupe records received before before.
func (s *Store) PruneWhatsAppMessages(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.db(ctx).Exec(ctx, `DELETE FROM whatsapp_messages WHERE handled_at IS NOT NULL AND received_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("prune whatsapp messages: %w", err)
	}
	return tag.RowsAffected(), nil
}

// RecordSentWhatsAppMessage keeps a sent message's sealed body for retry receipts.
func (s *Store) RecordSentWhatsAppMessage(ctx context.Context, id, chatID string, body []byte) error {
	_, err := s.db(ctx).Exec(ctx, `INSERT INTO whatsapp_sent (message_id, chat_id, body, sent_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (message_id) DO UPDATE SET body = excluded.body`, id, chatID, body, s.now())
	if err != nil {
		return fmt.Errorf("record sent whatsapp message %s: %w", id, err)
	}
	return nil
}

// SentWhatsAppMessage returns a sent message's sealed body, or nil when it is not kept
// (never sent to chatID, or pruned).
func (s *Store) SentWhatsAppMessage(ctx context.Context, chatID, id string) ([]byte, error) {
	var body []byte
	err := s.db(ctx).QueryRow(ctx, `SELECT body FROM whatsapp_sent WHERE message_id = $1 AND chat_id = $2`, id, chatID).Scan(&body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sent whatsapp message %s: %w", id, err)
	}
	return body, nil
}

// PruneSentWhatsAppMessages deletes sent messages kept since before before.
func (s *Store) PruneSentWhatsAppMessages(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.db(ctx).Exec(ctx, `DELETE FROM whatsapp_sent WHERE sent_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("prune sent whatsapp messages: %w", err)
	}
	return tag.RowsAffected(), nil
}
