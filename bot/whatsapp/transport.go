package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"google.golang.org/protobuf/proto"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
)

var _ outbound.Transport = (*Adapter)(nil)

// Deliver sends one message: text (with its buttons as a numbered menu), or a photo or
// document with the text as caption. After a successful send it remembers the menu so
// that a numeric reply maps to the button's data; any message without buttons (a
// digest or a nudge too) forgets the previous menu: a typed number only ever picks an
// option of the latest message in the chat. Errors are classified
// for the sender: outbound.ErrBlocked for chats that can never be written to,
// *outbound.RetryAfterError when WhatsApp throttles, *outbound.TemporaryError for
// connection trouble.
func (a *Adapter) Deliver(ctx context.Context, out conversations.Outbound) error {
	to, err := chatJID(out.To.ChatID)
	if err != nil || to.User == "" {
		return fmt.Errorf("whatsapp chat %q: %w", out.To.ChatID, outbound.ErrBlocked)
	}
	c := a.currentClient()
	if c == nil {
		return &outbound.TemporaryError{Err: errNoSession}
	}
	text := RenderText(out)
	msg := &waE2E.Message{Conversation: proto.String(text)}
	if out.Attachment != nil {
		if msg, err = mediaMessage(ctx, c, out.Attachment, text); err != nil {
			return classify("upload attachment", err)
		}
	}
	if _, err := c.SendMessage(ctx, to, msg); err != nil {
		return classify("send", err)
	}
	a.rememberMenu(ctx, out)
	return nil
}

func (a *Adapter) rememberMenu(ctx context.Context, out conversations.Outbound) {
	if a.menus == nil {
		return
	}
	bs := flatten(out.Buttons)
	var err error
	switch {
	case len(bs) > 0:
		data := make([]string, len(bs))
		for i, b := range bs {
			data[i] = b.Data
		}
		err = a.menus.SetMenu(ctx, out.To, data, a.cfg.MenuTTL)
	default:
		err = a.menus.ClearMenu(ctx, out.To)
	}
	if err != nil {
		// The message went out; a number reply will reach the engine as text instead.
		a.log.Warn("whatsapp: remember menu", "chat", out.To.ChatID, "err", err)
	}
}

// mediaMessage uploads the attachment and returns the message that shows it.
func mediaMessage(ctx context.Context, c Client, att *conversations.Attachment, caption string) (*waE2E.Message, error) {
	kind := whatsmeow.MediaDocument
	if att.Photo {
		kind = whatsmeow.MediaImage
	}
	up, err := c.Upload(ctx, att.Data, kind)
	if err != nil {
		return nil, err
	}
	if att.Photo {
		return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
			Caption:       optional(caption),
			Mimetype:      proto.String(att.MIME),
			URL:           proto.String(up.URL),
			DirectPath:    proto.String(up.DirectPath),
			MediaKey:      up.MediaKey,
			FileEncSHA256: up.FileEncSHA256,
			FileSHA256:    up.FileSHA256,
			FileLength:    proto.Uint64(up.FileLength),
		}}, nil
	}
	return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{
		Caption:       optional(caption),
		Title:         proto.String(att.Name),
		FileName:      proto.String(att.Name),
		Mimetype:      proto.String(att.MIME),
		URL:           proto.String(up.URL),
		DirectPath:    proto.String(up.DirectPath),
		MediaKey:      up.MediaKey,
		FileEncSHA256: up.FileEncSHA256,
		FileSHA256:    up.FileSHA256,
		FileLength:    proto.Uint64(up.FileLength),
	}}, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// errNoSession means this process does not hold the WhatsApp session (not paired, another
// replica holds it, or it is connecting).
var errNoSession = errors.New("whatsapp session not held by this process")

// throttleDelay is how long to wait after WhatsApp answered "rate-overlimit": it gives
// no retry-after, and bans follow bursts, so the wait is generous.
const throttleDelay = 30 * time.Second

// classify maps whatsmeow's send errors onto the sender's vocabulary.
func classify(op string, err error) error {
	var iq *whatsmeow.IQError
	switch {
	case errors.Is(err, whatsmeow.ErrIQRateOverLimit):
		return &outbound.RetryAfterError{After: throttleDelay}
	case errors.Is(err, whatsmeow.ErrRecipientADJID), errors.Is(err, whatsmeow.ErrUnknownServer),
		errors.Is(err, whatsmeow.ErrBroadcastListUnsupported), errors.Is(err, whatsmeow.ErrNotInGroup),
		errors.Is(err, whatsmeow.ErrGroupNotFound):
		return fmt.Errorf("whatsapp %s: %w: %v", op, outbound.ErrBlocked, err)
	case errors.As(err, &iq) && iq.Code == 429:
		return &outbound.RetryAfterError{After: throttleDelay}
	case errors.As(err, &iq) && (iq.Code == 403 || iq.Code == 404 || iq.Code == 406):
		return fmt.Errorf("whatsapp %s: %w: %v", op, outbound.ErrBlocked, err)
	}
	// Not connected, not logged in (yet), timeouts, server errors, upload trouble: all of
	// them may pass, so the sender retries with backoff.
	return &outbound.TemporaryError{Err: fmt.Errorf("whatsapp %s: %w", op, err)}
}
