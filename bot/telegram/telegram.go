// Package telegram is klabot's Telegram channel on github.com/go-telegram/bot: it turns
// Bot API updates (text, photos, documents, albums, button presses) into
// conversations.Inbound for the dispatcher, and delivers conversations.Outbound as an
// outbound.Transport. It receives by long polling or by webhook; in both modes every update
// is first recorded durably (UpdateLog), which drops redeliveries across replicas and lets
// updates that were received but not handled be replayed after a crash.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-telegram/bot"

	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/bot/metrics"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/seal"
)

// DefaultAPIURL is the public Bot API server.
const DefaultAPIURL = "https://api.telegram.org"

// Config configures the adapter.
type Config struct {
	// Token is the bot token from BotFather (TELEGRAM_TOKEN). Required.
	Token string
	// APIURL is the Bot API server (TELEGRAM_API_URL). Defaults to DefaultAPIURL; a
	// self-hosted Bot API server or a test fake otherwise.
	APIURL string
	// Username is the bot's @username without "@" (TELEGRAM_BOT_USERNAME), for invite
	// links. Read from getMe when empty.
	Username string
	// WebhookURL and WebhookSecret switch to webhook mode when both are set
	// (TELEGRAM_WEBHOOK_URL, TELEGRAM_WEBHOOK_SECRET).
	WebhookURL    string
	WebhookSecret string
	// MaxDownload is the largest file the Bot API lets a bot download. Defaults to 20 MB
	// (the public server's limit; a self-hosted server allows more).
	MaxDownload int64
	// AlbumWait is how long the parts of an album (one media_group_id) are collected after
	// the last one arrived before they go to the engine as one message. Defaults to 1s.
	AlbumWait time.Duration
	// OrderWait bounds how long AwaitTurn waits for another live replica to handle a
	// chat's earlier update. Defaults to 10s.
	OrderWait time.Duration
	// Lease is how long a process holds a recorded update it works on; it renews the
	// lease every Lease/3 while it works, and a dead process's updates are free for a
	// replay once it ran out. Defaults to 30s.
	Lease time.Duration
	// RetryAfter is how long an update given back because a dependency was down waits
	// before it is replayed. Defaults to 20s.
	RetryAfter time.Duration
	// MaxAttempts is how many times an update is given back before the person is told it
	// could not be handled and it is marked handled. Defaults to 6.
	MaxAttempts int
	// PollTimeout is the long-polling timeout. Defaults to 50s.
	PollTimeout time.Duration
	// SkipGetMe skips the getMe call at start (tests; Username must then be set).
	SkipGetMe bool
}

// Submitter queues an inbound message for handling in per-chat order
// (*dispatch.Dispatcher). done is called once it was handled, or with an error wrapping
// dispatch.ErrDeferred when it was not; Submit fails with dispatch.ErrChatFull (the
// person was told) when the chat has too many messages queued.
type Submitter interface {
	Submit(ctx context.Context, in conversations.Inbound, done func(error)) error
	Notify(ctx context.Context, to conversations.Address, n dispatch.Notice)
}

// UpdateLog records raw updates durably (postgres.Store).
type UpdateLog interface {
	// RecordTelegramUpdate stores an update held by the caller until leaseUntil; false
	// means it was recorded before.
	RecordTelegramUpdate(ctx context.Context, botID, updateID int64, chatID string, body []byte, leaseUntil time.Time) (bool, error)
	MarkTelegramUpdatesHandled(ctx context.Context, botID int64, updateIDs []int64) error
	RenewTelegramLeases(ctx context.Context, botID int64, updateIDs []int64, until time.Time) error
	DeferTelegramUpdates(ctx context.Context, botID int64, updateIDs []int64, retryAt time.Time) error
	// ClaimTelegramUpdates holds up to limit updates nobody holds whose retry time has
	// come until leaseUntil, and calls fn for each, oldest first.
	ClaimTelegramUpdates(ctx context.Context, botID int64, leaseUntil time.Time, limit int, fn func(updateID int64, body []byte, attempts int, received time.Time)) error
	PruneTelegramUpdates(ctx context.Context, before time.Time) (int64, error)
	// EarlierHeldTelegramUpdates returns the chat's unhandled updates before updateID
	// that a live process holds.
	EarlierHeldTelegramUpdates(ctx context.Context, botID int64, chatID string, updateID int64) ([]int64, error)
}

// Deps are the adapter's collaborators. Log and Metrics may be nil; Now defaults to time.Now.
type Deps struct {
	Submitter Submitter
	Updates   UpdateLog
	Metrics   *metrics.Metrics
	Log       *slog.Logger
	Now       func() time.Time
	// HTTPClient is used for Bot API calls and file downloads. Defaults to a client with
	// a timeout a little above PollTimeout.
	HTTPClient *http.Client
}

// Adapter is one Telegram bot: receiver, file fetcher and outbound transport.
type Adapter struct {
	cfg      Config
	deps     Deps
	log      *slog.Logger
	bot      *bot.Bot
	botID    int64
	username string
	sealer   seal.Box
	http     *http.Client

	mu       sync.Mutex
	albums   map[string]*album   // by chat id
	inflight map[int64]bool      // update ids this process holds, not to replay twice
	passed   map[int64]time.Time // other processes' stuck updates AwaitTurn stopped waiting for
	stopped  bool
	wg       sync.WaitGroup // submitted updates not handled yet, background calls
	answered time.Time      // when getMe last succeeded

	markMu  sync.Mutex
	marks   []pendingMark // handled updates whose mark is not written yet
	marking bool          // a flushMarks goroutine is running
}

// readyFor is how long a successful getMe keeps /readyz answering without asking the
// Bot API again: load balancers probe every few seconds, on every replica.
const readyFor = 30 * time.Second

// ErrConfig means the adapter's configuration is unusable.
var ErrConfig = errors.New("telegram configuration")

// New builds the adapter. Unless cfg.SkipGetMe, it calls getMe, which checks the token and
// the server and reads the bot's username.
func New(ctx context.Context, cfg Config, deps Deps) (*Adapter, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, fmt.Errorf("%w: TELEGRAM_TOKEN is empty", ErrConfig)
	}
	idPart, _, ok := strings.Cut(cfg.Token, ":")
	botID, err := strconv.ParseInt(idPart, 10, 64)
	if !ok || err != nil {
		return nil, fmt.Errorf("%w: TELEGRAM_TOKEN does not look like a bot token (123456:ABC...)", ErrConfig)
	}
	if (cfg.WebhookURL == "") != (cfg.WebhookSecret == "") {
		return nil, fmt.Errorf("%w: set both TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET for webhook mode, or neither for long polling", ErrConfig)
	}
	if cfg.WebhookSecret != "" && !validSecret(cfg.WebhookSecret) {
		return nil, fmt.Errorf("%w: TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -", ErrConfig)
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	cfg.APIURL = strings.TrimRight(cfg.APIURL, "/")
	if cfg.MaxDownload <= 0 {
		cfg.MaxDownload = 20 << 20
	}
	if cfg.AlbumWait <= 0 {
		cfg.AlbumWait = time.Second
	}
	if cfg.OrderWait <= 0 {
		cfg.OrderWait = 10 * time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 30 * time.Second
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 20 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 6
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = 50 * time.Second
	}
	if deps.Log == nil {
		deps.Log = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.HTTPClient == nil {
		deps.HTTPClient = &http.Client{Timeout: cfg.PollTimeout + 15*time.Second}
	}
	a := &Adapter{
		cfg: cfg, deps: deps, log: deps.Log.With("channel", "telegram"), botID: botID,
		sealer: seal.New("klabot telegram_updates v1", cfg.Token), http: deps.HTTPClient,
		albums: map[string]*album{}, inflight: map[int64]bool{}, passed: map[int64]time.Time{},
	}
	a.bot, err = bot.New(cfg.Token,
		bot.WithServerURL(cfg.APIURL),
		bot.WithSkipGetMe(),
		bot.WithHTTPClient(cfg.PollTimeout, deps.HTTPClient),
		// One worker, synchronous handlers and an unbuffered queue: polled updates are
		// recorded one by one in update_id order before the next getUpdates confirms them.
		bot.WithNotAsyncHandlers(),
		bot.WithWorkers(1),
		bot.WithUpdatesChannelCap(0),
		bot.WithAllowedUpdates(bot.AllowedUpdates{"message", "edited_message", "callback_query"}),
		bot.WithDefaultHandler(a.onPolled),
		bot.WithErrorsHandler(func(err error) { a.log.Warn("telegram client", "err", a.scrub(err)) }),
	)
	if err != nil {
		return nil, fmt.Errorf("telegram client: %w", a.scrub(err))
	}
	a.username = strings.TrimPrefix(cfg.Username, "@")
	if !cfg.SkipGetMe {
		me, err := a.getMe(ctx)
		if err != nil {
			return nil, err
		}
		if a.username == "" {
			a.username = me
		}
	}
	return a, nil
}

func validSecret(s string) bool {
	if len(s) < 1 || len(s) > 256 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func (a *Adapter) getMe(ctx context.Context) (string, error) {
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	me, err := a.bot.GetMe(cctx)
	if err != nil {
		if errors.Is(err, bot.ErrorUnauthorized) || errors.Is(err, bot.ErrorNotFound) {
			return "", fmt.Errorf("%w: the Bot API at %s refused TELEGRAM_TOKEN (check the token from BotFather)", ErrConfig, a.cfg.APIURL)
		}
		return "", fmt.Errorf("cannot reach the Telegram Bot API at %s (TELEGRAM_API_URL): %v", a.cfg.APIURL, a.scrub(err))
	}
	a.mu.Lock()
	a.answered = a.deps.Now()
	a.mu.Unlock()
	return me.Username, nil
}

// Username is the bot's @username without "@" ("" when unknown).
func (a *Adapter) Username() string { return a.username }

// Account is the bot's id (the numeric part of the token, not secret): the durable
// outbound queue refuses a second bot on one database (outbound.Accounter).
func (a *Adapter) Account() string { return strconv.FormatInt(a.botID, 10) }

// Webhook reports whether the adapter is configured for webhook mode.
func (a *Adapter) Webhook() bool { return a.cfg.WebhookURL != "" }

// Ready checks that the Bot API answers (getMe), for /readyz. A getMe that succeeded less
// than readyFor ago counts.
func (a *Adapter) Ready(ctx context.Context) error {
	a.mu.Lock()
	fresh := !a.answered.IsZero() && a.deps.Now().Sub(a.answered) < readyFor
	a.mu.Unlock()
	if fresh {
		return nil
	}
	_, err := a.getMe(ctx)
	return err
}

// scrub removes the bot token from an error's text: the library masks it in its own URL
// errors, but nothing that could carry a file link may reach a log unmasked.
func (a *Adapter) scrub(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if !strings.Contains(msg, a.cfg.Token) {
		return err
	}
	return errors.New(strings.ReplaceAll(msg, a.cfg.Token, "***"))
}
