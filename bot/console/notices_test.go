package console_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/console"
	"github.com/klabot/klabot/bot/console/consoletest"
	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/bot/schedule"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/answering"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/conversations/review"
)

// screen is what a console prints, read while it prints.
type screen struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits (up to a generous bound, for a loaded machine) until cond holds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestNoticeReachesOpenConsole (issue 14, item 5): a coordinator in one console (its own
// process: a queue that only inserts) sends an answer back; the note reaches the focal
// point whose console chat is open in another process (the chat worked by that
// process's queue, RegisterChat) while it waits for a line, "🔔" first, and is recorded
// in the notifications log as a review note with its outcome; a colleague whose console
// is closed has it waiting ("pending"). A reminder arrives the same way. The fixed answer's notice to the coordinator is
// shown when the coordinator's console opens.
func TestNoticeReachesOpenConsole(t *testing.T) {
	t.Parallel()
	w := consoletest.NewWorld(t, func(key, _ string) conversations.Identity {
		return conversations.Identity{Channel: conversations.ChannelConsole, ExternalID: "chat-" + key}
	})
	ctx := context.Background()
	newQueue := func() *outbound.Queue {
		q, err := outbound.New(outbound.Config{Pool: w.Store.Pool(), Redis: w.RDB, RedisPrefix: w.Prefix, Secret: "test", TestOnly: true})
		must(t, err)
		t.Cleanup(func() { q.Stop(context.Background(), 5*time.Second) })
		return q
	}
	session := func(name string, q *outbound.Queue) *console.Session {
		s := console.NewSession(w.Engine(nil), "chat-"+name, name)
		s.Now = w.Clock.Now
		s.Forward = q.EnqueueMany
		return s
	}
	koorQ, budiQ := newQueue(), newQueue()
	koor, budi := session("koor", koorQ), session("budi", budiQ)
	say := func(s *console.Session, line string, want ...string) string {
		t.Helper()
		outs, err := s.Send(ctx, line)
		must(t, err)
		got := console.Render(outs)
		for _, x := range want {
			if !strings.Contains(got, x) {
				t.Fatalf("%s: no %q in\n%s", line, x, got)
			}
		}
		return got
	}
	say(budi, "mulai", "Pertanyaan 1/8 · 1.1")
	say(budi, "lewati", "Pertanyaan 2/8 · 1.2")
	say(budi, "sebagian", "Pertanyaan 3/8 · 1.3")
	say(budi, "berhenti")

	// Budi's console is open: its chat is worked by its process, and it waits for a line.
	must(t, budiQ.RegisterChat(budi.Address(), budi.Notices()))
	must(t, budiQ.Start(ctx))
	in, typed := io.Pipe()
	out := &screen{}
	done := make(chan error, 1)
	go func() { done <- console.Run(ctx, budi, in, out, "") }()

	w.Clock.Add(time.Hour)
	say(koor, "tinjau", "1.2 — Apakah Puskesmas sudah ramah anak?", "2. 🔁 Minta perbaikan")
	say(koor, "2", "Tulis catatan singkat")
	say(koor, "Mohon lampirkan daftar Puskesmas.", "1.2: perlu perbaikan. Catatan Anda sudah dikirim ke", "Budi Santoso")

	waitFor(t, "the note in Budi's open console", func() bool { return strings.Contains(out.String(), "Mohon lampirkan daftar Puskesmas.") })
	if got := out.String(); !strings.Contains(got, "🔔 🔁 Jawaban OPD Anda perlu perbaikan") {
		t.Fatalf("Budi's console shows:\n%s", got)
	}
	logOf := func(key string) []outbound.LogEntry {
		entries, err := outbound.Log(ctx, w.Store.Pool(), consoletest.Region, w.People[key], 20)
		must(t, err)
		return entries
	}
	has := func(entries []outbound.LogEntry, kind, state string) bool {
		for _, e := range entries {
			if e.Kind == kind && e.State == state && e.Channel == string(conversations.ChannelConsole) {
				return true
			}
		}
		return false
	}
	waitFor(t, "Budi's note recorded as sent", func() bool { return has(logOf("budi"), review.NoticeNote, "sent") })
	if e := logOf("sari"); !has(e, review.NoticeNote, "pending") {
		t.Fatalf("Sari's console is closed: her note should wait (pending); log %+v", e)
	}

	// A reminder (the coordinator's ingatkan, as serve's scheduler would send one)
	// reaches the open console the same way, recorded as a nudge.
	sched := schedule.New(w.Store, nil, schedule.Config{Now: w.Clock.Now, Year: 2026})
	nudges, _, err := sched.NudgeOPD(ctx, consoletest.Region, "DINKES")
	must(t, err)
	must(t, koorQ.EnqueueMany(ctx, nudges...))
	waitFor(t, "the reminder recorded as sent", func() bool { return has(logOf("budi"), digest.KindNudge, "sent") })
	if got := out.String(); strings.Count(got, "🔔") != 2 || !strings.Contains(got, "1. ▶️ Lanjut") {
		t.Fatalf("Budi's console after the reminder (with its button):\n%s", got)
	}

	// Budi resumes from the reminder and fixes the answer in his open console (the
	// sent-back question comes first): the coordinator's notice waits for
	// the coordinator's console.
	fmt.Fprintln(typed, "1") // the reminder's button: the latest message is the notice
	waitFor(t, "the sent-back question", func() bool { return strings.Contains(out.String(), "Pertanyaan 2/8 · 1.2") })
	fmt.Fprintln(typed, "ya")
	waitFor(t, "the fixed answer's notice queued", func() bool { return has(logOf("koor"), answering.NoticeFixed, "pending") })
	must(t, koorQ.RegisterChat(koor.Address(), koor.Notices()))
	must(t, koorQ.Start(ctx))
	waitFor(t, "the fixed answer's notice delivered", func() bool { return has(logOf("koor"), answering.NoticeFixed, "sent") })
	say(koor, "tinjau", "🔔", "1.2", "Budi Santoso", "🔎 Tinjauan — 1 menunggu")

	typed.Close()
	must(t, <-done)
}
