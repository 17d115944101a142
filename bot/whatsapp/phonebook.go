package whatsapp

import (
	"context"
	"errors"
	"time"

	"github.com/klabot/klabot/conversations"
)

// Phonebook finds people by the phone number their coordinator registered (the roster's
// phone column) and binds a WhatsApp identity to them (postgres.Store).
type Phonebook interface {
	PersonByIdentity(ctx context.Context, ch conversations.Channel, externalID string) (conversations.Person, error)
	PersonByPhone(ctx context.Context, digits string) (conversations.Person, error)
	BindIdentity(ctx context.Context, personID int64, id conversations.Identity) error
	// LinkIdentities makes two external ids of one channel the same person: when one of
	// them is bound and the other is not, the other is bound to the same person (with
	// chatID). It wraps conversations.ErrConflict when they belong to different people.
	LinkIdentities(ctx context.Context, ch conversations.Channel, a, b, chatID string) error
}

// phoneCheckTTL is how long a sender, once looked up, is not looked up again.
const phoneCheckTTL = 10 * time.Minute

// SetPhonebook lets the adapter look people up: for the language of its own replies
// and, when bind is true, to make a person whose phone number is in the roster known on
// WhatsApp from their first message, without an invite (WhatsApp has verified the
// number, and the coordinator registered it). Without binding, only "DAFTAR CODE" binds a
// chat.
func (a *Adapter) SetPhonebook(pb Phonebook, bind bool) {
	a.mu.Lock()
	a.phonebook = pb
	a.bindPhones = bind
	a.checked = map[string]time.Time{}
	a.mu.Unlock()
}

// bindByPhone binds in's sender when the roster knows their number and no identity
// exists yet. Failures are logged: the message then goes on as from a stranger.
func (a *Adapter) bindByPhone(ctx context.Context, in conversations.Inbound) {
	a.mu.Lock()
	pb := a.phonebook
	if !a.bindPhones {
		pb = nil
	}
	at, seen := a.checked[in.SenderID]
	a.mu.Unlock()
	now := time.Now()
	if pb == nil || in.Group || !digitsOnly(in.SenderID) || (seen && now.Sub(at) < phoneCheckTTL) {
		return
	}
	a.mu.Lock()
	if len(a.checked) > 100_000 { // a bound on memory, not a cache policy
		a.checked = map[string]time.Time{}
	}
	a.checked[in.SenderID] = now
	a.mu.Unlock()

	_, err := pb.PersonByIdentity(ctx, conversations.ChannelWhatsApp, in.SenderID)
	if err == nil || !errors.Is(err, conversations.ErrNotFound) {
		if err != nil {
			a.log.Warn("whatsapp: look up sender", "err", err)
		}
		return
	}
	p, err := pb.PersonByPhone(ctx, in.SenderID)
	if errors.Is(err, conversations.ErrNotFound) {
		return
	}
	if err != nil {
		a.log.Warn("whatsapp: look up sender's phone in the roster", "err", err)
		return
	}
	if err := pb.BindIdentity(ctx, p.ID, conversations.Identity{Channel: conversations.ChannelWhatsApp, ExternalID: in.SenderID, ChatID: in.ChatID}); err != nil {
		a.log.Warn("whatsapp: bind sender by phone", "person", p.ID, "err", err)
		return
	}
	a.log.Info("whatsapp: chat bound by the roster's phone number", "person", p.ID)
}

func digitsOnly(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// linkLID keeps a person who wrote by their hidden @lid id and now by their phone number
// (or the other way round) one person: the identity known is copied onto the other.
func (a *Adapter) linkLID(ctx context.Context, in conversations.Inbound, lid string) {
	a.mu.Lock()
	pb := a.phonebook
	key := in.SenderID + "|" + lid
	at, seen := a.checked[key]
	a.mu.Unlock()
	now := time.Now()
	if pb == nil || in.Group || (seen && now.Sub(at) < phoneCheckTTL) {
		return
	}
	a.mu.Lock()
	if a.checked == nil || len(a.checked) > 100_000 {
		a.checked = map[string]time.Time{}
	}
	a.checked[key] = now
	a.mu.Unlock()
	err := pb.LinkIdentities(ctx, conversations.ChannelWhatsApp, in.SenderID, lid, in.ChatID)
	if err != nil {
		a.log.Warn("whatsapp: link the sender's lid and phone identities", "err", err)
	}
}
