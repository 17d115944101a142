package console_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/klabot/klabot/bot/console/consoletest"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// durableWorld is the transcripts' world with the engine queuing its replies in a test
// outbox (rows in test_outbox, inserted in the step's transaction).
func durableWorld(t *testing.T) (*consoletest.World, *conversations.Engine, *pgtest.Outbox) {
	t.Helper()
	w := consoletest.NewWorld(t, func(key, _ string) conversations.Identity {
		return conversations.Identity{Channel: conversations.ChannelConsole, ExternalID: "chat-" + key}
	})
	ob := pgtest.NewOutbox(t, w.Store.Pool())
	eng := w.EngineWith(nil, func(d *conversations.Deps) { d.Outbox = ob })
	return w, eng, ob
}

func budiSays(w *consoletest.World, id, text string) conversations.Inbound {
	return conversations.Inbound{Address: conversations.Address{Channel: conversations.ChannelConsole, ChatID: "chat-budi"},
		SenderID: "chat-budi", MessageID: id, Text: text, At: w.Clock.Now()}
}

func texts(rows []pgtest.OutboxRow) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r.Text + "\n")
	}
	return b.String()
}

// TestAnswerAndConfirmationCommitTogether: with an Outbox, an answer and its "Tersimpan"
// reply are one transaction. Handle returns nothing to send; when the reply cannot be
// queued, or the step's connection is killed before the commit, neither the answer nor
// the reply is kept, and Handle returns the apology for the caller to send; the same
// message then goes through once the outbox works.
func TestAnswerAndConfirmationCommitTogether(t *testing.T) {
	t.Parallel()
	w, eng, ob := durableWorld(t)
	ctx := context.Background()
	outs, err := eng.Handle(ctx, budiSays(w, "m1", "mulai"))
	if err != nil || len(outs) != 0 {
		t.Fatalf("mulai: %d messages returned, %v; want none (queued)", len(outs), err)
	}
	rows := ob.Rows(t)
	if len(rows) == 0 || !strings.Contains(texts(rows), "Pertanyaan 1/8") || !rows[0].InTx || rows[0].PersonID != w.People["budi"] {
		t.Fatalf("mulai queued %+v", rows)
	}

	// The outbox refuses the confirmation: the answer is rolled back with it.
	ob.FailWhen(func(out conversations.Outbound) error {
		if strings.Contains(out.Text, "Tersimpan") {
			return errors.New("outbox down")
		}
		return nil
	})
	outs, err = eng.Handle(ctx, budiSays(w, "m2", "ya"))
	if err == nil || len(outs) != 1 || !strings.Contains(outs[0].Text, "Maaf") {
		t.Fatalf("answer with a failing outbox: %+v, %v; want the apology and an error", outs, err)
	}
	if n := w.QueryInt(`SELECT count(*) FROM answers`); n != 0 {
		t.Fatalf("%d answers stored without their confirmation", n)
	}
	if n := w.QueryInt(`SELECT count(*) FROM inbound_messages WHERE message_id = 'm2'`); n != 0 {
		t.Fatal("message recorded as handled although its step was rolled back")
	}

	// The step's own connection dies just before the commit: neither.
	ob.FailWhen(func(out conversations.Outbound) error {
		if strings.Contains(out.Text, "Tersimpan") {
			_, err := w.Store.Pool().Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'`)
			return err
		}
		return nil
	})
	if _, err = eng.Handle(ctx, budiSays(w, "m2", "ya")); err == nil {
		t.Fatal("a step whose transaction was killed reported success")
	}
	if n := w.QueryInt(`SELECT count(*) FROM answers`); n != 0 {
		t.Fatalf("%d answers stored from a killed transaction", n)
	}
	if strings.Contains(texts(ob.Rows(t)), "Tersimpan") {
		t.Fatal("confirmation queued from a killed transaction")
	}

	// The outbox works again: the same message (replayed by its channel) is applied once,
	// with its confirmation.
	ob.FailWhen(nil)
	if outs, err = eng.Handle(ctx, budiSays(w, "m2", "ya")); err != nil || len(outs) != 0 {
		t.Fatalf("replay: %+v, %v", outs, err)
	}
	if n := w.QueryInt(`SELECT count(*) FROM answers`); n != 1 {
		t.Fatalf("%d answers after the replay, want 1", n)
	}
	if n := strings.Count(texts(ob.Rows(t)), "Tersimpan: Ya."); n != 1 {
		t.Fatalf("%d confirmations queued, want 1", n)
	}
}

// TestDuplicateDeliveryQueuesNothing: the same platform message delivered again queues
// no second reply — neither while Redis remembers it nor after Redis lost everything
// (then the step's write finds Postgres' inbound record and the step rolls back whole).
func TestDuplicateDeliveryQueuesNothing(t *testing.T) {
	t.Parallel()
	w, eng, ob := durableWorld(t)
	ctx := context.Background()
	for _, in := range []conversations.Inbound{budiSays(w, "d1", "mulai"), budiSays(w, "d2", "lewati")} {
		if _, err := eng.Handle(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	before := len(ob.Rows(t))
	if _, err := eng.Handle(ctx, budiSays(w, "d2", "lewati")); err != nil {
		t.Fatal(err)
	}
	w.Flush() // Redis lost the dedupe marks and the dialogue state
	outs, err := eng.Handle(ctx, budiSays(w, "d2", "lewati"))
	if err != nil || len(outs) != 0 {
		t.Fatalf("duplicate after a Redis loss: %+v, %v", outs, err)
	}
	if after := len(ob.Rows(t)); after != before {
		t.Fatalf("duplicate deliveries queued %d more messages: %q", after-before, texts(ob.Rows(t)[before:]))
	}
	if n := w.QueryInt(`SELECT count(*) FROM skips`); n != 1 {
		t.Fatalf("%d skips, want 1", n)
	}
	// The next message goes on from the checkpoint: question 2, queued once.
	if _, err := eng.Handle(ctx, budiSays(w, "d3", "lewati")); err != nil {
		t.Fatal(err)
	}
	if n := w.QueryInt(`SELECT count(*) FROM skips`); n != 2 {
		t.Fatalf("%d skips after the next message, want 2", n)
	}
	// Steps that write nothing else (status; a correction in the evidence prompt) are
	// recorded too (Deps.Deliveries): delivered again after a Redis loss they queue
	// nothing.
	for _, in := range []conversations.Inbound{budiSays(w, "d4", "status"), budiSays(w, "d5", "ya"), budiSays(w, "d6", "apa ini?")} {
		if _, err := eng.Handle(ctx, in); err != nil {
			t.Fatal(err)
		}
		before := len(ob.Rows(t))
		w.Flush()
		if _, err := eng.Handle(ctx, in); err != nil {
			t.Fatal(err)
		}
		if after := len(ob.Rows(t)); after != before {
			t.Fatalf("%q delivered again after a Redis loss queued %q", in.Text, texts(ob.Rows(t)[before:]))
		}
	}
}

// TestWithoutOutboxTheStepRollsBackWhole: with Tx but no Outbox (the console), a step
// whose commit fails keeps nothing and returns only the apology.
func TestWithoutOutboxTheStepRollsBackWhole(t *testing.T) {
	t.Parallel()
	w := consoletest.NewWorld(t, func(key, _ string) conversations.Identity {
		return conversations.Identity{Channel: conversations.ChannelConsole, ExternalID: "chat-" + key}
	})
	ctx := context.Background()
	failing := failingCommit{w.Store}
	eng := w.EngineWith(nil, func(d *conversations.Deps) { d.Tx = failing })
	if _, err := eng.Handle(ctx, budiSays(w, "f1", "mulai")); err == nil {
		t.Fatal("failed commit reported as success")
	}
	outs, err := eng.Handle(ctx, budiSays(w, "f2", "ya"))
	if err == nil || len(outs) != 1 || !strings.Contains(outs[0].Text, "Maaf") {
		t.Fatalf("failed commit: %+v, %v", outs, err)
	}
	if n := w.QueryInt(`SELECT count(*) FROM answers`) + w.QueryInt(`SELECT count(*) FROM inbound_messages`); n != 0 {
		t.Fatalf("%d rows kept from steps whose commit failed", n)
	}
}

// failingCommit runs fn in a real transaction and then rolls it back as a failed commit.
type failingCommit struct{ s *postgres.Store }

func (f failingCommit) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	err := f.s.InTx(ctx, func(ctx context.Context) error {
		if err := fn(ctx); err != nil {
			return err
		}
		return errors.New("commit failed")
	})
	return err
}

// TestChatReviewDecisionAndNoticeCommitTogether: a coordinator's decision in chat and
// its notice to the focal point are queued in the step's transaction: when the notice
// cannot be queued, the decision is not recorded either; the note sent again records
// both.
func TestChatReviewDecisionAndNoticeCommitTogether(t *testing.T) {
	t.Parallel()
	w, eng, ob := durableWorld(t)
	ctx := context.Background()
	n := 0
	say := func(who, text, button string) ([]conversations.Outbound, error) {
		n++
		chat := "chat-" + who
		return eng.Handle(ctx, conversations.Inbound{Address: conversations.Address{Channel: conversations.ChannelConsole, ChatID: chat},
			SenderID: chat, MessageID: "r" + strings.Repeat("x", n), Text: text, Button: button, At: w.Clock.Now()})
	}
	for _, line := range []string{"mulai", "ya", "lewati"} {
		if _, err := say("budi", line, ""); err != nil {
			t.Fatal(err)
		}
	}
	id := w.QueryInt(`SELECT id FROM answers WHERE question_code = '1.1'`)
	if _, err := say("koor", "tinjau", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := say("koor", "", "rv:fix:"+strconv.Itoa(id)); err != nil {
		t.Fatal(err)
	}
	ob.FailWhen(func(out conversations.Outbound) error {
		if out.To.ChatID == "chat-budi" {
			return errors.New("outbox down")
		}
		return nil
	})
	outs, err := say("koor", "Tanda tangan tidak terbaca.", "")
	if err == nil || len(outs) != 1 {
		t.Fatalf("decision with a failing outbox: %+v, %v; want the apology", outs, err)
	}
	if n := w.QueryInt(`SELECT count(*) FROM reviews`); n != 0 {
		t.Fatalf("decision recorded without its notice (%d)", n)
	}
	ob.FailWhen(nil)
	if _, err := say("koor", "Tanda tangan tidak terbaca.", ""); err != nil {
		t.Fatal(err)
	}
	if n := w.QueryInt(`SELECT count(*) FROM reviews`); n != 1 {
		t.Fatalf("%d decisions recorded, want 1", n)
	}
	notices := 0
	for _, r := range ob.Rows(t) {
		if r.Chat == "console:chat-budi" && strings.Contains(r.Text, "Tanda tangan tidak terbaca.") {
			notices++
			if !r.InTx {
				t.Error("notice queued outside the decision's transaction")
			}
		}
	}
	if notices != 1 {
		t.Fatalf("%d notices to budi, want 1:\n%s", notices, texts(ob.Rows(t)))
	}
}
