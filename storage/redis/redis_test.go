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

	// An expired lock taken over by another holder is not released by the first.
	short := kredis.New(c, kredis.Config{Prefix: prefix, LockTTL: 100 * time.Millisecond, LockWait: 50 * time.Millisecond})
	unlockOld, err := short.Lock(ctx, "slow")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := short.Lock(ctx, "slow"); !errors.Is(err, conversations.ErrUnavailable) {
		t.Fatalf("second lock while held: %v, want ErrUnavailable after the bounded wait", err)
	}
	time.Sleep(150 * time.Millisecond)
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
