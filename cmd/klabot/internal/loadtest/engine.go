package loadtest

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/klabot/klabot/conversations"
)

// Handler is the engine's entry point (conversations.Engine).
type Handler interface {
	Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error)
}

// Outbox queues replies durably (bot/outbound.Queue).
type Outbox interface {
	Enqueue(ctx context.Context, out conversations.Outbound) error
	EnqueueMany(ctx context.Context, outs ...conversations.Outbound) error
}

// Capture is the engine's Outbox for the load: it queues through the real durable queue
// (in the step's transaction) and keeps a copy of what each chat was sent, which
// EngineTarget reads back as the step's replies.
type Capture struct {
	q   Outbox
	mu  sync.Mutex
	got map[string][]conversations.Outbound
}

// NewCapture wraps q.
func NewCapture(q Outbox) *Capture {
	return &Capture{q: q, got: map[string][]conversations.Outbound{}}
}

// Enqueue queues out and keeps a copy.
func (c *Capture) Enqueue(ctx context.Context, out conversations.Outbound) error {
	return c.EnqueueMany(ctx, out)
}

// EnqueueMany queues outs and keeps a copy.
func (c *Capture) EnqueueMany(ctx context.Context, outs ...conversations.Outbound) error {
	if err := c.q.EnqueueMany(ctx, outs...); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range outs {
		c.got[o.To.ChatID] = append(c.got[o.To.ChatID], o)
	}
	return nil
}

// take returns and forgets what chat was sent.
func (c *Capture) take(chat string) []conversations.Outbound {
	c.mu.Lock()
	defer c.mu.Unlock()
	outs := c.got[chat]
	delete(c.got, chat)
	return outs
}

// EngineTarget hands messages straight to the engine, as a channel adapter would after
// turning a Telegram update into an Inbound. With Capture (the engine's Outbox) the
// replies are those the step queued.
type EngineTarget struct {
	Engine  Handler
	Capture *Capture
}

// Send implements Target. A burst's second message follows the first's handling: the
// engine alone has no per-chat queue (the dispatcher in front of it orders chats).
func (t EngineTarget) Send(ctx context.Context, fp FocalPoint, m Msg) ([]Reply, error) {
	replies, err := t.send(ctx, fp, m)
	if err != nil || m.Then == nil {
		return replies, err
	}
	more, err := t.send(ctx, fp, *m.Then)
	return append(replies, more...), err
}

func (t EngineTarget) send(ctx context.Context, fp FocalPoint, m Msg) ([]Reply, error) {
	id := strconv.FormatInt(fp.UserID, 10)
	in := conversations.Inbound{
		Address:    conversations.Address{Channel: conversations.ChannelTelegram, ChatID: id},
		SenderID:   id,
		SenderName: "Fokal Uji",
		MessageID:  strconv.FormatInt(m.ID, 10),
		Text:       m.Text,
		Button:     m.Button,
		At:         time.Now(),
	}
	if f := m.File; f != nil {
		in.Files = []conversations.File{{Name: f.Name, MIME: "application/pdf", Size: int64(len(f.Data)),
			Open: func(context.Context) (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(f.Data)), nil }}}
	}
	outs, err := t.Engine.Handle(ctx, in)
	if t.Capture != nil {
		queued := t.Capture.take(id)
		if err == nil { // a failed step's transaction (and its queued replies) rolled back
			outs = append(queued, outs...)
		}
	}
	replies := make([]Reply, 0, len(outs))
	for _, o := range outs {
		r := Reply{Text: o.Text}
		for _, row := range o.Buttons {
			for _, b := range row {
				r.Buttons = append(r.Buttons, b.Data)
			}
		}
		replies = append(replies, r)
	}
	return replies, err
}
