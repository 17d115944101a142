package postgres

import (
	"context"
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
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT digest_chat_id FROM regions
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
