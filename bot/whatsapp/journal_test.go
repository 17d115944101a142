package whatsapp

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"

	"time"

	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// countingEngine records what reaches it.
type countingEngine struct {
	mu   sync.Mutex
	seen []string
}

func (e *countingEngine) Handle(_ context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.seen = append(e.seen, in.MessageID+":"+in.Text)
	return nil, nil
}

func (e *countingEngine) got() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.seen...)
}

var testSealKey = NewSealKey([]byte("identity key of the paired device"))

// A message is acknowledged (the handler answers true) only once it is in Postgres: when
// the database cannot take it, whatsmeow sends no ack and WhatsApp delivers it again.
func TestAckOnlyWhatIsRecorded(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	st := postgres.New(pool, nil)
	sub := &recorder{}
	a := New(newFakeClient(), nil, nil, Config{})
	a.SetSubmitter(sub)
	if err := a.SetJournal(st, testSealKey); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if !a.HandleEvent(ctx, textEvent("OK000001", "halo")) {
		t.Fatal("recorded message not acknowledged")
	}
	var body []byte
	if err := pool.QueryRow(ctx, `SELECT body FROM whatsapp_messages WHERE message_id = 'OK000001'`).Scan(&body); err != nil {
		t.Fatalf("message not recorded before its ack: %v", err)
	}
	if bytes.Contains(body, []byte("halo")) {
		t.Error("recorded body is not sealed")
	}
	// Messages klabot ignores are acknowledged without a record.
	ignored := textEvent("MINE0001", "x")
	ignored.Info.IsFromMe = true
	if !a.HandleEvent(ctx, ignored) {
		t.Error("ignored message not acknowledged")
	}

	pool.Close() // the database goes away
	if a.HandleEvent(ctx, textEvent("LOST0001", "ya")) {
		t.Error("message acknowledged although it could not be recorded")
	}
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if len(sub.ins) != 1 || sub.ins[0].MessageID != "OK000001" {
		t.Errorf("queued %+v, want only the recorded message", sub.ins)
	}
}

// klabot dies after a message was recorded and acknowledged but before the engine saw
// it: the next start replays it when the session connects, once.
func TestCrashBetweenReceiptAndHandling(t *testing.T) {
	t.Parallel()
	pool := pgtest.New(t)
	st := postgres.New(pool, nil)
	ctx := context.Background()

	// First process: records, acknowledges, queues into a dispatcher that never runs.
	first := New(newFakeClient(), nil, nil, Config{})
	first.SetSubmitter(dispatch.New(first.Wrap(&countingEngine{}), nopSender{}, slog.New(slog.DiscardHandler), dispatch.Config{}))
	if err := first.SetJournal(st, testSealKey); err != nil {
		t.Fatal(err)
	}
	lid := textEvent("CRASH001", "lanjut")
	lid.Info.Chat, lid.Info.Sender, lid.Info.SenderAlt = lidJID, lidJID, pnDevice
	if !first.HandleEvent(ctx, lid) || !first.HandleEvent(ctx, imageEvent("CRASH002", "/img/9", "SK", 3)) {
		t.Fatal("not acknowledged")
	}

	// Second process: same database, same device key.
	fc := newFakeClient()
	fc.media["/img/9"] = []byte("jpg")
	eng := &countingEngine{}
	second := New(fc, nil, nil, Config{})
	if err := second.SetJournal(st, testSealKey); err != nil {
		t.Fatal(err)
	}
	sub := &waitSubmitter{d: dispatch.New(second.Wrap(eng), nopSender{}, slog.New(slog.DiscardHandler), dispatch.Config{})}
	second.SetSubmitter(sub)
	dctx, stop := context.WithCancel(ctx)
	defer stop()
	go sub.d.Run(dctx)
	n, err := second.Replay(ctx, time.Now().Add(time.Second))
	if err != nil || n != 2 {
		t.Fatalf("replayed %d, %v", n, err)
	}
	sub.wg.Wait()
	eventually(t, "handled", func() bool { return len(eng.got()) == 2 })
	if got := eng.got(); got[0] != "CRASH001:lanjut" || got[1] != "CRASH002:SK" {
		t.Errorf("engine got %q", got)
	}
	eventually(t, "marked handled", func() bool {
		var left int
		pool.QueryRow(ctx, `SELECT count(*) FROM whatsapp_messages WHERE handled_at IS NULL OR body IS NOT NULL`).Scan(&left)
		return left == 0
	})
	if n, _ := second.Replay(ctx, time.Now().Add(time.Second)); n != 0 {
		t.Errorf("replayed %d messages twice", n)
	}
	// WhatsApp delivers a handled message again (its ack was lost): acknowledged, not
	// handled twice.
	if !second.HandleEvent(ctx, lid) {
		t.Error("redelivered handled message not acknowledged")
	}
	sub.wg.Wait()
	if got := eng.got(); len(got) != 2 {
		t.Errorf("engine saw a handled message again: %q", got)
	}
	// A message recorded but never handled, delivered again: handled now.
	first.HandleEvent(ctx, textEvent("CRASH004", "kembali"))
	if !second.HandleEvent(ctx, textEvent("CRASH004", "kembali")) {
		t.Error("redelivered unhandled message not acknowledged")
	}
	sub.wg.Wait()
	eventually(t, "redelivered message handled", func() bool { return len(eng.got()) == 3 })
	// A journal sealed with another device's key (paired again since) is skipped, not fatal.
	third := New(newFakeClient(), nil, nil, Config{})
	third.SetSubmitter(&recorder{})
	third.SetJournal(st, NewSealKey([]byte("another device")))
	first.HandleEvent(ctx, textEvent("CRASH003", "ya"))
	if n, err := third.Replay(ctx, time.Now().Add(time.Second)); n != 0 || err != nil {
		t.Errorf("foreign records replayed %d, %v", n, err)
	}
}

type nopSender struct{}

func (nopSender) Enqueue(context.Context, conversations.Outbound) error { return nil }
