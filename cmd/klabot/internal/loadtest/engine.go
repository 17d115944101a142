package loadtest

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"time"

	"github.com/klabot/klabot/conversations"
)

// Handler is the engine's entry point (conversations.Engine).
type Handler interface {
	Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error)
}

// Outbox queues replies durably (bot/outbound.Queue).
type Outbox interface {
	EnqueueMany(ctx context.Context, outs ...conversations.Outbound) error
}

// EngineTarget hands messages straight to the engine, as a channel adapter would after
// turning a Telegram update into an Inbound, and queues the replies in Outbox when set.
type EngineTarget struct {
	Engine Handler
	Outbox Outbox
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
	if t.Outbox != nil && len(outs) > 0 {
		if qerr := t.Outbox.EnqueueMany(ctx, outs...); qerr != nil && err == nil {
			err = qerr
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
