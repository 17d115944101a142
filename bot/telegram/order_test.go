package telegram_test

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/conversations"
)

// orderLog records the order in which messages were handled, across replicas.
type orderLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *orderLog) add(s string) { l.mu.Lock(); l.seen = append(l.seen, s); l.mu.Unlock() }
func (l *orderLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.seen...)
}

// replicaHandler is one replica's engine stand-in: it waits for its turn like serve's
// gate, optionally blocks until released, and logs the message.
type replicaHandler struct {
	adapter *telegram.Adapter
	log     *orderLog
	hold    chan struct{} // nil: no blocking
}

func (h *replicaHandler) Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
	h.adapter.AwaitTurn(ctx, in)
	if h.hold != nil {
		<-h.hold
	}
	h.log.add(in.Text)
	return nil, nil
}

func TestReplicasHandleAChatInOrder(t *testing.T) {
	t.Parallel()
	b := setup(t, options{webhook: true}) // the store and the fake Bot API
	order := &orderLog{}
	replica := func(hold chan struct{}) (*telegram.Adapter, func()) {
		h := &replicaHandler{log: order, hold: hold}
		s := discardOutbox{}
		d := dispatch.New(h, s, slog.New(slog.DiscardHandler), dispatch.Config{Workers: 2})
		a, err := telegram.New(b.ctx, telegram.Config{Token: token, APIURL: b.api.URL, SkipGetMe: true,
			WebhookURL: "https://x.example/wh", WebhookSecret: "s3cret-Token_1"}, telegram.Deps{Submitter: d, Updates: b.store})
		if err != nil {
			t.Fatal(err)
		}
		h.adapter = a
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { d.Run(ctx); close(done) }()
		return a, func() { a.Stop(context.Background()); cancel(); <-done }
	}
	release := make(chan struct{})
	var once sync.Once
	let := func() { once.Do(func() { close(release) }) }
	slowA, stopA := replica(release)
	defer stopA()
	defer let() // before stopA, even when the test fails
	fastB, stopB := replica(nil)
	defer stopB()

	first, second := ani.Text(1, "pertama"), ani.Text(2, "kedua")
	first.ID, second.ID = b.api.NextUpdateID(), b.api.NextUpdateID()
	if code := postUpdate(t, slowA.WebhookHandler(), "s3cret-Token_1", first); code != http.StatusOK {
		t.Fatal(code)
	}
	if code := postUpdate(t, fastB.WebhookHandler(), "s3cret-Token_1", second); code != http.StatusOK {
		t.Fatal(code)
	}
	time.Sleep(300 * time.Millisecond) // B has had the time to overtake, were it not waiting
	if got := order.get(); len(got) != 0 {
		t.Fatalf("replica B handled %v while A still held the chat's earlier message", got)
	}
	let()
	b.api.WaitFor(t, 10*time.Second, "both handled", func() bool { return len(order.get()) == 2 })
	if got := order.get(); got[0] != "pertama" || got[1] != "kedua" {
		t.Errorf("handled in the order %v", got)
	}
}
