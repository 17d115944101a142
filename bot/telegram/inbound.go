package telegram

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"

	"github.com/klabot/klabot/conversations"
)

// chatOf returns the chat id of an update klabot handles ("" for others).
func chatOf(u *models.Update) string {
	switch {
	case u.Message != nil:
		return strconv.FormatInt(u.Message.Chat.ID, 10)
	case u.EditedMessage != nil:
		return strconv.FormatInt(u.EditedMessage.Chat.ID, 10)
	case u.CallbackQuery != nil && u.CallbackQuery.Message.Message != nil:
		return strconv.FormatInt(u.CallbackQuery.Message.Message.Chat.ID, 10)
	case u.CallbackQuery != nil && u.CallbackQuery.Message.InaccessibleMessage != nil:
		return strconv.FormatInt(u.CallbackQuery.Message.InaccessibleMessage.Chat.ID, 10)
	case u.CallbackQuery != nil:
		// A press on an inline-mode message has no chat; the presser's private chat it is.
		return strconv.FormatInt(u.CallbackQuery.From.ID, 10)
	}
	return ""
}

// toInbound turns one update into an Inbound. ok is false for updates klabot ignores
// (edits, channel posts, messages from bots, service messages).
func (a *Adapter) toInbound(u *models.Update) (in conversations.Inbound, ok bool) {
	in.MessageID = a.messageID(u.ID)
	in.Channel = conversations.ChannelTelegram
	switch {
	case u.Message != nil:
		m := u.Message
		if m.From == nil || m.From.IsBot {
			return in, false
		}
		in.ChatID = strconv.FormatInt(m.Chat.ID, 10)
		in.SenderID = strconv.FormatInt(m.From.ID, 10)
		in.SenderName = strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
		in.Group = m.Chat.Type != models.ChatTypePrivate
		in.At = time.Unix(int64(m.Date), 0)
		in.Seq = int64(m.ID)
		in.Text = a.normaliseCommand(m.Text)
		if in.Text == "" {
			in.Text = m.Caption
		}
		if f, ok := a.photo(m); ok {
			in.Files = append(in.Files, f)
		}
		if m.Document != nil {
			d := m.Document
			name := d.FileName
			if name == "" {
				name = fmt.Sprintf("dokumen-%d", m.ID)
			}
			in.Files = append(in.Files, conversations.File{Name: name, MIME: d.MimeType, Size: d.FileSize, Open: a.opener(d.FileID, d.FileSize)})
		}
		return in, in.Text != "" || len(in.Files) > 0
	case u.CallbackQuery != nil:
		q := u.CallbackQuery
		if q.Data == "" {
			return in, false
		}
		in.ChatID = chatOf(u)
		in.SenderID = strconv.FormatInt(q.From.ID, 10)
		in.SenderName = strings.TrimSpace(q.From.FirstName + " " + q.From.LastName)
		in.Button = q.Data
		in.At = a.deps.Now()
		switch {
		case q.Message.Message != nil:
			in.ButtonMessageID = strconv.Itoa(q.Message.Message.ID)
			in.Group = q.Message.Message.Chat.Type != models.ChatTypePrivate
		case q.Message.InaccessibleMessage != nil:
			in.ButtonMessageID = strconv.Itoa(q.Message.InaccessibleMessage.MessageID)
		}
		return in, true
	}
	return in, false
}

// messageID is the engine's dedupe key of an update: "<bot id>:<update_id>". Update ids
// are only unique per bot (and can start again), so the bot id (the token's numeric part)
// keeps a new bot on the same database from colliding with the old one's records.
func (a *Adapter) messageID(updateID int64) string {
	return strconv.FormatInt(a.botID, 10) + ":" + strconv.FormatInt(updateID, 10)
}

// updateID is the inverse of messageID.
func updateID(messageID string) (int64, bool) {
	_, id, ok := strings.Cut(messageID, ":")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(id, 10, 64)
	return n, err == nil
}

// normaliseCommand drops this bot's @username from a leading command, as group chats send
// it ("/start@klabot_bot KODE" -> "/start KODE").
func (a *Adapter) normaliseCommand(text string) string {
	if !strings.HasPrefix(text, "/") || a.username == "" {
		return text
	}
	cmd, rest, _ := strings.Cut(text, " ")
	name, at, found := strings.Cut(cmd, "@")
	if found && strings.EqualFold(at, a.username) {
		if rest == "" {
			return name
		}
		return name + " " + rest
	}
	return text
}

// photo returns the largest size of a message's photo.
func (a *Adapter) photo(m *models.Message) (conversations.File, bool) {
	if len(m.Photo) == 0 {
		return conversations.File{}, false
	}
	best := m.Photo[0]
	for _, p := range m.Photo[1:] {
		if p.FileSize > best.FileSize || p.FileSize == best.FileSize && p.Width*p.Height > best.Width*best.Height {
			best = p
		}
	}
	return conversations.File{
		Name: fmt.Sprintf("foto-%d.jpg", m.ID), MIME: "image/jpeg", Size: int64(best.FileSize),
		Open: a.opener(best.FileID, int64(best.FileSize)),
	}, true
}

// ErrFileTooBig means the Bot API will not let the bot download the file (over 20 MB on
// the public server). It wraps conversations.ErrInvalid.
var ErrFileTooBig = fmt.Errorf("%w: the Telegram Bot API downloads at most 20 MB", conversations.ErrFileTooBig)

// opener returns File.Open for a Telegram file: getFile, then a download from
// {server}/file/bot{token}/{file_path}. That link holds the bot token: it is used for the
// request and nowhere else, and errors never contain it.
func (a *Adapter) opener(fileID string, declared int64) func(ctx context.Context) (io.ReadCloser, error) {
	return func(ctx context.Context) (io.ReadCloser, error) {
		if declared > a.cfg.MaxDownload {
			return nil, ErrFileTooBig
		}
		f, err := a.bot.GetFile(ctx, &bot.GetFileParams{FileID: fileID})
		switch {
		case err != nil && strings.Contains(err.Error(), "file is too big"):
			return nil, ErrFileTooBig
		case errors.Is(err, bot.ErrorBadRequest):
			return nil, fmt.Errorf("telegram getFile: %v: %w", a.scrub(err), conversations.ErrNotFound)
		case err != nil:
			return nil, fmt.Errorf("telegram getFile: %v: %w", a.scrub(err), conversations.ErrUnavailable)
		}
		if f.FileSize > a.cfg.MaxDownload {
			return nil, ErrFileTooBig
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.bot.FileDownloadLink(f), nil)
		if err != nil {
			return nil, fmt.Errorf("telegram file download: bad file path: %w", conversations.ErrInvalid)
		}
		resp, err := a.http.Do(req)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // the url.Error's text holds the link
			}
			return nil, fmt.Errorf("telegram file download: %v: %w", a.scrub(err), conversations.ErrUnavailable)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			kind := conversations.ErrUnavailable
			if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusBadRequest {
				kind = conversations.ErrNotFound
			}
			return nil, fmt.Errorf("telegram file download: HTTP %d: %w", resp.StatusCode, kind)
		}
		return resp.Body, nil
	}
}
