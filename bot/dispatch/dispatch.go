// Package dispatch runs inbound messages through the engine with per-chat order and
// bounded parallelism: messages of one chat are handled one after another in arrival
// order; different chats run in parallel on a fixed set of workers. The replies go to
// the outbound sender. (Order and dedupe across processes are the engine's: it locks the
// chat in Redis and records each platform message id in Postgres.)
package dispatch

import (
	"context"
	"hash/fnv"
	"log/slog"
	"sync"

	"github.com/klabot/klabot/conversations"
)

// Handler applies one inbound message and returns the replies (conversations.Engine).
type Handler interface {
	Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error)
}

// Sender queues an outbound message for delivery.
type Sender interface {
	Enqueue(ctx context.Context, out conversations.Outbound) error
}

// Config tunes a Dispatcher.
type Config struct {
	// Workers is the number of parallel chat lanes. Defaults to 64.
	Workers int
	// QueueSize is each lane's buffer; Submit blocks when it is full. Defaults to 256.
	QueueSize int
}

type job struct {
	in   conversations.Inbound
	done func(error)
}

// Dispatcher serialises messages per chat and hands replies to a Sender.
type Dispatcher struct {
	h     Handler
	out   Sender
	log   *slog.Logger
	lanes []chan job
	wg    sync.WaitGroup
}

// New returns a Dispatcher; call Run to start its workers.
func New(h Handler, out Sender, log *slog.Logger, cfg Config) *Dispatcher {
	if cfg.Workers <= 0 {
		cfg.Workers = 64
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 256
	}
	d := &Dispatcher{h: h, out: out, log: log}
	for range cfg.Workers {
		d.lanes = append(d.lanes, make(chan job, cfg.QueueSize))
	}
	return d
}

// Submit queues in behind earlier messages of the same chat. done, when not nil, is
// called with the handling result once the message was handled and its replies queued.
// Submit blocks while the chat's lane is full, and fails only when ctx ends first.
func (d *Dispatcher) Submit(ctx context.Context, in conversations.Inbound, done func(error)) error {
	h := fnv.New32a()
	h.Write([]byte(in.Address.Key()))
	lane := d.lanes[h.Sum32()%uint32(len(d.lanes))]
	select {
	case lane <- job{in: in, done: done}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run works the lanes until ctx ends, then finishes every message already queued
// (graceful shutdown: stop taking, finish what is held) and returns.
func (d *Dispatcher) Run(ctx context.Context) {
	for _, lane := range d.lanes {
		d.wg.Add(1)
		go d.work(ctx, lane)
	}
	<-ctx.Done()
	d.wg.Wait()
}

func (d *Dispatcher) work(ctx context.Context, lane chan job) {
	defer d.wg.Done()
	// Handling and sending use a context that survives shutdown, so held work finishes.
	hctx := context.WithoutCancel(ctx)
	for {
		select {
		case j := <-lane:
			d.handle(hctx, j)
		case <-ctx.Done():
			for {
				select {
				case j := <-lane:
					d.handle(hctx, j)
				default:
					return
				}
			}
		}
	}
}

func (d *Dispatcher) handle(ctx context.Context, j job) {
	replies, err := d.h.Handle(ctx, j.in)
	if err != nil {
		d.log.Error("handle message", "channel", j.in.Channel, "chat", j.in.ChatID, "message", j.in.MessageID, "err", err)
	}
	for _, r := range replies {
		if qerr := d.out.Enqueue(ctx, r); qerr != nil && err == nil {
			err = qerr
		}
	}
	if j.done != nil {
		j.done(err)
	}
}
