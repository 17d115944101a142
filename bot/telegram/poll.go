package telegram

import (
	"context"
	"fmt"
)

// Poll receives updates by long polling until ctx ends, then stops taking updates and
// waits (bounded by drainCtx) for what it submitted to be handled. It refuses to start
// while a webhook is registered for the bot: polling would need to delete it, silently
// cutting off the deployment it belongs to.
//
// What polling can lose: getUpdates confirms a batch when the next call is made, and the
// library makes that call as soon as it handed the last update of the batch to its worker.
// With our unbuffered, synchronous worker every update but the batch's last one is
// recorded before that happens; a crash in the few milliseconds between the hand-over and
// the recording of the last one loses that one update. Everything recorded and not handled
// is replayed on start. Webhook mode, which records before answering 200, loses nothing.
func (a *Adapter) Poll(ctx, drainCtx context.Context) error {
	info, err := a.bot.GetWebhookInfo(ctx)
	if err != nil {
		return fmt.Errorf("telegram getWebhookInfo before polling: %v", a.scrub(err))
	}
	if info.URL != "" {
		return fmt.Errorf("%w: a webhook is registered for this bot (%s), so long polling cannot run; "+
			"set TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET to use it, or delete it first "+
			"(POST %s/bot<TOKEN>/deleteWebhook) if it is no longer used", ErrConfig, info.URL, a.cfg.APIURL)
	}
	a.bot.Start(ctx)
	a.Stop(drainCtx)
	return nil
}
