package outbound

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/klabot/klabot/conversations"
)

// Unreachable records that a person cannot be written to any more (they blocked the bot),
// so coordinators can see it. postgres.Store implements it.
type Unreachable interface {
	MarkUnreachable(ctx context.Context, personID int64) error
}

// Reachable, when Config.Unreachable also implements it, is told after every delivery to a
// known person, so a person who unblocked the bot stops showing as unreachable.
type Reachable interface {
	MarkReachable(ctx context.Context, personID int64) error
}

// Result kinds passed to Config.OnResult, one per delivery attempt.
const (
	ResultSent      = "sent"
	ResultThrottled = "throttled" // 429: retried after retry_after
	ResultTemporary = "temporary" // 5xx, network: retried with backoff
	ResultBlocked   = "blocked"   // the person blocked the bot: given up, marked unreachable
	ResultFailed    = "failed"    // anything else: given up
)

// Config tunes a Sender. Every field is optional.
type Config struct {
	// MaxAttempts is how often a message is tried on temporary failures (5xx, network)
	// before it is given up. Defaults to 6.
	MaxAttempts int
	// MaxThrottles is how many 429 answers one message may get before it is given up.
	// Defaults to 30.
	MaxThrottles int
	// BaseBackoff is the wait after the first temporary failure; it doubles with each
	// further failure up to MaxBackoff. Defaults to 1s and 1 minute.
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// DeliverTimeout bounds one delivery attempt. Defaults to 60s.
	DeliverTimeout time.Duration
	// QueueLimit is the most messages waiting per channel; Enqueue fails beyond it.
	// Defaults to 200000.
	QueueLimit int
	// DrainTimeout is how long Run keeps delivering what it holds after its context
	// ended. Defaults to 15s.
	DrainTimeout time.Duration
	// Unreachable, when set, is told about people who blocked the bot.
	Unreachable Unreachable
	// OnOutcome, when set, is called once per message when it was delivered (err nil) or
	// given up (err says why). Digests use it to record notifications (Outbound.NotificationID).
	OnOutcome func(ctx context.Context, out conversations.Outbound, err error)
	// OnResult, when set, is called after every delivery attempt with one of the Result
	// kinds (metrics).
	OnResult func(ch conversations.Channel, result string)
	// Now and After are the clock; they default to time.Now and time.After.
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
	Log   *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 6
	}
	if c.MaxThrottles <= 0 {
		c.MaxThrottles = 30
	}
	if c.BaseBackoff <= 0 {
		c.BaseBackoff = time.Second
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = time.Minute
	}
	if c.DeliverTimeout <= 0 {
		c.DeliverTimeout = 60 * time.Second
	}
	if c.QueueLimit <= 0 {
		c.QueueLimit = 200_000
	}
	if c.DrainTimeout <= 0 {
		c.DrainTimeout = 15 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.After == nil {
		c.After = time.After
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	return c
}

// Sender is the one outbound queue shared by replies, digests and nudges. Each channel has
// its own Transport and Limits and is worked by its own scheduler: replies (Bulk=false)
// go before bulk messages, messages to one chat go out in order and never closer than the
// chat limit, the whole channel never faster than its bot limit, a 429 pauses the whole
// channel for retry_after, temporary failures are retried with exponential backoff.
// The queue lives in memory: what it holds when the process dies is lost (proactive
// messages are recorded as notifications by their producers and can be re-sent).
type Sender struct {
	cfg      Config
	mu       sync.Mutex
	channels map[conversations.Channel]*channel
}

// New returns a Sender with no channels; Register them, then Run.
func New(cfg Config) *Sender {
	return &Sender{cfg: cfg.withDefaults(), channels: map[conversations.Channel]*channel{}}
}

// Register sets the transport and limits of a channel. Call it before Run.
func (s *Sender) Register(ch conversations.Channel, t Transport, l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[ch] = &channel{
		s: s, name: ch, t: t, lim: l.withDefaults(),
		chats: map[string]*chat{}, wake: make(chan struct{}, 1),
	}
}

// Channels lists the registered channels.
func (s *Sender) Channels() []conversations.Channel {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []conversations.Channel
	for c := range s.channels {
		out = append(out, c)
	}
	return out
}

// ErrNoChannel means a message was addressed to a channel that is not configured.
var ErrNoChannel = errors.New("channel not configured")

// Enqueue queues out for delivery and returns at once. It fails when out's channel is not
// registered or its queue is full.
func (s *Sender) Enqueue(ctx context.Context, out conversations.Outbound) error {
	s.mu.Lock()
	c := s.channels[out.To.Channel]
	s.mu.Unlock()
	if c == nil {
		return fmt.Errorf("send to %s: %w", out.To.Key(), ErrNoChannel)
	}
	if out.To.ChatID == "" {
		return fmt.Errorf("send on %s: empty chat id: %w", out.To.Channel, conversations.ErrInvalid)
	}
	return c.enqueue(out)
}

// Pending reports how many messages wait or are in flight on ch.
func (s *Sender) Pending(ch conversations.Channel) int {
	s.mu.Lock()
	c := s.channels[ch]
	s.mu.Unlock()
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pending + c.inflight
}

// Run delivers until ctx ends, then keeps delivering what it holds for at most
// Config.DrainTimeout (graceful shutdown) and returns.
func (s *Sender) Run(ctx context.Context) {
	s.mu.Lock()
	chans := make([]*channel, 0, len(s.channels))
	for _, c := range s.channels {
		chans = append(chans, c)
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, c := range chans {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.run(ctx)
		}()
	}
	wg.Wait()
}

type item struct {
	out       conversations.Outbound
	attempts  int // temporary failures so far
	throttles int // 429s so far
}

// chat is one chat's queue: replies and bulk messages, each in order.
type chat struct {
	id      string
	replies []*item
	bulk    []*item
	busy    bool      // a delivery is in flight: nothing else of this chat may start
	nextAt  time.Time // earliest start of the next delivery
	gen     int       // invalidates stale entries in the ready lists and the timer heap
	queued  bool      // in a ready list or the timer heap
}

func (c *chat) empty() bool { return len(c.replies) == 0 && len(c.bulk) == 0 }

// channel schedules one channel's deliveries.
type channel struct {
	s    *Sender
	name conversations.Channel
	t    Transport
	lim  Limits

	mu          sync.Mutex
	chats       map[string]*chat
	replyReady  []chatRef // chats whose next message is a reply, in arrival order
	bulkReady   []chatRef // chats with only bulk messages
	timers      timerHeap // chats waiting for their chat limit or a backoff
	pending     int       // queued, not in flight
	inflight    int
	nextSlot    time.Time // the bot limit: earliest start of the next delivery
	pausedUntil time.Time // a 429 pauses the whole channel
	wake        chan struct{}
}

type chatRef struct {
	c   *chat
	gen int
}

func (ch *channel) enqueue(out conversations.Outbound) error {
	ch.mu.Lock()
	defer ch.mu.Unlock()
	if ch.pending >= ch.s.cfg.QueueLimit {
		return fmt.Errorf("send to %s: queue full (%d waiting): %w", out.To.Key(), ch.pending, conversations.ErrUnavailable)
	}
	c := ch.chats[out.To.ChatID]
	if c == nil {
		c = &chat{id: out.To.ChatID}
		ch.chats[out.To.ChatID] = c
	}
	it := &item{out: out}
	wasReplyHead := len(c.replies) > 0
	if out.Bulk {
		c.bulk = append(c.bulk, it)
	} else {
		c.replies = append(c.replies, it)
	}
	ch.pending++
	// A reply to a chat that waited in the bulk list moves it to the reply list.
	if !out.Bulk && !wasReplyHead && c.queued && !c.busy && !c.nextAt.After(ch.s.cfg.Now()) {
		c.queued = false
	}
	ch.schedule(c)
	ch.signal()
	return nil
}

// schedule puts an idle chat with messages into a ready list or the timer heap.
func (ch *channel) schedule(c *chat) {
	if c.busy || c.queued || c.empty() {
		if c.empty() && !c.busy {
			delete(ch.chats, c.id)
		}
		return
	}
	c.gen++
	c.queued = true
	ref := chatRef{c: c, gen: c.gen}
	if c.nextAt.After(ch.s.cfg.Now()) {
		heap.Push(&ch.timers, timerEntry{at: c.nextAt, ref: ref})
		return
	}
	if len(c.replies) > 0 {
		ch.replyReady = append(ch.replyReady, ref)
	} else {
		ch.bulkReady = append(ch.bulkReady, ref)
	}
}

func (ch *channel) signal() {
	select {
	case ch.wake <- struct{}{}:
	default:
	}
}

// promote moves chats whose wait is over from the timer heap to the ready lists.
func (ch *channel) promote(now time.Time) {
	for len(ch.timers) > 0 && !ch.timers[0].at.After(now) {
		e := heap.Pop(&ch.timers).(timerEntry)
		if e.ref.gen != e.ref.c.gen || !e.ref.c.queued {
			continue
		}
		e.ref.c.queued = false
		ch.schedule(e.ref.c)
	}
}

// next pops the chat to serve next: replies first, then bulk, each in arrival order.
func (ch *channel) next() *chat {
	for _, list := range []*[]chatRef{&ch.replyReady, &ch.bulkReady} {
		for len(*list) > 0 {
			ref := (*list)[0]
			(*list)[0] = chatRef{}
			*list = (*list)[1:]
			if ref.gen == ref.c.gen && ref.c.queued {
				ref.c.queued = false
				return ref.c
			}
		}
	}
	return nil
}

func (ch *channel) run(ctx context.Context) {
	cfg := ch.s.cfg
	stopping := false
	var drainDeadline <-chan time.Time
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		ch.mu.Lock()
		now := cfg.Now()
		ch.promote(now)
		if stopping && ch.pending == 0 && ch.inflight == 0 {
			ch.mu.Unlock()
			return
		}
		var wait time.Duration = -1 // -1: until woken
		var c *chat
		switch {
		case ch.inflight >= ch.lim.Parallel:
		case now.Before(ch.pausedUntil):
			wait = ch.pausedUntil.Sub(now)
		case now.Before(ch.nextSlot):
			wait = ch.nextSlot.Sub(now)
		default:
			if c = ch.next(); c == nil && len(ch.timers) > 0 {
				wait = ch.timers[0].at.Sub(now)
			}
		}
		if c != nil {
			it := ch.take(c)
			c.busy = true
			c.nextAt = now.Add(ch.lim.chatInterval(c.id))
			ch.nextSlot = now.Add(ch.lim.botInterval())
			ch.inflight++
			ch.mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				ch.deliver(ctx, c, it)
			}()
			continue
		}
		ch.mu.Unlock()
		var timer <-chan time.Time
		if wait >= 0 {
			timer = cfg.After(wait)
		}
		done := ctx.Done()
		if stopping {
			done = nil
		}
		select {
		case <-ch.wake:
		case <-timer:
		case <-done:
			stopping = true
			drainDeadline = cfg.After(cfg.DrainTimeout)
		case <-drainDeadline:
			ch.mu.Lock()
			lost := ch.pending
			ch.mu.Unlock()
			if lost > 0 {
				cfg.Log.Warn("outbound: shutdown with undelivered messages", "channel", ch.name, "messages", lost)
			}
			return
		}
	}
}

// take pops c's next message: replies before bulk.
func (ch *channel) take(c *chat) *item {
	ch.pending--
	if len(c.replies) > 0 {
		it := c.replies[0]
		c.replies = c.replies[1:]
		return it
	}
	it := c.bulk[0]
	c.bulk = c.bulk[1:]
	return it
}

// putBack returns a message to the head of its chat's queue for a retry.
func (ch *channel) putBack(c *chat, it *item) {
	ch.pending++
	if it.out.Bulk {
		c.bulk = append([]*item{it}, c.bulk...)
	} else {
		c.replies = append([]*item{it}, c.replies...)
	}
}

func (ch *channel) deliver(ctx context.Context, c *chat, it *item) {
	cfg := ch.s.cfg
	// Deliveries outlive the run context, so held work finishes on shutdown.
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.DeliverTimeout)
	err := ch.t.Deliver(dctx, it.out)
	cancel()

	result, final := ResultSent, true
	var ra *RetryAfterError
	var te *TemporaryError
	ch.mu.Lock()
	now := cfg.Now()
	switch {
	case err == nil:
	case errors.As(err, &ra):
		result = ResultThrottled
		it.throttles++
		after := max(ra.After, time.Second/10)
		if until := now.Add(after); until.After(ch.pausedUntil) {
			ch.pausedUntil = until
		}
		if it.throttles < cfg.MaxThrottles {
			final = false
			c.nextAt = now.Add(after)
		}
	case errors.As(err, &te):
		result = ResultTemporary
		it.attempts++
		if it.attempts < cfg.MaxAttempts {
			final = false
			c.nextAt = now.Add(backoff(cfg.BaseBackoff, cfg.MaxBackoff, it.attempts))
		}
	case errors.Is(err, ErrBlocked):
		result = ResultBlocked
	default:
		result = ResultFailed
	}
	if !final {
		ch.putBack(c, it)
	}
	c.busy = false
	ch.inflight--
	ch.schedule(c)
	ch.signal()
	ch.mu.Unlock()

	if cfg.OnResult != nil {
		cfg.OnResult(ch.name, result)
	}
	if !final {
		cfg.Log.Debug("outbound: retry", "channel", ch.name, "chat", c.id, "result", result, "err", err)
		return
	}
	octx := context.WithoutCancel(ctx)
	if result == ResultBlocked && it.out.PersonID != 0 && cfg.Unreachable != nil {
		if merr := cfg.Unreachable.MarkUnreachable(octx, it.out.PersonID); merr != nil {
			cfg.Log.Error("outbound: mark unreachable", "person", it.out.PersonID, "err", merr)
		}
	}
	if result == ResultSent && it.out.PersonID != 0 {
		if r, ok := cfg.Unreachable.(Reachable); ok {
			if merr := r.MarkReachable(octx, it.out.PersonID); merr != nil {
				cfg.Log.Error("outbound: mark reachable", "person", it.out.PersonID, "err", merr)
			}
		}
	}
	if err != nil {
		cfg.Log.Warn("outbound: given up", "channel", ch.name, "chat", c.id, "person", it.out.PersonID, "result", result, "err", err)
	}
	if cfg.OnOutcome != nil {
		cfg.OnOutcome(octx, it.out, err)
	}
}

// backoff is base doubled for each failure after the first, capped.
func backoff(base, limit time.Duration, failures int) time.Duration {
	d := base
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

type timerEntry struct {
	at  time.Time
	ref chatRef
}

type timerHeap []timerEntry

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h timerHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *timerHeap) Push(x any)        { *h = append(*h, x.(timerEntry)) }
func (h *timerHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}
