package outbound

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/klabot/klabot/conversations"
)

// IDTransport is a Transport that can be given the message id to use (WhatsApp: the same
// id for a resend, so WhatsApp drops the duplicate) and that reports the platform's id of
// what it sent. The queue prefers it over Deliver.
type IDTransport interface {
	DeliverID(ctx context.Context, out conversations.Outbound, id string) (platformID string, err error)
}

// Deferrer is an error saying the message's turn is later (WhatsApp's bulk pacing, working
// hours, daily cap): the job snoozes for Defer() without counting an attempt.
type Deferrer interface {
	error
	Defer() time.Duration
}

// WaitError says the channel cannot send right now but will soon, through no fault of the
// message (WhatsApp: this process holds the session but is reconnecting): the job
// snoozes for After without counting an attempt.
type WaitError struct {
	After time.Duration
	Err   error
}

func (e *WaitError) Error() string        { return fmt.Sprintf("wait %s: %v", e.After, e.Err) }
func (e *WaitError) Unwrap() error        { return e.Err }
func (e *WaitError) Defer() time.Duration { return e.After }

type deliveryWorker struct {
	river.WorkerDefaults[DeliveryArgs]
	q *Queue
}

func (w *deliveryWorker) Timeout(job *river.Job[DeliveryArgs]) time.Duration {
	return w.q.jobTimeout(len(job.Args.Messages))
}

func (w *deliveryWorker) NextRetry(job *river.Job[DeliveryArgs]) time.Time {
	return time.Now().Add(w.q.nextRetry(job.Attempt))
}

func (w *deliveryWorker) Work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	return w.q.work(ctx, job)
}

// Delivery states recorded per message (outbound_deliveries.state).
const (
	stateSent       = "sent"
	stateBlocked    = "blocked"
	stateFailed     = "failed"
	stateSuperseded = "superseded" // a repeated prompt a later one made obsolete, never sent
)

// work delivers a job's messages in order, skipping those already recorded (a retry
// after a crash or a temporary failure).
func (q *Queue) work(ctx context.Context, job *river.Job[DeliveryArgs]) error {
	a := job.Args
	ch := conversations.Channel(a.Channel)
	c := q.channel(ch)
	if c == nil { // not worked here; cannot happen while queues follow transports
		return river.JobSnooze(30 * time.Second)
	}
	// Per-chat order: wait while an earlier job of this chat is not done.
	snooze, earlierDone, err := q.awaitEarlier(ctx, job, c.lim.chatInterval(a.ChatID))
	if err != nil || snooze > 0 {
		if err != nil {
			return fmt.Errorf("order check: %w", err)
		}
		return river.JobSnooze(snooze)
	}
	// Messages of this job already delivered or given up (an earlier attempt, or one
	// before a snooze) are not sent again.
	done := map[int]bool{}
	for _, i := range earlierDone {
		done[int(i)] = true
	}
	lastAttempt := job.Attempt >= job.MaxAttempts
	var given error // the last message given up, for the job's cancel reason
	for i, m := range a.Messages {
		if done[i] {
			continue
		}
		out, err := q.open(ctx, a, m)
		if err != nil {
			if errors.Is(err, errWrongKey) && !lastAttempt {
				q.cfg.Log.Error("outbound: cannot open a queued message", "job", job.ID, "err", err)
				return err // another replica, with the right key, may take it
			}
			if rerr := q.record(ctx, job, i, out, stateFailed, "", err.Error()); rerr != nil {
				return rerr
			}
			q.result(ch, ResultFailed)
			q.outcome(ctx, out, err)
			given = err
			continue
		}
		if m.Repeat && m.Asks != "" {
			// A repeated prompt (an old button, a message not applied) that a later job of
			// the chat overtook: the dialogue moved on, so it would arrive after the answer
			// it asked for. Not sent.
			later, err := q.superseded(ctx, job, m.Asks)
			if err != nil {
				return fmt.Errorf("superseded check: %w", err)
			}
			if later {
				if rerr := q.record(ctx, job, i, out, stateSuperseded, "", "a later message asks about another position"); rerr != nil {
					return rerr
				}
				continue
			}
		}
		if snooze, err := q.waitTurn(ctx, ch, c.lim, a.ChatID); err != nil || snooze > 0 {
			if err != nil {
				return err
			}
			return river.JobSnooze(snooze)
		}
		// When the send started: a message from the chat sent after it may answer this
		// prompt, however soon (Prompts.PromptBefore compares with it).
		started := q.cfg.Now()
		dctx, cancel := context.WithTimeout(ctx, q.cfg.DeliverTimeout)
		platformID, err := deliver(dctx, c.t, out, messageID(job, i))
		cancel()
		var ra *RetryAfterError
		var te *TemporaryError
		var df Deferrer
		switch {
		case err == nil:
			if rerr := q.recordAt(ctx, job, i, out, stateSent, platformID, "", started); rerr != nil {
				return rerr
			}
			q.result(ch, ResultSent)
			q.outcome(ctx, out, nil)
		case errors.As(err, &ra):
			q.result(ch, ResultThrottled)
			after := max(ra.After, 100*time.Millisecond)
			q.pacer.pause(context.WithoutCancel(ctx), string(ch), after) //nolint:errcheck // falls back to local
			q.cfg.Log.Info("outbound: throttled, channel paused", "channel", ch, "retry_after", after)
			return river.JobSnooze(after)
		case errors.As(err, &df):
			return river.JobSnooze(max(df.Defer(), 100*time.Millisecond))
		case errors.As(err, &te) && !lastAttempt:
			q.result(ch, ResultTemporary)
			q.cfg.Log.Debug("outbound: temporary failure, job retried", "job", job.ID, "attempt", job.Attempt, "err", err)
			return err
		case errors.Is(err, ErrBlocked):
			q.result(ch, ResultBlocked)
			// Nothing more reaches this chat: every message left is given up with it.
			for j := i; j < len(a.Messages); j++ {
				if done[j] {
					continue
				}
				o := out
				if j != i {
					o = conversations.Outbound{To: out.To, PersonID: a.Messages[j].PersonID, Kind: a.Messages[j].Kind, NotificationID: a.Messages[j].NotificationID}
				}
				if rerr := q.record(ctx, job, j, o, stateBlocked, "", err.Error()); rerr != nil {
					return rerr
				}
				q.outcome(ctx, o, err)
			}
			q.cfg.Log.Warn("outbound: recipient unreachable, given up", "channel", ch, "chat", a.ChatID, "person", out.PersonID, "err", err)
			q.dropAttachments(ctx, a)
			return river.JobCancel(err)
		default: // permanent, or temporary on the last attempt
			q.result(ch, ResultFailed)
			if rerr := q.record(ctx, job, i, out, stateFailed, "", err.Error()); rerr != nil {
				return rerr
			}
			q.cfg.Log.Warn("outbound: given up", "channel", ch, "chat", a.ChatID, "person", out.PersonID, "job", job.ID, "err", err)
			q.outcome(ctx, out, err)
			given = err
		}
	}
	q.dropAttachments(ctx, a)
	if given != nil {
		return river.JobCancel(given)
	}
	return nil
}

// chatWaitInPlace is the longest a job holds its worker slot waiting for its chat (the
// chat's gap since its last message, an earlier job of the chat); a longer wait snoozes
// the job, so the slot serves other chats meanwhile. Waits for the bot's rate are taken
// in place (up to MaxWait): that rate is the channel's ceiling anyway.
const chatWaitInPlace = 50 * time.Millisecond

// recordSQL writes a message's outcome: the delivery, the notification's status, the
// message's sealed attachment dropped (it is never needed again), and the person marked
// unreachable when blocked or reachable again when sent (they may have unblocked the
// bot), in one statement: whoever reads the outcome sees all of it or none.
const recordSQL = `
			WITH ins AS (
				INSERT INTO outbound_deliveries (job_id, idx, channel, chat_id, person_id, kind, notification_id,
					state, platform_id, reason, queued_at, recorded_at, asks, started_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, coalesce($15::timestamptz, $12))
				ON CONFLICT (job_id, idx) DO NOTHING
				RETURNING 1),
			n AS (
				UPDATE notifications SET
					status = CASE WHEN $8 = 'sent' THEN 'sent' ELSE 'failed' END,
					error = CASE WHEN $8 = 'sent' THEN '' ELSE $8 || ': ' || $10 END,
					sent_at = CASE WHEN $8 = 'sent' THEN $12 ELSE sent_at END
				WHERE id = $7 AND EXISTS (SELECT 1 FROM ins) AND ($8 = 'sent' OR status <> 'sent')),
			p AS (
				UPDATE people SET unreachable_at = CASE WHEN $8 = 'sent' THEN NULL ELSE $12 END
				WHERE id = $5 AND EXISTS (SELECT 1 FROM ins)
				  AND (($8 = 'sent' AND unreachable_at IS NOT NULL) OR ($8 = 'blocked' AND unreachable_at IS NULL))),
			a AS (
				DELETE FROM outbound_attachments WHERE id = $13)
			SELECT 1`

// writeRecord runs recordSQL with args, through Config.Records when set (sharing a
// commit with other workers' records) or alone.
func (q *Queue) writeRecord(ctx context.Context, args ...any) error {
	if q.cfg.Records == nil {
		_, err := q.cfg.Pool.Exec(ctx, recordSQL, args...)
		return err
	}
	b := &pgx.Batch{}
	b.Queue(recordSQL, args...)
	return q.cfg.Records.Write(ctx, b)
}

// The queries on a chat's unfinished jobs name the job kind and the states literally, so
// that the partial index river_job_outbound_chat serves them in a generic plan too (pgx
// prepares them; a parameter for the kind cannot prove the index's predicate, and the
// generic plan scanned every unfinished job of the queue instead: 3.5 ms and 327 buffers
// per call in the webhook load). TestChatJobQueriesUseTheChatIndex checks the plans.
const (
	earlierJobSQL = `
			WITH earlier AS (
				SELECT j.state::text AS state, j.scheduled_at FROM river_job j
				WHERE j.kind = '` + JobKind + `' AND j.args ->> 'chat_key' = $1 AND j.id < $2
				  AND j.state IN ('available', 'pending', 'retryable', 'running', 'scheduled')
				  -- a job whose messages are all recorded is done sending (River may not
				  -- have marked it completed yet)
				  AND (SELECT count(*) FROM outbound_deliveries d WHERE d.job_id = j.id) < jsonb_array_length(j.args -> 'messages')
				ORDER BY j.id LIMIT 1)
			SELECT (SELECT state FROM earlier), (SELECT scheduled_at FROM earlier),
				array(SELECT idx FROM outbound_deliveries WHERE job_id = $2)`
	supersededSQL = `
		SELECT EXISTS (SELECT 1 FROM river_job j
			WHERE j.kind = '` + JobKind + `' AND j.args ->> 'chat_key' = $1 AND j.id > $2
			  AND j.state IN ('available', 'pending', 'retryable', 'running', 'scheduled')
			  AND EXISTS (SELECT 1 FROM jsonb_array_elements(j.args -> 'messages') m
			              WHERE m ->> 'asks' <> '' AND m ->> 'asks' <> $3))`
)

// awaitEarlier waits while an earlier job (lower id) of the job's chat is not finished.
// When that one is running or about to run and the chat's gap (chatGap) is short, it
// waits in place (for at most MaxWait); otherwise it returns how long to snooze: until the
// earlier job's turn, plus the chat's gap when that one is running or due (it sends first,
// and this job's first message cannot go before one gap after it). In the same round trip
// it reads which of this job's messages are recorded already.
func (q *Queue) awaitEarlier(ctx context.Context, job *river.Job[DeliveryArgs], chatGap time.Duration) (time.Duration, []int32, error) {
	deadline := time.Now().Add(q.cfg.MaxWait)
	pause := 5 * time.Millisecond
	for {
		var state *string
		var at *time.Time
		var done []int32
		err := q.cfg.Pool.QueryRow(ctx, earlierJobSQL, job.Args.ChatKey, job.ID).Scan(&state, &at, &done)
		if err != nil {
			return 0, nil, err
		}
		if state == nil {
			return 0, done, nil
		}
		wait := time.Until(*at)
		soon := *state == "running" || (*state == "available" && wait < q.cfg.MaxWait)
		if !soon {
			return max(wait, q.cfg.OrderWait), nil, nil
		}
		if chatGap > chatWaitInPlace || time.Now().After(deadline) {
			return max(max(wait, 0)+chatGap, q.cfg.OrderWait), nil, nil
		}
		t := time.NewTimer(pause)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return 0, nil, ctx.Err()
		}
		pause = min(pause*2, 100*time.Millisecond)
	}
}

// waitTurn waits for the next send slot of chat under the channel's limits. A slot
// further away than MaxWait, one the chat's own gap keeps more than chatWaitInPlace away
// (the worker slot is given back meanwhile), or a 429 pause, returns the snooze instead. The pause is
// looked at again right before returning, so no send starts during a pause another worker
// or replica met meanwhile.
func (q *Queue) waitTurn(ctx context.Context, ch conversations.Channel, lim Limits, chat string) (time.Duration, error) {
	wait, reserved, paused, err := q.pacer.take(ctx, string(ch), chat, lim.botInterval(), lim.chatInterval(chat), q.cfg.MaxWait, chatWaitInPlace)
	if err != nil {
		return 0, err
	}
	if paused || !reserved {
		return max(wait, time.Millisecond), nil
	}
	if wait <= 0 {
		return 0, nil // take looked at the pause a moment ago
	}
	t := time.NewTimer(wait)
	select {
	case <-t.C:
	case <-ctx.Done():
		t.Stop()
		return 0, ctx.Err()
	}
	if p, _ := q.pacer.pausedFor(ctx, string(ch)); p > 0 {
		return p, nil
	}

	return 0, nil
}

func deliver(ctx context.Context, t Transport, out conversations.Outbound, id string) (string, error) {
	if it, ok := t.(IDTransport); ok {
		return it.DeliverID(ctx, out, id)
	}
	return "", t.Deliver(ctx, out)
}

// messageID is the id a message of a job is sent under where the platform takes ours
// (WhatsApp): the same for every attempt of the job, so a resend is a duplicate the
// platform drops. It looks like the ids whatsmeow makes (3EB0 and hex).
func messageID(job *river.Job[DeliveryArgs], idx int) string {
	h := sha256.Sum256(fmt.Appendf(nil, "klabot %d %d %d", job.ID, job.CreatedAt.UnixNano(), idx))
	return "3EB0" + strings.ToUpper(hex.EncodeToString(h[:9]))
}

// record writes a message's outcome, and the notification's status when it is one, in
// one transaction, right after the platform answered. It keeps trying for a while when
// Postgres is away: a sent message not recorded is sent again when its job is retried.
func (q *Queue) record(ctx context.Context, job *river.Job[DeliveryArgs], idx int, out conversations.Outbound, state, platformID, reason string) error {
	return q.recordAt(ctx, job, idx, out, state, platformID, reason, time.Time{})
}

// recordAt is record with the time the message's send started (zero: the record's time).
func (q *Queue) recordAt(ctx context.Context, job *river.Job[DeliveryArgs], idx int, out conversations.Outbound, state, platformID, reason string, started time.Time) error {
	m := job.Args.Messages[idx]
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), q.cfg.DeliverTimeout)
	defer cancel()
	var person, notification *int64
	if m.PersonID != 0 {
		person = &m.PersonID
	}
	if m.NotificationID != 0 {
		notification = &m.NotificationID
	}
	var attachment *int64
	if m.Attachment != 0 {
		attachment = &m.Attachment
	}
	reason = truncate(reason, 500)
	var startedAt *time.Time
	if !started.IsZero() {
		startedAt = &started
	}
	wait := 50 * time.Millisecond
	for {
		now := q.cfg.Now()
		err := q.writeRecord(rctx, job.ID, idx, job.Args.Channel, job.Args.ChatID, person, m.Kind, notification,
			state, platformID, reason, job.CreatedAt, now, attachment, m.Asks, startedAt)
		if err == nil {
			return nil
		}
		if rctx.Err() != nil {
			q.cfg.Log.Error("outbound: could not record a delivery; the job is retried and may send it again",
				"job", job.ID, "idx", idx, "state", state, "err", err)
			return fmt.Errorf("record delivery: %w", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-rctx.Done():
			t.Stop()
		}
		wait = min(wait*2, 2*time.Second)
	}
}

// superseded reports whether a later unfinished job of the job's chat carries a prompt
// about another position than asks (one probe of river_job_outbound_chat).
func (q *Queue) superseded(ctx context.Context, job *river.Job[DeliveryArgs], asks string) (bool, error) {
	var later bool
	err := q.cfg.Pool.QueryRow(ctx, supersededSQL, job.Args.ChatKey, job.ID, asks).Scan(&later)
	return later, err
}

func (q *Queue) dropAttachments(ctx context.Context, a DeliveryArgs) {
	var ids []int64
	for _, m := range a.Messages {
		if m.Attachment != 0 {
			ids = append(ids, m.Attachment)
		}
	}
	if len(ids) == 0 {
		return
	}
	if _, err := q.cfg.Pool.Exec(context.WithoutCancel(ctx), `DELETE FROM outbound_attachments WHERE id = ANY($1)`, ids); err != nil {
		q.cfg.Log.Warn("outbound: drop delivered attachments", "err", err)
	}
}

func (q *Queue) result(ch conversations.Channel, r string) {
	if q.cfg.OnResult != nil {
		q.cfg.OnResult(ch, r)
	}
}

func (q *Queue) outcome(ctx context.Context, out conversations.Outbound, err error) {
	if q.cfg.OnOutcome != nil {
		q.cfg.OnOutcome(context.WithoutCancel(ctx), out, err)
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
