package main

import (
	"context"
	"strings"

	"github.com/klabot/klabot/bot/metrics"
	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/storage/postgres"
)

// devOutboundKey seals queued messages when neither OUTBOUND_KEY nor TELEGRAM_TOKEN is
// set (demo, tests). It is no secret: a warning says so at start.
const devOutboundKey = "klabot development outbound key"

// outboundSecret is the sealing key of queued messages: OUTBOUND_KEY, else TELEGRAM_TOKEN,
// else the development key (warned).
func outboundSecret(app *App, cfg Config) string {
	if k := strings.TrimSpace(cfg.OutboundKey); k != "" {
		return k
	}
	if tok := strings.TrimSpace(app.Getenv("TELEGRAM_TOKEN")); tok != "" {
		return tok
	}
	app.Log.Warn("OUTBOUND_KEY is not set: queued messages are sealed with a development key; set OUTBOUND_KEY on every replica in production")
	return devOutboundKey
}

// newOutbox builds the durable outbound queue (not started) on the app's database and
// Redis. m may be nil.
func newOutbox(ctx context.Context, app *App, cfg Config, store *postgres.Store, m *metrics.Metrics, records outbound.BatchWriter) (*outbound.Queue, error) {
	pool, err := app.DB(ctx)
	if err != nil {
		return nil, err
	}
	rdb, err := app.Redis(ctx)
	if err != nil {
		return nil, err
	}
	oc := outbound.Config{
		Pool: pool, Redis: rdb, RedisPrefix: cfg.RedisPrefix,
		Secret:      outboundSecret(app, cfg),
		RescueAfter: cfg.OutboundRescueAfter,
		Records:     records,
		Now:         app.Now,
		Log:         app.Log,
	}
	if m != nil {
		oc.OnResult = m.SendResult
	}
	return outbound.New(oc)
}
