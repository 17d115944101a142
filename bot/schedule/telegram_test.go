package schedule_test

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/bot/schedule"
	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/bot/telegram/fakebotapi"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/storage/redis/redistest"
)

// The whole path at 07:00 WITA: scheduler -> durable outbound queue -> Telegram adapter ->
// a fake Bot API on 127.0.0.1; outcomes recorded by the queue's workers.
func TestDigestAndNudgesReachTelegram(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const token = "123456:TEST-token"
	fake := fakebotapi.New(t, token)
	if _, err := e.pool.Exec(ctx, `UPDATE identities SET chat_id = '1001' WHERE external_id = 'MKS-Citra';
		UPDATE identities SET chat_id = '1002' WHERE external_id = 'MKS-Budi';
		UPDATE identities SET chat_id = '1003' WHERE external_id = 'MKS-Sari'`); err != nil {
		t.Fatal(err)
	}
	fake.Block("1003") // Sari blocked the bot
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := telegram.New(ctx, telegram.Config{Token: token, APIURL: fake.URL, Username: "klabot_test_bot", SkipGetMe: true},
		telegram.Deps{Updates: e.store, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	rdb, prefix := redistest.New(t)
	sender, err := outbound.New(outbound.Config{Pool: e.pool, Redis: rdb, RedisPrefix: prefix, Secret: "test",
		Log: log, TestOnly: true, PollInterval: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := sender.Register(conversations.ChannelTelegram, a, outbound.Limits{PerBot: 1000, PerChat: time.Millisecond, PerGroup: time.Millisecond}); err != nil {
		t.Fatal(err)
	}
	if err := sender.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer sender.Stop(ctx, 5*time.Second)

	// Only Makassar matters here; the other regions' chats are not numeric and fail.
	s := schedule.New(e.store, sender, schedule.Config{Now: e.clock.Now, Log: log})
	e.clock.Set(utc("2026-11-22 23:00")) // Monday 07:00 WITA: the digest; nudges wait for 08:00
	s.Tick(ctx)
	msgs := fake.WaitMessages(t, "1001", 2)
	if msgs[0].Method != "sendMessage" || !strings.Contains(msgs[0].Text, "📊 Ringkasan KLA Kota MKS\nSenin, 23 November 2026, 07.00 WITA") {
		t.Fatalf("coordinator got %+v", msgs[0])
	}
	if msgs[1].Method != "sendPhoto" || msgs[1].File == nil {
		t.Fatalf("no chart photo: %+v", msgs[1])
	}
	if img, err := png.Decode(bytes.NewReader(msgs[1].File.Data)); err != nil || img.Bounds().Dx() != 800 {
		t.Fatalf("chart: %v", err)
	}
	fake.WaitFor(t, 5*time.Second, "digest recorded as sent", func() bool {
		return e.count(`kind = 'digest' AND chat_id = '1001' AND status = 'sent' AND sent_at IS NOT NULL`) == 1
	})
	if n := len(fake.Messages("1002")); n != 0 {
		t.Fatalf("a focal point got %d messages before working hours", n)
	}

	e.clock.Set(utc("2026-11-23 00:00")) // 08:00 WITA: reminders
	s.Tick(ctx)
	budi := fake.WaitMessages(t, "1002", 1)
	if !strings.Contains(budi[0].Text, "Pengingat KLA Kota MKS: masih ada 2 pertanyaan untuk Dinas DINKES.") ||
		len(budi[0].Markup) != 1 || budi[0].Markup[0][0].CallbackData != digest.NudgeButtonData {
		t.Fatalf("Budi got %+v", budi[0])
	}
	fake.WaitFor(t, 5*time.Second, "blocked reminder recorded", func() bool {
		return e.count(`kind = 'nudge' AND chat_id = '1003' AND status = 'failed' AND error <> ''`) == 1 &&
			e.count(`kind = 'nudge' AND chat_id = '1002' AND status = 'sent'`) == 1
	})
	var unreachable bool
	e.pool.QueryRow(ctx, `SELECT unreachable_at IS NOT NULL FROM people WHERE id = $1`, e.ids["MKS-Sari"]).Scan(&unreachable)
	if !unreachable {
		t.Error("Sari blocked the bot but is not marked unreachable")
	}
	// The next digest names her.
	e.clock.Set(utc("2026-11-23 23:00"))
	s.Tick(ctx)
	next := fake.WaitMessages(t, "1001", 3)
	if !strings.Contains(next[2].Text, "Tidak terjangkau (memblokir bot): Sari") {
		t.Fatalf("second digest:\n%s", next[2].Text)
	}
}
