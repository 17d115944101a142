package outbound

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// Prompts answers which prompt a chat had been sent by a given moment, from the
// deliveries the queue recorded (answering.Prompts): the position (Outbound.Asks) of the
// last prompt whose send had started by then. A send still in flight is waited for
// (briefly): it counts once delivered, and not when it fails and is tried again later.
type Prompts struct {
	Queue *Queue
	// InFlightWait is how long after its start a send in flight is waited for (a person
	// answering the moment it arrives); older ones (a dead sender's) do not count.
	// Defaults to 3 s.
	InFlightWait time.Duration
}

// PromptBefore returns the Asks of the last prompt to chat whose delivery started at or
// before t, and false when none did. It reads in ctx's transaction when there is one.
func (p Prompts) PromptBefore(ctx context.Context, chat conversations.Address, t time.Time) (string, bool, error) {
	var db interface {
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	} = p.Queue.cfg.Pool
	if tx, ok := postgres.TxFrom(ctx); ok {
		db = tx
	}
	wait := p.InFlightWait
	if wait <= 0 {
		wait = 3 * time.Second
	}
	pause := 5 * time.Millisecond
	sending := true // a send in flight counts, once delivered
	for {
		var asks, state string
		var started time.Time
		err := db.QueryRow(ctx, `
			SELECT asks, state, started_at FROM outbound_deliveries
			WHERE channel = $1 AND chat_id = $2 AND asks <> '' AND started_at <= $3
			  AND (state = 'sent' OR $4 AND state = 'sending')
			ORDER BY started_at DESC LIMIT 1`,
			string(chat.Channel), chat.ChatID, t, sending).Scan(&asks, &state, &started)
		if errors.Is(err, pgx.ErrNoRows) {
			return "", false, nil
		}
		if err != nil {
			return "", false, fmt.Errorf("last prompt to %s: %w", chat.Key(), err)
		}
		if state == stateSent {
			return asks, true, nil
		}
		// In flight: delivered in a moment (then it counts), or tried again later (then
		// it does not). Waited for only while the send is young: one started longer ago is
		// stuck or its sender died (a killed replica's), and does not count.
		if time.Since(started) > wait {
			sending = false
			continue
		}
		tm := time.NewTimer(pause)
		select {
		case <-tm.C:
		case <-ctx.Done():
			tm.Stop()
			return "", false, ctx.Err()
		}
		pause = min(2*pause, 100*time.Millisecond)
	}
}
