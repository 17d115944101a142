package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// WebhookTarget posts each message as a Telegram update to klabot serve's webhook and
// waits for the bot's replies at the sink Bot API: the whole path (HTTP, durable update
// record, dedupe, per-chat ordering, engine, outbound sender, Bot API call) is measured.
type WebhookTarget struct {
	URL    string // the webhook, e.g. http://127.0.0.1:PORT/telegram/webhook
	Secret string
	API    *SinkBotAPI
	Client *http.Client
	// ReplyWait bounds the wait for a step's replies. Defaults to 10s.
	ReplyWait time.Duration
}

// ErrNoReply means the bot's answer to a message did not arrive in time.
var ErrNoReply = kindError("no reply in time")

// ErrStray means a message arrived that no step was waiting for (a reply to a duplicate
// delivery, or a late one).
var ErrStray = kindError("stray reply")

type kindError string

func (e kindError) Error() string { return string(e) }
func (e kindError) Kind() string  { return string(e) }

// Send implements Target.
func (t *WebhookTarget) Send(ctx context.Context, fp FocalPoint, m Msg) ([]Reply, error) {
	chat := strconv.FormatInt(fp.UserID, 10)
	ch := t.API.replies(chat)
	stray := 0
	for drained := false; !drained; {
		select {
		case <-ch:
			stray++
		default:
			drained = true
		}
	}
	prompts := 1
	if err := t.post(ctx, fp, m); err != nil {
		return nil, err
	}
	if m.Then != nil {
		prompts++
		if err := t.post(ctx, fp, *m.Then); err != nil {
			return nil, err
		}
	}
	if stray > 0 {
		return nil, ErrStray
	}
	if m.Dup {
		return nil, nil // Telegram's redelivery: answered 200, and nothing else happens
	}
	wait := t.ReplyWait
	if wait <= 0 {
		wait = 10 * time.Second
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	var replies []Reply
	for {
		select {
		case r := <-ch:
			replies = append(replies, r)
			if prompt(r) {
				if prompts--; prompts == 0 {
					return replies, nil
				}
			}
		case <-timer.C:
			return replies, ErrNoReply
		case <-ctx.Done():
			return replies, ctx.Err()
		}
	}
}

// post delivers one update to the webhook.
func (t *WebhookTarget) post(ctx context.Context, fp FocalPoint, m Msg) error {
	body, err := json.Marshal(update(fp, m, t.API.NextMessageID(strconv.FormatInt(fp.UserID, 10))))
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", t.Secret)
	resp, err := t.Client.Do(req)
	if err != nil {
		return fmt.Errorf("post update: %w", err)
	}
	io.Copy(io.Discard, resp.Body) //nolint:errcheck // only the status matters
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return kindError(fmt.Sprintf("webhook HTTP %d", resp.StatusCode))
	}
	return nil
}

// prompt reports whether r ends the bot's turn: it asks something (buttons, a question)
// or closes the questionnaire. "✅ Tersimpan" and file receipts are always followed by
// more.
func prompt(r Reply) bool {
	return len(r.Buttons) > 0 || headerRE.MatchString(r.Text) || strings.Contains(r.Text, doneMark)
}

// update is the Telegram update a person's message arrives as; msgID is its message_id.
func update(fp FocalPoint, m Msg, msgID int64) map[string]any {
	from := map[string]any{"id": fp.UserID, "is_bot": false, "first_name": "Fokal"}
	chat := map[string]any{"id": fp.UserID, "type": "private", "first_name": "Fokal"}
	now := time.Now().Unix()
	if m.Button != "" {
		return map[string]any{"update_id": m.ID, "callback_query": map[string]any{
			"id": "cq" + strconv.FormatInt(m.ID, 36), "from": from, "chat_instance": "ci", "data": m.Button,
			"message": map[string]any{"message_id": m.Prompt, "date": now, "chat": chat, "text": "…",
				"from": map[string]any{"id": 1, "is_bot": true, "first_name": "KLA"}},
		}}
	}
	msg := map[string]any{"message_id": msgID, "date": now, "chat": chat, "from": from}
	if f := m.File; f != nil {
		msg["document"] = map[string]any{"file_id": f.ID, "file_unique_id": "u" + f.ID, "file_name": f.Name,
			"mime_type": "application/pdf", "file_size": len(f.Data)}
	} else {
		msg["text"] = m.Text
	}
	return map[string]any{"update_id": m.ID, "message": msg}
}
