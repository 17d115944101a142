package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/conversations"
)

// telegramConfig is the Telegram channel's configuration, from the environment.
type telegramConfig struct {
	Token         string // TELEGRAM_TOKEN: the bot token from BotFather. Telegram is off when empty.
	APIURL        string // TELEGRAM_API_URL: the Bot API server. Defaults to https://api.telegram.org.
	Username      string // TELEGRAM_BOT_USERNAME: for invite links. Read from getMe when empty.
	WebhookURL    string // TELEGRAM_WEBHOOK_URL: public HTTPS URL of the webhook; webhook mode with the secret.
	WebhookSecret string // TELEGRAM_WEBHOOK_SECRET: 1-256 of A-Z a-z 0-9 _ -.
	Limits        outbound.Limits
}

// telegramEnv is the raw, typed form of the Telegram variables (see parseEnv).
type telegramEnv struct {
	Token         string `env:"TELEGRAM_TOKEN"`
	APIURL        string `env:"TELEGRAM_API_URL"`
	Username      string `env:"TELEGRAM_BOT_USERNAME"`
	WebhookURL    string `env:"TELEGRAM_WEBHOOK_URL"`
	WebhookSecret string `env:"TELEGRAM_WEBHOOK_SECRET"`
	PerSecond     int    `env:"TELEGRAM_RATE_PER_SECOND" envDefault:"30"`
	ChatMS        int    `env:"TELEGRAM_CHAT_INTERVAL_MS" envDefault:"1000"`
	GroupMS       int    `env:"TELEGRAM_GROUP_INTERVAL_MS" envDefault:"3000"`
}

func loadTelegramConfig(getenv func(string) string) (telegramConfig, error) {
	var e telegramEnv
	if err := parseEnv(getenv, &e); err != nil {
		return telegramConfig{}, err
	}
	c := telegramConfig{
		Token: e.Token, APIURL: e.APIURL, Username: strings.TrimPrefix(e.Username, "@"),
		WebhookURL: e.WebhookURL, WebhookSecret: e.WebhookSecret, Limits: outbound.TelegramLimits(),
	}
	if c.APIURL == "" {
		c.APIURL = telegram.DefaultAPIURL
	}
	if e.PerSecond <= 0 || e.ChatMS <= 0 || e.GroupMS <= 0 {
		return c, fmt.Errorf("TELEGRAM_RATE_PER_SECOND, TELEGRAM_CHAT_INTERVAL_MS and TELEGRAM_GROUP_INTERVAL_MS must be positive")
	}
	c.Limits.PerBot = float64(e.PerSecond)
	c.Limits.PerChat = time.Duration(e.ChatMS) * time.Millisecond
	c.Limits.PerGroup = time.Duration(e.GroupMS) * time.Millisecond
	if _, err := url.Parse(c.APIURL); err != nil || !strings.HasPrefix(c.APIURL, "http") {
		return c, fmt.Errorf("TELEGRAM_API_URL %q is not an http(s) URL", c.APIURL)
	}
	return c, nil
}

// webhookPath is the path klabot serves the webhook on: the path of TELEGRAM_WEBHOOK_URL
// (a reverse proxy forwards it unchanged).
func webhookPath(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", fmt.Errorf("TELEGRAM_WEBHOOK_URL %q is not an absolute URL", raw)
	}
	if u.Path == "" || u.Path == "/" || strings.HasPrefix(u.Path, "/healthz") || strings.HasPrefix(u.Path, "/readyz") || strings.HasPrefix(u.Path, "/metrics") {
		return "", fmt.Errorf("TELEGRAM_WEBHOOK_URL needs a path of its own, e.g. https://bot.example.go.id/telegram/webhook")
	}
	return u.Path, nil
}

// startTelegram configures the Telegram channel when TELEGRAM_TOKEN is set: the transport on
// the sender, the webhook handler or the poller, replay of updates left unhandled, and a
// ready check.
func startTelegram(ctx context.Context, s *server) (func(context.Context) error, error) {
	tc, err := loadTelegramConfig(s.app.Getenv)
	if err != nil {
		return nil, err
	}
	if tc.Token == "" {
		s.log.Info("telegram: off (TELEGRAM_TOKEN not set)")
		return nil, nil
	}
	if s.cfg.MaxFileMB > 20 && tc.APIURL == telegram.DefaultAPIURL {
		s.log.Warn("telegram: MAX_FILE_MB is above 20 but the public Bot API lets bots download at most 20 MB; bigger files get a clear refusal")
	}
	var path string
	if tc.WebhookURL != "" {
		if path, err = webhookPath(tc.WebhookURL); err != nil {
			return nil, err
		}
	}
	a, err := telegram.New(ctx, telegram.Config{
		Token: tc.Token, APIURL: tc.APIURL, Username: tc.Username,
		WebhookURL: tc.WebhookURL, WebhookSecret: tc.WebhookSecret,
		MaxDownload: 20 << 20,
	}, telegram.Deps{Submitter: s.dispatcher, Updates: s.store, Metrics: s.metrics, Log: s.log, Now: s.app.Now})
	if err != nil {
		return nil, err
	}
	if err := s.outbox.Register(conversations.ChannelTelegram, a, tc.Limits); err != nil {
		return nil, err
	}
	s.metrics.InitChannel(conversations.ChannelTelegram)
	s.addReadyCheck("telegram", a.Ready)
	s.addChatChannel("telegram")
	if a.Webhook() {
		s.mux.Handle("POST "+path, a.WebhookHandler())
		s.addGate(conversations.ChannelTelegram, a.AwaitTurn)
		s.log.Info("telegram: webhook mode", "bot", a.Username(), "path", path)
	} else {
		s.log.Info("telegram: long polling", "bot", a.Username())
	}
	return func(ctx context.Context) error {
		// Run starts once the HTTP server listens, so Telegram's first POST finds it.
		if a.Webhook() {
			if err := a.RegisterWebhook(ctx); err != nil {
				return err
			}
		}
		// Updates recorded by a process that died before handling them (once their
		// lease ran out; the sweep takes those still held by a dead process).
		if _, err := a.Replay(ctx); err != nil {
			s.log.Error("telegram: replay unhandled updates", "err", err)
		}
		sweep := 10 * time.Second
		if s.opts.telegramSweep > 0 {
			sweep = s.opts.telegramSweep
		}
		go a.RunMaintenance(ctx, sweep)
		drain, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		defer cancel()
		if a.Webhook() {
			<-ctx.Done()
			a.Stop(drain)
			return nil
		}
		return a.Poll(ctx, drain)
	}, nil
}
