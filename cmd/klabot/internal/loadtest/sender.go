package loadtest

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/bot/outbound/outboundtest"
	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/bot/telegram/fakebotapi"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
)

// SenderResult is what the sender benchmark measured.
type SenderResult struct {
	Nudges      int
	Rate        float64       // the Bot API's limit, messages per second
	SenderRate  float64       // the sender's configured limit (TELEGRAM_RATE_PER_SECOND)
	Tolerance   time.Duration // jitter the fake Bot API forgives below the limit's gap
	Elapsed     time.Duration // first enqueue to last outcome
	Span        time.Duration // first to last accepted send at the Bot API
	Delivered   int           // outcomes without error
	Failed      int           // outcomes with an error (lost messages)
	Accepted    int           // sendMessage calls the Bot API accepted
	Chats       int           // distinct chats that got exactly one message
	Throttled   int           // 429 answers
	Early       int           // sends started after a 429 was received, before its retry_after was over
	MaxInSecond int           // most accepted sends in any one-second window
}

// Achieved is the delivery rate at the Bot API: sends over the span between the first
// and the last one.
func (r SenderResult) Achieved() float64 {
	if r.Accepted < 2 || r.Span <= 0 {
		return 0
	}
	return float64(r.Accepted-1) / r.Span.Seconds()
}

// OK reports whether every nudge arrived once, with no 429, at ≥ 95% of the limit.
func (r SenderResult) OK() bool {
	return r.Failed == 0 && r.Delivered == r.Nudges && r.Accepted == r.Nudges && r.Chats == r.Nudges &&
		r.Throttled == 0 && r.Achieved() >= 0.95*r.Rate
}

// Write prints the result.
func (r SenderResult) Write(w io.Writer) {
	verdict := "OK"
	if !r.OK() {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "sender: %d nudges, sender limit %.1f/s, Bot API limit %.0f/s (the fake answers 429 below a gap of %s per bot, %s per chat)\n",
		r.Nudges, r.SenderRate, r.Rate, gap(r.Rate, r.Tolerance).Round(time.Microsecond), (time.Second - r.Tolerance))
	fmt.Fprintf(w, "sender: achieved %.2f messages/s (%.1f%% of the limit) over %s; all done in %s; most in one second: %d\n",
		r.Achieved(), 100*r.Achieved()/r.Rate, r.Span.Round(time.Millisecond), r.Elapsed.Round(time.Millisecond), r.MaxInSecond)
	fmt.Fprintf(w, "sender: %s: delivered %d, lost %d, accepted by the Bot API %d in %d chats, 429 answers %d, early retries %d\n",
		verdict, r.Delivered, r.Failed, r.Accepted, r.Chats, r.Throttled, r.Early)
}

func gap(rate float64, tolerance time.Duration) time.Duration {
	return time.Duration(float64(time.Second)/rate) - tolerance
}

// SenderBench sends n nudges (bulk messages, one per focal point) through the durable
// outbound queue (River on pool, pacing shared through rdb under prefix) limited to
// senderRate and the real Telegram adapter to a fake Bot API that answers 429 with
// retry_after whenever two sends come closer than rate's gap (less tolerance, for the
// jitter of a loaded machine) or one chat gets two within a second.
func SenderBench(ctx context.Context, pool *pgxpool.Pool, rdb *redis.Client, prefix string, n int, rate, senderRate float64, tolerance time.Duration) (SenderResult, error) {
	res := SenderResult{Nudges: n, Rate: rate, SenderRate: senderRate, Tolerance: tolerance}
	const token = "777001:SENDERBENCH"
	api := fakebotapi.Start(token)
	defer api.Close()
	api.SetLimits(fakebotapi.Limits{PerBot: gap(rate, tolerance), PerChat: time.Second - tolerance, RetryAfter: 1})
	tg, err := telegram.New(ctx, telegram.Config{Token: token, APIURL: api.URL, Username: "klabot_load_bot", SkipGetMe: true}, telegram.Deps{})
	if err != nil {
		return res, err
	}
	var delivered, failed, outcomes atomic.Int64
	done := make(chan struct{})
	outcome := func(_ context.Context, _ conversations.Outbound, err error) {
		if err != nil {
			failed.Add(1)
		} else {
			delivered.Add(1)
		}
		if outcomes.Add(1) == int64(n) {
			close(done)
		}
	}
	snd, err := outbound.New(outbound.Config{Pool: pool, Redis: rdb, RedisPrefix: prefix, Secret: "loadtest sender",
		OnOutcome: outcome, PollInterval: 100 * time.Millisecond})
	if err != nil {
		return res, err
	}
	lim := outbound.TelegramLimits()
	lim.PerBot = senderRate
	probe := &outboundtest.Probe{T: tg}
	if err := snd.Register(conversations.ChannelTelegram, probe, lim); err != nil {
		return res, err
	}
	start := time.Now()
	// A scheduler's tick queues its nudges in one call (one job per chat).
	var outs []conversations.Outbound
	for i := range n {
		chat := strconv.FormatInt(8_000_000_000+int64(i), 10)
		outs = append(outs, conversations.Outbound{To: conversations.Address{Channel: conversations.ChannelTelegram, ChatID: chat},
			Text: "⏰ Pengingat: masih ada pertanyaan KLA untuk OPD Anda yang belum dijawab. Ketik lanjut untuk melanjutkan.",
			Bulk: true, Kind: digest.KindNudge})
	}
	for len(outs) > 0 {
		k := min(len(outs), 1000)
		if err := snd.EnqueueMany(ctx, outs[:k]...); err != nil {
			return res, fmt.Errorf("enqueue nudges: %w", err)
		}
		outs = outs[k:]
	}
	if err := snd.Start(ctx); err != nil {
		return res, err
	}
	select {
	case <-done:
	case <-ctx.Done():
		snd.Stop(context.WithoutCancel(ctx), 5*time.Second) //nolint:errcheck
		return res, ctx.Err()
	}
	res.Elapsed = time.Since(start)
	if err := snd.Stop(context.WithoutCancel(ctx), 5*time.Second); err != nil {
		return res, err
	}
	res.Delivered, res.Failed = int(delivered.Load()), int(failed.Load())
	var at []time.Time
	chats := map[string]int{}
	for _, c := range api.Calls("sendMessage") {
		switch c.Status {
		case 200:
			at = append(at, c.At)
			chats[c.ChatID()]++
		case 429:
			res.Throttled++
		}
	}
	res.Accepted = len(at)
	for _, k := range chats {
		if k == 1 {
			res.Chats++
		}
	}
	// Sends in flight when a 429 came arrive during the ban too; early are those that
	// started after the 429 was received (100 ms slack for a loaded machine).
	res.Early = len(probe.Early(100 * time.Millisecond))
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	if len(at) > 1 {
		res.Span = at[len(at)-1].Sub(at[0])
	}
	for i, j := 0, 0; j < len(at); j++ {
		for at[j].Sub(at[i]) >= time.Second {
			i++
		}
		res.MaxInSecond = max(res.MaxInSecond, j-i+1)
	}
	return res, nil
}
