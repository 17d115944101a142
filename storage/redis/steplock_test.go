package redis_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/klabot/klabot/conversations"
	kredis "github.com/klabot/klabot/storage/redis"
	"github.com/klabot/klabot/storage/redis/redistest"
)

// TestLockLoadReadsStateAndMarkWithTheLock: lock+load returns what the previous holder
// saved with save+unlock, and the seen mark, in one go; twelve concurrent steps on one
// chat each see their predecessor's state, so no update is lost.
func TestLockLoadReadsStateAndMarkWithTheLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, prefix := redistest.New(t)
	s := kredis.New(c, kredis.Config{Prefix: prefix, LockTTL: 5 * time.Second, LockWait: 10 * time.Second})
	ch := conversations.ChannelConsole

	h, st, seen, err := s.LockLoad(ctx, "chat", "chat:p", ch, "m0")
	if err != nil || st != nil || seen {
		t.Fatalf("empty lock+load = %v %v %v", st, seen, err)
	}
	if _, err := kredis.New(c, kredis.Config{Prefix: prefix, LockWait: 20 * time.Millisecond}).Lock(ctx, "chat"); !errors.Is(err, conversations.ErrUnavailable) {
		t.Fatalf("Lock while LockLoad holds the chat: %v, want ErrUnavailable", err)
	}
	if err := h.SaveUnlock(ctx, &conversations.State{PersonID: 7, Question: "1.1"}, ch, "m0"); err != nil {
		t.Fatal(err)
	}
	h.Unlock() // after SaveUnlock: nothing
	if n, _ := c.Exists(ctx, prefix+"lock:chat").Result(); n != 0 {
		t.Fatal("SaveUnlock left the lock")
	}
	if ttl, _ := c.PTTL(ctx, prefix+"seen:console:m0").Result(); ttl <= 0 {
		t.Errorf("seen mark TTL %v", ttl)
	}
	// The old Load reads what SaveUnlock wrote, and LockLoad what Save wrote.
	if st, seen, err := s.Load(ctx, "chat:p", ch, "m0"); err != nil || !seen || st == nil || st.Question != "1.1" {
		t.Fatalf("Load after SaveUnlock = %+v %v %v", st, seen, err)
	}
	if err := s.Save(ctx, "chat:p", &conversations.State{PersonID: 7, Question: "1.2"}, ch, "m1"); err != nil {
		t.Fatal(err)
	}
	h, st, seen, err = s.LockLoad(ctx, "chat", "chat:p", ch, "m1")
	if err != nil || !seen || st == nil || st.Question != "1.2" {
		t.Fatalf("lock+load after Save = %+v %v %v", st, seen, err)
	}
	// nil state, no message: only the release.
	if err := h.SaveUnlock(ctx, nil, ch, ""); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := s.Load(ctx, "chat:p", ch, ""); st == nil || st.Question != "1.2" {
		t.Fatalf("SaveUnlock(nil) changed the state: %+v", st)
	}

	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := "n" + string(rune('a'+i))
			h, st, seen, err := s.LockLoad(ctx, "chat", "chat:p", ch, id)
			if err != nil || seen || st == nil {
				t.Errorf("step %d: %v %v %v", i, st, seen, err)
				return
			}
			defer h.Unlock()
			st.Files++
			if err := h.SaveUnlock(ctx, st, ch, id); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if st, _, _ := s.Load(ctx, "chat:p", ch, ""); st == nil || st.Files != 12 {
		t.Fatalf("after 12 steps the count is %+v, want 12 (an update was lost)", st)
	}
}

// TestSaveUnlockReleasesOnlyItsOwnLock: a lock lost (expired) and taken by another
// holder is not released by the first holder's save+unlock, nor by its Unlock.
func TestSaveUnlockReleasesOnlyItsOwnLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, prefix := redistest.New(t)
	s := kredis.New(c, kredis.Config{Prefix: prefix, LockTTL: 5 * time.Second, LockWait: 5 * time.Second})
	ch := conversations.ChannelConsole
	old, _, _, err := s.LockLoad(ctx, "slow", "slow:p", ch, "m1")
	if err != nil {
		t.Fatal(err)
	}
	c.Del(ctx, prefix+"lock:slow") // lost (a pause longer than the TTL), then taken
	unlockNew, err := s.Lock(ctx, "slow")
	if err != nil {
		t.Fatal(err)
	}
	if err := old.SaveUnlock(ctx, &conversations.State{Question: "2.1"}, ch, "m1"); err != nil {
		t.Fatal(err)
	}
	old.Unlock()
	if n, _ := c.Exists(ctx, prefix+"lock:slow").Result(); n != 1 {
		t.Fatal("the old holder's save+unlock released the new holder's lock")
	}
	unlockNew()
	if n, _ := c.Exists(ctx, prefix+"lock:slow").Result(); n != 0 {
		t.Fatal("lock not released")
	}
	// An Unlock without save releases too (a step that failed).
	h, _, _, err := s.LockLoad(ctx, "slow", "slow:p", ch, "")
	if err != nil {
		t.Fatal(err)
	}
	h.Unlock()
	if n, _ := c.Exists(ctx, prefix+"lock:slow").Result(); n != 0 {
		t.Fatal("Unlock did not release")
	}
}

// TestLockLoadWaitsRenewsAndOutlivesADeadHolder: a chat held by someone else is waited
// for (bounded by LockWait), a live holder keeps it past the TTL by renewal, a dead
// holder's lock expires within the TTL.
func TestLockLoadWaitsRenewsAndOutlivesADeadHolder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, prefix := redistest.New(t)
	ch := conversations.ChannelConsole
	s := kredis.New(c, kredis.Config{Prefix: prefix, LockTTL: 5 * time.Second, LockWait: 10 * time.Second})

	// Waited for: LockLoad returns only after the holder released.
	unlock, err := s.Lock(ctx, "busy")
	if err != nil {
		t.Fatal(err)
	}
	var released atomic.Bool
	got := make(chan error, 1)
	go func() {
		h, _, _, err := s.LockLoad(ctx, "busy", "busy:p", ch, "m")
		if err == nil && !released.Load() {
			err = errors.New("LockLoad took a chat that was still held")
		}
		if h != nil {
			h.Unlock()
		}
		got <- err
	}()
	time.Sleep(100 * time.Millisecond) // give it the chance to go wrong
	released.Store(true)
	unlock()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	// Renewed past the TTL, and bounded: a chat held longer than LockWait is
	// ErrUnavailable. (TTLs of a second: renewals every third of it survive a busy
	// machine.)
	cfg := kredis.Config{Prefix: prefix, LockTTL: time.Second, LockWait: 4 * time.Second}
	short := kredis.New(c, cfg)
	h, _, _, err := short.LockLoad(ctx, "long", "long:p", ch, "")
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond) // longer than the TTL: renewed
	impatient := kredis.New(c, kredis.Config{Prefix: prefix, LockWait: 50 * time.Millisecond})
	if _, _, _, err := impatient.LockLoad(ctx, "long", "long:p", ch, ""); !errors.Is(err, conversations.ErrUnavailable) {
		t.Fatalf("second lock+load during a long step: %v, want held (ErrUnavailable)", err)
	}
	if err := h.SaveUnlock(ctx, nil, ch, ""); err != nil {
		t.Fatal(err)
	}

	// A dead holder (client gone, nothing renews) loses the chat within the TTL, so a
	// step waiting up to LockWait gets it.
	dead, _ := redistest.New(t)
	if _, _, _, err := kredis.New(dead, cfg).LockLoad(ctx, "gone", "gone:p", ch, ""); err != nil {
		t.Fatal(err)
	}
	dead.Close()
	h, _, _, err = short.LockLoad(ctx, "gone", "gone:p", ch, "")
	if err != nil {
		t.Fatalf("lock+load after its holder died: %v", err)
	}
	h.Unlock()
}

// BenchmarkStepRedis compares a step's Redis work: Lock, Load, Save, unlock (the old
// path) against LockLoad and SaveUnlock. Each iteration runs both, alternating, so that
// a busy shared machine weighs on both alike; it reports the median of each in µs and
// their round trips (a go-redis hook counting commands and pipelines).
func BenchmarkStepRedis(b *testing.B) {
	ctx := context.Background()
	c, prefix := redistest.New(b)
	trips := &tripHook{}
	c.AddHook(trips)
	s := kredis.New(c, kredis.Config{Prefix: prefix})
	ch := conversations.ChannelConsole
	st := &conversations.State{PersonID: 1, Year: 2026, Mode: conversations.ModeQuestion, Question: "1.1"}
	separate := func(id string) {
		unlock, err := s.Lock(ctx, "chat")
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := s.Load(ctx, "chat:p", ch, id); err != nil {
			b.Fatal(err)
		}
		if err := s.Save(ctx, "chat:p", st, ch, id); err != nil {
			b.Fatal(err)
		}
		unlock()
	}
	together := func(id string) {
		h, _, _, err := s.LockLoad(ctx, "chat", "chat:p", ch, id)
		if err != nil {
			b.Fatal(err)
		}
		if err := h.SaveUnlock(ctx, st, ch, id); err != nil {
			b.Fatal(err)
		}
	}
	together("warm") // load the scripts
	separate("warm")
	var ds, dt []time.Duration
	var ts, tt int64
	b.ResetTimer()
	for i := range b.N {
		id := strconv.Itoa(i)
		n0, t0 := trips.n.Load(), time.Now()
		separate("s" + id)
		n1, t1 := trips.n.Load(), time.Now()
		together("t" + id)
		n2, t2 := trips.n.Load(), time.Now()
		ds, dt = append(ds, t1.Sub(t0)), append(dt, t2.Sub(t1))
		ts, tt = ts+n1-n0, tt+n2-n1
	}
	b.StopTimer()
	median := func(d []time.Duration) float64 {
		slices.Sort(d)
		return float64(d[len(d)/2].Microseconds())
	}
	b.ReportMetric(median(ds), "separate-µs")
	b.ReportMetric(median(dt), "lockload-µs")
	b.ReportMetric(float64(ts)/float64(b.N), "separate-trips")
	b.ReportMetric(float64(tt)/float64(b.N), "lockload-trips")
}

// tripHook counts Redis round trips: each command and each pipeline is one.
type tripHook struct{ n atomic.Int64 }

func (h *tripHook) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *tripHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}

func (h *tripHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}
