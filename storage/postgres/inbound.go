package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
)

// recordInbound is the durable idempotency record: it inserts the platform message into
// inbound_messages inside the caller's transaction and fails with
// conversations.ErrDuplicate when the message was recorded before, so the whole write
// rolls back. A delivery without a message id is not recorded.
func recordInbound(ctx context.Context, tx pgx.Tx, d conversations.Delivery) error {
	if d.MessageID == "" {
		return nil
	}
	tag, err := tx.Exec(ctx, `INSERT INTO inbound_messages (channel, message_id, chat_id, received_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, string(d.Channel), d.MessageID, d.ChatID, d.At)
	if err != nil {
		return fmt.Errorf("record inbound %s/%s: %w", d.Channel, d.MessageID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("inbound %s/%s: %w", d.Channel, d.MessageID, conversations.ErrDuplicate)
	}
	return nil
}
