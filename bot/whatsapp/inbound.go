package whatsapp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"strings"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/klabot/klabot/conversations"
)

// Notices: the adapter's own short answers to messages the engine cannot read.
const (
	noticeUnsupported   = "unsupported"   // voice, video, stickers, locations, contacts
	noticeViewOnce      = "view_once"     // view-once media: a linked device cannot open it
	noticeEdit          = "edit"          // an edit of an earlier message
	noticeUndecryptable = "undecryptable" // WhatsApp could not decrypt it for this device
)

// Inbound turns a WhatsApp message into the engine's channel-agnostic form. ok is false
// for messages klabot ignores: its own, other groups than the digest groups, anything in a
// digest group but commands starting with "/", status and broadcast lists, reactions and
// protocol messages. Unsupported media (voice, video, stickers, locations), view-once
// media and edits of earlier messages become an Inbound with no text and no files, which
// the wrapper answers with a short explanation (in direct chats only).
//
// Address.ChatID is the phone-number JID ("6281234567890@s.whatsapp.net") of a direct
// chat, also when WhatsApp addressed it by a hidden @lid id, so that one person has one
// chat key; a group keeps its group JID. SenderID is the sender's phone digits.
func (a *Adapter) Inbound(ctx context.Context, e *events.Message) (conversations.Inbound, bool) {
	in, _, ok := a.convert(ctx, e)
	return in, ok
}

func (a *Adapter) convert(ctx context.Context, e *events.Message) (conversations.Inbound, meta, bool) {
	info := &e.Info
	if e.Message == nil {
		return conversations.Inbound{}, meta{}, false
	}
	in, m, ok := a.header(ctx, info)
	if !ok {
		return in, m, false
	}
	// Only a note, never the content: in a digest group nothing of this is answered.
	noticeOnly := func(kind string) (conversations.Inbound, meta, bool) {
		m.notice = kind
		return in, m, !info.IsGroup
	}
	msg := e.Message
	if e.IsEdit || msg.GetProtocolMessage().GetType() == waE2E.ProtocolMessage_MESSAGE_EDIT {
		return noticeOnly(noticeEdit)
	}
	if e.IsViewOnce || msg.GetImageMessage().GetViewOnce() || msg.GetVideoMessage().GetViewOnce() || msg.GetAudioMessage().GetViewOnce() {
		return noticeOnly(noticeViewOnce)
	}
	switch {
	case msg.GetConversation() != "":
		in.Text = trimText(msg.GetConversation())
	case msg.GetExtendedTextMessage() != nil:
		in.Text = trimText(msg.GetExtendedTextMessage().GetText())
	case msg.GetImageMessage() != nil:
		img := msg.GetImageMessage()
		in.Text = trimText(img.GetCaption())
		in.Files = []conversations.File{a.file(info, img, photoName(info.ID, img.GetMimetype()), img.GetMimetype(), img.GetFileLength())}
	case msg.GetDocumentMessage() != nil:
		doc := msg.GetDocumentMessage()
		in.Text = trimText(doc.GetCaption())
		in.Files = []conversations.File{a.file(info, doc, documentName(info.ID, doc), doc.GetMimetype(), doc.GetFileLength())}
	case msg.GetAudioMessage() != nil, msg.GetVideoMessage() != nil, msg.GetStickerMessage() != nil,
		msg.GetLocationMessage() != nil, msg.GetLiveLocationMessage() != nil,
		msg.GetContactMessage() != nil, msg.GetContactsArrayMessage() != nil, msg.GetPtvMessage() != nil:
		return noticeOnly(noticeUnsupported)
	default:
		return conversations.Inbound{}, m, false // reactions, receipts, protocol messages
	}
	if in.Text == "" && len(in.Files) == 0 {
		return conversations.Inbound{}, m, false
	}
	// In a digest group people talk to each other: only commands addressed to klabot
	// ("/ringkasan", "/nilai") reach the engine, and no files.
	if info.IsGroup && (len(in.Files) > 0 || !strings.HasPrefix(in.Text, "/")) {
		return conversations.Inbound{}, m, false
	}
	return in, m, true
}

// header fills in who wrote the message and where to answer. ok is false for messages
// klabot never answers (its own, ignored chats, no usable sender).
func (a *Adapter) header(ctx context.Context, info *types.MessageInfo) (conversations.Inbound, meta, bool) {
	var m meta
	if info.IsFromMe || a.ignoredChat(info) {
		return conversations.Inbound{}, m, false
	}
	sender, lid := a.senderJID(ctx, info)
	if sender.IsEmpty() {
		a.log.Warn("whatsapp: message without a usable sender", "message", info.ID)
		return conversations.Inbound{}, m, false
	}
	if lid.User != "" && sender.Server != types.HiddenUserServer {
		m.lid = phoneDigits(lid)
	}
	m.chat, m.at = info.Chat, info.Timestamp
	if info.IsGroup {
		m.sender = info.Sender
	}
	chat := sender
	if info.IsGroup {
		chat = info.Chat.ToNonAD()
	}
	return conversations.Inbound{
		Address:    conversations.Address{Channel: conversations.ChannelWhatsApp, ChatID: chat.String()},
		SenderID:   phoneDigits(sender),
		SenderName: info.PushName,
		MessageID:  string(info.ID),
		Group:      info.IsGroup,
		At:         info.Timestamp,
	}, m, true
}

// downloadable is a media message with the media key a retry receipt needs.
type downloadable interface {
	whatsmeow.DownloadableMessage
}

// file describes one media message; Open downloads it through the client (see download).
func (a *Adapter) file(info *types.MessageInfo, msg downloadable, name, mimeType string, size uint64) conversations.File {
	infoCopy := *info
	return conversations.File{
		Name: name,
		MIME: mimeType,
		Size: int64(size),
		Open: func(ctx context.Context) (io.ReadCloser, error) {
			data, err := a.download(ctx, &infoCopy, msg)
			if err != nil {
				return nil, fmt.Errorf("download whatsapp media of message %s: %w: %v", infoCopy.ID, conversations.ErrUnavailable, err)
			}
			return io.NopCloser(bytes.NewReader(data)), nil
		},
	}
}

// photoName invents a file name for a photo, which WhatsApp sends without one.
func photoName(id types.MessageID, mimeType string) string {
	ext := ".jpg"
	switch mimeType {
	case "image/png":
		ext = ".png"
	case "image/webp":
		ext = ".webp"
	}
	return "foto-" + shortID(id) + ext
}

// documentName is the document's own file name, or its title, or an invented name with an
// extension from its MIME type.
func documentName(id types.MessageID, doc *waE2E.DocumentMessage) string {
	if n := strings.TrimSpace(doc.GetFileName()); n != "" {
		return n
	}
	ext := ""
	if exts, _ := mime.ExtensionsByType(doc.GetMimetype()); len(exts) > 0 {
		ext = exts[0]
	}
	if t := strings.TrimSpace(doc.GetTitle()); t != "" {
		if ext != "" && !strings.HasSuffix(strings.ToLower(t), ext) {
			return t + ext
		}
		return t
	}
	return "dokumen-" + shortID(id) + ext
}

func shortID(id types.MessageID) string {
	s := string(id)
	if len(s) > 8 {
		s = s[len(s)-8:]
	}
	return s
}
