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

var _ conversations.Deliveries = (*Store)(nil)

// RecordDelivery records d in inbound_messages — in the caller's transaction (the engine
// step's, InTx) — or reports ErrDuplicate when it was recorded before. A concurrent
// transaction recording the same message makes it wait for that one's outcome.
func (s *Store) RecordDelivery(ctx context.Context, d conversations.Delivery) error {
	tag, err := s.db(ctx).Exec(ctx, `INSERT INTO inbound_messages (channel, message_id, chat_id, received_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, string(d.Channel), d.MessageID, d.ChatID, d.At)
	if err != nil {
		return fmt.Errorf("record message %s: %w", d.MessageID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("inbound message %s: %w", d.MessageID, conversations.ErrDuplicate)
	}
	return nil
}

var _ conversations.StampedDeliveries = (*Store)(nil)

// RecordDeliveryStamp records d like RecordDelivery and reads the progress stamp of
// (opdID, year) after it, in one round trip.
func (s *Store) RecordDeliveryStamp(ctx context.Context, d conversations.Delivery, opdID int64, year int) (int64, error) {
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO inbound_messages (channel, message_id, chat_id, received_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, string(d.Channel), d.MessageID, d.ChatID, d.At)
	b.Queue(stampSQL, opdID, year)
	br := s.db(ctx).SendBatch(ctx, b)
	defer br.Close()
	tag, err := br.Exec()
	if err != nil {
		return 0, fmt.Errorf("record message %s: %w", d.MessageID, err)
	}
	if tag.RowsAffected() == 0 {
		return 0, fmt.Errorf("inbound message %s: %w", d.MessageID, conversations.ErrDuplicate)
	}
	var stamp int64
	if err := br.QueryRow().Scan(&stamp); err != nil {
		return 0, fmt.Errorf("progress stamp of OPD %d/%d: %w", opdID, year, err)
	}
	return stamp, nil
}

// queueInbound adds the idempotency record to b (nothing for a delivery without id, or
// one the engine step recorded already in its transaction: conversations.Recorded).
func queueInbound(ctx context.Context, b *pgx.Batch, d conversations.Delivery) {
	if d.MessageID == "" || conversations.Recorded(ctx, d) {
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
		return mapWriteErr(runInSavepoint(ctx, tx, b))
	}
	if s.group != nil {
		return mapWriteErr(s.group.Write(ctx, b))
	}
	return mapWriteErr(s.pool.SendBatch(ctx, b).Close())
}

// writeSavepoint names the savepoint of a write batch inside a caller's transaction.
const writeSavepoint = "klabot_write"

// runInSavepoint sends b inside tx wrapped in a savepoint that travels in the batch
// itself (SAVEPOINT first, RELEASE last): still one round trip. When a statement fails,
// the savepoint is rolled back (one more round trip), so tx stays usable.
func runInSavepoint(ctx context.Context, tx pgx.Tx, b *pgx.Batch) error {
	sb := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(b.QueuedQueries)+2)}
	sb.Queue("SAVEPOINT " + writeSavepoint)
	sb.QueuedQueries = append(sb.QueuedQueries, b.QueuedQueries...)
	sb.Queue("RELEASE SAVEPOINT " + writeSavepoint)
	err := tx.SendBatch(ctx, sb).Close()
	if err == nil {
		return nil
	}
	if _, rerr := tx.Exec(ctx, "ROLLBACK TO SAVEPOINT "+writeSavepoint); rerr != nil {
		return errors.Join(err, fmt.Errorf("roll back the write: %w", rerr))
	}
	return err
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
