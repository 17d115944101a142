package outbound_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
)

// fakeWhatsApp is a WhatsApp transport at the network edge: it records the message ids it
// was given, and fails the first attempt of texts starting with "gagal" after WhatsApp
// took them (the crash window: the platform has the message, we have no answer).
type fakeWhatsApp struct {
	mu     sync.Mutex
	got    []string // texts accepted, in order
	ids    map[string][]string
	failed map[string]bool
}

func (f *fakeWhatsApp) Deliver(ctx context.Context, out conversations.Outbound) error {
	_, err := f.DeliverID(ctx, out, "")
	return err
}

func (f *fakeWhatsApp) DeliverID(_ context.Context, out conversations.Outbound, id string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ids == nil {
		f.ids, f.failed = map[string][]string{}, map[string]bool{}
	}
	f.ids[out.Text] = append(f.ids[out.Text], id)
	seen := len(f.ids[out.Text]) > 1 && f.ids[out.Text][0] == id // WhatsApp drops a duplicate id
	if !seen {
		f.got = append(f.got, out.Text)
	}
	if strings.HasPrefix(out.Text, "gagal") && !f.failed[out.Text] {
		f.failed[out.Text] = true
		return "", &outbound.TemporaryError{Err: errors.New("connection reset after the send")}
	}
	return id, nil
}

func (f *fakeWhatsApp) texts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

func wa(chat string) conversations.Address {
	return conversations.Address{Channel: conversations.ChannelWhatsApp, ChatID: chat}
}

// Only the process holding the WhatsApp session works the WhatsApp queue; messages wait
// while nobody holds it and go out, in order, once somebody does. A message whose first
// attempt failed after WhatsApp took it is sent again under the same id (WhatsApp drops
// the duplicate).
func TestWhatsAppQueueIsWorkedOnlyWithTheSession(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	q := r.queue(outbound.Config{OrderWait: 50 * time.Millisecond}, fastLimits()) // works Telegram
	f := &fakeWhatsApp{}
	q.RegisterIdle(conversations.ChannelWhatsApp, f, fastLimits())
	for i := range 3 {
		if err := q.Enqueue(ctx, conversations.Outbound{To: wa("6281234567890@s.whatsapp.net"), Text: fmt.Sprintf("pesan %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := q.Enqueue(ctx, conversations.Outbound{To: tg(7), Text: "telegram"}); err != nil {
		t.Fatal(err)
	}
	r.api.WaitMessages(t, "7", 1) // the workers ran, and left WhatsApp's jobs alone
	waiting := func() int {
		n, err := q.Pending(ctx, conversations.ChannelWhatsApp)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n, got := waiting(), f.texts(); n != 3 || len(got) != 0 {
		t.Fatalf("without the session: %d WhatsApp jobs waiting, %q sent; want 3, none", n, got)
	}
	if err := q.Work(conversations.ChannelWhatsApp); err != nil { // the session is taken
		t.Fatal(err)
	}
	waitFor(t, "the WhatsApp messages", func() bool { return len(f.texts()) == 3 && waiting() == 0 })
	if err := q.Unwork(ctx, conversations.ChannelWhatsApp); err != nil { // the session goes away
		t.Fatal(err)
	}
	if err := q.EnqueueMany(ctx,
		conversations.Outbound{To: wa("6281234567890@s.whatsapp.net"), Text: "gagal sekali"},
		conversations.Outbound{To: wa("6281234567890@s.whatsapp.net"), Text: "pesan 4"}); err != nil {
		t.Fatal(err)
	}
	if err := q.Enqueue(ctx, conversations.Outbound{To: tg(7), Text: "telegram lagi"}); err != nil {
		t.Fatal(err)
	}
	r.api.WaitMessages(t, "7", 2)
	if n := waiting(); n != 1 {
		t.Fatalf("while the session is away: %d WhatsApp jobs waiting, want 1", n)
	}
	if err := q.Work(conversations.ChannelWhatsApp); err != nil { // back
		t.Fatal(err)
	}
	waitFor(t, "the rest", func() bool { return len(f.texts()) == 5 && waiting() == 0 })
	if got := strings.Join(f.texts(), "|"); got != "pesan 0|pesan 1|pesan 2|gagal sekali|pesan 4" {
		t.Fatalf("WhatsApp got %q", got)
	}
	f.mu.Lock()
	ids := f.ids["gagal sekali"]
	f.mu.Unlock()
	if len(ids) != 2 || ids[0] != ids[1] || !strings.HasPrefix(ids[0], "3EB0") {
		t.Fatalf("the retried message's ids %q: want the same deterministic id twice", ids)
	}
}
