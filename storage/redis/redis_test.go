package redis_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	kredis "github.com/klabot/klabot/storage/redis"
	"github.com/klabot/klabot/storage/redis/redistest"
)

func TestStateAndDedupe(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, prefix := redistest.New(t)
	s := kredis.New(c, kredis.Config{Prefix: prefix, StateTTL: time.Hour})
	st, seen, err := s.Load(ctx, "console:a:a", conversations.ChannelConsole, "m1")
	if err != nil || st != nil || seen {
		t.Fatalf("empty load = %v %v %v", st, seen, err)
	}
	want := &conversations.State{PersonID: 7, Year: 2026, Mode: conversations.ModeQuestion, Question: "1.2"}
	if err := s.Save(ctx, "console:a:a", want, conversations.ChannelConsole, "m1"); err != nil {
		t.Fatal(err)
	}
	st, seen, err = s.Load(ctx, "console:a:a", conversations.ChannelConsole, "m1")
	if err != nil || !seen || st == nil || st.Question != "1.2" || st.PersonID != 7 {
		t.Fatalf("load = %+v %v %v", st, seen, err)
	}
	if _, seen, _ := s.Load(ctx, "console:a:a", conversations.ChannelTelegram, "m1"); seen {
		t.Error("a message id of another channel counts as seen")
	}
	ttl, err := c.TTL(ctx, prefix+"state:console:a:a").Result()
	if err != nil || ttl <= 0 || ttl > time.Hour {
		t.Errorf("state TTL %v, %v", ttl, err)
	}
	if err := s.Forget(ctx, "console:a:a"); err != nil {
		t.Fatal(err)
	}
	if st, seen, _ := s.Load(ctx, "console:a:a", conversations.ChannelConsole, "m1"); st != nil || !seen {
		t.Errorf("after Forget: state %v (want none), seen %v (want kept)", st, seen)
	}
	// A state Redis cannot decode is treated as missing (rebuilt), not as an error.
	c.Set(ctx, prefix+"state:console:b:b", "{broken", time.Minute)
	if st, _, err := s.Load(ctx, "console:b:b", conversations.ChannelConsole, ""); st != nil || err != nil {
		t.Errorf("broken state = %v, %v", st, err)
	}
}

func TestLockSerialisesAndReleasesOnlyItsOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, prefix := redistest.New(t)
	s := kredis.New(c, kredis.Config{Prefix: prefix, LockTTL: 5 * time.Second, LockWait: 5 * time.Second})
	var mu sync.Mutex
	inside, maxInside, total := 0, 0, 0
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := s.Lock(ctx, "chat")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			inside++
			total++
			if inside > maxInside {
				maxInside = inside
			}
			mu.Unlock()
			time.Sleep(5 * time.Millisecond)
			mu.Lock()
			inside--
			mu.Unlock()
			unlock()
		}()
	}
	wg.Wait()
	if maxInside != 1 || total != 6 {
		t.Fatalf("max holders %d, total %d; want 1 and 6", maxInside, total)
	}

	// A lost lock taken over by another holder is not released by the first.
	// The TTL is long enough that a loaded machine cannot let it expire by itself mid-test.
	short := kredis.New(c, kredis.Config{Prefix: prefix, LockTTL: 3 * time.Second, LockWait: 50 * time.Millisecond})
	unlockOld, err := short.Lock(ctx, "slow")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := short.Lock(ctx, "slow"); !errors.Is(err, conversations.ErrUnavailable) {
		t.Fatalf("second lock while held: %v, want ErrUnavailable after the bounded wait", err)
	}
	c.Del(ctx, prefix+"lock:slow") // lost (a pause longer than the TTL), then taken
	unlockNew, err := short.Lock(ctx, "slow")
	if err != nil {
		t.Fatal(err)
	}
	unlockOld() // must not delete the new holder's lock
	if n, _ := c.Exists(ctx, prefix+"lock:slow").Result(); n != 1 {
		t.Fatal("the old holder released the new holder's lock")
	}
	unlockNew()
	if n, _ := c.Exists(ctx, prefix+"lock:slow").Result(); n != 0 {
		t.Fatal("lock not released")
	}
}

func TestLockIsRenewedWhileHeldAndFreedWhenItsHolderDies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, prefix := redistest.New(t)
	cfg := kredis.Config{Prefix: prefix, LockTTL: 300 * time.Millisecond, LockWait: 400 * time.Millisecond}
	s := kredis.New(c, cfg)
	// A live holder keeps the chat through a step longer than the TTL (a slow download).
	unlock, err := s.Lock(ctx, "telegram:1")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(700 * time.Millisecond)
	if _, err := s.Lock(ctx, "telegram:1"); !errors.Is(err, conversations.ErrUnavailable) {
		t.Fatalf("second lock during a long step: %v, want held (ErrUnavailable)", err)
	}
	unlock()

	// A process that dies holding the lock (its client is gone, nothing renews it) loses
	// it within the TTL, so a replay waiting up to LockWait gets the chat.
	dead, _ := redistest.New(t)
	deadStore := kredis.New(dead, cfg)
	if _, err := deadStore.Lock(ctx, "telegram:2"); err != nil {
		t.Fatal(err)
	}
	dead.Close()
	began := time.Now()
	unlock, err = s.Lock(ctx, "telegram:2")
	if err != nil {
		t.Fatalf("lock after its holder died: %v", err)
	}
	unlock()
	// err == nil already says it came within LockWait; the slack is for a busy machine.
	if took := time.Since(began); took > cfg.LockWait+time.Second {
		t.Errorf("took %v", took)
	}
	if def := kredis.New(c, kredis.Config{}).Config(); def.LockTTL >= def.LockWait {
		t.Errorf("default lock TTL %v must be below the lock wait %v (a replay would time out behind a dead holder)", def.LockTTL, def.LockWait)
	}
}

func TestFailuresCountInAWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, prefix := redistest.New(t)
	s := kredis.New(c, kredis.Config{Prefix: prefix})
	if n, wait, err := s.Failures(ctx, "invite:chat:1"); n != 0 || wait != 0 || err != nil {
		t.Fatalf("no failures yet: %d %v %v", n, wait, err)
	}
	for i := 1; i <= 3; i++ {
		n, wait, err := s.AddFailure(ctx, "invite:chat:1", 300*time.Millisecond)
		if err != nil || n != i || wait <= 0 || wait > 300*time.Millisecond {
			t.Fatalf("failure %d: %d %v %v", i, n, wait, err)
		}
	}
	if n, wait, _ := s.Failures(ctx, "invite:chat:1"); n != 3 || wait <= 0 {
		t.Errorf("failures %d, window %v", n, wait)
	}
	time.Sleep(350 * time.Millisecond)
	if n, _, _ := s.Failures(ctx, "invite:chat:1"); n != 0 {
		t.Errorf("%d failures after the window ended", n)
	}
}
