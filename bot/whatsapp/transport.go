package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
)

var _ outbound.Transport = (*Adapter)(nil)

// Deliver sends one message: text (with its buttons as a numbered menu), or a photo or
// document with the text as caption. Bulk messages (digests, nudges) wait for their slot
// of the Pacer (SetPacer) within ctx's deadline; a slot further away fails as a
// *DeferredError, which is also an *outbound.TemporaryError. A durable queue's worker
// paces with Pacer itself (snoozing the job) and calls Send. Errors are classified for
// the sender: outbound.ErrBlocked for chats that can never be written to,
// *outbound.RetryAfterError when WhatsApp throttles, *outbound.TemporaryError for
// connection trouble, *RejectedError (never retried) when WhatsApp refused the message.
func (a *Adapter) Deliver(ctx context.Context, out conversations.Outbound) error {
	_, err := a.DeliverID(ctx, out, "")
	return err
}

var _ outbound.IDTransport = (*Adapter)(nil)

// DeliverID is Deliver sending under the message id given (a new one when empty) and
// reporting it: the durable queue gives each message of a job the same id on every
// attempt, so a resend after a crash is a duplicate WhatsApp drops.
func (a *Adapter) DeliverID(ctx context.Context, out conversations.Outbound, id string) (string, error) {
	a.mu.Lock()
	p := a.pacer
	a.mu.Unlock()
	if out.Bulk && p != nil {
		wait, err := p.Reserve(ctx, out.To.ChatID)
		if err != nil {
			return "", &outbound.TemporaryError{Err: err}
		}
		if wait > 0 {
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait+a.cfg.SendTimeout {
				return "", &DeferredError{After: wait}
			}
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return "", &outbound.TemporaryError{Err: ctx.Err()}
			}
			return a.DeliverID(ctx, out, id) // take the slot now (or wait again)
		}
	}
	return a.sendID(ctx, out, id)
}

// Send sends one message at once, with a typing indicator before a reply, and remembers
// its menu. A bulk message is counted against the Pacer's daily cap.
func (a *Adapter) Send(ctx context.Context, out conversations.Outbound) error {
	_, err := a.sendID(ctx, out, "")
	return err
}

func (a *Adapter) sendID(ctx context.Context, out conversations.Outbound, id string) (string, error) {
	to, err := chatJID(out.To.ChatID)
	if err != nil || to.User == "" {
		return "", fmt.Errorf("whatsapp chat %q: %w", out.To.ChatID, outbound.ErrBlocked)
	}
	c := a.currentClient()
	if c == nil {
		// Held but reconnecting, or the session just moved: the queue waits without
		// using an attempt (the session loop stops working the queue when it is gone).
		return "", &outbound.WaitError{After: 5 * time.Second, Err: errNoSession}
	}
	text := RenderText(out)
	msg := &waE2E.Message{Conversation: proto.String(text)}
	if out.Attachment != nil {
		if msg, err = mediaMessage(ctx, c, out.Attachment, text); err != nil {
			return "", classify("upload attachment", err)
		}
	}
	if !out.Bulk {
		a.typing(ctx, c, to, text)
	}
	// whatsmeow waits 75 s for the server's answer by default: shorter than any delivery
	// timeout around it, so that a slow answer is reported as such, not as a cancel.
	extra := whatsmeow.SendRequestExtra{Timeout: a.cfg.SendTimeout}
	if dl, ok := ctx.Deadline(); ok {
		if left := time.Until(dl) - time.Second; left < extra.Timeout && left > 0 {
			extra.Timeout = left
		}
	}
	// The id is ours, so the message is kept for retry receipts before it goes out.
	extra.ID = types.MessageID(id)
	if extra.ID == "" {
		extra.ID = a.newMessageID(c)
	}
	a.rememberSent(ctx, to, extra.ID, msg)
	if _, err := c.SendMessage(ctx, to, msg, extra); err != nil {
		err = classify("send", err)
		var rej *RejectedError
		if errors.As(err, &rej) {
			a.mu.Lock()
			p := a.pacer
			a.mu.Unlock()
			if p != nil {
				p.Rejected()
			}
		}
		return "", err
	}
	if out.Bulk {
		a.mu.Lock()
		p := a.pacer
		a.mu.Unlock()
		if p != nil {
			if err := p.Sent(ctx); err != nil {
				a.log.Warn("whatsapp: count bulk message", "err", err)
			}
		}
	}
	a.rememberMenu(ctx, out)
	return string(extra.ID), nil
}

// SetPacer paces bulk messages (see Deliver).
func (a *Adapter) SetPacer(p *Pacer) {
	a.mu.Lock()
	a.pacer = p
	a.mu.Unlock()
}

// typing shows "mengetik…" for a moment proportional to the reply's length, as a person
// would, before a reply goes out (best effort).
func (a *Adapter) typing(ctx context.Context, c Client, to types.JID, text string) {
	if a.cfg.TypingPerChar <= 0 {
		return
	}
	if err := c.SendChatPresence(ctx, to, types.ChatPresenceComposing, types.ChatPresenceMediaText); err != nil {
		a.log.Debug("whatsapp: typing presence", "err", err)
		return
	}
	d := min(max(time.Duration(len(text))*a.cfg.TypingPerChar, a.cfg.TypingPerChar*20), a.cfg.TypingMax)
	select {
	case <-time.After(d):
	case <-ctx.Done():
	}
}

// DeferredError means a bulk message's turn is later (pacing, working hours, daily cap):
// a durable queue snoozes the job for After. It is a temporary error for a sender that
// knows nothing else.
type DeferredError struct{ After time.Duration }

func (e *DeferredError) Error() string { return fmt.Sprintf("bulk message deferred by %s", e.After) }

// Defer is how long the durable queue snoozes the job (outbound.Deferrer).
func (e *DeferredError) Defer() time.Duration { return e.After }

// Unwrap lets errors.As find an *outbound.TemporaryError.
func (e *DeferredError) Unwrap() error { return &outbound.TemporaryError{Err: errors.New(e.Error())} }

// RejectedError means WhatsApp refused this one message (e.g. 463): sending it again the
// same way gets the same answer and hurts the number's standing, so it is never retried.
type RejectedError struct {
	Code int
	Err  error
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("whatsapp rejected the message (%d): %v", e.Code, e.Err)
}
func (e *RejectedError) Unwrap() error { return e.Err }

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
	default: // any message without buttons, bulk too: a number picks only from the latest
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
	data, mimeType := att.Data, att.MIME
	var pic *picture
	if att.Photo {
		kind = whatsmeow.MediaImage
		// Phones preview only JPEGs with dimensions and a thumbnail; a chart that is
		// no picture at all goes as a document.
		p, err := toJPEG(att.Data)
		if err != nil {
			kind = whatsmeow.MediaDocument
		} else {
			pic, data, mimeType = p, p.jpeg, "image/jpeg"
		}
	}
	up, err := c.Upload(ctx, data, kind)
	if err != nil {
		return nil, err
	}
	if pic != nil {
		return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{
			Caption:       optional(caption),
			Mimetype:      proto.String(mimeType),
			Width:         proto.Uint32(uint32(pic.width)),
			Height:        proto.Uint32(uint32(pic.height)),
			JPEGThumbnail: pic.thumb,
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
	case errors.Is(err, whatsmeow.ErrServerReturnedError):
		// "server returned error 463": a verdict on this message, not on the connection.
		code := 0
		fmt.Sscanf(strings.TrimPrefix(err.Error(), whatsmeow.ErrServerReturnedError.Error()), "%d", &code)
		if code < 500 {
			return &RejectedError{Code: code, Err: err}
		}
	}
	// Not connected, not logged in (yet), timeouts, server errors, upload trouble: all of
	// them may pass, so the sender retries with backoff.
	return &outbound.TemporaryError{Err: fmt.Errorf("whatsapp %s: %w", op, err)}
}

func (a *Adapter) newMessageID(c Client) types.MessageID { return c.GenerateMessageID() }
