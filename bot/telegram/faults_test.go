package telegram_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/bot/telegram/fakebotapi"
	"github.com/klabot/klabot/conversations"
)

// Fault tests of the receiving side (issue 19): a busy chat, a stuck update, an outage.

// gatedHandler blocks the messages of one chat until released; others pass at once.
type gatedHandler struct {
	chat    string
	release chan struct{}
	mu      sync.Mutex
	seen    []string
}

func (h *gatedHandler) Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
	if in.ChatID == h.chat {
		<-h.release
	}
	h.mu.Lock()
	h.seen = append(h.seen, in.ChatID+":"+in.Text)
	h.mu.Unlock()
	return []conversations.Outbound{{To: in.Address, Text: "ok " + in.Text}}, nil
}

func TestBusyChatDoesNotHoldUpOtherChatsWebhooks(t *testing.T) {
	t.Parallel()
	h := &gatedHandler{chat: ani.ChatID(), release: make(chan struct{})}
	b := setup(t, options{webhook: true, handler: h})
	defer close(h.release)
	wh := b.adapter.WebhookHandler()
	// Ani sends 300 slow documents: every POST is answered at once (recorded), and the
	// ones her queue cannot hold are refused, with one reply to her.
	for i := range 300 {
		u := ani.Document(i+1, fmt.Sprintf("D%d", i), fmt.Sprintf("bukti-%d.pdf", i), "application/pdf", 10, "")
		u.ID = b.api.NextUpdateID()
		done := make(chan int, 1)
		go func() { done <- postUpdate(t, wh, "s3cret-Token_1", u) }()
		select {
		case code := <-done:
			if code != http.StatusOK {
				t.Fatalf("document %d: status %d", i, code)
			}
		case <-time.After(30 * time.Second): // Ani's chat is gated for good: a blocked POST never returns
			t.Fatalf("webhook POST %d of the busy chat hangs", i)
		}
	}
	// Budi's message goes through while Ani's chat is still busy.
	budi := fakebotapi.Person{ID: 5002, FirstName: "Budi"}
	u := budi.Text(1, "halo")
	u.ID = b.api.NextUpdateID()
	began := time.Now()
	done := make(chan int, 1)
	go func() { done <- postUpdate(t, wh, "s3cret-Token_1", u) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("another chat's webhook POST hangs behind the busy chat")
	}
	// Ani's chat is still gated: Budi's reply can only come while it is busy.
	if got := b.api.WaitMessages(t, budi.ChatID(), 1)[0].Text; got != "ok halo" {
		t.Errorf("budi got %q after %v", got, time.Since(began))
	}
	b.api.WaitFor(t, 5*time.Second, "ani told to wait", func() bool {
		msgs := b.api.Messages(ani.ChatID())
		return len(msgs) > 0 && strings.Contains(msgs[0].Text, "Terlalu banyak pesan")
	})
	// The refused documents are settled (she was told); the queued ones wait.
	b.api.WaitFor(t, 5*time.Second, "refused updates marked handled", func() bool {
		_, handled := b.countUpdates(t)
		return handled == 300-50+1 // and Budi's
	})
	if n := len(b.api.Messages(ani.ChatID())); n != 1 {
		t.Errorf("ani was told %d times, want once for the burst", n)
	}
}

func TestStuckUpdateDelaysItsChatOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, options{webhook: true, adapter: func(c *telegram.Config) { c.OrderWait = 300 * time.Millisecond }})
	// A replica recorded Ani's first message and hangs on it (its lease keeps running).
	stuck, err := telegram.New(b.ctx, telegram.Config{Token: token, APIURL: b.api.URL, SkipGetMe: true, Lease: time.Minute,
		WebhookURL: "https://x.example/wh", WebhookSecret: "s3cret-Token_1"}, telegram.Deps{Submitter: nopSubmitter{}, Updates: b.store})
	if err != nil {
		t.Fatal(err)
	}
	first := ani.Text(1, "pertama")
	first.ID = b.api.NextUpdateID()
	postUpdate(t, stuck.WebhookHandler(), "s3cret-Token_1", first)

	order := &orderLog{}
	h := &replicaHandler{log: order}
	d := dispatch.New(h, discardOutbox{}, slog.New(slog.DiscardHandler), dispatch.Config{})
	live, err := telegram.New(b.ctx, telegram.Config{Token: token, APIURL: b.api.URL, SkipGetMe: true, OrderWait: 300 * time.Millisecond,
		WebhookURL: "https://x.example/wh", WebhookSecret: "s3cret-Token_1"}, telegram.Deps{Submitter: d, Updates: b.store})
	if err != nil {
		t.Fatal(err)
	}
	h.adapter = live
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { d.Run(ctx); close(stopped) }()
	defer func() { live.Stop(context.Background()); cancel(); <-stopped }()

	began := time.Now()
	for i := 2; i <= 5; i++ {
		u := ani.Text(i, fmt.Sprintf("pesan %d", i))
		u.ID = b.api.NextUpdateID()
		postUpdate(t, live.WebhookHandler(), "s3cret-Token_1", u)
	}
	b.api.WaitFor(t, 10*time.Second, "four messages handled", func() bool { return len(order.get()) == 4 })
	// The first later message waits for the stuck one (OrderWait); the others do not
	// wait again for the same update.
	if took := time.Since(began); took > 700*time.Millisecond {
		t.Errorf("four messages behind one stuck update took %v; want about one OrderWait (300ms)", took)
	}
	if got := strings.Join(order.get(), ","); got != "pesan 2,pesan 3,pesan 4,pesan 5" {
		t.Errorf("order %s", got)
	}
}

// flakyHandler fails with ErrUnavailable (Redis or PostgreSQL down) until healed.
type flakyHandler struct {
	mu     sync.Mutex
	down   bool
	seen   []string
	trials int
}

func (h *flakyHandler) Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.trials++
	if h.down {
		return []conversations.Outbound{{To: in.Address, Text: "Pesan Anda sebelumnya masih diproses."}},
			fmt.Errorf("lock chat: %w", conversations.ErrUnavailable)
	}
	h.seen = append(h.seen, in.Text)
	return []conversations.Outbound{{To: in.Address, Text: "ok " + in.Text}}, nil
}

func (h *flakyHandler) heal() { h.mu.Lock(); h.down = false; h.mu.Unlock() }

func TestOutageOutlastingTheRetriesIsReplayedAfterwards(t *testing.T) {
	t.Parallel()
	h := &flakyHandler{down: true}
	b := setup(t, options{webhook: true, handler: h,
		dispatch: func(c *dispatch.Config) { c.RetryBase, c.RetryFor = 20*time.Millisecond, 100*time.Millisecond },
		adapter:  func(c *telegram.Config) { c.RetryAfter = 50 * time.Millisecond },
	})
	wh := b.adapter.WebhookHandler()
	for i, text := range []string{"ya", "tidak"} {
		u := ani.Text(i+1, text)
		u.ID = b.api.NextUpdateID()
		postUpdate(t, wh, "s3cret-Token_1", u)
	}
	// Both are given back unhandled after the in-place retries.
	b.api.WaitFor(t, 5*time.Second, "both deferred", func() bool {
		var n int
		b.store.Pool().QueryRow(b.ctx, `SELECT count(*) FROM telegram_updates WHERE handled_at IS NULL AND attempts = 1 AND lease_until IS NULL`).Scan(&n)
		return n == 2
	})
	if _, handled := b.countUpdates(t); handled != 0 {
		t.Fatalf("%d updates marked handled while the engine could not handle them", handled)
	}
	h.heal()
	time.Sleep(60 * time.Millisecond) // their retry time comes
	if n, err := b.adapter.Replay(b.ctx); err != nil || n != 2 {
		t.Fatalf("replayed %d, %v", n, err)
	}
	msgs := b.api.WaitMessages(t, ani.ChatID(), 3)
	var texts []string
	for _, m := range msgs {
		texts = append(texts, m.Text)
	}
	want := dispatch.DefaultTexts.Outage + "|ok ya|ok tidak"
	if got := strings.Join(texts, "|"); got != want {
		t.Errorf("ani was told %q, want %q: one notice, no error replies, then the answers in order", got, want)
	}
	b.api.WaitFor(t, 5*time.Second, "handled", func() bool { _, handled := b.countUpdates(t); return handled == 2 })
}

func TestEditedMessageIsAnswered(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	u := ani.Text(1, "ya")
	u.EditedMessage, u.Message = u.Message, nil
	b.api.AddUpdate(u)
	msgs := b.api.WaitMessages(t, ani.ChatID(), 1)
	if !strings.Contains(msgs[0].Text, "Pesan yang diubah tidak diproses") {
		t.Errorf("edited message answered %q", msgs[0].Text)
	}
	if len(b.rec.inbound()) != 0 {
		t.Error("an edit reached the engine")
	}
	b.api.WaitFor(t, 5*time.Second, "marked handled", func() bool { _, handled := b.countUpdates(t); return handled == 1 })
}
