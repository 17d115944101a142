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
// last prompt whose send had started by then (outbound_deliveries.started_at).
type Prompts struct {
	Queue *Queue
	// InFlightWait bounds the wait for the open position's prompt while its job is
	// running and it is not recorded yet (sent a moment ago: a person answering the
	// instant it arrives). Defaults to 1.5 s.
	InFlightWait time.Duration
}

// PromptBefore returns the Asks of the last prompt to chat the person may have seen when
// they wrote the message dated t, and false when there is none: the last one whose send
// started before t+1s (platforms date messages to the second, so one sent within the
// message's dating second may have been seen) and, when the channel numbers a chat's
// messages in one sequence (Telegram message_id: seq > 0), whose platform id is below
// seq — it was in the chat before the message was written. A prompt whose send started
// within that second but got a greater id came after the message (the bot catching up
// while the person answered the prompt before it). When that is not want (the position
// the dialogue is at) while a job of the chat taken up in the last 10 s holds want's
// prompt unrecorded, it waits (at most InFlightWait) for that send's record and looks
// again. It reads in ctx's transaction when there is one, without waiting there (a wait
// would hold the transaction's pool connection): one index probe.
func (p Prompts) PromptBefore(ctx context.Context, chat conversations.Address, t time.Time, seq int64, want string) (string, bool, error) {
	var db interface {
		QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	} = p.Queue.cfg.Pool
	wait := p.InFlightWait
	if wait <= 0 {
		wait = 1500 * time.Millisecond
	}
	if tx, ok := postgres.TxFrom(ctx); ok {
		// Never wait in a transaction: it holds a pool connection meanwhile, and with it
		// every other chat's step (the engine looks up before the step's transaction).
		db, wait = tx, 0
	}
	deadline := time.Now().Add(wait)
	pause := 5 * time.Millisecond
	last := false
	for {
		var asks string
		err := db.QueryRow(ctx, `
			SELECT asks FROM outbound_deliveries
			WHERE channel = $1 AND chat_id = $2 AND asks <> '' AND state = 'sent'
			  -- Platforms date messages to the second: a message dated t was sent in
			  -- [t, t+1s), so a prompt whose send started later was not seen ...
			  AND started_at < $3::timestamptz + interval '1 second'
			  -- ... and one that started before may have been, unless the chat's own order
			  -- says it came after the message (Telegram: one message_id sequence per chat).
			  AND CASE WHEN $4::bigint > 0 AND platform_id ~ '^[0-9]{1,18}$' THEN platform_id::bigint < $4 ELSE true END
			ORDER BY started_at DESC LIMIT 1`,
			string(chat.Channel), chat.ChatID, t, seq).Scan(&asks)
		found := err == nil
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return "", false, fmt.Errorf("last prompt to %s: %w", chat.Key(), err)
		}
		if asks == want || want == "" || last || time.Now().After(deadline) {
			return asks, found, nil
		}
		var inFlight bool
		if err := db.QueryRow(ctx, promptInFlightSQL, chat.Key(), want).Scan(&inFlight); err != nil {
			return "", false, fmt.Errorf("prompt in flight to %s: %w", chat.Key(), err)
		}
		if !inFlight {
			if last {
				return asks, found, nil
			}
			// Its send may have been recorded between the two reads: look once more.
			last = true
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

// promptInFlightSQL: is a job of the chat that asks want being sent right now (the kind
// literal, for river_job_outbound_chat; see earlierJobSQL).
const promptInFlightSQL = `
			SELECT EXISTS (SELECT 1 FROM river_job j
				CROSS JOIN LATERAL jsonb_array_elements(j.args -> 'messages') WITH ORDINALITY AS m(msg, idx)
				WHERE j.kind = '` + JobKind + `' AND j.args ->> 'chat_key' = $1 AND j.state = 'running' AND m.msg ->> 'asks' = $2
				  -- taken up just now: a dead replica's job stays running until it is rescued
				  -- (minutes), and waiting for it would hold every step of its chat
				  AND j.attempted_at > now() - interval '10 seconds'
				  AND NOT EXISTS (SELECT 1 FROM outbound_deliveries d WHERE d.job_id = j.id AND d.idx = m.idx - 1))`
