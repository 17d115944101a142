package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/bot/telegram/fakebotapi"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
	"github.com/klabot/klabot/storage/redis/redistest"
)

const tgToken = "424242:SERVE-test-token"

// telegramWorld is a database with region KOTA-UJI, a four-question instrument for Dinas
// Kesehatan and an invite for its focal point Budi, plus a fake Bot API and the env for
// serve.
type telegramWorld struct {
	store  *postgres.Store
	api    *fakebotapi.Server
	env    map[string]string
	code   string
	budiID int64
}

func newTelegramWorld(t *testing.T) *telegramWorld {
	t.Helper()
	return newTelegramWorldOn(t, pgtest.URL(t))
}

// newTelegramWorldOn is newTelegramWorld on the migrated database at url.
func newTelegramWorldOn(t *testing.T, url string) *telegramWorld {
	t.Helper()
	ctx := context.Background()
	w := &telegramWorld{api: fakebotapi.New(t, tgToken)}
	app := NewApp(func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}, strings.NewReader(""), os.Stdout, os.Stderr)
	t.Cleanup(app.Close)
	db, err := app.DB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.store = postgres.New(db, nil)
	s := w.store
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(s.UpsertRegion(ctx, conversations.Region{Code: "KOTA-UJI", Name: "Kota Uji", Kind: "kota", TimeZone: "Asia/Jakarta", DigestHour: 7, Year: 2026}))
	dinkes := []string{"DINKES"}
	_, err = s.SaveInstrument(ctx, &scoring.Instrument{Year: 2026, Name: "Instrumen Uji", Clusters: []scoring.Cluster{
		{Code: "KELEMBAGAAN", Name: "Kelembagaan", Indicators: []scoring.Indicator{
			{Code: "1", Name: "Kebijakan KLA", MaxPoints: 500, Questions: []scoring.Question{
				{Code: "1.1", Text: "Apakah ada SK Gugus Tugas KLA?", Type: scoring.YesNo, Weight: 1, EvidenceRequired: true, OPDCodes: dinkes},
				{Code: "1.2", Text: "Bentuk regulasi KLA?", Type: scoring.Choice, Weight: 1, EvidenceRequired: true, OPDCodes: dinkes,
					Options: []scoring.Option{{Label: "Perda", Fraction: 1}, {Label: "Perbup, SK atau SE", Fraction: 0.5}}},
			}},
		}},
		{Code: "III", Name: "Klaster III", Indicators: []scoring.Indicator{
			{Code: "12", Name: "Status gizi balita", MaxPoints: 500, Questions: []scoring.Question{
				{Code: "12.1", Text: "Berapa kali rapat koordinasi tahun ini?", Type: scoring.Number, Weight: 1, OPDCodes: dinkes,
					Bands: []scoring.Band{{Min: 0, Max: 0}, {Min: 1, Max: 4, Fraction: 0.5}, {Min: 5, Open: true, Fraction: 1}}},
				{Code: "12.5", Text: "Unggah foto pojok ASI.", Type: scoring.File, Weight: 1, OPDCodes: dinkes},
			}},
		}},
	}})
	check(err)
	opd, err := s.UpsertOPD(ctx, "KOTA-UJI", "DINKES", "Dinas Kesehatan", dinkes)
	check(err)
	w.budiID, err = s.UpsertPerson(ctx, conversations.Person{Name: "Budi Santoso", Role: conversations.RoleFocalPoint, RegionCode: "KOTA-UJI", OPDID: opd, Language: "id"}, "")
	check(err)
	w.code, err = s.CreateInvite(ctx, w.budiID, 24*time.Hour)
	check(err)
	_, prefix := redistest.New(t)
	w.env = map[string]string{
		"DATABASE_URL": url, "REDIS_URL": os.Getenv("TEST_REDIS_URL"), "REDIS_PREFIX": prefix,
		"EVIDENCE_DIR": t.TempDir(), "KLA_YEAR": "2026",
		"TELEGRAM_TOKEN": tgToken, "TELEGRAM_API_URL": w.api.URL,
		// Test-sized limits; the sender's spacing is checked in bot/outbound.
		"TELEGRAM_CHAT_INTERVAL_MS": "20", "TELEGRAM_RATE_PER_SECOND": "200",
	}
	return w
}

// tgChat drives one person's Telegram chat against the fake and reads the bot's answers
// like a transcript.
type tgChat struct {
	t     *testing.T
	api   *fakebotapi.Server
	p     fakebotapi.Person
	msgID int
	seen  int
	post  func(u models.Update) // nil: by getUpdates
}

// push sends u from the person's phone. Telegram numbers the message (the chat's next
// message_id, after the bot's messages so far), whatever id u carried.
func (c *tgChat) push(u models.Update) {
	if u.Message != nil {
		u.Message.ID = 0
	}
	if c.post != nil {
		c.post(c.api.Number(u))
		return
	}
	c.api.AddUpdate(u)
}

func (c *tgChat) say(text string) {
	c.msgID++
	c.push(c.p.Text(c.msgID, text))
}

func (c *tgChat) document(name, mime string, data []byte, size int64) {
	c.msgID++
	id := fmt.Sprintf("F%d", c.msgID)
	if data != nil {
		c.api.AddFile(id, "documents/"+name, data)
	} else {
		c.api.AddBigFile(id, "documents/"+name, size)
	}
	c.push(c.p.Document(c.msgID, id, name, mime, size, ""))
}

func (c *tgChat) photos(group string, images ...[]byte) {
	for _, img := range images {
		c.msgID++
		id := fmt.Sprintf("P%d", c.msgID)
		c.api.AddFile(id, "photos/"+id+".jpg", img)
		c.push(c.p.Photo(c.msgID, id, len(img), "", group))
	}
}

// press presses the button labelled label on the latest message that still shows it.
func (c *tgChat) press(label string) fakebotapi.Message {
	c.t.Helper()
	msgs := c.api.Messages(c.p.ChatID())
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, row := range msgs[i].Markup {
			for _, b := range row {
				if b.Text == label {
					c.push(c.p.Press(msgs[i], b.CallbackData))
					return msgs[i]
				}
			}
		}
	}
	c.t.Fatalf("no message shows a button %q; transcript:\n%s", label, c.transcript())
	return fakebotapi.Message{}
}

// expect waits until the bot's new messages contain want, in order, and returns them.
func (c *tgChat) expect(want ...string) []fakebotapi.Message {
	c.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		msgs := c.api.Messages(c.p.ChatID())
		fresh := msgs[c.seen:]
		var text strings.Builder
		for _, m := range fresh {
			text.WriteString(m.Text + "\n")
		}
		rest, ok := text.String(), true
		for _, w := range want {
			i := strings.Index(rest, w)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(w):]
		}
		if ok {
			c.seen = len(msgs)
			return fresh
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("bot never said %q; transcript:\n%s", want, c.transcript())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (c *tgChat) transcript() string {
	var b strings.Builder
	for i, m := range c.api.Messages(c.p.ChatID()) {
		mark := " "
		if i >= c.seen {
			mark = "*"
		}
		fmt.Fprintf(&b, "%s< %s %q buttons=%v\n", mark, m.Method, m.Text, m.Markup)
	}
	return b.String()
}

var (
	pdfBytes = []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\ntrailer\n")
	gifBytes = []byte("GIF89a\x01\x00\x01\x00\x80\x00\x00")
)

func jpegBytes(n int) []byte {
	return append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{byte(n)}, 200)...)
}

func TestServeTelegramFullDialogueByPolling(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	r := startServe(t, w.env)
	budi := &tgChat{t: t, api: w.api, p: fakebotapi.Person{ID: 7001, FirstName: "Budi"}}

	budi.say("/start " + w.code)
	budi.expect("Budi Santoso", "Dinas Kesehatan")
	// Two messages arriving together are handled in order.
	budi.say("mulai")
	budi.say("1")
	budi.expect("Pertanyaan 1/4", "Apakah ada SK Gugus Tugas KLA?", "Tersimpan: Ya", "Kirim bukti dukung")

	budi.document("sk-gugus-tugas.pdf", "application/pdf", pdfBytes, int64(len(pdfBytes)))
	budi.expect("Diterima: sk-gugus-tugas.pdf")
	budi.document("animasi.gif", "image/gif", gifBytes, int64(len(gifBytes)))
	budi.expect("animasi.gif tidak diterima: jenis file")
	budi.document("laporan-besar.pdf", "application/pdf", nil, 25<<20)
	budi.expect("laporan-besar.pdf tidak diterima: terlalu besar")
	budi.photos("ALBUM1", jpegBytes(1), jpegBytes(2))
	album := budi.expect("Diterima: foto-", "Diterima: foto-")
	if len(album) != 1 {
		t.Errorf("an album of two photos got %d answers, want one message", len(album))
	}
	budi.press("Selesai")
	budi.expect("keterangan singkat")
	budi.say("lewati")
	q2 := budi.expect("Pertanyaan 2/4", "Bentuk regulasi KLA?")
	question := q2[len(q2)-1]
	budi.press("Perda")
	budi.expect("Tersimpan: Perda", "Kirim bukti dukung")
	// The pressed question shows the choice and loses its buttons (the edit is its own
	// queued delivery, so it may land just after the replies).
	w.api.WaitFor(t, 20*time.Second, "pressed question edited", func() bool {
		for _, m := range w.api.Messages(budi.p.ChatID()) {
			if m.ID == question.ID {
				return strings.HasSuffix(m.Text, "➡️ Perda") && len(m.Markup) == 0
			}
		}
		return false
	})
	budi.press("Lewati")
	budi.expect("Pertanyaan 3/4", "Berapa kali rapat koordinasi")
	budi.say("12")
	budi.expect("Tersimpan: 12", "Pertanyaan 4/4", "Unggah foto pojok ASI")
	budi.photos("", jpegBytes(3))
	budi.expect("Tersimpan: file terlampir", "Diterima: foto-", "Kirim file lain")
	budi.press("Selesai")
	budi.expect("keterangan singkat")
	budi.say("lewati")
	budi.expect("Semua pertanyaan Dinas Kesehatan sudah ditangani")
	// A button of an old message does not answer anything now.
	budi.push(budi.p.Press(question, question.Markup[0][0].CallbackData))
	budi.expect("Tombol itu dari pesan sebelumnya")
	if t.Failed() {
		t.Log(budi.transcript())
	}

	if n := len(w.api.Calls("answerCallbackQuery")); n != 5 {
		t.Errorf("answerCallbackQuery called %d times for 5 presses", n)
	}
	ctx := context.Background()
	var answers, evidence, identities int
	pool := w.store.Pool()
	pool.QueryRow(ctx, `SELECT count(*) FROM current_answers WHERE region_code = 'KOTA-UJI'`).Scan(&answers)
	pool.QueryRow(ctx, `SELECT count(*) FROM evidence`).Scan(&evidence)
	pool.QueryRow(ctx, `SELECT count(*) FROM identities WHERE channel = 'telegram' AND external_id = '7001' AND person_id = $1`, w.budiID).Scan(&identities)
	if answers != 4 || evidence != 4 || identities != 1 {
		t.Errorf("stored %d answers (want 4), %d evidence files (want 4: PDF, album of 2, photo), %d telegram identities (want 1)", answers, evidence, identities)
	}
	code, body := r.get(t, "/readyz")
	if code != 200 || !strings.Contains(body, "telegram: ok") {
		t.Errorf("/readyz: %d %q", code, body)
	}
	_, metricsText := r.get(t, "/metrics")
	for _, m := range []string{`klabot_updates_received_total{channel="telegram"}`, `klabot_messages_sent_total{channel="telegram"}`, `klabot_update_handling_seconds_count{channel="telegram"}`} {
		if !strings.Contains(metricsText, m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
}

func TestServeTelegramWebhook(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	w.env["TELEGRAM_WEBHOOK_URL"] = "https://bot.example.go.id/telegram/webhook"
	w.env["TELEGRAM_WEBHOOK_SECRET"] = "rahasia-Webhook_42"
	r := startServe(t, w.env)
	if _, m := r.get(t, "/metrics"); !strings.Contains(m, `klabot_send_errors_total{channel="telegram",kind="blocked"} 0`) {
		t.Error("/metrics does not show the Telegram series before the first update")
	}
	w.api.WaitFor(t, 10*time.Second, "setWebhook", func() bool { u, _ := w.api.Webhook(); return u != "" })
	if u, secret := w.api.Webhook(); u != "https://bot.example.go.id/telegram/webhook" || secret != "rahasia-Webhook_42" {
		t.Errorf("setWebhook url %q secret %q", u, secret)
	}
	post := func(secret string, u models.Update) int {
		t.Helper()
		if u.ID == 0 {
			u.ID = w.api.NextUpdateID()
		}
		body, _ := json.Marshal(u)
		req, _ := http.NewRequest(http.MethodPost, "http://"+r.addr+"/telegram/webhook", bytes.NewReader(body))
		if secret != "" {
			req.Header.Set(telegram.SecretHeader, secret)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	budi := &tgChat{t: t, api: w.api, p: fakebotapi.Person{ID: 7002, FirstName: "Budi"}}
	budi.post = func(u models.Update) {
		if code := post("rahasia-Webhook_42", u); code != 200 {
			t.Fatalf("webhook answered %d", code)
		}
	}
	// Wrong or missing secret: 401, nothing stored, nothing said.
	for _, s := range []string{"", "rahasia-Webhook_41"} {
		if code := post(s, budi.p.Text(99, "/start "+w.code)); code != http.StatusUnauthorized {
			t.Errorf("secret %q: %d, want 401", s, code)
		}
	}
	var stored int
	w.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM telegram_updates`).Scan(&stored)
	if stored != 0 {
		t.Errorf("%d updates stored from unauthenticated posts", stored)
	}

	start := budi.p.Text(1, "/start "+w.code)
	start.ID = w.api.NextUpdateID()
	budi.post(start)
	budi.expect("Budi Santoso")
	budi.post(start) // Telegram delivers it again
	budi.say("mulai")
	budi.expect("Pertanyaan 1/4")
	budi.press("Ya")
	budi.expect("Tersimpan: Ya")
	// The welcome itself: the scheduler's first tick may also remind Budi ("Halo Budi
	// Santoso") once he is bound, which is no greeting twice.
	greetings := 0
	for _, m := range w.api.Messages(budi.p.ChatID()) {
		if strings.Contains(m.Text, "Selamat datang, Budi Santoso") {
			greetings++
		}
	}
	if greetings != 1 {
		t.Errorf("greeted %d times for one update delivered twice", greetings)
	}
	if w.api.Pending() != 0 || len(w.api.Calls("getUpdates")) != 0 {
		t.Error("webhook mode polled getUpdates")
	}
}

func TestServeTelegramShutdownLosesNothing(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	r := startServe(t, w.env)
	var ids []int64
	for i := range 6 {
		p := fakebotapi.Person{ID: int64(8000 + i), FirstName: "Tamu"}
		ids = append(ids, w.api.AddUpdate(p.Text(1, "halo")))
	}
	w.api.WaitFor(t, 10*time.Second, "the first update recorded", func() bool {
		var n int
		w.store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM telegram_updates`).Scan(&n)
		return n > 0
	})
	r.stop() // SIGTERM while the updates are being handled
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
		r.done <- nil
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
	// Every update was answered, or is still unconfirmed at Telegram (delivered again on
	// the next start), or is recorded for replay.
	ctx := context.Background()
	answered := 0
	for i, id := range ids {
		chat := fmt.Sprint(8000 + i)
		var recordedUnhandled bool
		w.store.Pool().QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM telegram_updates WHERE update_id = $1 AND handled_at IS NULL)`, id).Scan(&recordedUnhandled)
		switch {
		case len(w.api.Messages(chat)) > 0:
			answered++
		case recordedUnhandled:
		case w.api.Unconfirmed(id):
		default:
			t.Errorf("update %d (chat %s) was confirmed to Telegram but neither answered nor recorded", id, chat)
		}
	}
	t.Logf("%d of %d updates answered before exit", answered, len(ids))
}
