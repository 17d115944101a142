package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/klabot/klabot/conversations"
)

// The engine's writes (answers, evidence, narratives, skips) each travel as one pgx
// batch: all statements are sent at once and end with a single Sync, so PostgreSQL runs
// them as one implicit transaction — all or nothing — in one network round trip. The
// first statement records the platform message in inbound_messages, the durable
// idempotency record: a message recorded before violates its primary key, which aborts
// the whole batch and surfaces as conversations.ErrDuplicate.

// queueInbound adds the idempotency record to b (nothing for a delivery without id).
func queueInbound(b *pgx.Batch, d conversations.Delivery) {
	if d.MessageID == "" {
		return
	}
	b.Queue(`INSERT INTO inbound_messages (channel, message_id, chat_id, received_at) VALUES ($1, $2, $3, $4)`,
		string(d.Channel), d.MessageID, d.ChatID, d.At)
}

// runWrite sends b as one implicit transaction and maps its failure. Inside a caller's
// transaction (InTx) it runs in a savepoint of it instead, all or nothing as alone: a
// duplicate message record (ErrDuplicate) rolls back only this write, and the caller's
// transaction stays usable (the step can still answer, or roll back as a whole). Group
// commit does not apply there: the caller's transaction commits.
func (s *Store) runWrite(ctx context.Context, b *pgx.Batch) error {
	if tx, ok := TxFrom(ctx); ok {
		return mapWriteErr(pgx.BeginFunc(ctx, tx, func(sp pgx.Tx) error {
			return sp.SendBatch(ctx, b).Close()
		}))
	}
	if s.group != nil {
		return mapWriteErr(s.group.Write(ctx, b))
	}
	return mapWriteErr(s.pool.SendBatch(ctx, b).Close())
}

// mapWriteErr turns the inbound record's unique violation into ErrDuplicate and maps the
// rest with mapErr.
func mapWriteErr(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == codeUnique && pe.ConstraintName == "inbound_messages_pkey" {
		return fmt.Errorf("inbound message: %w", conversations.ErrDuplicate)
	}
	if errors.As(err, &pe) && pe.Code == codeVersion {
		return fmt.Errorf("%s: %w", pe.Message, conversations.ErrConflict)
	}
	return mapErr(err)
}
