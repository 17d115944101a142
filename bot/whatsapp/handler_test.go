package whatsapp

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types/events"

	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/conversations"
)

// directSender delivers at once through the adapter (the shared sender in production).
type directSender struct{ a *Adapter }

func (s directSender) Enqueue(ctx context.Context, out conversations.Outbound) error {
	return s.a.Deliver(ctx, out)
}

// slowEngine records the order in which messages reach it, slowly, so that a burst
// queues up behind the first message.
type slowEngine struct {
	mu   sync.Mutex
	seen []string
}

func (e *slowEngine) Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
	time.Sleep(5 * time.Millisecond)
	e.mu.Lock()
	e.seen = append(e.seen, in.MessageID)
	e.mu.Unlock()
	return []conversations.Outbound{{To: in.Address, Text: "ok " + in.MessageID}}, nil
}

func TestEventHandlerQueuesInOrder(t *testing.T) {
	t.Parallel()
	fc := newFakeClient()
	for _, p := range []string{"/a/1", "/a/2", "/a/3"} {
		fc.media[p] = []byte("JPEG" + p)
	}
	a := New(fc, nil, nil, Config{})
	eng := &slowEngine{}
	d := dispatch.New(a.Wrap(eng), directSender{a}, slog.New(slog.DiscardHandler), dispatch.Config{Workers: 4})
	a.SetSubmitter(d)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()

	handle := a.EventHandler(ctx)
	start := time.Now()
	// An album arrives as a burst of single-image messages, then a text.
	for i, p := range []string{"/a/1", "/a/2", "/a/3"} {
		handle(imageEvent("ALBUM"+string(rune('1'+i)), p, "", 0))
	}
	handle(textEvent("TEXT1", "selesai"))
	handle(&events.Connected{})
	if took := time.Since(start); took > 50*time.Millisecond {
		t.Errorf("event handler blocked the receive loop for %v", took)
	}
	cancel() // graceful: held messages are finished
	<-done

	want := []string{"ALBUM1", "ALBUM2", "ALBUM3", "TEXT1"}
	if len(eng.seen) != len(want) {
		t.Fatalf("engine saw %v, want %v", eng.seen, want)
	}
	for i := range want {
		if eng.seen[i] != want[i] {
			t.Fatalf("engine saw %v, want %v (per-chat order)", eng.seen, want)
		}
	}
	if got := fc.sentTexts(); len(got) != 4 || got[3] != "ok TEXT1" {
		t.Errorf("replies %v", got)
	}
	if len(fc.read) != 4 {
		t.Errorf("read receipts %v, want one per handled message", fc.read)
	}
	if st := a.Status(); !st.Connected {
		t.Errorf("status %+v after Connected", st)
	}
}

func TestStatusAfterSessionEnds(t *testing.T) {
	t.Parallel()
	fc := newFakeClient()
	a := New(fc, nil, nil, Config{})
	h := a.EventHandler(context.Background())
	h(&events.StreamReplaced{})
	if st := a.Status(); st.Connected || !st.Replaced {
		t.Errorf("after StreamReplaced: %+v", st)
	}
	h(&events.Connected{})
	h(&events.LoggedOut{OnConnect: true})
	if st := a.Status(); st.Connected || !st.LoggedOut || st.Reason == "" {
		t.Errorf("after LoggedOut: %+v", st)
	}
}
