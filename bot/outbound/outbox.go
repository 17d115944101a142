package outbound

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// JobKind is the River job kind of an outbound delivery.
const JobKind = "klabot_outbound"

// The kinds of message a job carries (JobMessage.Kind), for the notifications log.
const (
	KindReply      = "reply"
	KindNotice     = "notice"
	KindDigest     = "digest"
	KindNudge      = "nudge"
	KindEscalation = "escalation"
	KindBulk       = "bulk" // a bulk message of no other kind
)

// River priorities: replies to people go before bulk messages (digests, nudges).
const (
	priorityReply = 1
	priorityBulk  = 3
)

// QueueName is the River queue of a channel's deliveries.
func QueueName(ch conversations.Channel) string { return "outbound_" + string(ch) }

// DeliveryArgs are one job: the messages of one producer call (an engine step's replies,
// a digest) to one chat, delivered in order. What the messages say is sealed (Sealed);
// only who gets what kind of message is readable.
type DeliveryArgs struct {
	Channel  string       `json:"channel"`
	ChatID   string       `json:"chat_id"`
	ChatKey  string       `json:"chat_key"` // channel:chat — the per-chat order key (indexed)
	Key      string       `json:"key"`      // id of the sealing key
	Messages []JobMessage `json:"messages"`
}

// Kind is River's job kind.
func (DeliveryArgs) Kind() string { return JobKind }

// JobMessage is one message of a job.
type JobMessage struct {
	PersonID       int64  `json:"person_id,omitempty"`
	Kind           string `json:"kind"`
	NotificationID int64  `json:"notification_id,omitempty"`
	Bulk           bool   `json:"bulk,omitempty"`
	// Attachment is the outbound_attachments row holding the sealed file, 0 for none.
	Attachment int64  `json:"attachment,omitempty"`
	Sealed     []byte `json:"sealed"` // sealedBody
	// Asks is the dialogue position a prompt asks about (conversations.Outbound.Asks):
	// recorded with its delivery, for binding the person's next message to what they saw.
	// Not secret (a mode and a question code), so not sealed.
	Asks string `json:"asks,omitempty"`
	// Repeat marks a prompt repeated without the dialogue moving (Outbound.Repeat): it is
	// not sent when a later job of the chat asks about another position.
	Repeat bool `json:"repeat,omitempty"`
}

// sealedBody is what JobMessage.Sealed holds once opened.
type sealedBody struct {
	Text    string                   `json:"text,omitempty"`
	Buttons [][]conversations.Button `json:"buttons,omitempty"`
}

// sealedFile is what an outbound_attachments row holds once opened.
type sealedFile struct {
	Name  string `json:"name"`
	MIME  string `json:"mime"`
	Photo bool   `json:"photo,omitempty"`
	Data  []byte `json:"data"`
}

// queueOf is the River queue of a message to chat on ch: the channel's, except that
// each console chat has a queue of its own, worked only by the console that has the
// chat open (RegisterChat).
func queueOf(ch conversations.Channel, chat string) string {
	if ch == conversations.ChannelConsole {
		sum := sha256.Sum256([]byte(chat))
		return QueueName(ch) + "_" + hex.EncodeToString(sum[:8])
	}
	return QueueName(ch)
}

// kindOf names what out is for the log.
func kindOf(out conversations.Outbound) string {
	switch {
	case out.Kind != "":
		return out.Kind
	case out.Bulk:
		return KindBulk
	default:
		return KindReply
	}
}

// Enqueue queues out durably: its job is inserted in the transaction ctx carries
// (postgres.WithTx), so that it commits with the change that caused it, or else in a
// transaction of its own. It fails only when out cannot be queued at all.
func (q *Queue) Enqueue(ctx context.Context, out conversations.Outbound) error {
	return q.EnqueueMany(ctx, out)
}

// EnqueueMany queues outs like Enqueue, one job per chat holding that chat's messages in
// the order given.
func (q *Queue) EnqueueMany(ctx context.Context, outs ...conversations.Outbound) error {
	if len(outs) == 0 {
		return nil
	}
	for _, out := range outs {
		if out.To.ChatID == "" {
			return fmt.Errorf("send on %s: empty chat id: %w", out.To.Channel, conversations.ErrInvalid)
		}
		if out.To.Channel == "" {
			return fmt.Errorf("send to chat %s: no channel: %w", out.To.ChatID, conversations.ErrInvalid)
		}
	}
	insert := func(ctx context.Context, tx pgx.Tx) error {
		jobs, err := q.jobs(ctx, tx, outs)
		if err != nil {
			return err
		}
		// In a step's transaction (InTx), the jobs travel with its COMMIT (issue 18):
		// one statement in the commit's batch instead of a round trip of their own.
		if sql, args, held, err := q.rawInsert(jobs); err != nil {
			return err
		} else if postgres.DeferWithCommit(ctx, sql, args...) {
			if len(held) > 0 {
				// Their notification was held back (a queue notified in the last
				// cooldown): it follows once the jobs are committed.
				postgres.AfterCommit(ctx, func() { q.notify.trail(held) })
			}
			return nil
		}
		params := make([]river.InsertManyParams, 0, len(jobs))
		for _, j := range jobs {
			params = append(params, river.InsertManyParams{Args: j.args, InsertOpts: &river.InsertOpts{
				Queue: j.queue, Priority: j.priority, MaxAttempts: q.cfg.MaxAttempts,
			}})
		}
		if _, err := q.client.InsertManyTx(ctx, tx, params); err != nil {
			return fmt.Errorf("queue %d messages: %w", len(outs), err)
		}
		return nil
	}
	if tx, ok := postgres.TxFrom(ctx); ok {
		return insert(ctx, tx)
	}
	// Nothing goes around the queue: when PostgreSQL does not answer, the message is not
	// queued and the caller hears so (conversations.ErrUnavailable) — the dispatcher tries
	// its notice again with the message's next attempt. docs/delivery.md.
	err := pgx.BeginFunc(ctx, q.cfg.Pool, func(tx pgx.Tx) error { return insert(ctx, tx) })
	if err != nil && !errors.Is(err, conversations.ErrInvalid) {
		return fmt.Errorf("%w: %w", conversations.ErrUnavailable, err)
	}
	return err
}

// jobs groups outs by chat (in order of first appearance) into job arguments, storing
// their attachments in tx.
func (q *Queue) jobs(ctx context.Context, tx pgx.Tx, outs []conversations.Outbound) ([]job, error) {
	var order []string
	byChat := map[string]*DeliveryArgs{}
	bulk := map[string]bool{}
	for _, out := range outs {
		key := out.To.Key()
		a := byChat[key]
		if a == nil {
			a = &DeliveryArgs{Channel: string(out.To.Channel), ChatID: out.To.ChatID, ChatKey: key, Key: q.seal.ID()}
			byChat[key] = a
			bulk[key] = true
			order = append(order, key)
		}
		body, err := json.Marshal(sealedBody{Text: out.Text, Buttons: out.Buttons})
		if err != nil {
			return nil, err
		}
		m := JobMessage{PersonID: out.PersonID, Kind: kindOf(out), NotificationID: out.NotificationID,
			Bulk: out.Bulk, Sealed: q.seal.Seal(body), Asks: out.Asks, Repeat: out.Repeat && out.Asks != ""}
		if att := out.Attachment; att != nil {
			file, err := json.Marshal(sealedFile{Name: att.Name, MIME: att.MIME, Photo: att.Photo, Data: att.Data})
			if err != nil {
				return nil, err
			}
			if err := tx.QueryRow(ctx, `INSERT INTO outbound_attachments (sealed) VALUES ($1) RETURNING id`,
				q.seal.Seal(file)).Scan(&m.Attachment); err != nil {
				return nil, fmt.Errorf("store attachment: %w", err)
			}
		}
		if !out.Bulk {
			bulk[key] = false
		}
		a.Messages = append(a.Messages, m)
	}
	jobs := make([]job, 0, len(order))
	for _, key := range order {
		a := byChat[key]
		prio := priorityReply
		if bulk[key] {
			prio = priorityBulk
		}
		jobs = append(jobs, job{args: *a, queue: queueOf(conversations.Channel(a.Channel), a.ChatID), priority: prio})
	}
	return jobs, nil
}

// job is one River job to insert.
type job struct {
	args     DeliveryArgs
	queue    string
	priority int
}

// insertJobsSQL inserts jobs into River's table as River's InsertManyTx does (River
// v0.51, JobInsertFastMany without unique keys, tags or metadata: id from the sequence,
// created_at and scheduled_at now(), state available) and wakes the workers of the
// queues in $5 (River's insert notification, "<schema>.river_insert", {"queue": q}) —
// one statement, sent with the step's COMMIT. The notifications are sent at the commit.
const insertJobsSQL = `WITH jobs AS (
	INSERT INTO river_job (args, kind, max_attempts, priority, queue, state, metadata, tags)
	SELECT a, $1, $2::smallint, p, q, 'available', '{}', '{}'
	FROM unnest($3::jsonb[], $4::smallint[], $6::text[]) AS j(a, p, q)
	RETURNING 1)
SELECT pg_notify(coalesce(current_schema(), '') || '.river_insert', json_build_object('queue', n)::text)
FROM unnest($5::text[]) AS n`

// notifySQL is River's insert notification for one queue (as insertJobsSQL sends it).
const notifySQL = `SELECT pg_notify(coalesce(current_schema(), '') || '.river_insert', json_build_object('queue', $1::text)::text) -- held-back insert notification`

// rawInsert is insertJobsSQL and its arguments for jobs, with the insert notification
// for each queue not notified in the last cooldown (as River throttles its own); held are
// the queues whose notification is held back (notifyLimiter.trail).
func (q *Queue) rawInsert(jobs []job) (sql string, args []any, held []string, err error) {
	argv := make([]string, len(jobs))
	prios := make([]int16, len(jobs))
	queues := make([]string, len(jobs))
	for i, j := range jobs {
		b, err := json.Marshal(j.args)
		if err != nil {
			return "", nil, nil, err
		}
		argv[i], prios[i], queues[i] = string(b), int16(j.priority), j.queue
	}
	due, held := q.notify.due(queues)
	return insertJobsSQL, []any{JobKind, int16(q.cfg.MaxAttempts), argv, prios, due, queues}, held, nil
}

// open reads a job message back.
func (q *Queue) open(ctx context.Context, a DeliveryArgs, m JobMessage) (conversations.Outbound, error) {
	out := conversations.Outbound{
		To:       conversations.Address{Channel: conversations.Channel(a.Channel), ChatID: a.ChatID},
		PersonID: m.PersonID, Bulk: m.Bulk, Kind: m.Kind, NotificationID: m.NotificationID,
		Asks: m.Asks, Repeat: m.Repeat,
	}
	if out.Kind == KindReply || out.Kind == KindBulk {
		out.Kind = ""
	}
	if a.Key != q.seal.ID() {
		return out, fmt.Errorf("%w: queued under sealing key %s, this process has %s (set the same OUTBOUND_KEY on every replica)", errWrongKey, a.Key, q.seal.ID())
	}
	plain, err := q.seal.Open(m.Sealed)
	if err != nil {
		return out, fmt.Errorf("open queued message: %w", err)
	}
	var body sealedBody
	if err := json.Unmarshal(plain, &body); err != nil {
		return out, fmt.Errorf("read queued message: %w", err)
	}
	out.Text, out.Buttons = body.Text, body.Buttons
	if m.Attachment != 0 {
		var sealed []byte
		if err := q.cfg.Pool.QueryRow(ctx, `SELECT sealed FROM outbound_attachments WHERE id = $1`, m.Attachment).Scan(&sealed); err != nil {
			return out, fmt.Errorf("read attachment %d: %w", m.Attachment, err)
		}
		plain, err := q.seal.Open(sealed)
		if err != nil {
			return out, fmt.Errorf("open attachment %d: %w", m.Attachment, err)
		}
		var f sealedFile
		if err := json.Unmarshal(plain, &f); err != nil {
			return out, fmt.Errorf("read attachment %d: %w", m.Attachment, err)
		}
		out.Attachment = &conversations.Attachment{Name: f.Name, MIME: f.MIME, Photo: f.Photo, Data: f.Data}
	}
	return out, nil
}

var errWrongKey = errors.New("cannot open queued message")

// notifyLimiter lets through an insert notification per queue at most once a cooldown
// (River's own limiter, for the jobs inserted around River). A notification held back is
// not lost: trail sends it once the cooldown is over, after the jobs committed. (River's
// own limiter leaves such jobs to the workers' next poll, up to PollInterval later: a
// step's reply right after another one's waited for it.)
type notifyLimiter struct {
	cooldown time.Duration
	now      func() time.Time   // monotonic: time.Now (not the service's clock)
	send     func(queue string) // one insert notification, outside any transaction
	mu       sync.Mutex
	last     map[string]time.Time
	trailing map[string]bool // a held-back notification is on its way
}

// due returns the queues (once each) whose notification is due, marking them sent, and
// the queues whose notification is held back.
func (l *notifyLimiter) due(queues []string) (due, held []string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	due = []string{}
	for _, q := range queues {
		if slices.Contains(due, q) || slices.Contains(held, q) {
			continue
		}
		if t, ok := l.last[q]; ok && now.Sub(t) < l.cooldown {
			held = append(held, q)
			continue
		}
		l.last[q] = now
		due = append(due, q)
	}
	return due, held
}

// trail sends the held-back notifications of queues once their cooldown is over (one per
// queue however many were held meanwhile).
func (l *notifyLimiter) trail(queues []string) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, q := range queues {
		if l.trailing[q] {
			continue
		}
		l.trailing[q] = true
		wait := l.cooldown - now.Sub(l.last[q])
		time.AfterFunc(max(wait, 0), func() {
			l.mu.Lock()
			delete(l.trailing, q)
			l.last[q] = l.now()
			l.mu.Unlock()
			l.send(q)
		})
	}
}
