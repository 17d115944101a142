package review_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
)

// budiAnswersAll takes Budi through Dinas Kesehatan's three questions: 1.1 ya with an
// SK as evidence and a narrative, 1.2 sebagian, 12.1 three meetings.
func budiAnswersAll(t *testing.T, w *reviewWorld) {
	t.Helper()
	expect(t, w.say("budi", "mulai"), "chat-budi", "1.1")
	w.say("budi", "ya")
	expect(t, w.upload("budi", "sk-gugus-tugas.pdf", "v1"), "chat-budi", "sk-gugus-tugas.pdf")
	w.say("budi", "selesai")
	expect(t, w.say("budi", "SK ditandatangani Januari 2026."), "chat-budi", "1.2")
	expect(t, w.say("budi", "sebagian"), "chat-budi", "12.1")
	w.say("budi", "3")
}

// TestReviewRoundTrip: a coordinator asks for a revision, approves, rejects; the focal
// points are told with the note, the questions reopen first, the new versions come back
// to the queue, and the verified score moves only with approvals.
func TestReviewRoundTrip(t *testing.T) {
	t.Parallel()
	w := newReviewWorld(t, 0)
	budiAnswersAll(t, w)
	if waiting := w.pointsWaiting(); waiting != 500 {
		t.Fatalf("points waiting for review = %v, want 500", waiting)
	}
	// The digest shows the queue and what it is worth.
	rs, err := conversations.NewScorer(w.store, w.clock).Score(w.ctx, "KOTA-UJI", 2026)
	if err != nil {
		t.Fatal(err)
	}
	digest := digest.DigestText(digest.NewDigest(rs.Region, rs.At, &rs.Report, digest.DigestFacts{PendingReviews: 3}, nil))
	if !strings.Contains(digest, "Menunggu tinjauan: 3 jawaban senilai 500,0 poin (ketik tinjau)") {
		t.Fatalf("digest:\n%s", digest)
	}
	claimed, evidenced, verified := w.scores()
	// 1.1 ya 250 + 1.2 sebagian 125 + 12.1 three meetings (band 1-4: half of 250) 125.
	if claimed != 500 || evidenced != 500 || verified != 0 {
		t.Fatalf("before review: claimed %v evidenced %v verified %v, want 500/500/0", claimed, evidenced, verified)
	}

	// > tinjau: the SK is forwarded as a file, then the card with the buttons.
	outs := w.say("koor", "tinjau")
	if len(outs) != 2 || outs[0].Attachment == nil || outs[0].Attachment.Name != "sk-gugus-tugas.pdf" ||
		!bytes.HasSuffix(outs[0].Attachment.Data, []byte("v1")) || outs[1].Attachment != nil {
		t.Fatalf("tinjau: want the evidence file then the card, got %d messages: %s", len(outs), text(outs, "chat-koor"))
	}
	expect(t, outs, "chat-koor", "Bukti 1/1 untuk 1.1: sk-gugus-tugas.pdf",
		"3 menunggu", "Kelembagaan", "Indikator 1: Kebijakan KLA", "1.1 — Apakah ada SK Gugus Tugas KLA?",
		"OPD: Dinas Kesehatan · dijawab Budi Santoso, 2 Maret 2026 09.02 WIB (versi 1)",
		"Jawaban: Ya", "Narasi: SK ditandatangani Januari 2026.", "Bukti: 1 berkas (sk-gugus-tugas.pdf)",
		"1. ✅ Terima", "2. 🔁 Minta perbaikan", "3. ⛔ Tolak", "4. ⏭ Lewati dulu")

	// Minta perbaikan asks for a note; the note goes to both Dinkes focal points.
	expect(t, w.press("koor", button(t, outs, "Minta perbaikan")), "chat-koor", "Tulis catatan singkat untuk OPD", "1.1")
	outs = w.say("koor", "Foto SK tidak terbaca, mohon kirim ulang.")
	for _, fp := range []string{"chat-budi", "chat-sari"} {
		expect(t, outs, fp, "🔁 Jawaban OPD Anda perlu perbaikan", "Pertanyaan 1.1 — Apakah ada SK Gugus Tugas KLA?",
			"Jawaban: Ya", `Catatan dari Rina Koordinator (koordinator): "Foto SK tidak terbaca, mohon kirim ulang."`, "ubah 1.1")
	}
	if text(outs, "chat-ani") != "" {
		t.Fatal("Dinas Pendidikan was told about a Dinkes answer")
	}
	expect(t, outs, "chat-koor", "1.1: perlu perbaikan. Catatan Anda sudah dikirim ke Budi Santoso, Sari Dewi.",
		"2 menunggu", "1.2 — Apakah Puskesmas sudah ramah anak?", "Jawaban: Sebagian")

	// Terima 1.2, then Tolak 12.1: cancel once, then with a reason.
	outs = w.press("koor", button(t, outs, "Terima"))
	expect(t, outs, "chat-koor", "✅ 1.2 diterima.", "1 menunggu", "12.1", "Jawaban: 3")
	reject := button(t, outs, "Tolak")
	expect(t, w.press("koor", reject), "chat-koor", "Tulis alasan penolakan 12.1")
	expect(t, w.say("koor", "batal"), "chat-koor", "Dibatalkan. Jawaban 12.1 tetap menunggu tinjauan.")
	w.press("koor", reject)
	outs = w.say("koor", "Notulen hanya ada untuk 2 rapat.")
	expect(t, outs, "chat-budi", "⛔ Jawaban OPD Anda ditolak", "12.1", `"Notulen hanya ada untuk 2 rapat."`)
	expect(t, outs, "chat-koor", "12.1: ditolak.", "Tidak ada jawaban yang menunggu tinjauan.")
	if _, _, verified = w.scores(); verified != 125 {
		t.Fatalf("verified after approving 1.2 (sebagian of 250) = %v, want 125", verified)
	}
	if waiting := w.pointsWaiting(); waiting != 0 { // the rest was sent back, not waiting
		t.Fatalf("points waiting for review = %v, want 0", waiting)
	}

	// Budi resumes: the questions sent back come first, the latest decision first.
	expect(t, w.say("budi", "lanjut"), "chat-budi", "12.1", "Berapa kali rapat koordinasi")
	expect(t, w.say("budi", "5"), "chat-budi", "1.1", "Apakah ada SK Gugus Tugas KLA?", "Jawaban saat ini: Ya",
		`🔁 Dikembalikan koordinator (perlu perbaikan) oleh Rina Koordinator: "Foto SK tidak terbaca, mohon kirim ulang."`)
	w.say("budi", "ya")
	w.upload("budi", "sk-gugus-tugas-jelas.pdf", "v2")
	w.say("budi", "selesai")
	w.say("budi", "lewati")
	if n := w.count(`SELECT count(*) FROM answers WHERE question_code IN ('1.1', '12.1')`); n != 4 {
		t.Fatalf("answer versions of 1.1 and 12.1 = %d, want 4", n)
	}

	// The new versions are back in the queue, marked as edits.
	outs = w.say("koor", "tinjau")
	expect(t, outs, "chat-koor", "2 menunggu", "12.1", "(versi 2)", `✏️ Diubah setelah tinjauan sebelumnya (ditolak: "Notulen hanya ada untuk 2 rapat.")`, "Jawaban: 5")
	outs = w.press("koor", button(t, outs, "Terima"))
	var forwarded []string
	for _, o := range outs {
		if o.Attachment != nil {
			forwarded = append(forwarded, o.Attachment.Name+":"+string(o.Attachment.Data[len(o.Attachment.Data)-2:]))
		}
	}
	// The new version keeps the earlier file (the engine carries evidence over) and adds the new one.
	if strings.Join(forwarded, " ") != "sk-gugus-tugas.pdf:v1 sk-gugus-tugas-jelas.pdf:v2" {
		t.Fatalf("forwarded evidence of 1.1 v2 = %q", forwarded)
	}
	expect(t, outs, "chat-koor", "✅ 12.1 diterima.", "1.1", "(versi 2)", "perlu perbaikan", "sk-gugus-tugas-jelas.pdf")
	expect(t, w.press("koor", button(t, outs, "Terima")), "chat-koor", "✅ 1.1 diterima.", "Tidak ada jawaban yang menunggu tinjauan.")
	claimed, evidenced, verified = w.scores()
	if claimed != 625 || verified != evidenced || verified != 625 { // 12.1 now five meetings: 250
		t.Fatalf("after approving everything: claimed %v evidenced %v verified %v, want 625 each", claimed, evidenced, verified)
	}

	// riwayat shows every version with its reviews, in the region's time.
	expect(t, w.say("koor", "riwayat 1.1"), "chat-koor", "📜 Riwayat 1.1",
		"v1 · 2 Maret 2026 09.02 WIB · Budi Santoso (Dinas Kesehatan)", "Jawaban: Ya · sk-gugus-tugas.pdf",
		`↳ perlu perbaikan "Foto SK tidak terbaca, mohon kirim ulang." — Rina Koordinator`,
		"v2 ·", "sk-gugus-tugas-jelas.pdf", "↳ diterima — Rina Koordinator", "Status sekarang: diterima")
	expect(t, w.say("koor", "riwayat 3"), "chat-koor", "📜 Riwayat 12.1", "v1", "ditolak", "v2", "diterima")
	expect(t, w.say("koor", "riwayat 12.6"), "chat-koor", "Pertanyaan 12.6 belum pernah dijawab.")
	expect(t, w.say("koor", "riwayat 99"), "chat-koor", `Pertanyaan "99" tidak ada di instrumen 2026.`)
	expect(t, w.say("koor", "riwayat"), "chat-koor", "riwayat 14.1")
}

// TestReviewPermissions: focal points, heads and another region's coordinator cannot
// review, not even with a forged button, and nothing is recorded.
func TestReviewPermissions(t *testing.T) {
	t.Parallel()
	w := newReviewWorld(t, 0)
	budiAnswersAll(t, w)
	ok := button(t, w.say("koor", "tinjau"), "Terima")
	for _, who := range []string{"budi", "wali"} {
		expect(t, w.say(who, "tinjau"), "chat-"+who, "tidak tersedia untuk peran Anda")
		expect(t, w.say(who, "riwayat 1.1"), "chat-"+who, "tidak tersedia untuk peran Anda")
		expect(t, w.say(who, "ekspor"), "chat-"+who, "tidak tersedia untuk peran Anda")
		expect(t, w.press(who, ok), "chat-"+who, "hanya untuk koordinator KLA")
	}
	expect(t, w.say("lain", "tinjau"), "chat-lain", "Tidak ada jawaban yang menunggu tinjauan.")
	expect(t, w.press("lain", ok), "chat-lain", "tidak ditemukan di wilayah Anda")
	expect(t, w.say("lain", "riwayat 1.1"), "chat-lain", "Pertanyaan 1.1 belum pernah dijawab.")
	if n := w.count(`SELECT count(*) FROM reviews`); n != 0 {
		t.Fatalf("%d reviews recorded by people who may not review", n)
	}
	expect(t, w.press("koor", ok), "chat-koor", "✅ 1.1 diterima.")
	expect(t, w.press("koor", ok), "chat-koor", "Jawaban 1.1 sudah ditinjau: diterima oleh Rina Koordinator.")
	if n := w.count(`SELECT count(*) FROM reviews`); n != 1 {
		t.Fatalf("reviews = %d after a double press, want 1", n)
	}
}

// TestReviewFiltersStaleAndSkip: filters, a press on a version replaced meanwhile, and
// setting an answer aside.
func TestReviewFiltersStaleAndSkip(t *testing.T) {
	t.Parallel()
	w := newReviewWorld(t, 0)
	budiAnswersAll(t, w)
	w.say("ani", "mulai")
	w.say("ani", "ya")

	expect(t, w.say("koor", "tinjau DISDIK"), "chat-koor", "1 menunggu (DISDIK)", "12.6", "Ani Lestari")
	expect(t, w.say("koor", "tinjau dinas pendidikan"), "chat-koor", "(DISDIK)", "12.6")
	expect(t, w.say("koor", "tinjau klaster 3"), "chat-koor", "2 menunggu (Klaster III)", "12.1")
	expect(t, w.say("koor", "tinjau kelembagaan bukti"), "chat-koor", "1 menunggu (Kelembagaan, yang ada buktinya)", "1.1")
	expect(t, w.say("koor", "tinjau DISDIK bukti"), "chat-koor", "Tidak ada jawaban yang menunggu tinjauan untuk DISDIK, yang ada buktinya.")
	outs := w.say("koor", "tinjau DISDIK")
	expect(t, w.press("koor", button(t, outs, "Lewati dulu")), "chat-koor", "Tidak ada lagi yang menunggu selain 1 jawaban yang Anda lewati.")

	// Lewati dulu sets 1.1 aside for this round.
	outs = w.say("koor", "tinjau")
	expect(t, outs, "chat-koor", "4 menunggu", "1.1")
	outs = w.press("koor", button(t, outs, "Lewati dulu"))
	expect(t, outs, "chat-koor", "4 menunggu", "1.2")
	approve12 := button(t, outs, "Terima")

	// Budi changes 1.2 while the card is open: the press hits a stale version.
	w.say("budi", "ubah 1.2")
	w.say("budi", "tidak")
	expect(t, w.press("koor", strings.Replace(approve12, "rv:ok:", "rv:fix:", 1)), "chat-koor",
		"Jawaban 1.2 sudah diganti versi baru", "1.2", "(versi 2)") // no note asked for a stale version
	outs = w.press("koor", approve12)
	expect(t, outs, "chat-koor", "Jawaban 1.2 sudah diganti versi baru", "1.2", "(versi 2)", "Jawaban: Tidak")
	if n := w.count(`SELECT count(*) FROM reviews`); n != 0 {
		t.Fatalf("a stale version was reviewed (%d reviews)", n)
	}
	// A note request is dropped by a new tinjau, and the interrupted mode comes back.
	w.press("koor", button(t, outs, "Tolak"))
	expect(t, w.say("koor", "tinjau"), "chat-koor", "4 menunggu", "1.1")
	expect(t, w.say("koor", "Ini bukan catatan"), "chat-koor", "")
	if n := w.count(`SELECT count(*) FROM reviews`); n != 0 {
		t.Fatalf("text after a cancelled note request was recorded as a review")
	}
}

// TestExportInChat: the pack comes as a ZIP attachment when small enough, otherwise the
// coordinator is told where it was written.
func TestExportInChat(t *testing.T) {
	t.Parallel()
	w := newReviewWorld(t, 0)
	budiAnswersAll(t, w)
	outs := w.say("koor", "ekspor")
	if len(outs) != 1 || outs[0].Attachment == nil || outs[0].Attachment.MIME != "application/zip" ||
		!strings.HasPrefix(outs[0].Attachment.Name, "bukti-KLA-KOTA-UJI-2026-") {
		t.Fatalf("ekspor: %+v", outs)
	}
	expect(t, outs, "chat-koor", "📦 Paket bukti Kota Uji tahun 2026: 4 pertanyaan, 3 dijawab, 1 berkas bukti")
	data := outs[0].Attachment.Data
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	want := "Kelembagaan/Indikator 01 Kebijakan KLA/1.1 Apakah ada SK Gugus Tugas KLA/sk-gugus-tugas.pdf"
	if len(names) != 3 || names[0] != want || names[1] != "ringkasan.xlsx" || names[2] != "BACA-SAYA.txt" {
		t.Fatalf("zip entries = %q", names)
	}
	expect(t, w.say("koor", "ekspor 1999"), "chat-koor", "Tahun tidak dikenali")
	expect(t, w.say("koor", "ekspor 2030"), "chat-koor", "Belum ada instrumen tahun 2030")

	small := newReviewWorld(t, 100)
	outs = small.say("koor", "ekspor")
	if len(outs) != 1 || outs[0].Attachment != nil {
		t.Fatalf("a pack over the limit was attached: %+v", outs)
	}
	expect(t, outs, "chat-koor", "terlalu besar untuk dikirim lewat chat (batas 100 B)", small.export.Dir, "bukti-KLA-KOTA-UJI-2026-")
}
