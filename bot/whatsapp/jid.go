package whatsapp

import (
	"context"
	"strings"

	"go.mau.fi/whatsmeow/types"
)

// senderJID resolves who wrote a message and where to answer: the phone-number JID
// (without device part) when it can be known, because a person's identity is their phone
// number and WhatsApp may address the same person by a hidden @lid id or by
// @s.whatsapp.net. lid is the sender's @lid JID when the message or the device store
// shows one (also when the phone number is known: the two are then linked).
func (a *Adapter) senderJID(ctx context.Context, info *types.MessageInfo) (sender, lid types.JID) {
	candidates := []types.JID{info.Sender, info.SenderAlt}
	if !info.IsGroup {
		candidates = append(candidates, info.Chat)
	}
	var pn types.JID
	for _, j := range candidates {
		j = j.ToNonAD()
		switch j.Server {
		case types.DefaultUserServer, types.LegacyUserServer:
			if j.User != "" && pn.IsEmpty() {
				pn = types.NewJID(j.User, types.DefaultUserServer)
			}
		case types.HiddenUserServer:
			if lid.IsEmpty() && j.User != "" {
				lid = j
			}
		}
	}
	if !pn.IsEmpty() {
		return pn, lid
	}
	if lid.IsEmpty() {
		return types.JID{}, types.JID{}
	}
	c := a.currentClient()
	if c == nil {
		return lid, lid
	}
	if got, err := c.PNForLID(ctx, lid); err == nil && !got.IsEmpty() {
		return types.NewJID(got.ToNonAD().User, types.DefaultUserServer), lid
	} else if err != nil {
		a.log.Warn("whatsapp: look up phone number of lid", "err", err)
	}
	return lid, lid
}

// phoneDigits returns the digits of a phone-number JID, or the JID's user part for a
// @lid JID whose phone number is unknown (prefixed "lid:" so it never collides with a
// phone number).
func phoneDigits(j types.JID) string {
	if j.Server == types.HiddenUserServer {
		return "lid:" + j.User
	}
	return j.User
}

// NormalizePhone turns "+62 812-3456-7890", "0812 3456 7890" or "6281234567890" into
// E.164 digits without '+' ("6281234567890"). A national number starting with 0 is taken
// as Indonesian. It returns "" when fewer than 8 digits remain.
func NormalizePhone(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	if strings.HasPrefix(d, "0") {
		d = "62" + strings.TrimLeft(d, "0")
	}
	if len(d) < 8 {
		return ""
	}
	return d
}

// chatJID parses an Address.ChatID back into the JID to send to, without device part.
func chatJID(chatID string) (types.JID, error) {
	j, err := types.ParseJID(chatID)
	if err != nil {
		return types.JID{}, err
	}
	return j.ToNonAD(), nil
}

// IsGroupChat reports whether an Address.ChatID of the WhatsApp channel is a group, for
// the sender's per-group limit.
func IsGroupChat(chatID string) bool { return strings.HasSuffix(chatID, "@"+types.GroupServer) }
