package telegram

import (
	"context"
	"slices"
	"time"

	"github.com/klabot/klabot/conversations"
)

// AwaitTurn waits until no earlier update of in's chat is held by another live process,
// for at most Config.OrderWait. Behind one webhook, Telegram may post a chat's next
// message to another replica while the first still handles the previous one; the
// engine's chat lock serialises them but not in order. Call AwaitTurn right before
// handling (serve does, in webhook mode). Inside one process the dispatcher's per-chat
// queues keep the order, so updates this process holds are not waited for. An earlier
// update nobody holds (its process died: its lease ran out; or it waits for a retry after
// an outage) is not waited for either: the sweep replays it, and the engine checks a late
// replay against the dialogue's position.
func (a *Adapter) AwaitTurn(ctx context.Context, in conversations.Inbound) {
	if in.Channel != conversations.ChannelTelegram || a.deps.Updates == nil {
		return
	}
	id, ok := updateID(in.MessageID)
	if !ok {
		return
	}
	deadline := time.Now().Add(a.cfg.OrderWait)
	for wait := 20 * time.Millisecond; ; wait = min(2*wait, 500*time.Millisecond) {
		earlier, err := a.deps.Updates.EarlierHeldTelegramUpdates(ctx, a.botID, in.ChatID, id)
		if err != nil {
			a.log.Warn("check order of chat updates", "chat", in.ChatID, "err", err)
			return
		}
		a.mu.Lock()
		earlier = slices.DeleteFunc(earlier, func(id int64) bool { return a.inflight[id] || !a.passed[id].IsZero() })
		a.mu.Unlock()
		if len(earlier) == 0 {
			return
		}
		if time.Now().After(deadline) {
			// Stuck (a hung replica): not waited for again by the chat's later updates;
			// the sweep replays it once its lease runs out.
			a.log.Warn("earlier update of the chat still held by another process; going ahead", "chat", in.ChatID, "update", id, "earlier", earlier)
			a.mu.Lock()
			now := time.Now()
			for id, at := range a.passed {
				if now.Sub(at) > time.Hour {
					delete(a.passed, id)
				}
			}
			for _, id := range earlier {
				a.passed[id] = now
			}
			a.mu.Unlock()
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}
