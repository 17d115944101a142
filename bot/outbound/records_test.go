package outbound_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// With Config.Records, the delivery records of concurrent workers share commits: every
// message is still sent once, in its chat's order, and recorded once with its platform
// id, and the notification it carries gets its status, as when each record commits alone.
func TestDeliveryRecordsThroughASharedWriter(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	g := postgres.NewGroupWriter(r.pool, postgres.GroupConfig{Conns: 1})
	lim := fastLimits()
	lim.Parallel = 16
	q := r.queue(outbound.Config{Records: g}, lim)
	t.Cleanup(g.Close) // after the queue stopped (cleanups run last in, first out)

	var notification int64
	if _, err := r.pool.Exec(ctx, `INSERT INTO regions (code, name) VALUES ('R1', 'Kota Uji')`); err != nil {
		t.Fatal(err)
	}
	if err := r.pool.QueryRow(ctx, `INSERT INTO notifications (region_code, kind, dedupe_key, created_at)
		VALUES ('R1', 'digest', 'digest R1 test', now()) RETURNING id`).Scan(&notification); err != nil {
		t.Fatal(err)
	}
	const chats, each = 24, 3
	for c := 1; c <= chats; c++ {
		for i := 1; i <= each; i++ {
			out := conversations.Outbound{To: tg(c), Text: fmt.Sprintf("pesan %d", i)}
			if c == 1 && i == 1 {
				out.NotificationID = notification
			}
			if err := q.Enqueue(ctx, out); err != nil {
				t.Fatal(err)
			}
		}
	}
	for c := 1; c <= chats; c++ {
		msgs := r.api.WaitMessages(t, strconv.Itoa(c), each)
		for i, m := range msgs {
			if want := fmt.Sprintf("pesan %d", i+1); m.Text != want {
				t.Fatalf("chat %d message %d: %q, want %q", c, i, m.Text, want)
			}
		}
	}
	var recorded, distinct int
	waitFor(t, "every delivery recorded", func() bool {
		r.pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT (chat_id, platform_id)) FROM outbound_deliveries WHERE state = 'sent' AND platform_id <> ''`).Scan(&recorded, &distinct) //nolint:errcheck
		return recorded == chats*each
	})
	if distinct != recorded {
		t.Errorf("%d records with %d distinct platform ids", recorded, distinct)
	}
	for c := 1; c <= chats; c++ {
		if n := len(r.api.Messages(strconv.Itoa(c))); n != each {
			t.Errorf("chat %d got %d messages, want %d (a record lost is a message sent twice)", c, n, each)
		}
	}
	var status string
	if err := r.pool.QueryRow(ctx, `SELECT status FROM notifications WHERE id = $1`, notification).Scan(&status); err != nil || status != "sent" {
		t.Errorf("notification status %q (%v), want sent", status, err)
	}
	st := g.Stats()
	if st.Batches < chats*each {
		t.Errorf("the writer wrote %d records, want all %d", st.Batches, chats*each)
	}
	t.Logf("%d records in %d transactions", st.Batches, st.Groups)
}
