package outbound_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// jobRow is what a river_job row holds besides its id and times.
type jobRow struct {
	State, Kind, Queue, Metadata  string
	Attempt, MaxAttempts, Prio    int
	Tags                          []string
	UniqueKey                     []byte
	UniqueStates, AttemptedBy     *string
	Errors, AttemptedAt, Finished *string
	ArgKeys, MsgKeys              []string
	Times                         bool // created_at = scheduled_at, both set
}

func readJob(t *testing.T, r *rig, chat string) jobRow {
	t.Helper()
	var j jobRow
	var args []byte
	err := r.pool.QueryRow(context.Background(), `
		SELECT state::text, kind, queue, metadata::text, attempt, max_attempts, priority, tags::text[],
		       unique_key, unique_states::text, attempted_by::text, errors::text, attempted_at::text, finalized_at::text,
		       created_at = scheduled_at AND created_at IS NOT NULL, args
		FROM river_job WHERE args ->> 'chat_id' = $1`, chat).Scan(&j.State, &j.Kind, &j.Queue, &j.Metadata,
		&j.Attempt, &j.MaxAttempts, &j.Prio, &j.Tags, &j.UniqueKey, &j.UniqueStates, &j.AttemptedBy, &j.Errors,
		&j.AttemptedAt, &j.Finished, &j.Times, &args)
	if err != nil {
		t.Fatalf("job of chat %s: %v", chat, err)
	}
	var a map[string]json.RawMessage
	if err := json.Unmarshal(args, &a); err != nil {
		t.Fatal(err)
	}
	for k := range a {
		j.ArgKeys = append(j.ArgKeys, k)
	}
	var msgs []map[string]any
	if err := json.Unmarshal(a["messages"], &msgs); err != nil || len(msgs) != 1 {
		t.Fatalf("messages %s: %v", a["messages"], err)
	}
	for k := range msgs[0] {
		j.MsgKeys = append(j.MsgKeys, k)
	}
	sort.Strings(j.ArgKeys)
	sort.Strings(j.MsgKeys)
	return j
}

// TestStepJobsInsertedWithCommitAreRiversOwn: a job queued in a step's transaction is
// inserted with its COMMIT (not visible in the transaction before, one statement of the
// commit's batch), as the same row River's own insert writes (a job queued outside a
// transaction), sealed the same, and a worker delivers both. Failed before: the job was
// inserted by River at once, visible in the transaction.
func TestStepJobsInsertedWithCommitAreRiversOwn(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	producer, err := outbound.New(outbound.Config{Pool: r.pool, Secret: "test secret", TestOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	store := postgres.New(r.pool, time.Now)
	err = store.InTx(ctx, func(ctx context.Context) error {
		if err := producer.Enqueue(ctx, conversations.Outbound{To: tg(71), Text: "rahasia langkah", Asks: "q:1"}); err != nil {
			return err
		}
		tx, _ := postgres.TxFrom(ctx)
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM river_job`).Scan(&n); err != nil {
			return err
		}
		if n != 0 {
			return fmt.Errorf("%d jobs in the transaction before its commit, want them sent with COMMIT", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := producer.Enqueue(ctx, conversations.Outbound{To: tg(72), Text: "rahasia river", Asks: "q:1"}); err != nil {
		t.Fatal(err)
	}
	ours, rivers := readJob(t, r, "71"), readJob(t, r, "72")
	if !reflect.DeepEqual(ours, rivers) {
		t.Fatalf("job inserted with the commit:\n%+v\nRiver's:\n%+v", ours, rivers)
	}
	if ours.State != "available" || !ours.Times || ours.Metadata != "{}" {
		t.Fatalf("job: %+v", ours)
	}
	var clear int
	r.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE args::text LIKE '%rahasia%'`).Scan(&clear) //nolint:errcheck
	if clear != 0 {
		t.Fatalf("%d jobs hold their text in clear", clear)
	}
	r.queue(outbound.Config{}, fastLimits())
	for chat, want := range map[string]string{"71": "rahasia langkah", "72": "rahasia river"} {
		if m := r.api.WaitMessages(t, chat, 1); m[0].Text != want {
			t.Fatalf("chat %s got %q", chat, m[0].Text)
		}
	}
	waitFor(t, "both jobs completed", func() bool {
		var n int
		r.pool.QueryRow(ctx, `SELECT count(*) FROM river_job WHERE state = 'completed'`).Scan(&n) //nolint:errcheck
		return n == 2
	})
}

// TestStepJobWakesTheWorkers: with polling out of the picture (every 10 minutes), a job
// queued in a step's transaction is delivered at once: its insert notification travels
// with the COMMIT. Failed with the raw insert alone (without the notification), when the
// worker saw the jobs only at its next poll.
func TestStepJobWakesTheWorkers(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	q := r.queue(outbound.Config{PollInterval: 10 * time.Minute}, fastLimits())
	store := postgres.New(r.pool, time.Now)
	for i, text := range []string{"pertama", "kedua"} {
		if err := store.InTx(ctx, func(ctx context.Context) error {
			return q.Enqueue(ctx, conversations.Outbound{To: tg(81), Text: text})
		}); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		r.api.WaitMessages(t, "81", i+1)
		t.Logf("%q delivered after %v", text, time.Since(start))
	}
	// One step right after the previous one's reply, again and again: each is within the
	// cooldown of the previous insert notification, whose notification is held back. It
	// follows the commit, so no reply waits for the workers' poll (10 minutes here).
	for i := range 8 {
		if err := store.InTx(ctx, func(ctx context.Context) error {
			return q.Enqueue(ctx, conversations.Outbound{To: tg(85), Text: fmt.Sprintf("beruntun %d", i)})
		}); err != nil {
			t.Fatal(err)
		}
		r.api.WaitMessages(t, "85", i+1)
	}
}

// TestStepJobsOfSavepoints: a job queued in a savepoint of the step (a nested InTx) is
// kept when the savepoint is released and dropped when it is rolled back, and the kept
// jobs commit in the order they were queued (per-chat order goes by job id).
func TestStepJobsOfSavepoints(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	q, err := outbound.New(outbound.Config{Pool: r.pool, Secret: "test secret", TestOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	store := postgres.New(r.pool, time.Now)
	send := func(ctx context.Context, chat int) error {
		return q.Enqueue(ctx, conversations.Outbound{To: tg(chat), Text: "x"})
	}
	err = store.InTx(ctx, func(ctx context.Context) error {
		if err := send(ctx, 1); err != nil {
			return err
		}
		if err := store.InTx(ctx, func(ctx context.Context) error {
			if err := send(ctx, 2); err != nil {
				return err
			}
			return store.InTx(ctx, func(ctx context.Context) error { return send(ctx, 3) })
		}); err != nil {
			return err
		}
		_ = store.InTx(ctx, func(ctx context.Context) error {
			if err := store.InTx(ctx, func(ctx context.Context) error { return send(ctx, 4) }); err != nil {
				return err
			}
			return fmt.Errorf("rolled back")
		})
		return send(ctx, 5)
	})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := r.pool.Query(ctx, `SELECT args ->> 'chat_id' FROM river_job ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	if fmt.Sprint(got) != "[1 2 3 5]" {
		t.Fatalf("jobs committed: %v, want [1 2 3 5]", got)
	}
}
