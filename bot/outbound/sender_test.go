package outbound_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
)

// fakeTransport records when each delivery attempt started and answers from a script.
type fakeTransport struct {
	mu       sync.Mutex
	attempts []attempt
	// answer returns the error for the n-th attempt (0-based) of a message text.
	answer func(text string, n int) error
	tries  map[string]int
}

type attempt struct {
	at   time.Time
	out  conversations.Outbound
	err  error
	seen int
}

func (f *fakeTransport) Deliver(ctx context.Context, out conversations.Outbound) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tries == nil {
		f.tries = map[string]int{}
	}
	n := f.tries[out.Text]
	f.tries[out.Text]++
	var err error
	if f.answer != nil {
		err = f.answer(out.Text, n)
	}
	f.attempts = append(f.attempts, attempt{at: time.Now(), out: out, err: err, seen: n})
	return err
}

func (f *fakeTransport) snapshot() []attempt {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]attempt(nil), f.attempts...)
}

func (f *fakeTransport) delivered() []attempt {
	var ok []attempt
	for _, a := range f.snapshot() {
		if a.err == nil {
			ok = append(ok, a)
		}
	}
	return ok
}

type outcomes struct {
	mu   sync.Mutex
	errs map[string]error
	done chan struct{}
	want int
}

func newOutcomes(want int) *outcomes {
	return &outcomes{errs: map[string]error{}, done: make(chan struct{}), want: want}
}

func (o *outcomes) record(_ context.Context, out conversations.Outbound, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.errs[out.Text] = err
	if len(o.errs) == o.want {
		close(o.done)
	}
}

func (o *outcomes) wait(t *testing.T) map[string]error {
	t.Helper()
	select {
	case <-o.done:
	case <-time.After(30 * time.Second):
		t.Fatalf("only %d of %d messages finished", len(o.errs), o.want)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.errs
}

type unreachable struct {
	mu     sync.Mutex
	people []int64
}

func (u *unreachable) MarkUnreachable(_ context.Context, id int64) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.people = append(u.people, id)
	return nil
}

func msg(chat, text string, bulk bool) conversations.Outbound {
	return conversations.Outbound{To: conversations.Address{Channel: conversations.ChannelTelegram, ChatID: chat}, Text: text, Bulk: bulk}
}

// start runs s until the test ends.
func start(t *testing.T, s *outbound.Sender) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func TestRepliesGoBeforeBulkAndChatsKeepOrder(t *testing.T) {
	t.Parallel()
	tr := &fakeTransport{}
	out := newOutcomes(9)
	s := outbound.New(outbound.Config{OnOutcome: out.record})
	s.Register(conversations.ChannelTelegram, tr, outbound.Limits{PerBot: 1000, PerChat: time.Millisecond, Parallel: 1})
	ctx := context.Background()
	// A digest fan-out is queued first, then a person's replies arrive.
	for i := range 6 {
		if err := s.Enqueue(ctx, msg(fmt.Sprint(100+i), fmt.Sprintf("digest %d", i), true)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		if err := s.Enqueue(ctx, msg("7", fmt.Sprintf("reply %d", i), false)); err != nil {
			t.Fatal(err)
		}
	}
	start(t, s)
	out.wait(t)
	var got []string
	for _, a := range tr.delivered() {
		got = append(got, a.out.Text)
	}
	want := []string{"reply 0", "reply 1", "reply 2", "digest 0", "digest 1", "digest 2", "digest 3", "digest 4", "digest 5"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("delivery order\n got %v\nwant %v", got, want)
	}
}

func TestNeverFasterThanLimits(t *testing.T) {
	t.Parallel()
	const perChat, perGroup, perBot = 150 * time.Millisecond, 400 * time.Millisecond, 40 * time.Millisecond
	tr := &fakeTransport{}
	out := newOutcomes(14)
	s := outbound.New(outbound.Config{OnOutcome: out.record})
	lim := outbound.TelegramLimits()
	lim.PerBot, lim.PerChat, lim.PerGroup = float64(time.Second/perBot), perChat, perGroup
	s.Register(conversations.ChannelTelegram, tr, lim)
	start(t, s)
	ctx := context.Background()
	for i := range 5 {
		for _, chat := range []string{"1", "2"} {
			if err := s.Enqueue(ctx, msg(chat, fmt.Sprintf("chat %s #%d", chat, i), false)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i := range 4 {
		if err := s.Enqueue(ctx, msg("-100", fmt.Sprintf("group #%d", i), true)); err != nil {
			t.Fatal(err)
		}
	}
	out.wait(t)
	// Lower bounds only, with generous slack for goroutine start-up: sending early is the bug.
	last := map[string]time.Time{}
	var prev time.Time
	seq := map[string]int{}
	for i, a := range tr.delivered() {
		chat := a.out.To.ChatID
		if i > 0 && a.at.Sub(prev) < perBot/2 {
			t.Errorf("%q started %v after the previous message; bot limit is %v", a.out.Text, a.at.Sub(prev), perBot)
		}
		interval := perChat
		if chat == "-100" {
			interval = perGroup
		}
		if l, ok := last[chat]; ok && a.at.Sub(l) < interval/2 {
			t.Errorf("%q started %v after the previous one to chat %s; chat limit is %v", a.out.Text, a.at.Sub(l), chat, interval)
		}
		var want string
		if chat == "-100" {
			want = fmt.Sprintf("group #%d", seq[chat])
		} else {
			want = fmt.Sprintf("chat %s #%d", chat, seq[chat])
		}
		if a.out.Text != want {
			t.Errorf("chat %s got %q, want %q (order)", chat, a.out.Text, want)
		}
		seq[chat]++
		last[chat], prev = a.at, a.at
	}
}

func TestThrottlePausesTheWholeChannel(t *testing.T) {
	t.Parallel()
	const retry = 300 * time.Millisecond
	tr := &fakeTransport{answer: func(text string, n int) error {
		if text == "b 1" && n == 0 {
			return &outbound.RetryAfterError{After: retry}
		}
		return nil
	}}
	out := newOutcomes(8)
	s := outbound.New(outbound.Config{OnOutcome: out.record})
	s.Register(conversations.ChannelTelegram, tr, outbound.Limits{PerBot: 200, PerChat: 5 * time.Millisecond, Parallel: 1})
	ctx := context.Background()
	for i := range 4 {
		s.Enqueue(ctx, msg("a", fmt.Sprintf("a %d", i), false))
		s.Enqueue(ctx, msg("b", fmt.Sprintf("b %d", i), false))
	}
	start(t, s)
	errs := out.wait(t)
	for text, err := range errs {
		if err != nil {
			t.Errorf("%s: %v", text, err)
		}
	}
	atts := tr.snapshot()
	var throttledAt time.Time
	for _, a := range atts {
		if a.err != nil {
			throttledAt = a.at
			continue
		}
		if !throttledAt.IsZero() && a.at.Sub(throttledAt) < retry*8/10 {
			t.Errorf("%q sent %v after a 429 with retry_after %v", a.out.Text, a.at.Sub(throttledAt), retry)
		}
	}
	if throttledAt.IsZero() {
		t.Fatal("the 429 never happened")
	}
	var bOrder []string
	for _, a := range tr.delivered() {
		if a.out.To.ChatID == "b" {
			bOrder = append(bOrder, a.out.Text)
		}
	}
	if fmt.Sprint(bOrder) != "[b 0 b 1 b 2 b 3]" {
		t.Errorf("chat b order after retry: %v", bOrder)
	}
}

func TestTemporaryFailuresBackOffThenGiveUp(t *testing.T) {
	t.Parallel()
	const base = 50 * time.Millisecond
	tr := &fakeTransport{answer: func(text string, n int) error {
		switch {
		case text == "flaky" && n < 2:
			return &outbound.TemporaryError{Err: errors.New("502 bad gateway")}
		case text == "down":
			return &outbound.TemporaryError{Err: errors.New("connection refused")}
		case text == "bad":
			return errors.New("400 bad request")
		}
		return nil
	}}
	out := newOutcomes(3)
	var mu sync.Mutex
	results := map[string]int{}
	s := outbound.New(outbound.Config{OnOutcome: out.record, MaxAttempts: 3, BaseBackoff: base, MaxBackoff: time.Second,
		OnResult: func(_ conversations.Channel, r string) {
			mu.Lock()
			results[r]++
			mu.Unlock()
		}})
	s.Register(conversations.ChannelTelegram, tr, outbound.Limits{PerBot: 1000, PerChat: time.Millisecond})
	start(t, s)
	ctx := context.Background()
	s.Enqueue(ctx, msg("1", "flaky", false))
	s.Enqueue(ctx, msg("2", "down", false))
	s.Enqueue(ctx, msg("3", "bad", false))
	errs := out.wait(t)
	if errs["flaky"] != nil {
		t.Errorf("flaky: %v, want delivered on the third try", errs["flaky"])
	}
	var te *outbound.TemporaryError
	if !errors.As(errs["down"], &te) {
		t.Errorf("down: %v, want given up with the temporary error", errs["down"])
	}
	if errs["bad"] == nil {
		t.Error("bad: delivered, want given up")
	}
	var flaky []time.Time
	tries := map[string]int{}
	for _, a := range tr.snapshot() {
		tries[a.out.Text]++
		if a.out.Text == "flaky" {
			flaky = append(flaky, a.at)
		}
	}
	if tries["flaky"] != 3 || tries["down"] != 3 || tries["bad"] != 1 {
		t.Errorf("attempts %v, want flaky 3, down 3 (MaxAttempts), bad 1", tries)
	}
	// Backoff doubles: ≥ base, then ≥ 2*base (half as slack).
	if len(flaky) == 3 && (flaky[1].Sub(flaky[0]) < base/2 || flaky[2].Sub(flaky[1]) < base) {
		t.Errorf("retry gaps %v and %v, want ≥ %v then ≥ %v", flaky[1].Sub(flaky[0]), flaky[2].Sub(flaky[1]), base, 2*base)
	}
	mu.Lock()
	defer mu.Unlock()
	if results[outbound.ResultTemporary] != 5 || results[outbound.ResultSent] != 1 || results[outbound.ResultFailed] != 1 {
		t.Errorf("results counted %v, want temporary 5, sent 1, failed 1", results)
	}
}

func TestBlockedPersonIsMarkedUnreachable(t *testing.T) {
	t.Parallel()
	tr := &fakeTransport{answer: func(text string, n int) error {
		if text == "to blocker" {
			return fmt.Errorf("%w: Forbidden: bot was blocked by the user", outbound.ErrBlocked)
		}
		return nil
	}}
	u := &unreachable{}
	out := newOutcomes(2)
	s := outbound.New(outbound.Config{OnOutcome: out.record, Unreachable: u})
	s.Register(conversations.ChannelTelegram, tr, outbound.Limits{})
	start(t, s)
	blocked := msg("9", "to blocker", true)
	blocked.PersonID = 41
	ok := msg("8", "to friend", true)
	ok.PersonID = 42
	s.Enqueue(context.Background(), blocked)
	s.Enqueue(context.Background(), ok)
	errs := out.wait(t)
	if !errors.Is(errs["to blocker"], outbound.ErrBlocked) || errs["to friend"] != nil {
		t.Fatalf("outcomes %v", errs)
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if fmt.Sprint(u.people) != "[41]" {
		t.Errorf("unreachable people %v, want [41]", u.people)
	}
	if n := len(tr.snapshot()); n != 2 {
		t.Errorf("%d attempts, want 2 (no retry after a block)", n)
	}
}

func TestShutdownDeliversWhatItHolds(t *testing.T) {
	t.Parallel()
	tr := &fakeTransport{}
	s := outbound.New(outbound.Config{})
	s.Register(conversations.ChannelTelegram, tr, outbound.Limits{PerBot: 100, PerChat: 10 * time.Millisecond})
	for i := range 5 {
		s.Enqueue(context.Background(), msg("1", fmt.Sprint(i), false))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.Run(ctx)
	if n := len(tr.delivered()); n != 5 {
		t.Fatalf("delivered %d of 5 after shutdown", n)
	}
}

func TestUnknownChannelIsRefused(t *testing.T) {
	t.Parallel()
	s := outbound.New(outbound.Config{})
	err := s.Enqueue(context.Background(), conversations.Outbound{To: conversations.Address{Channel: conversations.ChannelWhatsApp, ChatID: "62811"}, Text: "x"})
	if !errors.Is(err, outbound.ErrNoChannel) {
		t.Fatalf("err %v, want ErrNoChannel", err)
	}
}
