package outbound_test

import (
	"context"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
)

// A prompt whose send started within a message's dating second (platforms date messages
// to the whole second) is told apart by the chat's message ids where the platform has
// them (Telegram), and counts as possibly seen where it has not (WhatsApp).
func TestPromptBeforeOrdersTheDatingSecondByMessageID(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	q := r.queue(outbound.Config{}, fastLimits())
	p := outbound.Prompts{Queue: q}
	ctx := context.Background()
	t0 := time.Date(2026, 12, 2, 10, 0, 5, 0, time.UTC) // the message's date
	deliver := func(job int, ch conversations.Channel, chat, platformID, asks string, started time.Time) {
		t.Helper()
		if _, err := r.pool.Exec(ctx, `INSERT INTO outbound_deliveries
			(job_id, idx, channel, chat_id, state, platform_id, queued_at, recorded_at, asks, started_at)
			VALUES ($1, 0, $2, $3, 'sent', $4, $5, $5, $6, $5)`, job, string(ch), chat, platformID, started, asks); err != nil {
			t.Fatal(err)
		}
	}
	// Telegram: 1.1 delivered as message 10 seconds earlier; 1.2's send started 300 ms
	// into the message's second and it became message 12.
	deliver(9001, conversations.ChannelTelegram, "77", "10", "question 1.1 0", t0.Add(-3*time.Second))
	deliver(9002, conversations.ChannelTelegram, "77", "12", "question 1.2 0", t0.Add(300*time.Millisecond))
	// A prompt sent after the message's second is not seen, whatever its id.
	deliver(9003, conversations.ChannelTelegram, "77", "13", "question 1.3 0", t0.Add(1500*time.Millisecond))
	tgChat := conversations.Address{Channel: conversations.ChannelTelegram, ChatID: "77"}
	for _, c := range []struct {
		seq  int64
		want string
	}{
		{11, "question 1.1 0"}, // written before 1.2 reached the chat (the 429 backlog)
		{14, "question 1.2 0"}, // written after it: answering it the instant it arrived
		{0, "question 1.2 0"},  // no id: the dating second counts as possibly seen
		{5, ""},                // before every prompt on record
	} {
		got, ok, err := p.PromptBefore(ctx, tgChat, t0, c.seq, "")
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want || ok != (c.want != "") {
			t.Errorf("seq %d: %q %v, want %q", c.seq, got, ok, c.want)
		}
	}
	// WhatsApp: its platform ids are message keys, not a shared sequence; the time rule.
	deliver(9004, conversations.ChannelWhatsApp, "6281", "3EB0AAAA", "question 1.1 0", t0.Add(-3*time.Second))
	deliver(9005, conversations.ChannelWhatsApp, "6281", "3EB0BBBB", "question 1.2 0", t0.Add(300*time.Millisecond))
	wa := conversations.Address{Channel: conversations.ChannelWhatsApp, ChatID: "6281"}
	if got, _, err := p.PromptBefore(ctx, wa, t0, 0, ""); err != nil || got != "question 1.2 0" {
		t.Errorf("whatsapp: %q (%v), want question 1.2 0", got, err)
	}
}
