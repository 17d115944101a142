package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/bot/telegram/fakebotapi"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres/pgtest"
	"github.com/klabot/klabot/storage/redis/redistest"
)

// Fault tests of the inbound side against the real engine, PostgreSQL and Redis
// (issue 19). Tests that stop Redis run their own redis-server.

func countRows(t *testing.T, w *telegramWorld, query string, args ...any) int {
	t.Helper()
	var n int
	if err := w.store.Pool().QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestInboundNewBotOnTheSameDatabaseLosesNothing(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	first := startServe(t, w.env)
	stranger := &tgChat{t: t, api: w.api, p: fakebotapi.Person{ID: 7101, FirstName: "Tamu"}}
	stranger.say("halo")
	stranger.expect("klabot")

	// The bot token is replaced by another bot's (same database, same Redis prefix):
	// its update ids start again at 1. The old bot's serve is stopped first, as in a
	// token change: the outbound queue is shared by every replica of the database, so
	// a serve still running with the old token would deliver the new bot's replies
	// through the old bot (one bot per database, docs/telegram.md §2: refused at start).
	first.stop()
	if err := <-first.done; err != nil {
		t.Fatalf("old bot's serve: %v", err)
	}
	first.done <- nil // for the cleanup's wait
	const otherToken = "515151:OTHER-bot-token"
	other := fakebotapi.New(t, otherToken)
	env := maps.Clone(w.env)
	env["TELEGRAM_TOKEN"], env["TELEGRAM_API_URL"] = otherToken, other.URL
	startServe(t, env)
	budi := &tgChat{t: t, api: other, p: fakebotapi.Person{ID: 7102, FirstName: "Budi"}}
	budi.say("/start " + w.code) // update_id 1 again
	budi.expect("Budi Santoso", "Dinas Kesehatan")
	if n := countRows(t, w, `SELECT count(*) FROM identities WHERE channel = 'telegram' AND external_id = '7102'`); n != 1 {
		t.Errorf("%d identities bound by the new bot's /start", n)
	}
}

func TestInboundRedisOutageIsWaitedOutAndReplayed(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	rs := redistest.NewPrivate(t)
	w.env["REDIS_URL"] = rs.URL()
	r := startServe(t, w.env)
	budi, _ := budiAtTheFirstQuestion(t, w, 7201)

	rs.Stop() // Redis is down for a while; Budi goes on typing
	budi.say("1")
	budi.say("lewati")
	budi.expect("Sebentar, sedang ada gangguan")
	time.Sleep(2500 * time.Millisecond) // several retries
	rs.Start()                          // back, and empty: the state is rebuilt from Postgres
	// "1" applies to question 1.1, as sent. "lewati" was sent before the evidence prompt
	// it would now skip existed: it is not applied, and Budi is told.
	budi.expect("Tersimpan: Ya", "Kirim bukti dukung", "“lewati”", "dikirim sebelum pertanyaan yang sekarang muncul", "Kirim bukti dukung")
	outage := 0
	for _, m := range w.api.Messages(budi.p.ChatID()) {
		switch {
		case strings.Contains(m.Text, "Sebentar, sedang ada gangguan"):
			outage++
		case strings.Contains(m.Text, "masih diproses"), strings.Contains(m.Text, "Maaf, ada gangguan"):
			t.Errorf("error reply during the outage: %q", m.Text)
		}
	}
	if outage != 1 {
		t.Errorf("told of the outage %d times, want once", outage)
	}
	if n := countRows(t, w, `SELECT count(*) FROM answers WHERE question_code = '1.1'`); n != 1 {
		t.Errorf("%d answers stored for 1.1, want 1", n)
	}
	if _, m := r.get(t, "/metrics"); !strings.Contains(m, `klabot_inbound_events_total{kind="outage_notice"} 1`) ||
		strings.Contains(m, `klabot_inbound_events_total{kind="retried"} 0`) {
		t.Error("/metrics does not count the outage notice and the retries")
	}
	w.api.WaitFor(t, 5*time.Second, "every update handled", func() bool {
		return countRows(t, w, `SELECT count(*) FROM telegram_updates WHERE handled_at IS NULL`) == 0
	})
}

// deadReplica records updates (answers 200) and never handles them: a replica killed
// right after Telegram saw the 200.
type deadReplica struct{}

func (deadReplica) Submit(context.Context, conversations.Inbound, func(error)) error { return nil }
func (deadReplica) Notify(context.Context, conversations.Address, dispatch.Notice)   {}

func TestInboundDeadReplicasUpdatesAreReplayedOnce(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	const secret = "rahasia-Webhook_42"
	w.env["TELEGRAM_WEBHOOK_URL"] = "https://bot.example.go.id/telegram/webhook"
	w.env["TELEGRAM_WEBHOOK_SECRET"] = secret
	r := startServeWith(t, w.env, serveOptions{telegramSweep: 200 * time.Millisecond})
	dead, err := telegram.New(context.Background(), telegram.Config{Token: tgToken, APIURL: w.api.URL, SkipGetMe: true,
		Lease: 300 * time.Millisecond, WebhookURL: w.env["TELEGRAM_WEBHOOK_URL"], WebhookSecret: secret},
		telegram.Deps{Submitter: deadReplica{}, Updates: w.store})
	if err != nil {
		t.Fatal(err)
	}
	post := func(h http.Handler, u models.Update) {
		t.Helper()
		body, _ := json.Marshal(u)
		req := httptest.NewRequest(http.MethodPost, "/telegram/webhook", bytes.NewReader(body))
		req.Header.Set(telegram.SecretHeader, secret)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("webhook answered %d", rec.Code)
		}
	}
	budi := &tgChat{t: t, api: w.api, p: fakebotapi.Person{ID: 7301, FirstName: "Budi"}}
	var sent []models.Update
	budi.post = func(u models.Update) {
		u.ID = w.api.NextUpdateID()
		sent = append(sent, u)
		post(dead.WebhookHandler(), u)
	}
	budi.say("/start " + w.code)
	budi.say("mulai")
	budi.say("1")
	budi.document("sk-gugus-tugas.pdf", "application/pdf", pdfBytes, int64(len(pdfBytes)))
	// The live replica replays all four once the dead one's leases ran out, in order.
	budi.expect("Budi Santoso", "Pertanyaan 1/4", "Tersimpan: Ya", "Diterima: sk-gugus-tugas.pdf")
	// Telegram redelivers one of them to the live replica: applied once all the same.
	liveURL := "http://" + r.addr + "/telegram/webhook"
	body, _ := json.Marshal(sent[2])
	req, _ := http.NewRequest(http.MethodPost, liveURL, bytes.NewReader(body))
	req.Header.Set(telegram.SecretHeader, secret)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("redelivery: %v %v", resp, err)
	}
	time.Sleep(300 * time.Millisecond)
	if n := countRows(t, w, `SELECT count(*) FROM answers WHERE question_code = '1.1'`); n != 1 {
		t.Errorf("%d answers for 1.1, want 1", n)
	}
	if n := countRows(t, w, `SELECT count(*) FROM evidence`); n != 1 {
		t.Errorf("%d evidence files, want 1", n)
	}
	if n := countRows(t, w, `SELECT count(*) FROM telegram_updates WHERE handled_at IS NULL`); n != 0 {
		t.Errorf("%d updates left unhandled", n)
	}
}

func TestInboundDrainAnswers503InsteadOfRefusing(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	const secret = "rahasia-Webhook_42"
	w.env["TELEGRAM_WEBHOOK_URL"] = "https://bot.example.go.id/telegram/webhook"
	w.env["TELEGRAM_WEBHOOK_SECRET"] = secret
	r := startServe(t, w.env)
	w.api.WaitFor(t, 10*time.Second, "setWebhook", func() bool { u, _ := w.api.Webhook(); return u != "" })
	post := func(u models.Update) (int, error) {
		body, _ := json.Marshal(u)
		req, _ := http.NewRequest(http.MethodPost, "http://"+r.addr+"/telegram/webhook", bytes.NewReader(body))
		req.Header.Set(telegram.SecretHeader, secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	budi := fakebotapi.Person{ID: 7401, FirstName: "Budi"}
	w.api.SlowSends(2 * time.Second) // the reply takes 2 s at Telegram: in flight at SIGTERM, it finishes
	u := budi.Text(1, "/start "+w.code)
	u.ID = w.api.NextUpdateID()
	if code, err := post(u); code != 200 {
		t.Fatalf("webhook: %d %v", code, err)
	}
	w.api.WaitFor(t, 10*time.Second, "the reply in flight", func() bool {
		var n int
		w.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE state = 'running'`).Scan(&n) //nolint:errcheck
		return n > 0
	})
	r.stop() // SIGTERM
	time.Sleep(300 * time.Millisecond)
	resp, err := http.Get("http://" + r.addr + "/readyz")
	if err != nil {
		t.Fatalf("/readyz during the drain: %v (want 503)", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the drain: %d, want 503", resp.StatusCode)
	}
	u2 := budi.Text(2, "mulai")
	u2.ID = w.api.NextUpdateID()
	if code, err := post(u2); err != nil || code != http.StatusServiceUnavailable {
		t.Errorf("webhook during the drain: %d %v, want 503", code, err)
	}
	select {
	case <-r.done:
		r.done <- nil
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	if msgs := w.api.Messages(budi.ChatID()); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "Budi Santoso") {
		t.Errorf("the reply queued before SIGTERM was not delivered in the drain: %v", msgs)
	}
}

func TestInboundPostgresOutageDuringAStepKeepsTheFileOnItsQuestion(t *testing.T) {
	t.Parallel()
	pg := pgtest.NewPrivate(t)
	w := newTelegramWorldOn(t, pg.URL())
	r := startServe(t, w.env)
	budi := &tgChat{t: t, api: w.api, p: fakebotapi.Person{ID: 7501, FirstName: "Budi"}}
	budi.say("/start " + w.code)
	budi.expect("Budi Santoso")
	budi.say("mulai")
	budi.say("1")
	budi.expect("Tersimpan: Ya", "Kirim bukti dukung")

	// PostgreSQL goes down while the engine downloads a document for question 1.1; Budi,
	// hearing nothing, says he is done.
	w.api.SlowFiles(700 * time.Millisecond)
	budi.document("sk-gugus-tugas.pdf", "application/pdf", pdfBytes, int64(len(pdfBytes)))
	w.api.WaitFor(t, 10*time.Second, "the download", func() bool { return w.api.Downloads() > 0 })
	pg.Stop()
	// The step fails and is retried in place. Budi hears nothing meanwhile: the outage
	// notice goes through the durable queue, which PostgreSQL's outage stops too (nothing
	// is sent around it; docs/delivery.md).
	w.api.WaitFor(t, time.Minute, "the step retried", func() bool {
		_, m := r.get(t, "/metrics")
		return !strings.Contains(m, `klabot_inbound_events_total{kind="retried"} 0`)
	})
	budi.say("selesai")
	time.Sleep(2 * time.Second)
	pg.Start()
	budi.expect("Diterima: sk-gugus-tugas.pdf", "keterangan singkat")
	var question string
	if err := w.store.Pool().QueryRow(context.Background(), `SELECT a.question_code FROM evidence e JOIN answers a ON a.id = e.answer_id`).Scan(&question); err != nil || question != "1.1" {
		t.Errorf("the document is on question %q (%v), want 1.1", question, err)
	}
	notices := 0
	for _, m := range w.api.Messages(budi.p.ChatID()) {
		if strings.Contains(m.Text, "Maaf, ada gangguan") {
			t.Errorf("error reply during the outage: %q", m.Text)
		}
		if strings.Contains(m.Text, "Sebentar, sedang ada gangguan") {
			notices++
		}
	}
	if notices > 1 {
		t.Errorf("%d outage notices, want at most one", notices)
	}
}

func TestInboundLateMessagesAreNotFiledUnderANewerQuestion(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	startServe(t, w.env)
	budi, _ := budiAtTheFirstQuestion(t, w, 7601)
	old := func(u models.Update) models.Update { // sent a minute ago, arriving only now (a late replay)
		u.Message.Date -= 60
		return u
	}
	budi.msgID++
	budi.push(old(budi.p.Text(budi.msgID, "1")))
	budi.expect("“1”", "dikirim sebelum pertanyaan yang sekarang muncul", "Pertanyaan 1/4")
	if n := countRows(t, w, `SELECT count(*) FROM answers`); n != 0 {
		t.Fatalf("a late answer was stored (%d answers)", n)
	}
	budi.say("1")
	budi.expect("Tersimpan: Ya", "Kirim bukti dukung")
	budi.msgID++
	w.api.AddFile("OLD", "documents/lama.pdf", pdfBytes)
	budi.push(old(budi.p.Document(budi.msgID, "OLD", "lama.pdf", "application/pdf", int64(len(pdfBytes)), "")))
	budi.expect("File lama.pdf", "tidak disimpan", "Kirim bukti dukung")
	if n := countRows(t, w, `SELECT count(*) FROM evidence`); n != 0 {
		t.Errorf("a late document was stored on the open question (%d files)", n)
	}
	// Commands mean the same at any position: a late "status" is answered.
	budi.msgID++
	budi.push(old(budi.p.Text(budi.msgID, "status")))
	budi.expect("Dijawab: 1 dari 4")
}

func TestInboundInviteCodesOnlyInPrivateAndThrottled(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	r := startServe(t, w.env)
	// /start CODE in a group: refused politely, the code stays unused, the group unbound.
	group := fakebotapi.Person{ID: 7701, FirstName: "Budi"}
	u := group.Text(1, "/start "+w.code)
	u.Message.Chat = models.Chat{ID: -100777, Type: models.ChatTypeSupergroup, Title: "Gugus Tugas"}
	w.api.AddUpdate(u)
	w.api.WaitFor(t, 10*time.Second, "the group's answer", func() bool { return len(w.api.Messages("-100777")) == 1 })
	if got := w.api.Messages("-100777")[0].Text; !strings.Contains(got, "chat pribadi") {
		t.Errorf("group told %q", got)
	}
	if n := countRows(t, w, `SELECT count(*) FROM identities`); n != 0 {
		t.Fatalf("an invite was redeemed in a group (%d identities)", n)
	}
	// Wrong codes from one chat: five are answered as wrong, then the chat waits, even
	// for the right code.
	guess := &tgChat{t: t, api: w.api, p: fakebotapi.Person{ID: 7702, FirstName: "Tamu"}}
	for i := range 5 {
		guess.say(fmt.Sprintf("/start SALAH%d", i))
		guess.expect("kode")
	}
	guess.say("/start SALAH5")
	guess.expect("Terlalu banyak kode yang salah. Coba lagi dalam 10 menit")
	guess.say("/start " + w.code)
	guess.expect("Terlalu banyak kode yang salah")
	if n := countRows(t, w, `SELECT count(*) FROM identities`); n != 0 {
		t.Errorf("a throttled chat redeemed an invite")
	}
	// Another chat is not held up.
	budi := &tgChat{t: t, api: w.api, p: fakebotapi.Person{ID: 7703, FirstName: "Budi"}}
	budi.say("/start " + w.code)
	budi.expect("Budi Santoso")
	_, m := r.get(t, "/metrics")
	for _, want := range []string{`klabot_invite_attempts_total{result="group"} 1`, `klabot_invite_attempts_total{result="wrong"} 5`,
		`klabot_invite_attempts_total{result="throttled"} 2`, `klabot_invite_attempts_total{result="ok"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// Two bots on one database at once: the second serve refuses to start, naming both
// (queued messages do not say which bot sends them; docs/telegram.md §2).
func TestServeRefusesASecondBotOnTheSameDatabase(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	startServe(t, w.env)
	const otherToken = "525252:SECOND-bot-token"
	other := fakebotapi.New(t, otherToken)
	env := maps.Clone(w.env)
	env["TELEGRAM_TOKEN"], env["TELEGRAM_API_URL"], env["HTTP_ADDR"] = otherToken, other.URL, "127.0.0.1:0"
	app := NewApp(func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, io.Discard)
	t.Cleanup(app.Close)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err := serve(ctx, app, serveOptions{onListen: func(string) { t.Error("the second bot's serve started"); cancel() }})
	if !errors.Is(err, outbound.ErrOtherAccount) || !strings.Contains(err.Error(), "525252") {
		t.Fatalf("second bot's serve: %v, want refused naming it", err)
	}
}
