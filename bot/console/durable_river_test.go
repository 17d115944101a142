package console_test

import (
	"context"
	"strings"
	"testing"

	"github.com/klabot/klabot/bot/console/consoletest"
	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
)

// killing wraps the durable queue: after queuing a message whose text has kill in it,
// it terminates the step's own connection (still in its transaction), so that the step
// cannot commit.
type killing struct {
	q    *outbound.Queue
	w    *consoletest.World
	kill string
}

func (k *killing) EnqueueMany(ctx context.Context, outs ...conversations.Outbound) error {
	if err := k.q.EnqueueMany(ctx, outs...); err != nil {
		return err
	}
	for _, o := range outs {
		if k.kill != "" && strings.Contains(o.Text, k.kill) {
			_, err := k.w.Store.Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'`)
			return err
		}
	}
	return nil
}

func (k *killing) Enqueue(ctx context.Context, out conversations.Outbound) error {
	return k.EnqueueMany(ctx, out)
}

// TestStepAndItsRiverJobCommitTogether: on the real durable queue (River, not started:
// nothing is delivered), an answer and the job carrying its "Tersimpan" commit together:
// a step whose connection dies before the commit leaves neither; the replay stores the
// answer once with one job; a duplicate delivery after Redis lost everything adds no job.
func TestStepAndItsRiverJobCommitTogether(t *testing.T) {
	t.Parallel()
	w := consoletest.NewWorld(t, func(key, _ string) conversations.Identity {
		return conversations.Identity{Channel: conversations.ChannelConsole, ExternalID: "chat-" + key}
	})
	q, err := outbound.New(outbound.Config{Pool: w.Store.Pool(), Secret: "test", TestOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	k := &killing{q: q, w: w}
	eng := w.EngineWith(nil, func(d *conversations.Deps) { d.Outbox = k })
	ctx := context.Background()
	jobs := func() int { return w.QueryInt(`SELECT count(*) FROM river_job`) }

	if outs, err := eng.Handle(ctx, budiSays(w, "j1", "mulai")); err != nil || len(outs) != 0 {
		t.Fatalf("mulai: %+v, %v", outs, err)
	}
	if n := jobs(); n != 1 {
		t.Fatalf("%d jobs after mulai, want 1 (its replies in one job)", n)
	}
	k.kill = "Tersimpan"
	if _, err := eng.Handle(ctx, budiSays(w, "j2", "ya")); err == nil {
		t.Fatal("a step whose connection died reported success")
	}
	if a, j := w.QueryInt(`SELECT count(*) FROM answers`), jobs(); a != 0 || j != 1 {
		t.Fatalf("killed step left %d answers and %d jobs, want 0 and 1", a, j)
	}
	k.kill = ""
	if _, err := eng.Handle(ctx, budiSays(w, "j2", "ya")); err != nil {
		t.Fatal(err)
	}
	if a, j := w.QueryInt(`SELECT count(*) FROM answers`), jobs(); a != 1 || j != 2 {
		t.Fatalf("replay: %d answers, %d jobs; want 1 and 2", a, j)
	}
	// A step with a durable record (here a skipped question: "selesai" ends the evidence,
	// "lewati" the narrative, "lewati" skips 1.2) delivered again after Redis lost
	// everything adds no job.
	for i, line := range []string{"selesai", "lewati", "lewati"} {
		if _, err := eng.Handle(ctx, budiSays(w, "j3"+strings.Repeat("x", i), line)); err != nil {
			t.Fatal(err)
		}
	}
	if n := w.QueryInt(`SELECT count(*) FROM skips`); n != 1 {
		t.Fatalf("%d skips, want 1", n)
	}
	before := jobs()
	w.Flush()
	if _, err := eng.Handle(ctx, budiSays(w, "j3xx", "lewati")); err != nil {
		t.Fatal(err)
	}
	if j := jobs(); j != before {
		t.Fatalf("%d jobs after a duplicate delivery, want %d", j, before)
	}
	if n := w.QueryInt(`SELECT count(*) FROM skips`); n != 1 {
		t.Fatalf("%d skips after the duplicate, want 1", n)
	}
}
