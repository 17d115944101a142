package console_test

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/console"
	"github.com/klabot/klabot/bot/console/consoletest"
	"github.com/klabot/klabot/conversations"
)

// TestConcurrentMessagesOfOneChat sends ten "lewati" of one chat at once through two
// engines (two klabot processes). The Redis chat lock applies them one after the other:
// the eight questions are skipped once each, then the closing summary, then two polite
// "nothing to skip" — no question skipped twice, no step lost.
func TestConcurrentMessagesOfOneChat(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	first := w.eng
	w.restart()
	second := w.eng
	budi := w.session("budi")
	if _, err := budi.Send(w.Ctx, "mulai"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	replies := make([]string, 10)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			eng := first
			if i%2 == 1 {
				eng = second
			}
			in := conversations.Inbound{Address: budi.Address(), SenderID: budi.Address().ChatID,
				MessageID: fmt.Sprintf("concurrent-%d", i), Text: "lewati", At: w.Clock.Now()}
			outs, err := eng.Handle(context.Background(), in)
			if err != nil {
				t.Errorf("message %d: %v", i, err)
			}
			replies[i] = console.Render(outs)
		}()
	}
	wg.Wait()
	if n := w.QueryInt(`SELECT count(*) FROM skips`); n != 8 {
		t.Errorf("skips = %d, want 8 (one per question)", n)
	}
	done, nothing := 0, 0
	for _, r := range replies {
		switch {
		case strings.Contains(r, "Semua pertanyaan Dinas Kesehatan sudah ditangani"):
			done++
		case strings.Contains(r, "Tidak ada pertanyaan yang sedang dibuka"):
			nothing++
		}
	}
	if done != 1 || nothing != 2 {
		t.Errorf("want one closing summary and two 'nothing to skip', got %d and %d:\n%s", done, nothing, strings.Join(replies, "\n---\n"))
	}
}

// TestEngineRepliesCarryThePerson checks what channels rely on: replies name their
// recipient, and answer buttons name their question.
func TestEngineRepliesCarryThePerson(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	outs, err := w.session("budi").Send(w.Ctx, "mulai")
	if err != nil {
		t.Fatal(err)
	}
	if len(outs) != 1 || outs[0].PersonID != w.People["budi"] || len(outs[0].Buttons) != 2 {
		t.Fatalf("want one question with two buttons for budi, got %+v", outs)
	}
	if got := outs[0].Buttons[0][0].Data; got != "a:1.1:1" {
		t.Errorf("button data %q names no question", got)
	}
}

// BenchmarkEngineStep measures one answer through the engine with the real stores:
// lock, state load, progress, the answer transaction, state save.
func BenchmarkEngineStep(b *testing.B) {
	w := newWorld(b)
	s := w.session("budi")
	ctx := context.Background()
	if _, err := s.Send(ctx, "mulai"); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		if _, err := s.Send(ctx, "ubah 4"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		outs, err := s.Send(ctx, "12")
		if err != nil || len(outs) == 0 || !strings.Contains(outs[0].Text, "Tersimpan") {
			b.Fatalf("answer: %v %+v", err, outs)
		}
	}
}

// TestUnknownSenderInAGroupStaysQuiet: in a group chat, people klabot does not know are
// not answered (the explanation would spam the group); an invite code there is refused
// politely and left unused (a group must never become a person's chat).
func TestUnknownSenderInAGroupStaysQuiet(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	in := conversations.Inbound{Address: conversations.Address{Channel: conversations.ChannelTelegram, ChatID: "-100"},
		SenderID: "77", MessageID: "g1", Text: "selamat pagi semua", Group: true, At: w.Clock.Now()}
	outs, err := w.eng.Handle(w.Ctx, in)
	if err != nil || len(outs) != 0 {
		t.Fatalf("group chatter got %v, %v", outs, err)
	}
	code, err := w.Store.CreateInvite(w.Ctx, w.People["dewi"], time.Hour)
	must(t, err)
	in.MessageID, in.Text = "g2", "/start@klabot_bot "+code
	outs, err = w.eng.Handle(w.Ctx, in)
	if err != nil || len(outs) != 1 || !strings.Contains(outs[0].Text, "chat pribadi") {
		t.Fatalf("invite in a group: %+v, %v", outs, err)
	}
	// The code still works in a private chat.
	in.Address.ChatID, in.Group, in.MessageID = "77", false, "p1"
	outs, err = w.eng.Handle(w.Ctx, in)
	if err != nil || len(outs) != 1 || !strings.Contains(outs[0].Text, "Selamat datang, Dewi Anggraini") {
		t.Fatalf("invite in a private chat: %+v, %v", outs, err)
	}
}

// TestNewEvaluationYear: when the region moves to a year without an imported instrument,
// people are told so kindly; when it is imported, their questions start afresh.
func TestNewEvaluationYear(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	budi := w.session("budi")
	for _, line := range []string{"mulai", "lewati", "lewati"} {
		if _, err := budi.Send(w.Ctx, line); err != nil {
			t.Fatal(err)
		}
	}
	r, err := w.Store.Region(w.Ctx, "KOTA-UJI")
	must(t, err)
	r.Year = 2027
	must(t, w.Store.UpsertRegion(w.Ctx, r))
	w.restart()
	budi = w.session("budi")
	outs, err := budi.Send(w.Ctx, "lanjut")
	if err != nil || len(outs) != 1 || !strings.Contains(outs[0].Text, "Instrumen penilaian tahun 2027 belum dimuat") {
		t.Fatalf("year without instrument: %+v, %v", outs, err)
	}
	inst := consoletest.Instrument()
	inst.Year = 2027
	if _, err := w.Store.SaveInstrument(w.Ctx, inst); err != nil {
		t.Fatal(err)
	}
	w.restart()
	outs, err = w.session("budi").Send(w.Ctx, "lanjut")
	if err != nil || len(outs) != 1 || !strings.Contains(outs[0].Text, "Pertanyaan 1/8 · 1.1") || strings.Contains(outs[0].Text, "Jawaban saat ini") {
		t.Fatalf("new year's first question: %+v, %v", outs, err)
	}
}

// TestPlatformRefusesBigFile: a file whose size the platform did not declare, but whose
// download the platform refuses for its size (Telegram's 20 MB getFile limit), gets the
// size message, not "download failed", and nothing is stored.
func TestPlatformRefusesBigFile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	budi := w.session("budi")
	if _, err := budi.Send(w.Ctx, "mulai"); err != nil {
		t.Fatal(err)
	}
	refused := fmt.Errorf("getFile: %w", conversations.ErrFileTooBig)
	in := conversations.Inbound{Address: budi.Address(), SenderID: budi.Address().ChatID,
		MessageID: "big-1", At: w.Clock.Now(), Files: []conversations.File{{
			Name: "video.mp4",
			Open: func(context.Context) (io.ReadCloser, error) { return nil, refused },
		}}}
	outs, err := w.eng.Handle(w.Ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	got := console.Render(outs)
	if !strings.Contains(got, "video.mp4 tidak diterima: lebih besar dari batas") {
		t.Errorf("reply does not name the size limit:\n%s", got)
	}
	if n := w.BlobCount(); n != 0 {
		t.Errorf("%d blobs stored for a refused file", n)
	}
}
