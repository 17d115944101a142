package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/conversations"
)

// sent records what the dispatcher queued for delivery.
type sent struct {
	mu  sync.Mutex
	out []conversations.Outbound
}

func (s *sent) Enqueue(_ context.Context, o conversations.Outbound) error {
	s.mu.Lock()
	s.out = append(s.out, o)
	s.mu.Unlock()
	return nil
}

func (s *sent) texts(chat string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var t []string
	for _, o := range s.out {
		if o.To.ChatID == chat {
			t = append(t, o.Text)
		}
	}
	return t
}

// handlerFunc adapts a function to dispatch.Handler.
type handlerFunc func(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error)

func (f handlerFunc) Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
	return f(ctx, in)
}

func msg(chat string, n int) conversations.Inbound {
	return conversations.Inbound{Address: conversations.Address{Channel: conversations.ChannelTelegram, ChatID: chat},
		MessageID: fmt.Sprintf("%s-%d", chat, n), Text: fmt.Sprint(n)}
}

func start(t *testing.T, h dispatch.Handler, out dispatch.Sender, cfg dispatch.Config) *dispatch.Dispatcher {
	t.Helper()
	d := dispatch.New(h, out, nil, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return d
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// sameLane returns a chat id that a design hashing chats onto lanes (fnv32a modulo the
// worker count) puts on the same lane as chat: the worst case for head-of-line blocking.
func sameLane(chat string, workers uint32) string {
	lane := func(c string) uint32 {
		h := fnv.New32a()
		h.Write([]byte("telegram:" + c))
		return h.Sum32() % workers
	}
	for i := 0; ; i++ {
		if c := fmt.Sprint(9000 + i); lane(c) == lane(chat) {
			return c
		}
	}
}

func TestBusyChatNeitherBlocksSubmitNorOtherChats(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var mu sync.Mutex
	var handled []string
	h := handlerFunc(func(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
		if in.ChatID == "busy" {
			<-release
		}
		mu.Lock()
		handled = append(handled, in.MessageID)
		mu.Unlock()
		return nil, nil
	})
	out := &sent{}
	d := start(t, h, out, dispatch.Config{Workers: 2, ChatQueue: 20})
	defer close(release)

	refused := 0
	for i := range 300 { // one chat sends 300 slow documents
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		err := d.Submit(ctx, msg("busy", i), nil)
		cancel()
		switch {
		case errors.Is(err, dispatch.ErrChatFull):
			refused++
		case err != nil:
			t.Fatalf("submit %d of the busy chat: %v (Submit must not block)", i, err)
		}
	}
	if refused != 280 {
		t.Errorf("%d messages refused, want 280 over a queue of 20", refused)
	}
	if got := out.texts("busy"); len(got) != 1 || !strings.Contains(got[0], "Terlalu banyak pesan") {
		t.Errorf("the busy chat was told %q, want the queue-full text once for the burst", got)
	}
	other := sameLane("busy", 2)
	began := time.Now()
	if err := d.Submit(context.Background(), msg(other, 1), nil); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the other chat handled", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(handled) == 1
	})
	if took := time.Since(began); took > time.Second {
		t.Errorf("another chat waited %v behind the busy one", took)
	}
}

func TestTransientFailureRetriedInPlaceWithOneNotice(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var handled []string
	failures := 3
	h := handlerFunc(func(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
		mu.Lock()
		defer mu.Unlock()
		if in.ChatID == "ani" && failures > 0 {
			failures--
			return []conversations.Outbound{{To: in.Address, Text: "Pesan Anda sebelumnya masih diproses"}},
				fmt.Errorf("lock chat: %w", conversations.ErrUnavailable)
		}
		handled = append(handled, in.MessageID)
		return []conversations.Outbound{{To: in.Address, Text: "ok " + in.Text}}, nil
	})
	out := &sent{}
	d := start(t, h, out, dispatch.Config{Workers: 4, RetryBase: 20 * time.Millisecond})
	results := make(chan error, 3)
	done := func(err error) { results <- err }
	for _, in := range []conversations.Inbound{msg("ani", 1), msg("ani", 2), msg("budi", 1)} {
		if err := d.Submit(context.Background(), in, done); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		if err := <-results; err != nil {
			t.Errorf("done(%v), want nil after the retry", err)
		}
	}
	mu.Lock()
	got := strings.Join(handled, " ")
	mu.Unlock()
	if got != "budi-1 ani-1 ani-2" {
		t.Errorf("handled %s, want budi-1 at once, then ani-1 before ani-2", got)
	}
	want := []string{dispatch.DefaultTexts.Outage, "ok 1", "ok 2"}
	if got := out.texts("ani"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("ani was told %q, want %q (one notice, no error replies)", got, want)
	}
}

func TestOutageOutlastingRetryForIsDeferred(t *testing.T) {
	t.Parallel()
	h := handlerFunc(func(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
		return nil, fmt.Errorf("redis: %w", conversations.ErrUnavailable)
	})
	out := &sent{}
	d := start(t, h, out, dispatch.Config{RetryBase: 10 * time.Millisecond, RetryFor: 60 * time.Millisecond})
	results := make(chan error, 2)
	d.Submit(context.Background(), msg("ani", 1), func(err error) { results <- err })
	d.Submit(context.Background(), msg("ani", 2), func(err error) { results <- err })
	for range 2 {
		if err := <-results; !errors.Is(err, dispatch.ErrDeferred) {
			t.Errorf("done(%v), want ErrDeferred", err)
		}
	}
	if got := out.texts("ani"); len(got) != 1 {
		t.Errorf("ani was told %q, want the outage notice once", got)
	}
}

func TestShutdownDefersMessagesWaitingForARetry(t *testing.T) {
	t.Parallel()
	h := handlerFunc(func(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
		return nil, fmt.Errorf("postgres: %w", conversations.ErrUnavailable)
	})
	d := dispatch.New(h, &sent{}, nil, dispatch.Config{RetryBase: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { d.Run(ctx); close(stopped) }()
	results := make(chan error, 1)
	d.Submit(context.Background(), msg("ani", 1), func(err error) { results <- err })
	waitFor(t, "a first attempt", func() bool { return d.Queued() == 1 })
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return with a retry pending")
	}
	if err := <-results; !errors.Is(err, dispatch.ErrDeferred) {
		t.Errorf("done(%v), want ErrDeferred", err)
	}
}

func TestControlCharactersAreStripped(t *testing.T) {
	t.Parallel()
	got := make(chan string, 1)
	h := handlerFunc(func(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
		got <- in.Text
		return nil, nil
	})
	d := start(t, h, &sent{}, dispatch.Config{})
	in := msg("ani", 1)
	in.Text = "ya\x00\x07 sudah\r\nada\u200b\x1b[31m"
	d.Submit(context.Background(), in, nil)
	if text := <-got; text != "ya sudah\nada\u200b[31m" {
		t.Errorf("text %q", text)
	}
}

// flakySender refuses the first n messages as a durable queue does while PostgreSQL is
// down (conversations.ErrUnavailable), then queues.
type flakySender struct {
	sent
	refuse int
}

func (s *flakySender) Enqueue(ctx context.Context, o conversations.Outbound) error {
	s.mu.Lock()
	if s.refuse > 0 {
		s.refuse--
		s.mu.Unlock()
		return fmt.Errorf("queue: %w", conversations.ErrUnavailable)
	}
	s.mu.Unlock()
	return s.sent.Enqueue(ctx, o)
}

// The outage notice goes only through the queue: refused while the queue cannot take it,
// it is queued with a later attempt of the message — once — and never sent around it.
func TestOutageNoticeRefusedByTheQueueIsQueuedWithALaterAttempt(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	failures := 4
	h := handlerFunc(func(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
		mu.Lock()
		defer mu.Unlock()
		if failures > 0 {
			failures--
			return nil, fmt.Errorf("postgres: %w", conversations.ErrUnavailable)
		}
		return []conversations.Outbound{{To: in.Address, Text: "ok " + in.Text}}, nil
	})
	out := &flakySender{refuse: 2} // the first two attempts' notices
	d := start(t, h, out, dispatch.Config{Workers: 2, RetryBase: 5 * time.Millisecond, RetryMax: 10 * time.Millisecond})
	results := make(chan error, 1)
	if err := d.Submit(context.Background(), msg("ani", 1), func(err error) { results <- err }); err != nil {
		t.Fatal(err)
	}
	if err := <-results; err != nil {
		t.Fatalf("done(%v), want nil after the retries", err)
	}
	want := []string{dispatch.DefaultTexts.Outage, "ok 1"}
	if got := out.texts("ani"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("ani was told %q, want %q (the notice queued once, on the third attempt)", got, want)
	}
}
