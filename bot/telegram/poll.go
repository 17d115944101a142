package telegram

import (
	"context"
	"fmt"

	"github.com/go-telegram/bot"
)

// Poll receives updates by long polling until ctx ends, then stops taking updates and
// waits (bounded by drainCtx) for what it submitted to be handled.
//
// What polling can lose: getUpdates confirms a batch when the next call is made, and the
// library makes that call as soon as it handed the last update of the batch to its worker.
// With our unbuffered, synchronous worker every update but the batch's last one is
// recorded before that happens; a crash in the few milliseconds between the hand-over and
// the recording of the last one loses that one update. Everything recorded and not handled
// is replayed on start. Webhook mode, which records before answering 200, loses nothing.
func (a *Adapter) Poll(ctx, drainCtx context.Context) error {
	// getUpdates fails with 409 while a webhook is set (say, after webhook mode was used).
	if _, err := a.bot.DeleteWebhook(ctx, &bot.DeleteWebhookParams{}); err != nil {
		return fmt.Errorf("telegram deleteWebhook before polling: %v", a.scrub(err))
	}
	a.bot.Start(ctx)
	a.Stop(drainCtx)
	return nil
}
