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

// Inbound turns a WhatsApp message into the engine's channel-agnostic form. ok is false
// for messages klabot ignores: its own, other groups than the digest groups, anything in a
// digest group but commands starting with "/", status and broadcast lists, edits,
// reactions and protocol messages. Unsupported media (voice,
// video, stickers, locations) become an Inbound with no text and no files, which the
// wrapper answers with an explanation.
//
// Address.ChatID is the phone-number JID ("6281234567890@s.whatsapp.net") of a direct
// chat, also when WhatsApp addressed it by a hidden @lid id, so that one person has one
// chat key; a group keeps its group JID. SenderID is the sender's phone digits.
func (a *Adapter) Inbound(ctx context.Context, e *events.Message) (conversations.Inbound, bool) {
	info := &e.Info
	if e.Message == nil || info.IsFromMe || e.IsEdit || a.ignoredChat(info) {
		return conversations.Inbound{}, false
	}
	sender := a.senderJID(ctx, info)
	if sender.IsEmpty() {
		a.log.Warn("whatsapp: message without a usable sender", "message", info.ID)
		return conversations.Inbound{}, false
	}
	chat := sender
	if info.IsGroup {
		chat = info.Chat.ToNonAD()
	}
	in := conversations.Inbound{
		Address:    conversations.Address{Channel: conversations.ChannelWhatsApp, ChatID: chat.String()},
		SenderID:   phoneDigits(sender),
		SenderName: info.PushName,
		MessageID:  string(info.ID),
		Group:      info.IsGroup,
		At:         info.Timestamp,
	}
	m := e.Message
	switch {
	case m.GetConversation() != "":
		in.Text = trimText(m.GetConversation())
	case m.GetExtendedTextMessage() != nil:
		in.Text = trimText(m.GetExtendedTextMessage().GetText())
	case m.GetImageMessage() != nil:
		img := m.GetImageMessage()
		in.Text = trimText(img.GetCaption())
		in.Files = []conversations.File{a.file(info, img, photoName(info.ID, img.GetMimetype()), img.GetMimetype(), img.GetFileLength())}
	case m.GetDocumentMessage() != nil:
		doc := m.GetDocumentMessage()
		in.Text = trimText(doc.GetCaption())
		in.Files = []conversations.File{a.file(info, doc, documentName(info.ID, doc), doc.GetMimetype(), doc.GetFileLength())}
	case m.GetAudioMessage() != nil, m.GetVideoMessage() != nil, m.GetStickerMessage() != nil,
		m.GetLocationMessage() != nil, m.GetLiveLocationMessage() != nil,
		m.GetContactMessage() != nil, m.GetContactsArrayMessage() != nil, m.GetPtvMessage() != nil:
		// Kept, without content: the wrapper explains what klabot can read.
		in.Text = ""
		return in, !info.IsGroup
	default:
		return conversations.Inbound{}, false // reactions, receipts, protocol messages
	}
	if in.Text == "" && len(in.Files) == 0 {
		return conversations.Inbound{}, false
	}
	// In a digest group people talk to each other: only commands addressed to klabot
	// ("/ringkasan", "/nilai") reach the engine, and no files.
	if info.IsGroup && (len(in.Files) > 0 || !strings.HasPrefix(in.Text, "/")) {
		return conversations.Inbound{}, false
	}
	return in, true
}

// downloadable is a media message with the media key a retry receipt needs.
type downloadable interface {
	whatsmeow.DownloadableMessage
}

// file describes one media message; Open downloads it through the client and, when the
// download fails, asks the phone to upload it again (a media retry receipt).
func (a *Adapter) file(info *types.MessageInfo, msg downloadable, name, mimeType string, size uint64) conversations.File {
	infoCopy := *info
	return conversations.File{
		Name: name,
		MIME: mimeType,
		Size: int64(size),
		Open: func(ctx context.Context) (io.ReadCloser, error) {
			dctx, cancel := context.WithTimeout(ctx, a.cfg.DownloadTimeout)
			defer cancel()
			c := a.currentClient()
			if c == nil {
				return nil, fmt.Errorf("download whatsapp media of message %s: %w", infoCopy.ID, errNoSession)
			}
			data, err := c.Download(dctx, msg)
			if err != nil {
				if rerr := c.SendMediaRetryReceipt(ctx, &infoCopy, msg.GetMediaKey()); rerr != nil {
					a.log.Warn("whatsapp: media retry receipt", "message", infoCopy.ID, "err", rerr)
				}
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
