package whatsapp

import (
	"fmt"

	"context"
	"errors"
	"go.mau.fi/whatsmeow"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
	"github.com/klabot/klabot/storage/redis/redistest"
)

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestPacerSpreadsBulkMessages(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	wib := time.FixedZone("WIB", 7*3600)
	clock := &testClock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, wib)}
	p := NewPacer(PaceConfig{
		BulkInterval: 20 * time.Second, DailyCap: 3, WorkFrom: 7, WorkTo: 18, Location: wib,
		Counter: &RedisDayCounter{RDB: rdb, Prefix: prefix}, Now: clock.Now, Jitter: func() float64 { return 0.5 },
	})
	ctx := context.Background()
	reserve := func(chat string) time.Duration {
		t.Helper()
		w, err := p.Reserve(ctx, chat)
		if err != nil {
			t.Fatal(err)
		}
		if w == 0 {
			if err := p.Sent(ctx); err != nil {
				t.Fatal(err)
			}
		}
		return w
	}
	if w := reserve("a"); w != 0 {
		t.Fatalf("first bulk waits %s", w)
	}
	// Another person: the interval plus jitter (20 s + 0.5 × 20 s).
	if w := reserve("b"); w != 30*time.Second {
		t.Errorf("second bulk waits %s, want 30s", w)
	}
	// The same person again: grouped, right behind.
	if w := reserve("a"); w != 0 {
		t.Errorf("bulk to the same person waits %s", w)
	}
	clock.Add(30 * time.Second)
	if w := reserve("b"); w != 0 {
		t.Errorf("bulk after the interval waits %s", w)
	}
	// The day's cap (3) is reached: next working morning, spread by up to 30 min.
	clock.Add(time.Minute)
	w := reserve("c")
	if want := time.Date(2026, 12, 2, 7, 15, 0, 0, wib).Sub(clock.Now()); w != want {
		t.Errorf("after the cap waits %s, want %s", w, want)
	}
	// The cap is kept in Redis: a restarted klabot knows it.
	p2 := NewPacer(PaceConfig{DailyCap: 3, Location: wib, Counter: &RedisDayCounter{RDB: rdb, Prefix: prefix}, Now: clock.Now})
	if w, _ := p2.Reserve(ctx, "d"); w < 10*time.Hour {
		t.Errorf("restarted pacer forgot the cap: waits %s", w)
	}
	// Outside the working hours bulk waits for the morning; a rejection pauses for an hour.
	night := NewPacer(PaceConfig{Location: wib, Now: func() time.Time { return time.Date(2026, 12, 1, 21, 0, 0, 0, wib) }, Jitter: func() float64 { return 0 }})
	if w, _ := night.Reserve(ctx, "a"); w != 10*time.Hour {
		t.Errorf("at 21:00 bulk waits %s, want 10h (07:00)", w)
	}
	day := NewPacer(PaceConfig{Location: wib, Now: clock.Now, Jitter: func() float64 { return 0 }})
	day.Rejected()
	if w, _ := day.Reserve(ctx, "a"); w != time.Hour {
		t.Errorf("after a rejection bulk waits %s, want 1h", w)
	}
}

// Deliver: replies go at once with a typing indicator and a send timeout shorter than the
// delivery's; bulk messages wait for their slot; a slot beyond the deadline is deferred;
// a 463 is not retried and pauses bulk.
func TestDeliverPacesBulkAndTypesReplies(t *testing.T) {
	t.Parallel()
	fc := newFakeClient()
	a := New(fc, nil, nil, Config{TypingPerChar: time.Millisecond, TypingMax: 30 * time.Millisecond})
	a.SetPacer(NewPacer(PaceConfig{BulkInterval: 50 * time.Millisecond, WorkFrom: 0, WorkTo: 24, Jitter: func() float64 { return 0 }}))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	other := conversations.Address{Channel: conversations.ChannelWhatsApp, ChatID: "6281299990000@s.whatsapp.net"}
	start := time.Now()
	if err := a.Deliver(ctx, conversations.Outbound{To: chatAddr, Text: "Tersimpan: Ya."}); err != nil {
		t.Fatal(err)
	}
	if len(fc.typing) != 1 || time.Since(start) < 20*time.Millisecond {
		t.Errorf("no typing before the reply: %v after %s", fc.typing, time.Since(start))
	}
	if fc.extras[0] != 45*time.Second {
		t.Errorf("send timeout %s, want 45s (under the delivery timeout)", fc.extras[0])
	}
	start = time.Now()
	for _, to := range []conversations.Address{chatAddr, other} {
		if err := a.Deliver(ctx, conversations.Outbound{To: to, Text: "Ringkasan harian", Bulk: true}); err != nil {
			t.Fatal(err)
		}
	}
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("two bulk messages to two people in %s", took)
	}
	if len(fc.typing) != 1 {
		t.Error("typing shown before a bulk message")
	}
	// A short deadline: the slot is too far, the job should be snoozed instead.
	sctx, scancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer scancel()
	err := a.Deliver(sctx, conversations.Outbound{To: chatAddr, Text: "Pengingat", Bulk: true})
	var def *DeferredError
	var tmp *outbound.TemporaryError
	if !errors.As(err, &def) || !errors.As(err, &tmp) {
		t.Errorf("far slot: %v", err)
	}
	fc.sendErr = fmt.Errorf("%w 463", whatsmeow.ErrServerReturnedError)
	err = a.Deliver(ctx, conversations.Outbound{To: chatAddr, Text: "x"})
	var rej *RejectedError
	if !errors.As(err, &rej) || errors.As(err, &tmp) {
		t.Errorf("463: %v", err)
	}
	if w, _ := a.pacer.Reserve(ctx, "z"); w < 50*time.Minute {
		t.Errorf("bulk not paused after a rejection: %s", w)
	}
}

// A retry receipt after a restart: the message comes from the journal.
func TestMessageForRetryAfterRestart(t *testing.T) {
	t.Parallel()
	st := postgres.New(pgtest.New(t), nil)
	fc := newFakeClient()
	a := New(fc, nil, nil, Config{})
	a.SetJournal(st, testSealKey)
	ctx := context.Background()
	if err := a.Deliver(ctx, conversations.Outbound{To: chatAddr, Text: "Pertanyaan 1/8"}); err != nil {
		t.Fatal(err)
	}
	id := fc.sent[0].ID
	restarted := New(newFakeClient(), nil, nil, Config{})
	restarted.SetJournal(st, testSealKey)
	m := restarted.MessageForRetry(pnDevice, pnJID, id)
	if !strings.Contains(m.GetConversation(), "Pertanyaan 1/8") {
		t.Errorf("message for retry %v", m)
	}
	if m := restarted.MessageForRetry(pnDevice, otherGrp, id); m != nil {
		t.Errorf("message given for another chat: %v", m)
	}
}
