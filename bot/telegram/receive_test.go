package telegram_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"

	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/bot/telegram/fakebotapi"
	"github.com/klabot/klabot/conversations"
)

var ani = fakebotapi.Person{ID: 5001, FirstName: "Ani"}

func TestPollingTurnsUpdatesIntoInbound(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	pdf := []byte("%PDF-1.4 SK Gugus Tugas")
	jpeg := []byte("\xff\xd8\xff\xe0 photo of ruang bermain")
	b.api.AddFile("DOC1", "documents/file_1.pdf", pdf)
	b.api.AddFile("PH1", "photos/file_2.jpg", jpeg)

	b.api.AddUpdate(ani.Text(1, "/start@klabot_test_bot KODE123"))
	b.api.AddUpdate(ani.Photo(2, "PH1", len(jpeg), "ruang bermain", ""))
	b.api.AddUpdate(ani.Document(3, "DOC1", "SK.pdf", "application/pdf", int64(len(pdf)), ""))
	in := b.waitInbound(t, 3)

	if in[0].Text != "/start KODE123" || in[0].ChatID != "5001" || in[0].SenderID != "5001" ||
		in[0].Channel != conversations.ChannelTelegram || in[0].SenderName != "Ani" || in[0].Group {
		t.Errorf("start message: %+v", in[0])
	}
	if len(in[1].Files) != 1 || in[1].Files[0].Size != int64(len(jpeg)) || in[1].Files[0].MIME != "image/jpeg" || in[1].Text != "ruang bermain" {
		t.Errorf("photo message: %+v", in[1])
	}
	if got := b.rec.files["foto-2.jpg"]; !bytes.Equal(got, jpeg) {
		t.Errorf("photo content %q, want the largest size's %q (errs %v)", got, jpeg, b.rec.errs)
	}
	if f := in[2].Files; len(f) != 1 || f[0].Name != "SK.pdf" || f[0].MIME != "application/pdf" || f[0].Size != int64(len(pdf)) {
		t.Errorf("document message: %+v", in[2])
	}
	if got := b.rec.files["SK.pdf"]; !bytes.Equal(got, pdf) {
		t.Errorf("document content %q, want %q", got, pdf)
	}
	ids := map[string]bool{}
	for _, m := range in {
		ids[m.MessageID] = true
	}
	if len(ids) != 3 {
		t.Errorf("message ids %v are not distinct", ids)
	}
	msgs := b.api.WaitMessages(t, ani.ChatID(), 3)
	if msgs[0].Text != "echo: /start KODE123" {
		t.Errorf("first reply %q", msgs[0].Text)
	}
	b.api.WaitFor(t, 5*time.Second, "updates marked handled", func() bool {
		all, handled := b.countUpdates(t)
		return all == 3 && handled == 3
	})
}

func TestButtonPressIsAnsweredAndQuestionEdited(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	b.rec.reply = func(in conversations.Inbound) []conversations.Outbound {
		if in.Button != "" {
			return []conversations.Outbound{{To: in.Address, Text: "Tersimpan: " + in.Button}}
		}
		return []conversations.Outbound{{To: in.Address, Text: "Apakah ada Perda KLA?",
			Buttons: [][]conversations.Button{{{Label: "Ya", Data: "a:Q1:ya"}, {Label: "Tidak", Data: "a:Q1:tidak"}}}}}
	}
	b.api.AddUpdate(ani.Text(1, "mulai"))
	question := b.api.WaitMessages(t, ani.ChatID(), 1)[0]
	if len(question.Markup) != 1 || len(question.Markup[0]) != 2 || question.Markup[0][0].CallbackData != "a:Q1:ya" {
		t.Fatalf("question keyboard %+v", question.Markup)
	}
	b.api.AddUpdate(ani.Press(question, "a:Q1:tidak"))
	msgs := b.api.WaitMessages(t, ani.ChatID(), 2)
	if msgs[1].Text != "Tersimpan: a:Q1:tidak" {
		t.Errorf("reply to press %q", msgs[1].Text)
	}
	in := b.rec.inbound()[1]
	if in.Button != "a:Q1:tidak" || in.ButtonMessageID != "1" || in.Text != "" {
		t.Errorf("press inbound %+v", in)
	}
	b.api.WaitFor(t, 5*time.Second, "the question edited", func() bool { return b.api.Messages(ani.ChatID())[0].Edited })
	edited := b.api.Messages(ani.ChatID())[0]
	if edited.Text != "Apakah ada Perda KLA?\n\n➡️ Tidak" || len(edited.Markup) != 0 {
		t.Errorf("edited question %q with buttons %v", edited.Text, edited.Markup)
	}
	if n := len(b.api.Calls("answerCallbackQuery")); n != 1 {
		t.Errorf("answerCallbackQuery called %d times, want 1", n)
	}
}

func TestAlbumArrivesAsOneMessageBeforeWhatFollows(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	for i, id := range []string{"A1", "A2", "A3"} {
		b.api.AddFile(id, "photos/"+id+".jpg", []byte("\xff\xd8\xff album "+id))
		caption := ""
		if i == 0 {
			caption = "foto kegiatan"
		}
		b.api.AddUpdate(ani.Photo(10+i, id, 14, caption, "MG1"))
	}
	b.api.AddUpdate(ani.Text(13, "selesai"))
	in := b.waitInbound(t, 2)
	if len(in) != 2 || len(in[0].Files) != 3 || in[0].Text != "foto kegiatan" || in[1].Text != "selesai" {
		t.Fatalf("inbound %+v", in)
	}
	for _, name := range []string{"foto-10.jpg", "foto-11.jpg", "foto-12.jpg"} {
		if _, ok := b.rec.files[name]; !ok {
			t.Errorf("album file %s not read (errs %v)", name, b.rec.errs)
		}
	}
	b.api.WaitFor(t, 5*time.Second, "all four updates handled", func() bool {
		_, handled := b.countUpdates(t)
		return handled == 4
	})
}

func TestMessagesOfOneChatAreHandledInOrder(t *testing.T) {
	t.Parallel()
	b := setup(t, options{noPoll: true})
	b.rec.slow = 200 * time.Millisecond // the first message is slow to handle
	budi := fakebotapi.Person{ID: 5002, FirstName: "Budi"}
	// Arriving together: one getUpdates batch.
	b.api.AddUpdate(ani.Text(1, "ya"))
	b.api.AddUpdate(ani.Text(2, "87,5"))
	b.api.AddUpdate(budi.Text(1, "status"))
	b.api.AddUpdate(ani.Text(3, "lewati"))
	go b.adapter.Poll(b.ctx, b.ctx) //nolint:errcheck // stopped with the fake server
	in := b.waitInbound(t, 4)
	var order []string
	for _, m := range in {
		if m.ChatID == ani.ChatID() {
			order = append(order, m.Text)
		}
	}
	if strings.Join(order, "|") != "ya|87,5|lewati" {
		t.Errorf("Ani's messages handled as %v", order)
	}
	msgs := b.api.WaitMessages(t, ani.ChatID(), 3)
	if msgs[0].Text != "echo: ya" || msgs[1].Text != "echo: 87,5" || msgs[2].Text != "echo: lewati" {
		t.Errorf("replies out of order: %q %q %q", msgs[0].Text, msgs[1].Text, msgs[2].Text)
	}
}

func postUpdate(t *testing.T, h http.Handler, secret string, u models.Update) int {
	t.Helper()
	body, _ := json.Marshal(u)
	r := httptest.NewRequest(http.MethodPost, "/telegram/webhook", bytes.NewReader(body))
	if secret != "" {
		r.Header.Set(telegram.SecretHeader, secret)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

func TestWebhookRejectsMissingOrWrongSecret(t *testing.T) {
	t.Parallel()
	b := setup(t, options{webhook: true})
	h := b.adapter.WebhookHandler()
	u := ani.Text(1, "halo")
	u.ID = b.api.NextUpdateID()
	for _, secret := range []string{"", "wrong", "s3cret-Token_", "s3cret-Token_1x"} {
		if code := postUpdate(t, h, secret, u); code != http.StatusUnauthorized {
			t.Errorf("secret %q: status %d, want 401", secret, code)
		}
	}
	if all, _ := b.countUpdates(t); all != 0 {
		t.Errorf("%d updates stored from unauthenticated requests", all)
	}
	// The right secret is accepted and handled.
	if code := postUpdate(t, h, "s3cret-Token_1", u); code != http.StatusOK {
		t.Fatalf("right secret: status %d", code)
	}
	if in := b.waitInbound(t, 1); in[0].Text != "halo" {
		t.Errorf("inbound %+v", in[0])
	}
	if len(b.rec.inbound()) != 1 {
		t.Error("rejected requests reached the engine")
	}
}

func TestWebhookSameUpdateTwiceIsAnsweredOnce(t *testing.T) {
	t.Parallel()
	b := setup(t, options{webhook: true})
	if err := b.adapter.RegisterWebhook(b.ctx); err != nil {
		t.Fatal(err)
	}
	if url, secret := b.api.Webhook(); url != "https://klabot.example/telegram/webhook" || secret != "s3cret-Token_1" {
		t.Errorf("setWebhook got url %q secret %q", url, secret)
	}
	h := b.adapter.WebhookHandler()
	u := ani.Text(1, "ya")
	u.ID = b.api.NextUpdateID()
	for range 2 {
		if code := postUpdate(t, h, "s3cret-Token_1", u); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
	}
	b.api.WaitMessages(t, ani.ChatID(), 1)
	// A second replica with its own process state sees the same record.
	other, err := telegram.New(b.ctx, telegram.Config{Token: token, APIURL: b.api.URL, SkipGetMe: true,
		WebhookURL: "https://x.example/wh", WebhookSecret: "s3cret-Token_1"}, telegram.Deps{Submitter: nopSubmitter{}, Updates: b.store})
	if err != nil {
		t.Fatal(err)
	}
	if code := postUpdate(t, other.WebhookHandler(), "s3cret-Token_1", u); code != http.StatusOK {
		t.Fatalf("replica: status %d", code)
	}
	time.Sleep(300 * time.Millisecond) // give a wrong second answer the time to show up
	if n := len(b.api.Messages(ani.ChatID())); n != 1 {
		t.Errorf("%d answers to one update delivered three times", n)
	}
	if n := len(b.rec.inbound()); n != 1 {
		t.Errorf("engine saw the update %d times", n)
	}
}

// nopSubmitter accepts messages and never handles them: a replica that dies right after
// recording.
type nopSubmitter struct{}

func (nopSubmitter) Submit(ctx context.Context, in conversations.Inbound, done func(error)) error {
	return nil
}

func (nopSubmitter) Notify(context.Context, conversations.Address, dispatch.Notice) {}

func TestRecordedButUnhandledUpdatesAreReplayed(t *testing.T) {
	t.Parallel()
	b := setup(t, options{webhook: true})
	dead, err := telegram.New(b.ctx, telegram.Config{Token: token, APIURL: b.api.URL, SkipGetMe: true, Lease: 2 * time.Second,
		WebhookURL: "https://x.example/wh", WebhookSecret: "s3cret-Token_1"}, telegram.Deps{Submitter: nopSubmitter{}, Updates: b.store})
	if err != nil {
		t.Fatal(err)
	}
	u := ani.Text(1, "/start KODE-RAHASIA")
	u.ID = b.api.NextUpdateID()
	if code := postUpdate(t, dead.WebhookHandler(), "s3cret-Token_1", u); code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	// The invite code is not stored in clear.
	var body []byte
	if err := b.store.Pool().QueryRow(b.ctx, `SELECT body FROM telegram_updates`).Scan(&body); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(body, []byte("KODE-RAHASIA")) {
		t.Error("recorded update holds the invite code in clear")
	}
	if n, err := b.adapter.Replay(b.ctx); err != nil || n != 0 {
		t.Fatalf("replayed %d (%v) while the dead replica's lease still ran", n, err)
	}
	// Its lease runs out (2 s: long enough that the check above ran inside it even on a
	// loaded machine); then one replay takes the update over.
	var n int
	deadline := time.Now().Add(60 * time.Second)
	for n == 0 && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		if n, err = b.adapter.Replay(b.ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n != 1 {
		t.Fatalf("replayed %d after the lease ran out, want 1", n)
	}
	if in := b.waitInbound(t, 1); in[0].Text != "/start KODE-RAHASIA" {
		t.Errorf("replayed inbound %+v", in[0])
	}
	b.api.WaitFor(t, 5*time.Second, "handled and body cleared", func() bool {
		var cleared bool
		b.store.Pool().QueryRow(b.ctx, `SELECT handled_at IS NOT NULL AND body IS NULL FROM telegram_updates`).Scan(&cleared)
		return cleared
	})
	if n, _ := b.adapter.Replay(b.ctx); n != 0 {
		t.Errorf("replayed %d handled updates again", n)
	}
}

func TestOversizedAndMissingFiles(t *testing.T) {
	t.Parallel()
	b := setup(t, options{})
	b.api.AddBigFile("BIG1", "documents/big.pdf", 25<<20)
	b.api.AddBigFile("BIG2", "photos/big.jpg", 21<<20)
	b.api.AddFile("GONE", "documents/gone.pdf", nil) // getFile works, download 404s
	// Declared too big: refused before any getFile.
	b.api.AddUpdate(ani.Document(1, "BIG1", "laporan.pdf", "application/pdf", 25<<20, ""))
	// Declared small (size unknown to the update) but Telegram refuses getFile.
	b.api.AddUpdate(ani.Document(2, "BIG2", "foto.jpg", "image/jpeg", 0, ""))
	b.api.AddUpdate(ani.Document(3, "GONE", "gone.pdf", "application/pdf", 10, ""))
	in := b.waitInbound(t, 3)
	if in[0].Files[0].Size != 25<<20 {
		t.Errorf("declared size %d not passed on", in[0].Files[0].Size)
	}
	for _, name := range []string{"laporan.pdf", "foto.jpg"} {
		if err := b.rec.errs[name]; !errors.Is(err, telegram.ErrFileTooBig) || !errors.Is(err, conversations.ErrInvalid) {
			t.Errorf("%s: %v, want ErrFileTooBig", name, err)
		}
	}
	if n := len(b.api.Calls("getFile")); n != 2 {
		t.Errorf("getFile called %d times, want 2 (not for the declared-too-big file)", n)
	}
	err := b.rec.errs["gone.pdf"]
	if err == nil {
		t.Fatal("download of a missing file succeeded")
	}
	for _, e := range b.rec.errs {
		if strings.Contains(e.Error(), token) || strings.Contains(e.Error(), "TEST-secret") {
			t.Errorf("error leaks the bot token: %v", e)
		}
	}
}

func TestPollingRefusesWhileAWebhookIsSet(t *testing.T) {
	t.Parallel()
	b := setup(t, options{webhook: true})
	if err := b.adapter.RegisterWebhook(b.ctx); err != nil {
		t.Fatal(err)
	}
	err := b.adapter.Poll(b.ctx, b.ctx)
	if !errors.Is(err, telegram.ErrConfig) || !strings.Contains(err.Error(), "https://klabot.example/telegram/webhook") || strings.Contains(err.Error(), token) {
		t.Fatalf("Poll with a webhook set: %v", err)
	}
	if n := len(b.api.Calls("getUpdates", "deleteWebhook")); n != 0 {
		t.Errorf("%d getUpdates/deleteWebhook calls", n)
	}
}
