package outbound_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
)

// A job waiting for its chat's gap (Telegram: 1 s since the chat's last message) gives its
// worker slot back: with two slots and a chat holding three queued jobs, another chat's
// message goes out before the busy chat's second, instead of after the busy chat's jobs sat
// in both slots waiting for their gap. The busy chat's order holds.
func TestJobWaitingForItsChatGivesBackItsWorker(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	lim := outbound.Limits{PerBot: 30, PerChat: time.Second, Parallel: 2}
	q, _ := r.client(r.pool, "slots", lim, func(c *outbound.Config) { c.MaxWait = 2 * time.Second })
	ctx := context.Background()
	for _, m := range []struct {
		chat int
		text string
	}{{1, "a1"}, {1, "a2"}, {1, "a3"}, {2, "b1"}} {
		if err := q.Enqueue(ctx, conversations.Outbound{To: tg(m.chat), Text: m.text}); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background(), 5*time.Second) })
	r.checkDelivered(map[string][]string{"1": {"a1", "a2", "a3"}, "2": {"b1"}})
	var order []string
	for _, m := range r.api.Messages("") {
		order = append(order, m.Text)
	}
	if strings.Index(strings.Join(order, " "), "b1") > strings.Index(strings.Join(order, " "), "a2") {
		t.Errorf("delivered %v: chat 2's message waited behind chat 1's gap", order)
	}
}

// BenchmarkManyChatsSeveralMessages measures the delivery rate of one process at
// Telegram's limits (30/s per bot, 1 s per chat, 16 workers) when many chats have several
// messages each: per chat two consecutive steps' replies (two jobs of each/2 messages,
// queued chat after chat, as people answering). Close to 30/s when a job waiting for its
// chat gives its worker back; about workers per chat gap when it holds the worker.
//
//	go test -run '^$' -bench ManyChats -benchtime 1x ./bot/outbound/
//
// OUTBOUND_BENCH_CHATS and OUTBOUND_BENCH_EACH change the shape (default 100 × 4).
func BenchmarkManyChatsSeveralMessages(b *testing.B) {
	chats, each := envInt("OUTBOUND_BENCH_CHATS", 100), envInt("OUTBOUND_BENCH_EACH", 4)
	for range b.N {
		b.StopTimer()
		r := newRig(b)
		lim := outbound.TelegramLimits()
		q, probe := r.client(r.pool, "bench", lim, func(c *outbound.Config) {
			c.MaxWait, c.DeliverTimeout, c.RescueAfter, c.OrderWait = 2*time.Second, 60*time.Second, 2*time.Minute, 250*time.Millisecond
		})
		want := queueSteps(b, q, chats, each)
		b.StartTimer()
		start := time.Now()
		if err := q.Start(context.Background()); err != nil {
			b.Fatal(err)
		}
		r.checkDelivered(want)
		elapsed := time.Since(start)
		b.StopTimer()
		q.Stop(context.Background(), 5*time.Second) //nolint:errcheck
		starts := probe.Starts()
		span := starts[len(starts)-1].Sub(starts[0])
		b.ReportMetric(float64(len(starts)-1)/span.Seconds(), "msgs/s")
		b.ReportMetric(elapsed.Seconds(), "s_total")
		b.Logf("%d chats × %d messages: %d sends over %s (%.1f/s at a 30/s limit), all delivered after %s",
			chats, each, len(starts), span.Round(time.Millisecond), float64(len(starts)-1)/span.Seconds(), elapsed.Round(time.Millisecond))
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// queueSteps queues per chat, chat after chat, two jobs (two steps' replies) holding each
// messages between them, and returns the texts per chat in order.
func queueSteps(t testing.TB, q *outbound.Queue, chats, each int) map[string][]string {
	t.Helper()
	want := map[string][]string{}
	for c := range chats {
		to := tg(5000 + c)
		var step []conversations.Outbound
		for i := range each {
			text := fmt.Sprintf("balasan %d untuk %s", i, to.ChatID)
			want[to.ChatID] = append(want[to.ChatID], text)
			step = append(step, conversations.Outbound{To: to, Text: text})
			if len(step) == (each+1)/2 || i == each-1 {
				if err := q.EnqueueMany(context.Background(), step...); err != nil {
					t.Fatal(err)
				}
				step = nil
			}
		}
	}
	return want
}
