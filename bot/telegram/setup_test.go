package telegram_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/bot/metrics"
	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/bot/outbound/outboundtest"
	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/bot/telegram/fakebotapi"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
	"github.com/klabot/klabot/storage/redis/redistest"
)

const token = "123456:TEST-secret-token-abc"

// recorder is a stand-in for the engine (a peer component): it records what reaches it,
// reads every file, and echoes one reply per message.
type recorder struct {
	mu    sync.Mutex
	got   []conversations.Inbound
	files map[string][]byte // by file name
	errs  map[string]error  // Open errors by file name
	slow  time.Duration     // handling time of the first message
	reply func(in conversations.Inbound) []conversations.Outbound
}

func (r *recorder) Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
	r.mu.Lock()
	first := len(r.got) == 0
	r.mu.Unlock()
	if first && r.slow > 0 {
		time.Sleep(r.slow)
	}
	for _, f := range in.Files {
		rc, err := f.Open(ctx)
		var b []byte
		if err == nil {
			b, err = io.ReadAll(rc)
			rc.Close()
		}
		r.mu.Lock()
		if err != nil {
			r.errs[f.Name] = err
		} else {
			r.files[f.Name] = b
		}
		r.mu.Unlock()
	}
	r.mu.Lock()
	r.got = append(r.got, in)
	r.mu.Unlock()
	if r.reply != nil {
		return r.reply(in), nil
	}
	text := in.Text
	if in.Button != "" {
		text = "button " + in.Button
	}
	return []conversations.Outbound{{To: in.Address, Text: "echo: " + text}}, nil
}

func (r *recorder) inbound() []conversations.Inbound {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]conversations.Inbound(nil), r.got...)
}

type handlerFunc func(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error)

func (f handlerFunc) Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
	return f(ctx, in)
}

type bundle struct {
	api     *fakebotapi.Server
	adapter *telegram.Adapter
	store   *postgres.Store
	rec     *recorder
	metrics *metrics.Metrics
	sender  *outbound.Queue
	probe   *outboundtest.Probe // the adapter as the queue sees it
	ctx     context.Context

	dispatcher *dispatch.Dispatcher
}

type options struct {
	webhook bool
	limits  *outbound.Limits
	handler dispatch.Handler
	noPoll  bool
	// dispatch and adapter tune the dispatcher's and the adapter's configuration.
	dispatch func(*dispatch.Config)
	adapter  func(*telegram.Config)
	// updates wraps the real store as the adapter's update log (to watch or hold calls).
	updates func(*postgres.Store) telegram.UpdateLog
	// awaitTurn makes the handler call the adapter's AwaitTurn first, as serve does in
	// webhook mode.
	awaitTurn bool
}

func testLog(t *testing.T) *slog.Logger {
	if os.Getenv("KLABOT_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// setup starts a fake Bot API, a real Postgres store, a dispatcher and a sender around a
// recorder, and the adapter (polling unless o.webhook or o.noPoll).
func setup(t *testing.T, o options) *bundle {
	t.Helper()
	b := &bundle{api: fakebotapi.New(t, token), metrics: metrics.New()}
	b.store = postgres.New(pgtest.New(t), nil)
	b.rec = &recorder{files: map[string][]byte{}, errs: map[string]error{}}
	var h dispatch.Handler = b.rec
	if o.handler != nil {
		h = o.handler
	}
	if o.awaitTurn {
		inner := h
		h = handlerFunc(func(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
			b.adapter.AwaitTurn(ctx, in)
			return inner.Handle(ctx, in)
		})
	}
	var updates telegram.UpdateLog = b.store
	if o.updates != nil {
		updates = o.updates(b.store)
	}
	log := testLog(t)
	rdb, prefix := redistest.New(t)
	q, qerr := outbound.New(outbound.Config{Pool: b.store.Pool(), Redis: rdb, RedisPrefix: prefix, Secret: "test",
		OnResult: b.metrics.SendResult, Log: log, TestOnly: true,
		PollInterval: 50 * time.Millisecond, BaseBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond})
	if qerr != nil {
		t.Fatal(qerr)
	}
	b.sender = q
	dcfg := dispatch.Config{Workers: 4}
	if o.dispatch != nil {
		o.dispatch(&dcfg)
	}
	d := dispatch.New(h, b.sender, log, dcfg)
	b.dispatcher = d
	cfg := telegram.Config{Token: token, APIURL: b.api.URL, AlbumWait: 150 * time.Millisecond, PollTimeout: 2 * time.Second}
	if o.webhook {
		cfg.WebhookURL, cfg.WebhookSecret = "https://klabot.example/telegram/webhook", "s3cret-Token_1"
	}
	if o.adapter != nil {
		o.adapter(&cfg)
	}
	a, err := telegram.New(context.Background(), cfg, telegram.Deps{Submitter: d, Updates: updates, Metrics: b.metrics, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	b.adapter = a
	lim := outbound.TelegramLimits()
	lim.PerChat, lim.PerBot = 10*time.Millisecond, 500
	if o.limits != nil {
		lim = *o.limits
	}
	b.probe = &outboundtest.Probe{T: a}
	if err := b.sender.Register(conversations.ChannelTelegram, b.probe, lim); err != nil {
		t.Fatal(err)
	}
	if err := b.sender.Start(context.Background()); err != nil {
		t.Fatal(err)
	}

	// Shutdown in serve's order: adapter, dispatcher, sender.
	pollCtx, stopPoll := context.WithCancel(context.Background())
	dctx, stopD := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); d.Run(dctx) }()
	pollDone := make(chan struct{})
	if !o.webhook && !o.noPoll {
		go func() {
			defer close(pollDone)
			if err := a.Poll(pollCtx, context.Background()); err != nil {
				t.Error(err)
			}
		}()
	} else {
		close(pollDone)
	}
	t.Cleanup(func() {
		stopPoll()
		<-pollDone
		a.Stop(context.Background())
		stopD()
		wg.Wait()
		b.sender.Stop(context.Background(), 5*time.Second)
	})
	b.ctx = context.Background()
	return b
}

// countUpdates returns how many updates the store recorded.
func (b *bundle) countUpdates(t *testing.T) (all, handled int) {
	t.Helper()
	err := b.store.Pool().QueryRow(b.ctx, `SELECT count(*), count(handled_at) FROM telegram_updates`).Scan(&all, &handled)
	if err != nil {
		t.Fatal(err)
	}
	return all, handled
}

func (b *bundle) waitInbound(t *testing.T, n int) []conversations.Inbound {
	t.Helper()
	b.api.WaitFor(t, 10*time.Second, fmt.Sprintf("%d inbound messages", n), func() bool { return len(b.rec.inbound()) >= n })
	return b.rec.inbound()
}

func fakeLimits(perChat, perBot time.Duration) fakebotapi.Limits {
	return fakebotapi.Limits{PerChat: perChat, PerBot: perBot, RetryAfter: 1}
}

// counter reads one sample of the metrics registry, by its exposition name with labels.
func counter(t *testing.T, b *bundle, sample string) float64 {
	t.Helper()
	w := httptest.NewRecorder()
	b.metrics.Handler().ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
	for _, line := range strings.Split(w.Body.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, sample+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	return 0
}

// discardOutbox takes replies and drops them (tests that only look at inbound order).
type discardOutbox struct{}

func (discardOutbox) Enqueue(context.Context, conversations.Outbound) error { return nil }
