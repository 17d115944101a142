// Package whatsapp is klabot's WhatsApp channel on go.mau.fi/whatsmeow: it turns incoming
// *events.Message values into conversations.Inbound (text, photos and documents downloaded
// on arrival), shows an Outbound's buttons as a numbered menu ("balas 1, 2 atau 3") and maps
// a numeric reply back to the button's data, and delivers outbound messages as an
// outbound.Transport. The whatsmeow client sits behind the small Client interface so that
// tests drive the adapter with hand-built events and a fake client.
package whatsapp

import (
	"context"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
)

// Client is the part of *whatsmeow.Client the adapter uses. *whatsmeow.Client satisfies
// it through NewClient, which adds the LID to phone number lookup of its device store.
type Client interface {
	SendMessage(ctx context.Context, to types.JID, msg *waE2E.Message, extra ...whatsmeow.SendRequestExtra) (whatsmeow.SendResponse, error)
	Download(ctx context.Context, msg whatsmeow.DownloadableMessage) ([]byte, error)
	Upload(ctx context.Context, plaintext []byte, mediaType whatsmeow.MediaType) (whatsmeow.UploadResponse, error)
	SendMediaRetryReceipt(ctx context.Context, info *types.MessageInfo, mediaKey []byte) error
	// MarkRead sends read receipts (blue ticks), so people see that klabot took a message.
	MarkRead(ctx context.Context, ids []types.MessageID, timestamp time.Time, chat, sender types.JID, receiptTypeExtra ...types.ReceiptType) error
	// SendChatPresence shows "typing…" in a chat before a reply.
	SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error
	IsConnected() bool
	// GenerateMessageID returns a new id for a message to send.
	GenerateMessageID() types.MessageID
	// PNForLID returns the phone-number JID behind a hidden-user (@lid) JID, or an empty
	// JID when the device store does not know it.
	PNForLID(ctx context.Context, lid types.JID) (types.JID, error)
}

// realClient adds the device store's LID lookup to *whatsmeow.Client.
type realClient struct{ *whatsmeow.Client }

// NewClient wraps a connected or connecting whatsmeow client for the adapter.
func NewClient(c *whatsmeow.Client) Client { return realClient{c} }

func (c realClient) PNForLID(ctx context.Context, lid types.JID) (types.JID, error) {
	if c.Store == nil || c.Store.LIDs == nil {
		return types.JID{}, nil
	}
	return c.Store.LIDs.GetPNForLID(ctx, lid)
}

var _ Client = realClient{}
