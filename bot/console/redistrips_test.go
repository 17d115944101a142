package console_test

import (
	"context"
	"encoding/json"
	"net"
	"sync/atomic"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/klabot/klabot/bot/console"
	"github.com/klabot/klabot/conversations"
)

// tripCounter counts Redis round trips: each command and each pipeline is one.
type tripCounter struct{ n atomic.Int64 }

func (c *tripCounter) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (c *tripCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { c.n.Add(1); return next(ctx, cmd) }
}

func (c *tripCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { c.n.Add(1); return next(ctx, cmds) }
}

// lockerOnly hides the store's one-round-trip methods (Deps.Locker not the States
// value): the engine takes the old path, Lock, Load, Save, unlock.
type lockerOnly struct{ conversations.Locker }

// TestOrdinaryStepTakesTwoRedisRoundTrips: with storage/redis as Locker and States an
// ordinary step (an answer, a skip, a navigation) does its Redis work in two round trips,
// lock+load and save+unlock; the old path (kept for other Locker/States) takes four.
func TestOrdinaryStepTakesTwoRedisRoundTrips(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	trips := &tripCounter{}
	w.RDB.AddHook(trips)
	steps := []string{"1", "lewati", "ubah 4", "4", "status"}
	run := func(eng *conversations.Engine, name string, max int64) {
		t.Helper()
		s := console.NewSession(eng, "chat-"+name, name)
		s.Now = w.Clock.Now
		// Warm-up: the first step loads the scripts (EVALSHA misses once per server).
		if _, err := s.Send(w.Ctx, "mulai"); err != nil {
			t.Fatal(err)
		}
		for _, text := range steps {
			before := trips.n.Load()
			outs, err := s.Send(w.Ctx, text)
			if err != nil {
				t.Fatalf("%s %q: %v", name, text, err)
			}
			if len(outs) == 0 {
				t.Fatalf("%s %q: no reply", name, text)
			}
			if n := trips.n.Load() - before; n > max {
				t.Errorf("%s %q: %d Redis round trips, want at most %d", name, text, n, max)
			} else {
				t.Logf("%s %q: %d Redis round trips", name, text, n)
			}
		}
	}
	run(w.eng, "budi", 2)
	old := w.EngineWith(nil, func(d *conversations.Deps) { d.Locker = lockerOnly{d.Locker} })
	run(old, "sari", 4)
	// Both paths leave the same position in Redis after the same steps.
	pos := map[string]string{}
	for _, name := range []string{"budi", "sari"} {
		raw, err := w.RDB.Get(w.Ctx, w.StateKey("chat-"+name)).Result()
		if err != nil {
			t.Fatalf("%s state: %v", name, err)
		}
		var st conversations.State
		must(t, json.Unmarshal([]byte(raw), &st))
		pos[name] = string(st.Mode) + " " + st.Question
	}
	if pos["budi"] != pos["sari"] || pos["budi"] == " " {
		t.Errorf("positions after the same steps: %q (fast path) and %q (old path)", pos["budi"], pos["sari"])
	}
}
