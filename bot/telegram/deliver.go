package telegram

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
)

var _ outbound.Transport = (*Adapter)(nil)

// The Bot API's size limits for a message text and a media caption, in characters.
const (
	maxText    = 4096
	maxCaption = 1024
)

// Deliver sends one outbound message: text with an inline keyboard from Buttons (long
// texts split, the keyboard on the last part), or a photo or document from Attachment
// with the text as caption (or before it, when too long for a caption). Errors are
// classified for the sender: outbound.ErrBlocked (403), *outbound.RetryAfterError (429),
// *outbound.TemporaryError (5xx, network); anything else is final.
func (a *Adapter) Deliver(ctx context.Context, out conversations.Outbound) error {
	_, err := a.DeliverID(ctx, out, "")
	return err
}

var _ outbound.IDTransport = (*Adapter)(nil)

// DeliverID is Deliver reporting the Bot API's id of the (last) message sent, for the
// durable queue's deliveries log. Telegram takes no id of ours, so id is not used.
func (a *Adapter) DeliverID(ctx context.Context, out conversations.Outbound, _ string) (string, error) {
	chatID, err := strconv.ParseInt(out.To.ChatID, 10, 64)
	if err != nil {
		return "", fmt.Errorf("telegram chat id %q: %w", out.To.ChatID, conversations.ErrInvalid)
	}
	markup := keyboard(out.Buttons)
	text := out.Text
	if out.Attachment != nil {
		caption := ""
		if utf8.RuneCountInString(text) <= maxCaption {
			caption, text = text, ""
		}
		if text != "" {
			if _, err := a.sendText(ctx, chatID, text, nil); err != nil {
				return "", err
			}
		}
		return a.sendFile(ctx, chatID, out.Attachment, caption, markup)
	}
	if strings.TrimSpace(text) == "" {
		return "", nil
	}
	return a.sendText(ctx, chatID, text, markup)
}

func (a *Adapter) sendText(ctx context.Context, chatID int64, text string, markup models.ReplyMarkup) (string, error) {
	parts := split(text, maxText)
	var id string
	for i, p := range parts {
		params := &bot.SendMessageParams{ChatID: chatID, Text: p,
			LinkPreviewOptions: &models.LinkPreviewOptions{IsDisabled: bot.True()}}
		if i == len(parts)-1 && markup != nil {
			params.ReplyMarkup = markup
		}
		m, err := a.bot.SendMessage(ctx, params)
		if err != nil {
			return "", a.classify(err)
		}
		id = messageID(m)
	}
	return id, nil
}

func (a *Adapter) sendFile(ctx context.Context, chatID int64, att *conversations.Attachment, caption string, markup models.ReplyMarkup) (string, error) {
	upload := &models.InputFileUpload{Filename: att.Name, Data: bytes.NewReader(att.Data)}
	var m *models.Message
	var err error
	if att.Photo {
		m, err = a.bot.SendPhoto(ctx, &bot.SendPhotoParams{ChatID: chatID, Photo: upload, Caption: caption, ReplyMarkup: markup})
	} else {
		m, err = a.bot.SendDocument(ctx, &bot.SendDocumentParams{ChatID: chatID, Document: upload, Caption: caption, ReplyMarkup: markup})
	}
	if err != nil {
		return "", a.classify(err)
	}
	return messageID(m), nil
}

func messageID(m *models.Message) string {
	if m == nil {
		return ""
	}
	return strconv.Itoa(m.ID)
}

// keyboard turns button rows into an inline keyboard (nil when there are none).
func keyboard(rows [][]conversations.Button) models.ReplyMarkup {
	var kb [][]models.InlineKeyboardButton
	for _, row := range rows {
		var r []models.InlineKeyboardButton
		for _, b := range row {
			r = append(r, models.InlineKeyboardButton{Text: b.Label, CallbackData: b.Data})
		}
		if len(r) > 0 {
			kb = append(kb, r)
		}
	}
	if len(kb) == 0 {
		return nil
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: kb}
}

// split cuts text into parts of at most limit characters, at line breaks where possible.
func split(text string, limit int) []string {
	var parts []string
	for utf8.RuneCountInString(text) > limit {
		runes := []rune(text)
		cut := limit
		if nl := strings.LastIndex(string(runes[:limit]), "\n"); nl > 0 {
			cut = utf8.RuneCountInString(string(runes[:limit])[:nl])
		}
		parts = append(parts, strings.TrimRight(string(runes[:cut]), "\n"))
		text = strings.TrimLeft(string(runes[cut:]), "\n")
	}
	return append(parts, text)
}

// classify maps a Bot API error onto the sender's vocabulary.
func (a *Adapter) classify(err error) error {
	var tooMany *bot.TooManyRequestsError
	var ue *url.Error
	msg := a.scrub(err)
	switch {
	case errors.As(err, &tooMany):
		return &outbound.RetryAfterError{After: time.Duration(max(tooMany.RetryAfter, 1)) * time.Second}
	case errors.Is(err, bot.ErrorForbidden):
		// Blocked by the user, kicked from the group, or the user deleted their account.
		return fmt.Errorf("%w: %v", outbound.ErrBlocked, msg)
	case errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "chat not found"):
		return fmt.Errorf("%w: %v", outbound.ErrBlocked, msg)
	case errors.Is(err, bot.ErrorBadRequest), errors.Is(err, bot.ErrorUnauthorized),
		errors.Is(err, bot.ErrorNotFound), errors.Is(err, bot.ErrorConflict), bot.IsMigrateError(err):
		return fmt.Errorf("telegram: %v: %w", msg, conversations.ErrInvalid)
	case errors.As(err, &ue), errors.Is(err, context.DeadlineExceeded):
		return &outbound.TemporaryError{Err: msg}
	default:
		// 5xx answers, and gateway pages that are not JSON.
		return &outbound.TemporaryError{Err: msg}
	}
}
