package outbound

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/klabot/klabot/storage/redis/redistest"
)

// The shared pacer hands out slots a bot gap apart across chats, a chat gap apart within a
// chat, and nothing while the channel is paused.
func TestRedisPacerSpacesSlots(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	p := redisPacer{rdb: rdb, prefix: prefix}
	ctx := context.Background()
	// Gaps far above the time a call takes on a loaded machine, so that what is checked is
	// the schedule, not the machine's speed; nothing here sleeps.
	const bot, chat = time.Second, 10 * time.Second
	var waits []time.Duration
	for i := range 5 {
		w, reserved, paused, err := p.take(ctx, "telegram", string(rune('a'+i)), bot, chat, time.Minute, time.Minute)
		if err != nil || !reserved || paused {
			t.Fatalf("take %d: %v %v %v", i, reserved, paused, err)
		}
		waits = append(waits, w)
	}
	for i := 1; i < len(waits); i++ {
		// Each slot is one bot gap after the previous one (less the time the calls took).
		if got := waits[i] - waits[i-1]; got < bot/2 || got > bot {
			t.Fatalf("waits %v: slot %d is %v after the one before, want about %v", waits, i, got, bot)
		}
	}
	// The same chat again: a chat gap after its first slot.
	w, reserved, _, _ := p.take(ctx, "telegram", "a", bot, chat, time.Minute, time.Minute)
	if !reserved || w < chat-2*time.Second || w > chat {
		t.Fatalf("second slot of chat a in %v (reserved %v), want about %v", w, reserved, chat)
	}
	// Beyond maxWait: told, not reserved.
	if w, reserved, _, _ := p.take(ctx, "telegram", "a", bot, chat, time.Second, time.Minute); reserved || w < chat {
		t.Fatalf("slot beyond maxWait: %v reserved %v", w, reserved)
	}
	// The chat's own gap further than chatWait: not reserved, the job gives its worker
	// back; a chat only the bot's rate holds up is reserved as before.
	if w, reserved, _, _ := p.take(ctx, "telegram", "a", bot, chat, time.Minute, 100*time.Millisecond); reserved || w < chat-2*time.Second {
		t.Fatalf("chat a waiting for its own gap: %v reserved %v, want not reserved", w, reserved)
	}
	if _, reserved, _, _ := p.take(ctx, "telegram", "y", bot, chat, time.Minute, 100*time.Millisecond); !reserved {
		t.Fatalf("chat y waiting for the bot's rate: %v reserved %v, want reserved", w, reserved)
	}
	if err := p.pause(ctx, "telegram", time.Minute); err != nil {
		t.Fatal(err)
	}
	if err := p.pause(ctx, "telegram", time.Second); err != nil { // shorter: no change
		t.Fatal(err)
	}
	if w, reserved, paused, _ := p.take(ctx, "telegram", "z", bot, chat, time.Minute, time.Minute); !paused || reserved || w < 50*time.Second {
		t.Fatalf("paused channel: wait %v reserved %v paused %v", w, reserved, paused)
	}
	if d, err := p.pausedFor(ctx, "telegram"); err != nil || d < 50*time.Second || d > time.Minute {
		t.Fatalf("pausedFor %v %v", d, err)
	}
	if d, _ := p.pausedFor(ctx, "whatsapp"); d != 0 {
		t.Fatalf("another channel paused for %v", d)
	}
}

// While Redis is down the process paces alone, and a pause it met still holds. Gaps far
// above what a failing dial takes on a loaded machine: the schedule is checked, not speed.
func TestFallbackPacerWhenRedisIsDown(t *testing.T) {
	t.Parallel()
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer dead.Close()
	p := &fallbackPacer{shared: redisPacer{rdb: dead, prefix: "x:"}, local: newLocalPacer(time.Now), log: slog.New(slog.DiscardHandler), now: time.Now}
	ctx := context.Background()
	w1, r1, _, err1 := p.take(ctx, "telegram", "a", 10*time.Second, 100*time.Second, time.Minute, time.Minute)
	w2, r2, _, err2 := p.take(ctx, "telegram", "b", 10*time.Second, 100*time.Second, time.Minute, time.Minute)
	if err1 != nil || err2 != nil || !r1 || !r2 || w1 != 0 || w2 < 5*time.Second {
		t.Fatalf("local pacing: %v %v %v / %v %v %v", w1, r1, err1, w2, r2, err2)
	}
	if _, reserved, _, _ := p.take(ctx, "telegram", "a", 10*time.Second, 100*time.Second, time.Minute, 100*time.Millisecond); reserved {
		t.Fatal("local pacing: chat a's own gap reserved instead of given back")
	}
	p.pause(ctx, "telegram", time.Minute) //nolint:errcheck
	if w, reserved, paused, _ := p.take(ctx, "telegram", "c", 10*time.Second, 100*time.Second, time.Minute, time.Minute); !paused || reserved || w < 50*time.Second {
		t.Fatalf("pause while Redis is down: %v %v %v", w, reserved, paused)
	}
	if d, _ := p.pausedFor(ctx, "telegram"); d < 50*time.Second {
		t.Fatalf("pausedFor %v", d)
	}
}
