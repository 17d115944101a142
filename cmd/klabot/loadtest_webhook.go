package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/klabot/klabot/cmd/klabot/internal/loadtest"
)

// loadtestToken is the bot token of the load's sink Bot API (never a real bot).
const loadtestToken = "777000:LOADTEST"

// startWebhookTarget starts a sink Bot API on loopback and `klabot serve` in this process
// in webhook mode against it, with the app's database and the load's Redis prefix. The
// sender's Telegram pacing is lifted (TELEGRAM_RATE_PER_SECOND, TELEGRAM_CHAT_INTERVAL_MS)
// so the figures measure klabot, not Telegram's deliberate 30 messages/s, and the digest
// and reminder scheduler is off (SCHEDULER=off). stop shuts serve
// down gracefully and returns its error.
func startWebhookTarget(ctx context.Context, app *App, prefix string, files []*loadtest.SimFile) (*loadtest.WebhookTarget, func() error, error) {
	api, err := loadtest.StartSinkBotAPI(loadtestToken, files)
	if err != nil {
		return nil, nil, err
	}
	b := make([]byte, 16)
	rand.Read(b)
	secret := hex.EncodeToString(b)
	env := map[string]string{
		"TELEGRAM_TOKEN":             loadtestToken,
		"TELEGRAM_API_URL":           api.URL,
		"TELEGRAM_BOT_USERNAME":      "klabot_load_bot",
		"TELEGRAM_WEBHOOK_URL":       "https://load.invalid/telegram/webhook",
		"TELEGRAM_WEBHOOK_SECRET":    secret,
		"TELEGRAM_RATE_PER_SECOND":   "1000000",
		"TELEGRAM_CHAT_INTERVAL_MS":  "1",
		"TELEGRAM_GROUP_INTERVAL_MS": "1",
		"HTTP_ADDR":                  "127.0.0.1:0",
		"REDIS_PREFIX":               prefix,
		// Digests and reminders for 514 regions would mix proactive work into the figures.
		"SCHEDULER": "off",
	}
	getenv := func(k string) string {
		if v, ok := env[k]; ok {
			return v
		}
		if strings.HasPrefix(k, "WHATSAPP") {
			return "" // the load speaks Telegram only
		}
		return app.Getenv(k)
	}
	sapp := NewApp(getenv, strings.NewReader(""), io.Discard, app.Stderr)
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	addr := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		done <- serve(sctx, sapp, serveOptions{onListen: func(a string) { addr <- a }})
		sapp.Close()
	}()
	stop := func() error {
		cancel()
		err := <-done
		api.Close()
		return err
	}
	select {
	case a := <-addr:
		t := &loadtest.WebhookTarget{URL: "http://" + a + "/telegram/webhook", Secret: secret, API: api,
			Client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1024}}}
		return t, stop, nil
	case err := <-done:
		api.Close()
		cancel()
		return nil, nil, fmt.Errorf("klabot serve did not start: %w", err)
	case <-time.After(30 * time.Second):
		stop() //nolint:errcheck // reporting the timeout instead
		return nil, nil, fmt.Errorf("klabot serve did not start within 30s")
	}
}

// runLoadtestSender is `klabot loadtest sender`: nudges through the outbound sender and
// the Telegram adapter to a fake Bot API that enforces Telegram's limits with 429s.
func runLoadtestSender(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("loadtest sender", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	n := fs.Int("nudges", 10000, "nudges to send, one per focal point (10,000 take about 5.5 minutes at 30/s)")
	rate := fs.Float64("rate", 30, "the fake Bot API's limit, messages per second per bot (Telegram's 30)")
	senderRate := fs.Float64("sender-rate", 0, "the sender's limit (TELEGRAM_RATE_PER_SECOND); default --rate")
	tol := fs.Duration("tolerance", 2*time.Millisecond, "jitter the fake Bot API forgives below the limit's gap")
	if err := fs.Parse(args); err != nil || *n < 2 || *rate <= 0 || *tol < 0 {
		return usageError{loadtestUsage}
	}
	if *senderRate <= 0 {
		*senderRate = *rate
	}
	load := loadtest.LoadAverage()
	fmt.Fprintf(app.Stderr, "loadtest: sending %d nudges at %.1f/s (about %s)...\n", *n, *senderRate, time.Duration(float64(*n) / *senderRate * float64(time.Second)).Round(time.Second))
	pool, err := app.DB(ctx)
	if err != nil {
		return err
	}
	rdb, err := app.Redis(ctx)
	if err != nil {
		return err
	}
	res, err := loadtest.SenderBench(ctx, pool, rdb, app.cfg.RedisPrefix+"senderbench:", *n, *rate, *senderRate, *tol)
	if err != nil {
		return err
	}
	fmt.Fprintf(app.Stdout, "klabot loadtest sender — %s; load average %s at start, %s at end\n",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), load, loadtest.LoadAverage())
	res.Write(app.Stdout)
	if !res.OK() {
		return fmt.Errorf("loadtest sender: messages lost, throttled, or below 95%% of the limit (see above)")
	}
	return nil
}
