package telegram

import (
	"context"
	"strconv"
	"time"

	"github.com/klabot/klabot/conversations"
)

// AwaitTurn waits until no earlier update of in's chat is recorded and unhandled, for at
// most Config.OrderWait. Behind one webhook, Telegram may post a chat's next message to
// another replica while the first still handles the previous one; the engine's chat lock
// serialises them but not in order. Call AwaitTurn right before handling (serve does, in
// webhook mode). Inside one process the dispatcher's lanes already keep the order, so an
// earlier unhandled update always belongs to another replica; if that replica died, the
// wait ends at OrderWait and the replay sweep handles its update later.
func (a *Adapter) AwaitTurn(ctx context.Context, in conversations.Inbound) {
	if in.Channel != conversations.ChannelTelegram || a.deps.Updates == nil {
		return
	}
	id, err := strconv.ParseInt(in.MessageID, 10, 64)
	if err != nil {
		return
	}
	deadline := time.Now().Add(a.cfg.OrderWait)
	for wait := 20 * time.Millisecond; ; wait = min(2*wait, 500*time.Millisecond) {
		earlier, err := a.deps.Updates.EarlierUnhandledTelegramUpdate(ctx, a.botID, in.ChatID, id)
		if err != nil {
			a.log.Warn("check order of chat updates", "chat", in.ChatID, "err", err)
			return
		}
		if !earlier {
			return
		}
		if time.Now().After(deadline) {
			a.log.Warn("earlier update of the chat still unhandled; going ahead", "chat", in.ChatID, "update", id)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
