package fakebotapi

import (
	"strconv"
	"time"

	"github.com/go-telegram/bot/models"
)

// Person is a Telegram user writing to the bot in a private chat (chat id = user id).
type Person struct {
	ID        int64
	FirstName string
}

func (p Person) user() *models.User { return &models.User{ID: p.ID, FirstName: p.FirstName} }

func (p Person) chat() models.Chat {
	return models.Chat{ID: p.ID, Type: models.ChatTypePrivate, FirstName: p.FirstName}
}

func (p Person) message(msgID int) *models.Message {
	return &models.Message{ID: msgID, From: p.user(), Chat: p.chat(), Date: int(time.Now().Unix())}
}

// ChatID is the person's private chat id as a string.
func (p Person) ChatID() string { return strconv.FormatInt(p.ID, 10) }

// Text is an update with a text message from p.
func (p Person) Text(msgID int, text string) models.Update {
	m := p.message(msgID)
	m.Text = text
	return models.Update{Message: m}
}

// Photo is an update with a photo from p in three sizes, the largest being fileID with
// size bytes; group, when not empty, is the album's media_group_id.
func (p Person) Photo(msgID int, fileID string, size int, caption, group string) models.Update {
	m := p.message(msgID)
	m.Caption, m.MediaGroupID = caption, group
	m.Photo = []models.PhotoSize{
		{FileID: fileID + "-s", FileUniqueID: "u" + fileID + "-s", Width: 90, Height: 60, FileSize: size / 20},
		{FileID: fileID + "-m", FileUniqueID: "u" + fileID + "-m", Width: 320, Height: 240, FileSize: size / 5},
		{FileID: fileID, FileUniqueID: "u" + fileID, Width: 1280, Height: 960, FileSize: size},
	}
	return models.Update{Message: m}
}

// Document is an update with a document from p.
func (p Person) Document(msgID int, fileID, name, mime string, size int64, caption string) models.Update {
	m := p.message(msgID)
	m.Caption = caption
	m.Document = &models.Document{FileID: fileID, FileUniqueID: "u" + fileID, FileName: name, MimeType: mime, FileSize: size}
	return models.Update{Message: m}
}

// Press is an update for p pressing the button with data on the bot's message msg.
func (p Person) Press(msg Message, data string) models.Update {
	bm := &models.Message{ID: msg.ID, Chat: p.chat(), Date: int(time.Now().Unix()), Text: msg.Text,
		From: &models.User{ID: 1, IsBot: true, FirstName: "KLA"}}
	if len(msg.Markup) > 0 {
		bm.ReplyMarkup = &models.InlineKeyboardMarkup{InlineKeyboard: msg.Markup}
	}
	return models.Update{CallbackQuery: &models.CallbackQuery{
		ID: "cq" + strconv.FormatInt(time.Now().UnixNano(), 36), From: *p.user(), Data: data,
		ChatInstance: "ci", Message: models.MaybeInaccessibleMessage{Type: models.MaybeInaccessibleMessageTypeMessage, Message: bm},
	}}
}
