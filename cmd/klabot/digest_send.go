package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/bot/schedule"
	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// sendDigestNow sends a region's digest now to its coordinators and digest group through
// Telegram (TELEGRAM_TOKEN), waits until the messages are delivered or given up, and
// records each outcome in notifications. It does not claim the day's scheduled digest.
// WhatsApp recipients are recorded as failed: only `klabot serve` holds the WhatsApp
// connection.
func sendDigestNow(ctx context.Context, app *App, store *postgres.Store, region, pngPath string) error {
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	tc, err := loadTelegramConfig(app.Getenv)
	if err != nil {
		return err
	}
	if tc.Token == "" {
		return fmt.Errorf("digest: no channel to send on: set TELEGRAM_TOKEN, or leave out --send to only print it")
	}
	a, err := telegram.New(ctx, telegram.Config{Token: tc.Token, APIURL: tc.APIURL, Username: tc.Username},
		telegram.Deps{Updates: store, Log: app.Log, Now: app.Now})
	if err != nil {
		return err
	}
	var mu sync.Mutex
	var delivered, failed int
	record := schedule.OnOutcome(store, app.Log)
	sender := outbound.New(outbound.Config{
		Unreachable: store, Log: app.Log,
		OnOutcome: func(ctx context.Context, out conversations.Outbound, err error) {
			record(ctx, out, err)
			if out.NotificationID == 0 {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				failed++
				fmt.Fprintf(app.Stderr, "not delivered to %s: %v\n", out.To.Key(), err)
			} else {
				delivered++
			}
		},
	})
	sender.Register(conversations.ChannelTelegram, a, tc.Limits)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { sender.Run(runCtx); close(done) }()

	r, queued, sendErr := newScheduler(app, cfg, store, sender).SendDigestNow(ctx, region)
	deadline := time.Now().Add(2 * time.Minute)
	for sender.Pending(conversations.ChannelTelegram) > 0 && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	<-done
	if r.Text == "" {
		return sendErr
	}
	mu.Lock()
	fmt.Fprintf(app.Stdout, "%s\n\nRingkasan %s: %d chat dikirimi, %d terkirim, %d gagal.\n", r.Text, region, queued, delivered, failed)
	mu.Unlock()
	if err := writeChart(app, r, pngPath); err != nil {
		return err
	}
	return sendErr
}
