package telegram_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
)

func to(chat string) conversations.Address {
	return conversations.Address{Channel: conversations.ChannelTelegram, ChatID: chat}
}

func TestDeliverTextButtonsPhotosDocuments(t *testing.T) {
	t.Parallel()
	b := setup(t, options{noPoll: true})
	chart := []byte("\x89PNG chart")
	long := strings.Repeat("Baris ringkasan digest.\n", 250) // ~6000 characters
	for _, out := range []conversations.Outbound{
		{To: to("42"), Text: "Apakah ada Perda KLA?", Buttons: [][]conversations.Button{
			{{Label: "Ya", Data: "a:1:1"}, {Label: "Tidak", Data: "a:1:2"}}, {{Label: "Lewati", Data: "n:skip"}}}},
		{To: to("42"), Text: "Grafik nilai", Attachment: &conversations.Attachment{Name: "nilai.png", MIME: "image/png", Photo: true, Data: chart}},
		{To: to("42"), Text: long, Attachment: &conversations.Attachment{Name: "bukti.zip", MIME: "application/zip", Data: []byte("PK")}},
		{To: to("42"), Text: long, Buttons: [][]conversations.Button{{{Label: "OK", Data: "ok"}}}},
	} {
		if err := b.sender.Enqueue(b.ctx, out); err != nil {
			t.Fatal(err)
		}
	}
	msgs := b.api.WaitMessages(t, "42", 7)
	if m := msgs[0]; m.Text != "Apakah ada Perda KLA?" || len(m.Markup) != 2 || m.Markup[0][1].Text != "Tidak" || m.Markup[0][1].CallbackData != "a:1:2" || m.Markup[1][0].CallbackData != "n:skip" {
		t.Errorf("question: %+v", m)
	}
	if m := msgs[1]; m.Method != "sendPhoto" || m.Text != "Grafik nilai" || m.File == nil || m.File.Name != "nilai.png" || !bytes.Equal(m.File.Data, chart) {
		t.Errorf("photo: %+v", m)
	}
	// A text too long for a caption goes first, in parts, then the document.
	if msgs[2].Method != "sendMessage" || msgs[3].Method != "sendMessage" || msgs[4].Method != "sendDocument" || msgs[4].File.Name != "bukti.zip" {
		t.Errorf("long text with a document sent as %s, %s, %s", msgs[2].Method, msgs[3].Method, msgs[4].Method)
	}
	if got := msgs[2].Text + "\n" + msgs[3].Text; got != long {
		t.Errorf("split text does not add up: %d+%d characters of %d", len(msgs[2].Text), len(msgs[3].Text), len(long))
	}
	for _, m := range msgs {
		if len([]rune(m.Text)) > 4096 {
			t.Errorf("a message of %d characters", len([]rune(m.Text)))
		}
	}
	if len(msgs[5].Markup) != 0 || len(msgs[6].Markup) != 1 {
		t.Errorf("buttons of a split text: first part %v, last part %v (want only on the last)", msgs[5].Markup, msgs[6].Markup)
	}
}

func TestStormOf429IsRiddenOut(t *testing.T) {
	t.Parallel()
	const perChat = 100 * time.Millisecond
	lim := outbound.TelegramLimits()
	lim.PerChat, lim.PerBot = perChat, 100
	b := setup(t, options{noPoll: true, limits: &lim})
	// The fake enforces slightly looser limits than the sender keeps, and throttles the
	// first sends on top: every 429 carries retry_after 1 and bans the bot for that second.
	b.api.SetLimits(fakeLimits(80*time.Millisecond, 5*time.Millisecond))
	b.api.Throttle(3, 1)
	const chats, each = 8, 5
	for i := range each {
		for c := range chats {
			if err := b.sender.Enqueue(b.ctx, conversations.Outbound{To: to(fmt.Sprint(100 + c)), Text: fmt.Sprintf("pesan %d", i)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	b.api.WaitFor(t, 60*time.Second, "every message delivered", func() bool { return len(b.api.Messages("")) == chats*each })
	throttled := 0
	last := map[string]time.Time{}
	next := map[string]int{}
	for _, c := range b.api.Calls("sendMessage") {
		if c.Status == 429 {
			throttled++
			continue
		}
		chat := c.ChatID()
		if l, ok := last[chat]; ok && c.At.Sub(l) < perChat/2 {
			t.Errorf("chat %s: two messages %v apart (limit %v)", chat, c.At.Sub(l), perChat)
		}
		if want := fmt.Sprintf("pesan %d", next[chat]); c.Params["text"] != want {
			t.Errorf("chat %s got %q, want %q (order)", chat, c.Params["text"], want)
		}
		last[chat] = c.At
		next[chat]++
	}
	if throttled < 3 {
		t.Errorf("%d 429 answers, want at least the 3 forced ones", throttled)
	}
	// Sends already in flight when a 429 came arrive during the ban too; only a send that
	// started after the 429 was received and before its retry_after was over is early.
	if early := b.probe.Early(100 * time.Millisecond); len(early) > 0 {
		t.Errorf("%d sends started before retry_after was over (first at %v)", len(early), early[0])
		t0 := b.probe.Starts()[0]
		for _, th := range b.probe.Throttles() {
			t.Logf("429: call started %v, answer received %v", th.Start.Sub(t0), th.Received.Sub(t0))
		}
	}
	if got := counter(t, b, `klabot_send_errors_total{channel="telegram",kind="throttled"}`); got < 3 {
		t.Errorf("throttled metric %v", got)
	}
}

func TestBlockedPersonIsMarkedUnreachable(t *testing.T) {
	t.Parallel()
	b := setup(t, options{noPoll: true})
	var personID int64
	pool := b.store.Pool()
	if _, err := pool.Exec(b.ctx, `INSERT INTO regions (code, name) VALUES ('KOTA-UJI', 'Kota Uji')`); err != nil {
		t.Fatal(err)
	}
	if err := pool.QueryRow(b.ctx, `INSERT INTO people (region_code, name, role) VALUES ('KOTA-UJI', 'Rina', 'coordinator') RETURNING id`).Scan(&personID); err != nil {
		t.Fatal(err)
	}
	b.api.Block("777")
	if err := b.sender.Enqueue(b.ctx, conversations.Outbound{To: to("777"), PersonID: personID, Text: "Ringkasan harian", Bulk: true}); err != nil {
		t.Fatal(err)
	}
	b.api.WaitFor(t, 10*time.Second, "the person marked unreachable", func() bool {
		var marked bool
		pool.QueryRow(b.ctx, `SELECT unreachable_at IS NOT NULL FROM people WHERE id = $1`, personID).Scan(&marked)
		return marked
	})
	time.Sleep(200 * time.Millisecond) // a retry would show up now
	if n := len(b.api.Calls("sendMessage")); n != 1 {
		t.Errorf("%d sends to a person who blocked the bot, want 1 (no retry)", n)
	}
	// Rina unblocks the bot: the next delivery clears the mark.
	b.api.Unblock("777")
	if err := b.sender.Enqueue(b.ctx, conversations.Outbound{To: to("777"), PersonID: personID, Text: "Ringkasan harian", Bulk: true}); err != nil {
		t.Fatal(err)
	}
	b.api.WaitFor(t, 10*time.Second, "the mark cleared", func() bool {
		var marked bool
		pool.QueryRow(b.ctx, `SELECT unreachable_at IS NOT NULL FROM people WHERE id = $1`, personID).Scan(&marked)
		return !marked
	})
}
