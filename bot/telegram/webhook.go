package telegram

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// SecretHeader carries the webhook secret token Telegram sends with every update.
const SecretHeader = "X-Telegram-Bot-Api-Secret-Token"

// RegisterWebhook tells Telegram to deliver updates to Config.WebhookURL with the secret
// token (setWebhook). Pending updates are kept.
func (a *Adapter) RegisterWebhook(ctx context.Context) error {
	if !a.Webhook() {
		return fmt.Errorf("%w: no webhook URL", ErrConfig)
	}
	_, err := a.bot.SetWebhook(ctx, &bot.SetWebhookParams{
		URL:            a.cfg.WebhookURL,
		SecretToken:    a.cfg.WebhookSecret,
		AllowedUpdates: []string{"message", "edited_message", "callback_query"},
	})
	if err != nil {
		return fmt.Errorf("telegram setWebhook: %v", a.scrub(err))
	}
	return nil
}

// WebhookHandler receives updates from Telegram. It answers 401 when the secret token is
// missing or wrong (compared in constant time), and 200 only after the update was recorded
// durably, so an update is never lost once Telegram saw a 200; then it hands the update to
// the dispatcher. A redelivered update_id is answered 200 and dropped.
func (a *Adapter) WebhookHandler() http.Handler {
	secret := []byte(a.cfg.WebhookSecret)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		got := []byte(r.Header.Get(SecretHeader))
		if len(secret) == 0 || subtle.ConstantTimeCompare(got, secret) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			http.Error(w, "body too large or unreadable", http.StatusBadRequest)
			return
		}
		var u models.Update
		if err := json.Unmarshal(raw, &u); err != nil || u.ID == 0 {
			http.Error(w, "not a Telegram update", http.StatusBadRequest)
			return
		}
		if err := a.accept(context.WithoutCancel(r.Context()), &u, raw); err != nil {
			if errors.Is(err, ErrStopped) {
				http.Error(w, "shutting down", http.StatusServiceUnavailable)
				return
			}
			a.log.Error("record webhook update", "update", u.ID, "err", err)
			http.Error(w, "cannot record update", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
