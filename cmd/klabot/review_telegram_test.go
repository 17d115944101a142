package main

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/bot/telegram/fakebotapi"
	"github.com/klabot/klabot/conversations"
)

// TestServeTelegramReview runs the review loop through `klabot serve` and a fake Bot API:
// the coordinator gets the evidence file itself and the card with inline buttons, asks
// for a revision with a note, and the focal point gets the note in their own chat; the
// new answer returns to the queue and is approved.
func TestServeTelegramReview(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newTelegramWorld(t)
	koorID, err := w.store.UpsertPerson(ctx, conversations.Person{Name: "Rina Koordinator", Role: conversations.RoleCoordinator, RegionCode: "KOTA-UJI", Language: "id"}, "")
	if err != nil {
		t.Fatal(err)
	}
	koorCode, err := w.store.CreateInvite(ctx, koorID, 24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	startServe(t, w.env)
	budi := &tgChat{t: t, api: w.api, p: fakebotapi.Person{ID: 7101, FirstName: "Budi"}}
	koor := &tgChat{t: t, api: w.api, p: fakebotapi.Person{ID: 7102, FirstName: "Rina"}}

	budi.say("/start " + w.code)
	budi.expect("Budi Santoso")
	budi.say("mulai")
	budi.expect("Pertanyaan 1/4")
	budi.press("Ya")
	budi.expect("Kirim bukti dukung")
	budi.document("sk-gugus-tugas.pdf", "application/pdf", pdfBytes, int64(len(pdfBytes)))
	budi.expect("Diterima: sk-gugus-tugas.pdf")
	budi.press("Selesai")
	budi.expect("keterangan singkat")
	budi.say("berhenti")
	budi.expect("jeda")

	koor.say("/start " + koorCode)
	koor.expect("Rina Koordinator")
	koor.say("tinjau")
	card := koor.expect("Bukti 1/1 untuk 1.1: sk-gugus-tugas.pdf", "🔎 Tinjauan — 1 menunggu", "1.1 — Apakah ada SK Gugus Tugas KLA?", "Jawaban: Ya")
	var doc *fakebotapi.Message
	for i := range card {
		if card[i].Method == "sendDocument" {
			doc = &card[i]
		}
	}
	if doc == nil || doc.File == nil || doc.File.Name != "sk-gugus-tugas.pdf" || !bytes.Equal(doc.File.Data, pdfBytes) {
		t.Fatalf("the evidence was not forwarded as the file itself:\n%s", koor.transcript())
	}
	koor.press("🔁 Minta perbaikan")
	koor.expect("Tulis catatan singkat untuk OPD")
	koor.say("SK belum ditandatangani, mohon kirim versi final.")
	koor.expect("1.1: perlu perbaikan. Catatan Anda sudah dikirim ke Budi Santoso.", "Tidak ada jawaban yang menunggu")
	budi.expect("🔁 Jawaban OPD Anda perlu perbaikan", `"SK belum ditandatangani, mohon kirim versi final."`, "ubah 1.1")

	budi.say("ubah 1.1")
	budi.expect("Pertanyaan 1/4", "Dikembalikan koordinator (perlu perbaikan) oleh Rina Koordinator")
	budi.press("Ya")
	// The file the coordinator sent back does not carry over silently (issue 14, item 4).
	budi.expect("Bukti lama dari jawaban yang dikembalikan koordinator (1 file) masih terlampir")
	budi.press("Mulai tanpa bukti lama")
	budi.expect("Bukti lama dilepas", "Kirim bukti dukung")
	budi.document("sk-final.pdf", "application/pdf", append(pdfBytes, '2'), int64(len(pdfBytes)+1))
	budi.expect("Diterima: sk-final.pdf")

	koor.say("tinjau")
	koor.expect("(versi 3)", "✏️ Diubah setelah tinjauan sebelumnya", "sk-final.pdf")
	koor.press("✅ Terima")
	koor.expect("✅ 1.1 diterima.")
	var state string
	if err := w.store.Pool().QueryRow(ctx, `SELECT r.state FROM reviews r JOIN current_answers a ON a.id = r.answer_id
		WHERE a.question_code = '1.1'`).Scan(&state); err != nil || state != "approved" {
		t.Fatalf("current version of 1.1: review %q, %v", state, err)
	}

	// A note to a focal point who blocked the bot meanwhile: the coordinator is told it
	// was sent, and the notifications log says what became of each notice (issue 14,
	// item 5): the first note and the coordinator's "diperbaiki" notice sent, this one
	// blocked.
	budi.say("selesai")
	budi.expect("keterangan singkat")
	budi.say("ubah 12.1")
	budi.expect("12.1")
	budi.say("3")
	budi.expect("Tersimpan: 3")
	w.api.Block(budi.p.ChatID())
	koor.say("tinjau")
	koor.expect("12.1 — Berapa kali rapat koordinasi tahun ini?")
	koor.press("🔁 Minta perbaikan")
	koor.expect("Tulis catatan singkat untuk OPD")
	koor.say("Lampirkan notulen rapat.")
	koor.expect("12.1: perlu perbaikan.")
	logOf := func(person int64) string {
		out, err := runWith(t, w.env, "", "notifications", "--region", "KOTA-UJI", "--person", strconv.FormatInt(person, 10))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	w.api.WaitFor(t, 30*time.Second, "the blocked note recorded", func() bool {
		return strings.Contains(logOf(w.budiID), "tidak bisa dihubungi")
	})
	budiLog := logOf(w.budiID)
	for _, want := range []string{"catatan tinjauan  tidak bisa dihubungi (bot diblokir)", "catatan tinjauan  terkirim"} {
		if !strings.Contains(budiLog, want) {
			t.Errorf("Budi's notifications lack %q:\n%s", want, budiLog)
		}
	}
	if koorLog := logOf(koorID); !strings.Contains(koorLog, "jawaban diperbaiki  terkirim") {
		t.Errorf("the coordinator's notifications lack the fixed answer's notice:\n%s", koorLog)
	}
}
