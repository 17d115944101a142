package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot/models"
	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/bot/telegram/fakebotapi"
)

// Answers bound to the question the person saw (issue 19, item 1): the prompt delivered
// last to the chat before a message was sent decides which question it is for, not the
// question the dialogue has moved on to meanwhile.

// sayTracked types text and returns its update id.
func (c *tgChat) sayTracked(text string) int64 {
	return c.api.AddUpdate(c.p.Text(0, text)) // Telegram numbers it (the chat's next message_id)
}

// budiAtTheFirstQuestion binds Budi (Telegram user id) with w's invite and opens his
// dialogue: it returns his chat and the messages up to question 1's prompt, which must
// contain want too.
func budiAtTheFirstQuestion(t *testing.T, w *telegramWorld, id int64, want ...string) (*tgChat, []fakebotapi.Message) {
	t.Helper()
	budi := &tgChat{t: t, api: w.api, p: fakebotapi.Person{ID: id, FirstName: "Budi"}}
	budi.say("/start " + w.code)
	budi.expect("Budi Santoso")
	budi.say("mulai")
	return budi, budi.expect(append([]string{"Pertanyaan 1/4"}, want...)...)
}

// waitHandled waits until the engine has handled update id (its inbound record).
func waitHandled(t *testing.T, w *telegramWorld, id int64) {
	t.Helper()
	key := fmt.Sprintf("%s:%d", strings.Split(tgToken, ":")[0], id)
	w.api.WaitFor(t, time.Minute, "update "+key+" handled", func() bool {
		return countRows(t, w, `SELECT count(*) FROM inbound_messages WHERE channel = 'telegram' AND message_id = $1`, key) == 1
	})
}

func answerValues(t *testing.T, w *telegramWorld, code string) []string {
	t.Helper()
	rows, err := w.store.Pool().Query(context.Background(), `SELECT value_text || coalesce(value_number::text, '') FROM answers WHERE question_code = $1 ORDER BY version`, code)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestInboundAnswerTypedWhileTheNextPromptIsQueuedIsBoundToTheQuestionSeen(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	startServe(t, w.env)
	budi, _ := budiAtTheFirstQuestion(t, w, 7801, "1.1")

	// The Bot API throttles every send: the reply to Budi's answer (question 1.2) stays
	// queued while he types again — a change of mind about 1.1, the question he sees.
	w.api.Throttle(1<<20, 3)
	budi.say("2") // "Tidak" for 1.1: saved, the dialogue moves to 1.2 (not delivered)
	id := budi.sayTracked("1")
	waitHandled(t, w, id)
	if got := answerValues(t, w, "1.2"); len(got) != 0 {
		t.Fatalf("an answer typed while 1.1 was shown was stored on 1.2: %v\n%s", got, budi.transcript())
	}
	w.api.Throttle(0, 1)
	budi.expect("Tersimpan: Tidak", "Pertanyaan 2/4", "“1” untuk pertanyaan 1.1 atau 1.2")
	budi.press("Untuk 1.1")
	budi.expect("Tersimpan: Ya", "Kirim bukti dukung")
	if got := answerValues(t, w, "1.1"); len(got) != 2 || got[1] != "ya" {
		t.Errorf("answers of 1.1: %v, want the second one ya", got)
	}
	if got := answerValues(t, w, "1.2"); len(got) != 0 {
		t.Errorf("answers of 1.2: %v, want none", got)
	}

	// The same answer typed again while its reply lags: saved already, nothing filed on
	// the next question.
	budi.press("Lewati")
	budi.expect("Pertanyaan 2/4")
	w.api.Throttle(1<<20, 3)
	budi.say("1") // Perda for 1.2: saved; its evidence prompt waits
	id = budi.sayTracked("1")
	waitHandled(t, w, id)
	w.api.Throttle(0, 1)
	budi.expect("Tersimpan: Perda", "Kirim bukti dukung", "“1” untuk pertanyaan 1.2 sudah tersimpan")
	if got := answerValues(t, w, "1.2"); len(got) != 1 {
		t.Errorf("answers of 1.2: %v, want one", got)
	}
	if n := countRows(t, w, `SELECT count(*) FROM answers WHERE question_code = '12.1'`); n != 0 {
		t.Errorf("%d answers on 12.1", n)
	}
}

func TestInboundReplayAfterTheDialogueMovedIsNotAppliedToTheNewPosition(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	startServe(t, w.env)
	budi, _ := budiAtTheFirstQuestion(t, w, 7802)
	budi.say("1")
	budi.expect("Tersimpan: Ya", "Kirim bukti dukung")
	// Budi sends a document and "1" for the evidence prompt he sees; both are held up
	// (a crashed replica, replayed later), and meanwhile he presses Lewati: the dialogue
	// moves to 1.2. Their date is the second the evidence prompt was on his screen.
	sent := time.Now().Unix()
	for time.Now().Unix() <= sent+1 { // the press comes after that second is over
		time.Sleep(50 * time.Millisecond)
	}
	budi.press("Lewati")
	budi.expect("Pertanyaan 2/4")
	at := func(u models.Update) models.Update { u.Message.Date = int(sent); return u }
	budi.msgID++
	w.api.AddFile("LAMA", "documents/sk-lama.pdf", pdfBytes)
	budi.push(at(budi.p.Document(budi.msgID, "LAMA", "sk-lama.pdf", "application/pdf", int64(len(pdfBytes)), "")))
	budi.expect("Untuk pertanyaan 1.1", "Diterima: sk-lama.pdf")
	var code string
	if err := w.store.Pool().QueryRow(context.Background(), `SELECT a.question_code FROM evidence e JOIN answers a ON a.id = e.answer_id`).Scan(&code); err != nil || code != "1.1" {
		t.Errorf("the replayed document is on %q (%v), want 1.1", code, err)
	}
	budi.msgID++
	budi.push(at(budi.p.Text(budi.msgID, "1")))
	budi.expect("“1”", "dikirim sebelum pertanyaan yang sekarang muncul", "Pertanyaan 2/4")
	if got := answerValues(t, w, "1.2"); len(got) != 0 {
		t.Errorf("a replayed message was stored on 1.2: %v", got)
	}
}

func TestInboundRepeatedPromptIsDroppedOnceItsQuestionIsAnswered(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	startServe(t, w.env)
	budi, first := budiAtTheFirstQuestion(t, w, 7803)
	budi.press("Ya")
	budi.expect("Tersimpan: Ya", "Kirim bukti dukung")
	budi.press("Lewati")
	budi.expect("Pertanyaan 2/4")
	// While the replies lag, Budi presses a button of the first question again (the bot
	// answers "that button is old" and repeats question 1.2), then answers 1.2 on the
	// message he has: the repeat, still queued, would arrive after his answer. It is
	// dropped.
	w.api.Throttle(1<<20, 3)
	id := w.api.AddUpdate(budi.p.Press(first[len(first)-1], "a:1.1:1"))
	waitHandled(t, w, id)
	var prompt fakebotapi.Message
	for _, m := range w.api.Messages(budi.p.ChatID()) {
		if strings.Contains(m.Text, "Pertanyaan 2/4") {
			prompt = m
		}
	}
	id = w.api.AddUpdate(budi.p.Press(prompt, "a:1.2:1"))
	waitHandled(t, w, id)
	w.api.Throttle(0, 1)
	got := budi.expect("Tombol itu dari pesan sebelumnya", "Tersimpan: Perda", "Kirim bukti dukung")
	for _, m := range got {
		if strings.Contains(m.Text, "Pertanyaan 2/4") {
			t.Errorf("question 1.2 repeated after it was answered:\n%s", budi.transcript())
		}
	}
}

// The 429 backlog (the fault mode's 429-backlog row): Budi answers 1.1, and while the
// reply lags he types the answer again. The bot's next prompt (1.2) starts its send in
// the very second he types — Telegram dates messages to the whole second, so the dates
// cannot tell which came first — but it reaches the chat after his message: his message
// has the smaller message_id. It is bound to 1.1, the question he saw, not stored on 1.2.
func TestInboundAnswerTypedInTheSecondTheNextPromptStartsIsBoundToTheQuestionSeen(t *testing.T) {
	t.Parallel()
	w := newTelegramWorld(t)
	startServe(t, w.env)
	budi, _ := budiAtTheFirstQuestion(t, w, 7803, "1.1")

	w.api.Throttle(1<<20, 1)
	budi.say("2") // "Tidak" for 1.1: saved, the dialogue moves to 1.2 (its prompt held up)
	// He types "2" again while the reply lags: Telegram numbers it now, before the prompt
	// of 1.2 reaches the chat, and delivers it to the bot late (a webhook backlog).
	retyped := w.api.Number(budi.p.Text(0, "2"))
	w.api.Throttle(0, 1)
	budi.expect("Tersimpan: Tidak", "Pertanyaan 2/4")
	// Dated the second the prompt of 1.2 started its send. Its record commits right after
	// the fake answered the send, so it may come a moment after the message itself.
	var started time.Time
	w.api.WaitFor(t, time.Minute, "the prompt of 1.2 recorded", func() bool {
		err := w.store.Pool().QueryRow(context.Background(), `
			SELECT started_at FROM outbound_deliveries
			WHERE chat_id = $1 AND asks LIKE 'question 1.2 %' AND state = 'sent'`, budi.p.ChatID()).Scan(&started)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			t.Fatal(err)
		}
		return err == nil
	})
	retyped.Message.Date = int(started.Unix())
	waitHandled(t, w, w.api.AddUpdate(retyped))
	if got := answerValues(t, w, "1.2"); len(got) != 0 {
		t.Fatalf("an answer typed while 1.1 was shown was stored on 1.2: %v\n%s", got, budi.transcript())
	}
	budi.expect("“2” untuk pertanyaan 1.1 sudah tersimpan")
	if got := answerValues(t, w, "1.1"); len(got) != 1 || got[0] != "tidak" {
		t.Errorf("answers of 1.1: %v, want one, tidak", got)
	}

	// The person answering the instant a prompt arrives, within the same second its send
	// started: numbered after it, the answer is for it.
	budi.say("1") // Perda for 1.2
	budi.expect("Tersimpan: Perda", "Kirim bukti dukung")
	if got := answerValues(t, w, "1.2"); len(got) != 1 {
		t.Errorf("answers of 1.2: %v, want one", got)
	}
}
