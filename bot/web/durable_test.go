package web_test

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/klabot/klabot/bot/web"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// TestReviewDecisionAndNoticesCommitTogether: with Deps.Tx and a durable outbox, a
// dashboard decision and its notices to the focal points are one transaction: when a
// notice cannot be queued nothing is recorded (the coordinator sees an error and decides
// again), and then both are kept.
func TestReviewDecisionAndNoticesCommitTogether(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ob := pgtest.NewOutbox(t, w.Store.Pool())
	d := w.deps()
	d.Tx = w.Store
	d.Notifier = web.ChatNotifier{Store: w.Store, Send: ob.Enqueue}
	srv, err := web.New(web.Config{Now: w.Clock.Now, BaseURL: w.http.URL}, d)
	if err != nil {
		t.Fatal(err)
	}
	w.srv = srv
	w.http.Config.Handler = srv.Handler()

	b := w.browser()
	b.login(w.People["koor"]).Body.Close()
	_, page := b.get(R + "/pertanyaan/1.2")
	token := csrf(t, page)
	form := url.Values{"csrf": {token}, "keputusan": {"needs_revision"}, "catatan": {"Lampirkan daftar Puskesmas."}, "dilihat": {"waiting"}}
	decide := "/r/KOTA-UJI/tinjau/" + strconv.FormatInt(w.answers["1.2"], 10)

	ob.FailWhen(func(out conversations.Outbound) error {
		if out.To.ChatID == "chat-sari" {
			return errors.New("outbox down")
		}
		return nil
	})
	res := b.post(decide, form)
	body(t, res)
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("decision with a failing outbox: %d, want 500", res.StatusCode)
	}
	if n := w.QueryInt(`SELECT count(*) FROM reviews WHERE answer_id = $1`, w.answers["1.2"]); n != 0 {
		t.Fatalf("decision recorded without its notices (%d rows)", n)
	}
	if rows := ob.Rows(t); len(rows) != 0 {
		t.Fatalf("notices queued for a decision not recorded: %+v", rows)
	}

	ob.FailWhen(nil)
	res = b.post(decide, form)
	if page := body(t, res); !strings.Contains(page, "catatan dikirim ke 3 focal point") {
		t.Fatalf("decision again: %d %s", res.StatusCode, res.Request.URL)
	}
	if n := w.QueryInt(`SELECT count(*) FROM reviews WHERE answer_id = $1`, w.answers["1.2"]); n != 1 {
		t.Fatalf("%d decisions recorded, want 1", n)
	}
	rows := ob.Rows(t)
	if len(rows) != 3 {
		t.Fatalf("%d notices queued, want 3", len(rows))
	}
	for _, r := range rows {
		// The kind names it in the notifications log (issue 14, item 5).
		if !r.InTx || !strings.Contains(r.Text, "Lampirkan daftar Puskesmas.") || r.Kind != review.NoticeNote {
			t.Errorf("notice %+v", r)
		}
	}
}
