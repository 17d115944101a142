package outbound

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/seal"
)

// Result kinds passed to Config.OnResult, one per delivery attempt.
const (
	ResultSent      = "sent"
	ResultThrottled = "throttled" // 429: the channel pauses for retry_after, the job snoozes
	ResultTemporary = "temporary" // 5xx, network: the job is retried with backoff
	ResultBlocked   = "blocked"   // the person blocked the bot: given up, marked unreachable
	ResultFailed    = "failed"    // anything else: given up, the reason recorded
)

// idleQueue is worked by every started Queue so that River starts (and its maintenance
// — rescuing jobs of dead processes, scheduling retries — runs) on a replica that works
// no channel. Nothing is ever inserted into it.
const idleQueue = "outbound_idle"

// Config tunes a Queue. Pool is required; everything else is optional.
type Config struct {
	Pool *pgxpool.Pool
	// Redis, when set, shares pacing and 429 pauses across replicas (keys under
	// RedisPrefix). Without it, or while it is down, each process paces alone.
	Redis       *redis.Client
	RedisPrefix string
	// Secret seals what queued messages say; every replica must have the same one.
	Secret string
	// MaxAttempts is how often a job is tried on temporary failures (5xx, network) before
	// its messages are given up. 429s and pacing waits do not count. Defaults to 20
	// (about an hour with the default backoff).
	MaxAttempts int
	// BaseBackoff is the wait after the first temporary failure; it doubles with each
	// further failure up to MaxBackoff, with ±25 % jitter. Defaults to 1 s and 5 minutes.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// DeliverTimeout bounds one message's delivery. Defaults to 60 s.
	DeliverTimeout time.Duration
	// RescueAfter is how long a job may stay running before it is taken for one of a dead
	// process and run again (SIGKILL, lost machine). At least one job's timeout (its
	// messages × (DeliverTimeout + MaxWait)). Defaults to 2 minutes.
	RescueAfter time.Duration
	// OrderWait is how long a job waits before looking again when an earlier job of its
	// chat is not done. Defaults to 250 ms.
	OrderWait time.Duration
	// MaxWait is the longest a job waits in place for its pacing slot; a later slot
	// snoozes the job instead. Defaults to 2 s.
	MaxWait time.Duration
	// PollInterval is how often idle workers look for jobs besides Postgres' notifications
	// (snoozed jobs coming due are only seen by polling). Defaults to 100 ms.
	PollInterval time.Duration
	// OnOutcome, when set, is called once per message after its outcome was recorded:
	// delivered (err nil) or given up (err says why).
	OnOutcome func(ctx context.Context, out conversations.Outbound, err error)
	// OnResult, when set, is called after every delivery attempt with a Result kind.
	OnResult func(ch conversations.Channel, result string)
	// ID names this process among River's clients. Defaults to River's (host and time).
	ID string
	// Records, when set, writes the delivery records (one after each message sent, which
	// the worker waits for) so that concurrent workers' records share commits
	// (postgres.GroupWriter). Without it each record is a transaction of its own.
	Records BatchWriter
	// TestOnly drops River's start-up jitter (tests).
	TestOnly bool
	Now      func() time.Time
	Log      *slog.Logger
}

// BatchWriter writes a batch as one all-or-nothing unit and returns after its commit
// (postgres.GroupWriter).
type BatchWriter interface {
	Write(ctx context.Context, b *pgx.Batch) error
}

func (c Config) withDefaults() Config {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 20
	}
	if c.BaseBackoff <= 0 {
		c.BaseBackoff = time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = 5 * time.Minute
	}
	if c.DeliverTimeout <= 0 {
		c.DeliverTimeout = 60 * time.Second
	}
	if c.RescueAfter <= 0 {
		c.RescueAfter = 2 * time.Minute
	}
	if c.OrderWait <= 0 {
		c.OrderWait = 250 * time.Millisecond
	}
	if c.MaxWait <= 0 {
		c.MaxWait = 2 * time.Second
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 100 * time.Millisecond
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Queue is the durable outbound queue on River: producers Enqueue messages (in their own
// transaction), workers per channel deliver them with the channel's Transport and Limits.
// Replies go before bulk messages; messages to one chat go out in order across workers
// and replicas; pacing and 429 pauses are shared across replicas through Redis.
// See docs/delivery.md.
type Queue struct {
	cfg    Config
	client *river.Client[pgx.Tx]
	seal   seal.Box
	pacer  pacer
	notify *notifyLimiter // the insert notifications of jobs inserted with a COMMIT

	id        string // this process among the channels' senders (outbound_senders)
	stopBeat  context.CancelFunc
	beatEnded chan struct{}

	mu       sync.Mutex
	channels map[conversations.Channel]*channel
	started  bool
}

type channel struct {
	t       Transport
	lim     Limits
	account string // the account t sends as (Accounter), "" when it does not say
	worked  bool
	lost    bool // another account took the queue while this process was cut off
}

// New builds a Queue. It can queue messages at once; Register channels and Start it to
// deliver them.
func New(cfg Config) (*Queue, error) {
	cfg = cfg.withDefaults()
	if cfg.Pool == nil {
		return nil, errors.New("outbound: no database pool")
	}
	q := &Queue{cfg: cfg, seal: seal.New("klabot outbound v1", cfg.Secret), channels: map[conversations.Channel]*channel{}, id: cfg.ID}
	if q.id == "" {
		host, _ := os.Hostname()
		q.id = fmt.Sprintf("%s-%d-%x", host, os.Getpid(), rand.Uint32())
	}
	fp := &fallbackPacer{local: newLocalPacer(time.Now), log: cfg.Log, now: time.Now}
	if cfg.Redis != nil {
		fp.shared = redisPacer{rdb: cfg.Redis, prefix: cfg.RedisPrefix}
	}
	q.pacer = fp
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &deliveryWorker{q: q}); err != nil {
		return nil, err
	}
	jobTimeout := q.jobTimeout(1)
	// River's default 100 ms between fetches (and between insert notifications) would
	// add up to that much to every reply; replies are small jobs, fetched eagerly.
	cooldown := min(10*time.Millisecond, cfg.PollInterval)
	q.notify = &notifyLimiter{cooldown: cooldown, now: time.Now, last: map[string]time.Time{}, trailing: map[string]bool{},
		send: func(queue string) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := cfg.Pool.Exec(ctx, notifySQL, queue); err != nil {
				cfg.Log.Debug("outbound: insert notification", "queue", queue, "err", err)
			}
		}}
	client, err := river.NewClient(riverpgxv5.New(cfg.Pool), &river.Config{
		ID:                   q.id,
		Queues:               map[string]river.QueueConfig{idleQueue: {MaxWorkers: 1, FetchPollInterval: time.Minute, FetchCooldown: time.Second}},
		Workers:              workers,
		MaxAttempts:          cfg.MaxAttempts,
		JobTimeout:           jobTimeout,
		RescueStuckJobsAfter: max(cfg.RescueAfter, jobTimeout+time.Second),
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        cooldown,
		Logger:               cfg.Log.With("component", "river"),
		TestOnly:             cfg.TestOnly,
		// Finished jobs stay a day for inspection; the deliveries table is the log.
		CompletedJobRetentionPeriod: 24 * time.Hour,
		ReindexerIndexNames:         reindexed(),
	})
	if err != nil {
		return nil, fmt.Errorf("outbound: %w", err)
	}
	q.client = client
	return q, nil
}

// reindexed is River's default reindex list without the indexes klabot's migration 2200
// drops (GIN indexes for JobList filters klabot never runs): River's reindexer must not
// look for them.
func reindexed() []string {
	var names []string
	for _, n := range river.ReindexerIndexNamesDefault() {
		if n != "river_job_args_index" && n != "river_job_metadata_index" {
			names = append(names, n)
		}
	}
	return names
}

// jobTimeout bounds a job of n messages: each may wait for its pacing slot and take
// DeliverTimeout, and the job may first wait for an earlier one of its chat.
func (q *Queue) jobTimeout(n int) time.Duration {
	return time.Duration(max(n, 1))*(q.cfg.DeliverTimeout+q.cfg.MaxWait) + q.cfg.MaxWait + time.Second
}

// Register sets the transport and limits of a channel and has this process work its
// queue (from Start, or at once when started). A transport that names its account
// (Accounter) is refused with ErrOtherAccount while another account works the channel's
// queue on this database.
func (q *Queue) Register(ch conversations.Channel, t Transport, l Limits) error {
	q.RegisterIdle(ch, t, l)
	return q.Work(ch)
}

// RegisterIdle sets the transport and limits of a channel without working its queue yet:
// WhatsApp works it only while this process holds the session (Work, Unwork).
func (q *Queue) RegisterIdle(ch conversations.Channel, t Transport, l Limits) {
	q.mu.Lock()
	defer q.mu.Unlock()
	c := &channel{t: t, lim: l.withDefaults()}
	if a, ok := t.(Accounter); ok {
		c.account = a.Account()
	}
	q.channels[ch] = c
}

// Work starts working ch's queue here. It does nothing when already working it.
func (q *Queue) Work(ch conversations.Channel) error {
	q.mu.Lock()
	c := q.channels[ch]
	if c == nil {
		q.mu.Unlock()
		return fmt.Errorf("outbound: work %s: %w", ch, ErrNoChannel)
	}
	worked, account := c.worked, c.account
	q.mu.Unlock()
	if worked {
		return nil
	}
	if account != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := q.claim(ctx, ch, account)
		cancel()
		if err != nil {
			return fmt.Errorf("outbound: work %s: %w", ch, err)
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if c.worked {
		return nil
	}
	if err := q.client.Queues().Add(QueueName(ch), river.QueueConfig{MaxWorkers: c.lim.Parallel}); err != nil {
		return fmt.Errorf("outbound: work %s: %w", ch, err)
	}
	c.worked = true
	return nil
}

// Unwork stops working ch's queue here, after the deliveries in flight finished; its
// jobs wait for whichever process works it next.
func (q *Queue) Unwork(ctx context.Context, ch conversations.Channel) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	c := q.channels[ch]
	if c == nil || !c.worked {
		return nil
	}
	if err := q.client.Queues().Remove(ctx, QueueName(ch)); err != nil {
		return fmt.Errorf("outbound: stop working %s: %w", ch, err)
	}
	c.worked = false
	return nil
}

// RegisterChat has this process deliver the messages queued to one console chat with t
// (the open console session, which shows them as they arrive). A console chat's
// messages wait in its own queue until a console opens it; one console chat per Queue.
func (q *Queue) RegisterChat(to conversations.Address, t Transport) error {
	if to.Channel != conversations.ChannelConsole || to.ChatID == "" {
		return fmt.Errorf("outbound: register chat %s: only a console chat: %w", to.Key(), conversations.ErrInvalid)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if c := q.channels[to.Channel]; c != nil {
		return fmt.Errorf("outbound: register chat %s: a console chat is registered already: %w", to.Key(), conversations.ErrInvalid)
	}
	if err := q.client.Queues().Add(queueOf(to.Channel, to.ChatID), river.QueueConfig{MaxWorkers: 1}); err != nil {
		return fmt.Errorf("outbound: work %s: %w", to.Key(), err)
	}
	// A terminal has no platform limits: only the order of the chat's messages matters.
	q.channels[to.Channel] = &channel{t: t, lim: Limits{PerBot: 1000, PerChat: time.Millisecond, Parallel: 1}.withDefaults(), worked: true}
	return nil
}

// Channels lists the channels this process has a transport for.
func (q *Queue) Channels() []conversations.Channel {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []conversations.Channel
	for c := range q.channels {
		out = append(out, c)
	}
	return out
}

// Start starts the workers (and River's maintenance) in the background.
func (q *Queue) Start(ctx context.Context) error {
	if err := q.client.Start(ctx); err != nil {
		return fmt.Errorf("outbound: start: %w", err)
	}
	bctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	q.mu.Lock()
	q.started = true
	q.stopBeat, q.beatEnded = stop, make(chan struct{})
	q.mu.Unlock()
	go func() { defer close(q.beatEnded); q.beat(bctx) }()
	return nil
}

// Stop stops taking jobs and lets the deliveries in flight finish for at most grace; then
// it cancels them, and their jobs go back to the queue (retried later, here or at another
// replica). Jobs not started stay queued.
func (q *Queue) Stop(ctx context.Context, grace time.Duration) error {
	q.mu.Lock()
	started := q.started
	q.mu.Unlock()
	// This process's sender records go, so that another bot may start at once.
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		q.release(rctx)
	}()
	if !started {
		return nil
	}
	q.stopBeat()
	<-q.beatEnded
	sctx, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	err := q.client.Stop(sctx)
	if err == nil {
		return nil
	}
	q.cfg.Log.Warn("outbound: deliveries still running at shutdown, cancelling them (their jobs are retried)", "err", err)
	cctx, cancel2 := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel2()
	return q.client.StopAndCancel(cctx)
}

// ErrNoChannel means a channel has no transport in this process.
var ErrNoChannel = errors.New("channel not configured")

func (q *Queue) channel(ch conversations.Channel) *channel {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.channels[ch]
}

// nextRetry is the wait after a job's attempt-th temporary failure: doubling from
// BaseBackoff up to MaxBackoff, ±25 % jitter so a recovered platform is not hit by every
// job at once.
func (q *Queue) nextRetry(attempt int) time.Duration {
	d := backoff(q.cfg.BaseBackoff, q.cfg.MaxBackoff, attempt)
	return time.Duration(float64(d) * (0.75 + rand.Float64()/2))
}

// backoff is base doubled for each failure after the first, capped.
func backoff(base, limit time.Duration, failures int) time.Duration {
	d := base
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// Pending counts ch's messages queued or in flight (jobs not finished), on every replica.
func (q *Queue) Pending(ctx context.Context, ch conversations.Channel) (int, error) {
	var n int
	err := q.cfg.Pool.QueryRow(ctx, `
		SELECT count(*) FROM river_job
		WHERE queue = $1 AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`,
		QueueName(ch)).Scan(&n)
	return n, err
}

// PendingChat counts the unfinished jobs of one chat (queued or in flight), on every
// replica: an opening console waits for what was queued to it while it was closed.
func (q *Queue) PendingChat(ctx context.Context, to conversations.Address) (int, error) {
	var n int
	err := q.cfg.Pool.QueryRow(ctx, `
		SELECT count(*) FROM river_job
		WHERE args->>'chat_key' = $1 AND kind = '`+JobKind+`'
		  AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled')`, // river_job_outbound_chat
		to.Key()).Scan(&n)
	return n, err
}

// OnOutcome sets Config.OnOutcome (before Start).
func (q *Queue) OnOutcome(f func(ctx context.Context, out conversations.Outbound, err error)) {
	q.cfg.OnOutcome = f
}
