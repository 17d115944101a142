package pgtest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// Outbox is a durable outbox for the producers' tests: Enqueue inserts one row into the
// table test_outbox inside the transaction ctx carries (postgres.TxFrom), or alone on
// the pool, like bot/outbound.Outbox inserts its jobs. Nothing is ever delivered; the
// tests read the rows.
type Outbox struct {
	pool *pgxpool.Pool

	mu   sync.Mutex
	fail func(conversations.Outbound) error
}

// OutboxRow is one queued message.
type OutboxRow struct {
	Chat           string // Address.Key()
	PersonID       int64
	Text           string
	Kind           string
	NotificationID int64
	Attachment     bool
	InTx           bool // inserted inside a caller's transaction
}

// NewOutbox creates test_outbox in pool's database.
func NewOutbox(t testing.TB, pool *pgxpool.Pool) *Outbox {
	t.Helper()
	_, err := pool.Exec(context.Background(), `CREATE TABLE IF NOT EXISTS test_outbox (
		id bigserial PRIMARY KEY, chat text NOT NULL, person_id bigint NOT NULL, text text NOT NULL,
		kind text NOT NULL, notification_id bigint NOT NULL, attachment boolean NOT NULL, in_tx boolean NOT NULL)`)
	if err != nil {
		t.Fatal(err)
	}
	return &Outbox{pool: pool}
}

// FailWhen makes Enqueue fail (before inserting) for the messages fn returns an error
// for; nil: never.
func (o *Outbox) FailWhen(fn func(conversations.Outbound) error) {
	o.mu.Lock()
	o.fail = fn
	o.mu.Unlock()
}

// Enqueue inserts out.
func (o *Outbox) Enqueue(ctx context.Context, out conversations.Outbound) error {
	o.mu.Lock()
	fail := o.fail
	o.mu.Unlock()
	if fail != nil {
		if err := fail(out); err != nil {
			return err
		}
	}
	const q = `INSERT INTO test_outbox (chat, person_id, text, kind, notification_id, attachment, in_tx)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`
	args := []any{out.To.Key(), out.PersonID, out.Text, out.Kind, out.NotificationID, out.Attachment != nil}
	var err error
	if tx, ok := postgres.TxFrom(ctx); ok {
		_, err = tx.Exec(ctx, q, append(args, true)...)
	} else {
		_, err = o.pool.Exec(ctx, q, append(args, false)...)
	}
	if err != nil {
		return fmt.Errorf("test outbox: %w", err)
	}
	return nil
}

// Rows returns the queued (committed) messages in order.
func (o *Outbox) Rows(t testing.TB) []OutboxRow {
	t.Helper()
	rows, err := o.pool.Query(context.Background(), `SELECT chat, person_id, text, kind, notification_id, attachment, in_tx
		FROM test_outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []OutboxRow
	for rows.Next() {
		var r OutboxRow
		if err := rows.Scan(&r.Chat, &r.PersonID, &r.Text, &r.Kind, &r.NotificationID, &r.Attachment, &r.InTx); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
