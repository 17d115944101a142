// Package dispatch runs inbound messages through the engine with per-chat order and
// bounded parallelism, and without head-of-line blocking:
//
//   - every chat has its own bounded queue; its messages are handled one after another in
//     arrival order, different chats in parallel on a fixed set of workers. A worker takes
//     one message of a chat per turn, so a chat with many messages shares the workers
//     fairly with the others;
//   - Submit never blocks: when a chat's queue is full the message is refused with
//     ErrChatFull and the person is told to wait ("too many messages");
//   - a message that fails because a dependency is down (Redis, PostgreSQL: a transient
//     error) is not answered with an error: the chat gets one "sebentar, sedang ada
//     gangguan" notice per outage, and the message is retried in its place with growing
//     pauses (the chat's later messages wait behind it, so the order holds; other chats
//     go on). After RetryFor, or at shutdown, it is given back to the channel as
//     ErrDeferred: not handled, to be replayed from the channel's durable record.
//
// The replies Handle returns go to the outbound sender (the durable outbox in serve);
// an engine with an Outbox has queued its replies itself, in the step's transaction. Order and dedupe across processes are the
// engine's and the channel's (Redis chat lock, durable inbound records).
package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/klabot/klabot/conversations"
)

// Handler applies one inbound message and returns the messages still to send
// (conversations.Engine): an engine with an Outbox queues a step's replies in the
// step's own transaction and returns none, or only a failed step's apology — which the
// dispatcher sends outside that rolled-back transaction, or drops when it retries the
// message. Nothing is queued twice.
type Handler interface {
	Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error)
}

// Sender queues an outbound message for delivery.
type Sender interface {
	Enqueue(ctx context.Context, out conversations.Outbound) error
}

// ErrChatFull means the chat's queue is full: the message was not queued and the person
// was told to wait and send it again.
var ErrChatFull = errors.New("dispatch: too many messages queued for this chat")

// ErrDeferred is what done receives for a message that could not be handled because a
// dependency stayed down (or the dispatcher stopped while it waited for a retry): it was
// not applied, and the channel should keep it for a replay rather than mark it handled.
var ErrDeferred = errors.New("dispatch: deferred, a dependency is unavailable")

// Texts are what the dispatcher itself says to people. Defaults are Indonesian.
type Texts struct {
	// ChatFull answers the first message refused because its chat's queue is full (once
	// until the queue has room again).
	ChatFull string
	// Outage tells a chat, once per outage, that its messages wait for a dependency.
	Outage string
	// GaveUp tells a chat that a message could not be handled, when the channel has no
	// durable record to replay it from (Submit without done), or when its replays failed
	// too often.
	GaveUp string
	// Edited answers an edited message: klabot handles what people send, not edits.
	Edited string
}

// Notice names one of the dispatcher's texts, for Notify.
type Notice int

// The notices a channel can send through Notify.
const (
	NoticeGaveUp Notice = iota
	NoticeEdited
)

// DefaultTexts are the Indonesian texts.
var DefaultTexts = Texts{
	ChatFull: "⏳ Terlalu banyak pesan sekaligus. Pesan yang masuk mulai sekarang tidak diproses sampai yang sebelumnya selesai; tunggu balasannya, lalu kirim lagi yang belum dibalas.",
	Outage:   "⏳ Sebentar, sedang ada gangguan di sistem kami. Pesan Anda disimpan dan akan diproses begitu pulih; tidak perlu mengirim ulang.",
	GaveUp:   "Maaf, pesan Anda belum bisa diproses karena gangguan di sistem kami. Mohon kirim lagi beberapa menit lagi.",
	Edited:   "✏️ Pesan yang diubah tidak diproses. Kirim ulang sebagai pesan baru bila perlu.",
}

// Config tunes a Dispatcher.
type Config struct {
	// Workers is how many chats are handled at the same time. Defaults to 64.
	Workers int
	// ChatQueue bounds the messages waiting per chat; more are refused with ErrChatFull.
	// Defaults to 50.
	ChatQueue int
	// RetryBase is the first pause before a message that failed transiently is retried;
	// each further failure doubles it, up to RetryMax. Default 1s and 30s.
	RetryBase, RetryMax time.Duration
	// RetryFor is how long a message is retried before it is deferred (ErrDeferred).
	// Defaults to 2 minutes.
	RetryFor time.Duration
	// Transient reports whether a handling error means a dependency is down, so the
	// message should be retried. Defaults to errors.Is(err, conversations.ErrUnavailable).
	Transient func(error) bool
	// Texts are the dispatcher's own replies. Zero fields take DefaultTexts.
	Texts Texts
	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
	// OnEvent, when set, is told of each "retried", "deferred", "chat_full" and
	// "outage_notice" (metrics).
	OnEvent func(kind string)
}

type job struct {
	in       conversations.Inbound
	done     func(error)
	first    time.Time // first attempt
	attempts int
}

// chat is one chat's queue. running means a worker holds it or a retry timer waits for
// it; otherwise it is in the ready list exactly when it has jobs.
type chat struct {
	key     string
	jobs    []*job
	running bool
	full    bool // told ChatFull; not again until a message is queued
}

// Dispatcher serialises messages per chat and hands replies to a Sender.
type Dispatcher struct {
	h   Handler
	out Sender
	log *slog.Logger
	cfg Config

	mu       sync.Mutex
	cond     *sync.Cond
	chats    map[string]*chat
	ready    []*chat
	stopping bool
	timers   map[*chat]*time.Timer // chats waiting for a retry
	noticed  map[string]bool       // chats told of an outage since their last success
}

// New returns a Dispatcher; call Run to start its workers.
func New(h Handler, out Sender, log *slog.Logger, cfg Config) *Dispatcher {
	if cfg.Workers <= 0 {
		cfg.Workers = 64
	}
	if cfg.ChatQueue <= 0 {
		cfg.ChatQueue = 50
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = time.Second
	}
	if cfg.RetryMax <= 0 {
		cfg.RetryMax = 30 * time.Second
	}
	if cfg.RetryFor <= 0 {
		cfg.RetryFor = 2 * time.Minute
	}
	if cfg.Transient == nil {
		cfg.Transient = func(err error) bool { return errors.Is(err, conversations.ErrUnavailable) }
	}
	def := DefaultTexts
	if cfg.Texts.ChatFull == "" {
		cfg.Texts.ChatFull = def.ChatFull
	}
	if cfg.Texts.Outage == "" {
		cfg.Texts.Outage = def.Outage
	}
	if cfg.Texts.GaveUp == "" {
		cfg.Texts.GaveUp = def.GaveUp
	}
	if cfg.Texts.Edited == "" {
		cfg.Texts.Edited = def.Edited
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OnEvent == nil {
		cfg.OnEvent = func(string) {}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &Dispatcher{h: h, out: out, log: log, cfg: cfg, chats: map[string]*chat{}, timers: map[*chat]*time.Timer{}, noticed: map[string]bool{}}
	d.cond = sync.NewCond(&d.mu)
	return d
}

// Submit queues in behind earlier messages of the same chat and returns at once. done,
// when not nil, is called once: with nil after the message was handled and its replies
// queued (an error the engine answered itself counts as handled), or with an error
// wrapping ErrDeferred when it was not applied and should be replayed later. Submit
// fails with ErrChatFull when the chat's queue is full (the person is told once per
// burst), and then done is not called.
func (d *Dispatcher) Submit(ctx context.Context, in conversations.Inbound, done func(error)) error {
	in.Text = Clean(in.Text)
	key := in.Address.Key()
	d.mu.Lock()
	c := d.chats[key]
	if c == nil {
		c = &chat{key: key}
		d.chats[key] = c
	}
	if len(c.jobs) >= d.cfg.ChatQueue {
		tell := !c.full
		c.full = true
		d.mu.Unlock()
		d.cfg.OnEvent("chat_full")
		if tell {
			d.tell(ctx, in.Address, d.cfg.Texts.ChatFull)
		}
		d.log.Warn("chat queue full; message refused", "chat", key, "message", in.MessageID)
		return ErrChatFull
	}
	c.full = false
	c.jobs = append(c.jobs, &job{in: in, done: done})
	if !c.running && len(c.jobs) == 1 {
		d.ready = append(d.ready, c)
		d.cond.Signal()
	}
	d.mu.Unlock()
	return nil
}

// Queued returns how many messages wait or run, over all chats.
func (d *Dispatcher) Queued() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, c := range d.chats {
		n += len(c.jobs)
	}
	return n
}

// Run works the queues until ctx ends, then finishes every message already queued
// (graceful shutdown: stop taking, finish what is held; messages waiting for a retry are
// deferred) and returns.
func (d *Dispatcher) Run(ctx context.Context) {
	var workers sync.WaitGroup
	for range d.cfg.Workers {
		workers.Add(1)
		go func() { defer workers.Done(); d.work(context.WithoutCancel(ctx)) }()
	}
	<-ctx.Done()
	d.mu.Lock()
	d.stopping = true
	for c, t := range d.timers {
		if t.Stop() {
			delete(d.timers, c)
			d.ready = append(d.ready, c) // handled (deferred) by a worker at once
		}
	}
	d.cond.Broadcast()
	d.mu.Unlock()
	workers.Wait()
}

// work takes one message of a ready chat per turn. Handling uses a context that
// survives shutdown, so held work finishes.
func (d *Dispatcher) work(ctx context.Context) {
	for {
		d.mu.Lock()
		for len(d.ready) == 0 && !(d.stopping && len(d.timers) == 0) {
			d.cond.Wait()
		}
		if len(d.ready) == 0 {
			d.cond.Broadcast()
			d.mu.Unlock()
			return
		}
		c := d.ready[0]
		d.ready = d.ready[1:]
		c.running = true
		j := c.jobs[0]
		stopping := d.stopping
		d.mu.Unlock()

		retry := d.handle(ctx, c, j, stopping)

		d.mu.Lock()
		if retry > 0 && !d.stopping {
			d.timers[c] = time.AfterFunc(retry, func() {
				d.mu.Lock()
				delete(d.timers, c)
				d.ready = append(d.ready, c)
				d.cond.Signal()
				d.mu.Unlock()
			})
		} else {
			if retry > 0 { // stopping meanwhile: try once more now, then defer
				d.ready = append(d.ready, c)
				d.cond.Signal()
				d.mu.Unlock()
				continue
			}
			c.jobs = c.jobs[1:]
			c.running = false
			if len(c.jobs) > 0 {
				d.ready = append(d.ready, c)
				d.cond.Signal()
			} else {
				delete(d.chats, c.key)
			}
		}
		if d.stopping && len(d.ready) == 0 && len(d.timers) == 0 {
			d.cond.Broadcast()
		}
		d.mu.Unlock()
	}
}

// handle runs one attempt of j. It returns the pause before the next attempt, or 0 when
// j is finished (handled, or deferred and given back).
func (d *Dispatcher) handle(ctx context.Context, c *chat, j *job, stopping bool) time.Duration {
	now := d.cfg.Now()
	if j.attempts == 0 {
		j.first = now
	}
	j.attempts++
	replies, err := d.h.Handle(ctx, j.in)
	if err != nil && d.cfg.Transient(err) {
		// Not applied: the engine's own error reply is not sent; the chat hears once
		// that its messages wait, and the message is tried again in its place. The
		// notice goes through the durable queue like every message: while that cannot
		// take it (PostgreSQL down) it is tried again with the message's next attempt,
		// and dropped once the message is handled (its reply says enough).
		d.mu.Lock()
		notice := !d.noticed[c.key]
		d.mu.Unlock()
		if notice && d.tell(ctx, j.in.Address, d.cfg.Texts.Outage) == nil {
			d.mu.Lock()
			d.noticed[c.key] = true
			d.mu.Unlock()
			d.cfg.OnEvent("outage_notice")
		}
		if !stopping && now.Sub(j.first) < d.cfg.RetryFor {
			pause := d.cfg.RetryBase << min(j.attempts-1, 16)
			pause = min(pause, d.cfg.RetryMax)
			d.cfg.OnEvent("retried")
			d.log.Warn("message deferred: dependency unavailable; retrying", "channel", j.in.Channel, "chat", j.in.ChatID,
				"message", j.in.MessageID, "attempt", j.attempts, "pause", pause, "err", err)
			return pause
		}
		d.cfg.OnEvent("deferred")
		d.log.Warn("message deferred for a replay", "channel", j.in.Channel, "chat", j.in.ChatID, "message", j.in.MessageID, "attempts", j.attempts, "err", err)
		if j.done != nil {
			j.done(fmt.Errorf("%w: %v", ErrDeferred, err))
		} else {
			d.tell(ctx, j.in.Address, d.cfg.Texts.GaveUp)
		}
		return 0
	}
	if err != nil {
		d.log.Error("handle message", "channel", j.in.Channel, "chat", j.in.ChatID, "message", j.in.MessageID, "err", err)
	} else {
		d.mu.Lock()
		delete(d.noticed, c.key)
		d.mu.Unlock()
	}
	for _, r := range replies {
		if qerr := d.out.Enqueue(ctx, r); qerr != nil && err == nil {
			err = qerr
		}
	}
	if j.done != nil {
		j.done(err)
	}
	return 0
}

// Notify sends one of the dispatcher's notices to a chat at once.
func (d *Dispatcher) Notify(ctx context.Context, to conversations.Address, n Notice) {
	text := d.cfg.Texts.GaveUp
	if n == NoticeEdited {
		text = d.cfg.Texts.Edited
	}
	d.tell(ctx, to, text)
}

// tell queues one of the dispatcher's own replies (logged when it fails: nothing is sent
// around the durable queue).
func (d *Dispatcher) tell(ctx context.Context, to conversations.Address, text string) error {
	err := d.out.Enqueue(context.WithoutCancel(ctx), conversations.Outbound{To: to, Text: text})
	if err != nil {
		d.log.Warn("queue dispatcher notice (not sent)", "chat", to.Key(), "err", err)
	}
	return err
}

// Clean removes NUL and the other control characters from text (they break storage,
// exports and logs), keeping line breaks and tabs; "\r\n" becomes "\n".
func Clean(text string) string {
	clean := true
	for _, r := range text {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			clean = false
			break
		}
	}
	if clean {
		return text
	}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case unicode.IsControl(r) && r != '\n' && r != '\t':
			return -1
		}
		return r
	}, text))
}
