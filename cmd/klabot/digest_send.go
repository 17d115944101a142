package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// sendDigestNow sends a region's digest now to its coordinators and digest group through
// Telegram (TELEGRAM_TOKEN), waits until the messages are delivered or given up, and
// records each outcome in notifications. It does not claim the day's scheduled digest.
// WhatsApp recipients are queued for the `klabot serve` that holds the WhatsApp session.
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
	q, err := newOutbox(ctx, app, cfg, store, nil, nil)
	if err != nil {
		return err
	}
	q.OnOutcome(func(ctx context.Context, out conversations.Outbound, err error) {
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
	})
	if err := q.Register(conversations.ChannelTelegram, a, tc.Limits); err != nil {
		return err
	}
	if err := q.Start(ctx); err != nil {
		return err
	}
	r, queued, sendErr := newScheduler(app, cfg, store, q).SendDigestNow(ctx, region)
	// The messages are in the durable queue: whatever this command does not deliver before
	// it stops, a running `klabot serve` does.
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if n, err := q.Pending(ctx, conversations.ChannelTelegram); err == nil && n == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	q.Stop(context.WithoutCancel(ctx), 10*time.Second) //nolint:errcheck // logged inside
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
