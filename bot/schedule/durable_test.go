package schedule_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/schedule"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// durableScheduler is a scheduler whose claims commit with the messages they queue into
// a durable (test) outbox.
func (e *env) durableScheduler() (*schedule.Scheduler, *pgtest.Outbox) {
	ob := pgtest.NewOutbox(e.t, e.pool)
	return schedule.New(e.store, ob, schedule.Config{Now: e.clock.Now, Tx: e.store,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}), ob
}

func queuedTo(rows []pgtest.OutboxRow, kind, chat string) (n int) {
	for _, r := range rows {
		if r.Kind == kind && r.Chat == "telegram:"+chat {
			n++
		}
	}
	return n
}

// TestDigestClaimCommitsWithItsMessages: a region's day is claimed in the transaction
// that queues its digest text and chart. When queueing fails, the claim is rolled back
// too (no claimed day without its digest) while the other regions go out; the next tick
// sends the missing digest, once, and nothing twice.
func TestDigestClaimCommitsWithItsMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, ob := e.durableScheduler()
	ob.FailWhen(func(out conversations.Outbound) error {
		if out.To.ChatID == "JYP-Citra" && out.Attachment != nil {
			return errors.New("outbox down") // the text went in, the chart fails
		}
		return nil
	})
	e.clock.Set(utc("2026-11-23 00:00"))
	if err := s.Tick(context.Background()); err == nil || !strings.Contains(err.Error(), "outbox down") {
		t.Fatalf("tick = %v, want the failed queueing reported", err)
	}
	if n := e.count(`region_code = 'JYP' AND kind IN ('digest_run', 'digest')`); n != 0 {
		t.Fatalf("Jayapura's day claimed without its digest (%d rows)", n)
	}
	rows := ob.Rows(t)
	if queuedTo(rows, digest.KindDigest, "JYP-Citra") != 0 {
		t.Fatal("Jayapura's digest text queued although its claim was rolled back")
	}
	for _, c := range []string{"JKT-Citra", "MKS-Citra"} {
		if got := queuedTo(rows, digest.KindDigest, c); got != 2 {
			t.Fatalf("%s: %d digest messages queued, want text and chart", c, got)
		}
	}
	for _, r := range rows {
		if !r.InTx {
			t.Fatalf("digest message queued outside the claim's transaction: %+v", r)
		}
	}
	var id int64
	e.pool.QueryRow(context.Background(), `SELECT id FROM notifications WHERE kind = 'digest' AND chat_id = 'JKT-Citra'`).Scan(&id)
	for _, r := range rows {
		if r.Chat == "telegram:JKT-Citra" && !r.Attachment && (id == 0 || r.NotificationID != id) {
			t.Errorf("the digest text names notification %d, want %d (its outcome is recorded under it)", r.NotificationID, id)
		}
	}

	ob.FailWhen(nil)
	e.clock.Set(utc("2026-11-23 00:01"))
	if err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	rows = ob.Rows(t)
	for _, c := range []string{"JKT-Citra", "MKS-Citra", "JYP-Citra"} {
		if got := queuedTo(rows, digest.KindDigest, c); got != 2 {
			t.Errorf("%s: %d digest messages after the retry, want 2", c, got)
		}
	}
	if n := e.count(`kind = 'digest_run' AND status = 'sent'`); n != 3 {
		t.Errorf("%d days claimed, want 3", n)
	}
}

// TestNudgesAndEscalationsCommitWithTheirMessages: a reminder's record and its message
// commit together, and so do an escalation's marks, records and messages; a failed
// queueing keeps none of them, so the next tick reminds and escalates after all.
func TestNudgesAndEscalationsCommitWithTheirMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, ob := e.durableScheduler()
	e.clock.Set(utc("2026-11-22 12:00"))
	for _, q := range []string{"4.1", "4.2", "4.3"} {
		e.answer("JKT", "Sari", q) // Sari is done; Budi never answers
	}
	down := errors.New("outbox down")
	ob.FailWhen(func(out conversations.Outbound) error {
		if out.Kind == digest.KindNudge {
			return down
		}
		return nil
	})
	e.clock.Set(utc("2026-11-23 01:00")) // Monday 08:00 WIB: Budi's first nudge is due
	if err := s.Tick(context.Background()); !errors.Is(err, down) {
		t.Fatalf("tick = %v, want the failed reminder", err)
	}
	if n := e.count(`kind = 'nudge'`); n != 0 {
		t.Fatalf("%d reminders recorded without their message", n)
	}
	ob.FailWhen(nil)
	e.clock.Set(utc("2026-11-23 01:01"))
	if err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n, q := e.count(`kind = 'nudge' AND region_code = 'JKT'`), queuedTo(ob.Rows(t), digest.KindNudge, "JKT-Budi"); n != 1 || q != 1 {
		t.Fatalf("after the retry: %d reminders recorded, %d queued to Budi; want 1 and 1", n, q)
	}

	// Two more ignored reminders (Wednesday, Friday), then the escalation fails to queue.
	for _, at := range []string{"2026-11-25 01:00", "2026-11-27 01:00"} {
		e.clock.Set(utc(at))
		if err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	ob.FailWhen(func(out conversations.Outbound) error {
		if out.Kind == digest.KindEscalation {
			return down
		}
		return nil
	})
	e.clock.Set(utc("2026-11-27 02:00"))
	if err := s.Tick(context.Background()); !errors.Is(err, down) {
		t.Fatalf("tick = %v, want the failed escalation", err)
	}
	if n := e.count(`kind IN ('escalation', 'escalation_mark') AND region_code = 'JKT'`); n != 0 {
		t.Fatalf("%d escalation rows kept without their message", n)
	}
	ob.FailWhen(nil)
	e.clock.Set(utc("2026-11-27 02:01"))
	if err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if q := queuedTo(ob.Rows(t), digest.KindEscalation, "JKT-Citra"); q != 1 {
		t.Fatalf("%d escalations queued to the coordinator after the retry, want 1", q)
	}
	e.clock.Set(utc("2026-11-27 02:02"))
	if err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if q := queuedTo(ob.Rows(t), digest.KindEscalation, "JKT-Citra"); q != 1 {
		t.Fatalf("the same streak escalated %d times", q)
	}
}

// TestDurableSchedulerKeepsPendingMessages: with a durable outbox a start does not mark
// pending notifications failed — they are still queued and will be sent.
func TestDurableSchedulerKeepsPendingMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s, _ := e.durableScheduler()
	e.clock.Set(utc("2026-11-23 00:00"))
	if err := s.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(utc("2026-11-23 03:00"))
	ctx, cancel := context.WithCancel(context.Background())
	ticked := make(chan struct{}, 1)
	s2 := schedule.New(e.store, pgtest.NewOutbox(t, e.pool), schedule.Config{Now: e.clock.Now, Tx: e.store,
		Log: slog.New(slog.DiscardHandler), OnTick: func(time.Time, error) {
			select {
			case ticked <- struct{}{}:
			default:
			}
		}})
	done := make(chan struct{})
	go func() { s2.Run(ctx); close(done) }()
	<-ticked
	cancel()
	<-done
	if n := e.count(`kind = 'digest' AND status = 'pending'`); n != 3 {
		t.Errorf("%d digests still pending after a start, want 3 (queued durably)", n)
	}
}
