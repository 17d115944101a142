package outbound_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/bot/telegram/fakebotapi"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
	"github.com/klabot/klabot/storage/redis/redistest"
)

const testToken = "123456:TEST-outbound"

// rig is one test's database, Redis prefix and fake Bot API.
type rig struct {
	t      testing.TB
	pool   *pgxpool.Pool
	rdb    *redis.Client
	prefix string
	api    *fakebotapi.Server
}

func newRig(t testing.TB) *rig {
	t.Helper()
	rdb, prefix := redistest.New(t)
	return &rig{t: t, pool: pgtest.New(t), rdb: rdb, prefix: prefix, api: fakebotapi.New(t, testToken)}
}

func testLog(t testing.TB) *slog.Logger {
	if os.Getenv("OUTBOUND_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// queue builds a Queue on pool (the rig's unless given) working Telegram through the fake
// API, started; it is stopped when the test ends.
func (r *rig) queue(cfg outbound.Config, lim outbound.Limits) *outbound.Queue {
	r.t.Helper()
	if cfg.Pool == nil {
		cfg.Pool = r.pool
	}
	if cfg.Redis == nil {
		cfg.Redis, cfg.RedisPrefix = r.rdb, r.prefix
	}
	cfg.Secret = "test secret"
	cfg.TestOnly = true
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 100 * time.Millisecond
	}
	if cfg.BaseBackoff == 0 {
		cfg.BaseBackoff, cfg.MaxBackoff = 100*time.Millisecond, 500*time.Millisecond
	}
	if cfg.Log == nil {
		cfg.Log = testLog(r.t)
	}
	q, err := outbound.New(cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	a, err := telegram.New(context.Background(), telegram.Config{Token: testToken, APIURL: r.api.URL, Username: "klabot_test_bot"},
		telegram.Deps{Log: cfg.Log})
	if err != nil {
		r.t.Fatal(err)
	}
	if err := q.Register(conversations.ChannelTelegram, a, lim); err != nil {
		r.t.Fatal(err)
	}
	if err := q.Start(context.Background()); err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(func() { q.Stop(context.Background(), 5*time.Second) })
	return q
}

func fastLimits() outbound.Limits {
	return outbound.Limits{PerBot: 1000, PerChat: time.Millisecond, PerGroup: time.Millisecond, Parallel: 8}
}

func tg(chat int) conversations.Address {
	return conversations.Address{Channel: conversations.ChannelTelegram, ChatID: strconv.Itoa(chat)}
}

func TestQueueDeliversInOrderAndInTheCallersTransaction(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	q := r.queue(outbound.Config{}, fastLimits())
	store := postgres.New(r.pool, time.Now)

	// Rolled back: nothing goes out.
	err := store.InTx(ctx, func(ctx context.Context) error {
		if err := q.Enqueue(ctx, conversations.Outbound{To: tg(1), Text: "never"}); err != nil {
			return err
		}
		return fmt.Errorf("step failed")
	})
	if err == nil {
		t.Fatal("InTx: want the step's error")
	}
	// Committed: a step's replies to two chats, in order per chat.
	err = store.InTx(ctx, func(ctx context.Context) error {
		return q.EnqueueMany(ctx,
			conversations.Outbound{To: tg(1), Text: "satu"},
			conversations.Outbound{To: tg(2), Text: "dua"},
			conversations.Outbound{To: tg(1), Text: "tiga", Buttons: [][]conversations.Button{{{Label: "Ya", Data: "y"}}}},
		)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Enqueue(ctx, conversations.Outbound{To: tg(1), Text: "empat", Attachment: &conversations.Attachment{Name: "a.png", MIME: "image/png", Photo: true, Data: []byte("PNG")}}); err != nil {
		t.Fatal(err)
	}
	msgs := r.api.WaitMessages(t, "1", 3)
	var got []string
	for _, m := range msgs {
		got = append(got, m.Text)
	}
	if fmt.Sprint(got) != "[satu tiga empat]" {
		t.Fatalf("chat 1 got %q", got)
	}
	if msgs[2].File == nil || string(msgs[2].File.Data) != "PNG" {
		t.Fatalf("attachment: %+v", msgs[2].File)
	}
	r.api.WaitMessages(t, "2", 1)
	// Recorded, with the platform's ids; the texts are not in the job table in clear.
	var n int
	waitFor(t, "3 jobs' deliveries recorded", func() bool {
		r.pool.QueryRow(ctx, `SELECT count(*) FROM outbound_deliveries WHERE state = 'sent' AND platform_id <> ''`).Scan(&n)
		return n == 4
	})
	var clear int
	if err := r.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE args::text LIKE '%tiga%' OR args::text LIKE '%satu%'`).Scan(&clear); err != nil {
		t.Fatal(err)
	}
	if clear != 0 {
		t.Fatalf("%d jobs hold message texts in clear", clear)
	}
	// The attachment was sealed too, and is gone once its job is done.
	var files int
	r.pool.QueryRow(ctx, `SELECT count(*) FROM outbound_attachments`).Scan(&files) //nolint:errcheck
	if files != 0 {
		t.Errorf("%d attachments left after delivery", files)
	}
	for _, m := range r.api.Messages("1") {
		if m.Text == "never" {
			t.Fatal("a rolled back message was sent")
		}
	}
}

func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Queued jobs do not name the bot that is to send them: a second Telegram bot on the same
// database is refused while the first one's processes live, with an error naming both;
// another replica of the same bot is welcome; once the first bot stopped, the second may
// start.
func TestSecondBotOnOneDatabaseIsRefused(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	first := r.queue(outbound.Config{ID: "bot-a-1"}, fastLimits())
	adapter := func(token string) *telegram.Adapter {
		a, err := telegram.New(context.Background(), telegram.Config{Token: token, APIURL: r.api.URL, SkipGetMe: true}, telegram.Deps{})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	build := func(id string) *outbound.Queue {
		q, err := outbound.New(outbound.Config{Pool: r.pool, Secret: "test secret", TestOnly: true, ID: id})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	other := build("bot-b-1")
	err := other.Register(conversations.ChannelTelegram, adapter("515151:OTHER-bot"), fastLimits())
	if !errors.Is(err, outbound.ErrOtherAccount) || !strings.Contains(err.Error(), "515151") || !strings.Contains(err.Error(), "123456") {
		t.Fatalf("second bot's Register: %v, want ErrOtherAccount naming both bots", err)
	}
	replica := build("bot-a-2")
	if err := replica.Register(conversations.ChannelTelegram, adapter(testToken), fastLimits()); err != nil {
		t.Fatalf("the same bot's second replica: %v", err)
	}
	if err := replica.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, q := range []*outbound.Queue{first, replica} {
		if err := q.Stop(context.Background(), 5*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.Register(conversations.ChannelTelegram, adapter("515151:OTHER-bot"), fastLimits()); err != nil {
		t.Fatalf("second bot once the first stopped: %v", err)
	}
}
