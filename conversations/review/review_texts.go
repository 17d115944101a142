package review

import "github.com/klabot/klabot/conversations"

// The review feature's texts, Indonesian first, English second (same fmt verbs in the
// same order). Kept beside the feature and merged into the one catalogue (catalogue.go).
const (
	rvOnlyCoordinators   msgKey = "rv_only_coordinators"
	rvNotReady           msgKey = "rv_not_ready"
	rvQueueEmpty         msgKey = "rv_queue_empty"
	rvQueueEmptyFilter   msgKey = "rv_queue_empty_filter"
	rvOnlySkipped        msgKey = "rv_only_skipped"
	rvHeader             msgKey = "rv_header"
	rvAnsweredBy         msgKey = "rv_answered_by"
	rvEdited             msgKey = "rv_edited"
	rvAnswer             msgKey = "rv_answer"
	rvNarrative          msgKey = "rv_narrative"
	rvNoEvidence         msgKey = "rv_no_evidence"
	rvEvidenceMissing    msgKey = "rv_evidence_missing"
	rvEvidenceList       msgKey = "rv_evidence_list"
	rvEvidenceCaption    msgKey = "rv_evidence_caption"
	rvEvidenceGone       msgKey = "rv_evidence_gone"
	rvApprove            msgKey = "rv_approve"
	rvRevise             msgKey = "rv_revise"
	rvReject             msgKey = "rv_reject"
	rvSkip               msgKey = "rv_skip"
	rvAskNoteRevise      msgKey = "rv_ask_note_revise"
	rvAskNoteReject      msgKey = "rv_ask_note_reject"
	rvNoteEmpty          msgKey = "rv_note_empty"
	rvNoteTooLong        msgKey = "rv_note_too_long"
	rvCancelled          msgKey = "rv_cancelled"
	rvNoteWaiting        msgKey = "rv_note_waiting"
	rvNoteNoWords        msgKey = "rv_note_no_words"
	rvReviseDropped      msgKey = "rv_revise_dropped"
	rvRejectDropped      msgKey = "rv_reject_dropped"
	rvApproved           msgKey = "rv_approved"
	rvSentBack           msgKey = "rv_sent_back"
	rvNobodyToTell       msgKey = "rv_nobody_to_tell"
	rvStale              msgKey = "rv_stale"
	rvAlreadyReviewed    msgKey = "rv_already_reviewed"
	rvGone               msgKey = "rv_gone"
	rvNoticeRevise       msgKey = "rv_notice_revise"
	rvNoticeReject       msgKey = "rv_notice_reject"
	rvNoticeBody         msgKey = "rv_notice_body"
	rvHistoryUsage       msgKey = "rv_history_usage"
	rvHistoryUnknown     msgKey = "rv_history_unknown"
	rvHistoryNone        msgKey = "rv_history_none"
	rvHistoryTitle       msgKey = "rv_history_title"
	rvHistoryVersion     msgKey = "rv_history_version"
	rvHistoryReview      msgKey = "rv_history_review"
	rvHistoryNow         msgKey = "rv_history_now"
	rvExportNotReady     msgKey = "rv_export_not_ready"
	rvExportBadYear      msgKey = "rv_export_bad_year"
	rvExportSent         msgKey = "rv_export_sent"
	rvExportTooBig       msgKey = "rv_export_too_big"
	rvExportMissing      msgKey = "rv_export_missing"
	rvExportLink         msgKey = "rv_export_link"
	rvExportNoInstrument msgKey = "rv_export_no_instrument"
)

var reviewTexts = conversations.Texts{
	rvOnlyCoordinators: {
		"Maaf, peninjauan jawaban dan ekspor bukti hanya untuk koordinator KLA wilayah Anda. Ketik bantuan untuk perintah Anda.",
		"Sorry, reviewing answers and exporting evidence are for your region's KLA coordinators only. Type help for your commands."},
	rvNotReady: {
		"Peninjauan belum disiapkan di server ini. Hubungi admin klabot.",
		"Reviewing is not set up on this server. Contact the klabot admin."},
	rvQueueEmpty: {
		"Tidak ada jawaban yang menunggu tinjauan. 🎉",
		"No answers are waiting for review. 🎉"},
	rvQueueEmptyFilter: {
		"Tidak ada jawaban yang menunggu tinjauan untuk %s. Ketik tinjau untuk semua.",
		"No answers wait for review for %s. Type tinjau for all."},
	rvOnlySkipped: {
		"Tidak ada lagi yang menunggu selain %d jawaban yang Anda lewati. Ketik tinjau untuk melihatnya lagi.",
		"Nothing else is waiting besides the %d answer(s) you skipped. Type tinjau to see them again."},
	rvHeader:     {"🔎 Tinjauan — %d menunggu%s", "🔎 Review — %d waiting%s"},
	rvAnsweredBy: {"OPD: %s · dijawab %s, %s (versi %d)", "OPD: %s · answered by %s, %s (version %d)"},
	rvEdited: {
		"✏️ Diubah setelah tinjauan sebelumnya (%s: %q).",
		"✏️ Edited after an earlier review (%s: %q)."},
	rvAnswer:          {"Jawaban: %s", "Answer: %s"},
	rvNarrative:       {"Narasi: %s", "Narrative: %s"},
	rvNoEvidence:      {"Bukti: belum ada berkas.", "Evidence: no files yet."},
	rvEvidenceMissing: {"⚠️ Pertanyaan ini wajib bukti dukung.", "⚠️ This question requires evidence."},
	rvEvidenceList:    {"Bukti: %d berkas (%s), dikirim di atas.", "Evidence: %d file(s) (%s), sent above."},
	rvEvidenceCaption: {"Bukti %d/%d untuk %s: %s (%s)", "Evidence %d/%d for %s: %s (%s)"},
	rvEvidenceGone: {
		"⚠️ Berkas %s tidak ditemukan di penyimpanan.",
		"⚠️ File %s is missing from storage."},
	rvApprove: {"✅ Terima", "✅ Approve"},
	rvRevise:  {"🔁 Minta perbaikan", "🔁 Ask for revision"},
	rvReject:  {"⛔ Tolak", "⛔ Reject"},
	rvSkip:    {"⏭ Lewati dulu", "⏭ Skip for now"},
	rvAskNoteRevise: {
		"Tulis catatan singkat untuk OPD: apa yang perlu diperbaiki pada %s? (ketik batal untuk membatalkan)",
		"Write a short note for the OPD: what needs fixing in %s? (type batal to cancel)"},
	rvAskNoteReject: {
		"Tulis alasan penolakan %s untuk OPD (wajib). (ketik batal untuk membatalkan)",
		"Write the reason for rejecting %s for the OPD (required). (type batal to cancel)"},
	rvNoteEmpty: {
		"Catatannya masih kosong. Tulis satu kalimat singkat, atau ketik batal.",
		"The note is empty. Write one short sentence, or type batal."},
	rvNoteTooLong: {
		"Catatannya terlalu panjang (maksimal %d karakter). Mohon persingkat.",
		"The note is too long (at most %d characters). Please shorten it."},
	rvCancelled: {"Dibatalkan. Jawaban %s tetap menunggu tinjauan.", "Cancelled. Answer %s is still waiting for review."},
	rvApproved:  {"✅ %s diterima.", "✅ %s approved."},
	rvNoteWaiting: {"✍️ Catatan untuk %s masih ditunggu — ketik catatannya, atau batal.",
		"✍️ The note for %s is still awaited — type the note, or batal."},
	rvNoteNoWords: {"“%s” bukan catatan. Tulis untuk OPD apa yang perlu diperbaiki pada %s, atau ketik batal.",
		"“%s” is not a note. Write for the OPD what needs fixing in %s, or type batal."},
	rvReviseDropped: {"Pengembalian %s dibatalkan; jawabannya tetap menunggu tinjauan.",
		"Sending %s back is cancelled; the answer is still waiting for review."},
	rvRejectDropped: {"Penolakan %s dibatalkan; jawabannya tetap menunggu tinjauan.",
		"Rejecting %s is cancelled; the answer is still waiting for review."},
	rvSentBack: {
		"%s: %s. Catatan Anda sudah dikirim ke %s.",
		"%s: %s. Your note was sent to %s."},
	rvNobodyToTell: {
		"%s: %s. Belum ada focal point OPD ini yang terhubung ke klabot, jadi catatan belum bisa dikirim; sampaikan langsung ke OPD.",
		"%s: %s. No focal point of this OPD is connected to klabot yet, so the note could not be sent; tell the OPD directly."},
	rvStale: {
		"Jawaban %s sudah diganti versi baru oleh OPD sejak ditampilkan. Berikut versi terbarunya:",
		"Answer %s was replaced by a newer version since it was shown. Here is the latest:"},
	rvAlreadyReviewed: {
		"Jawaban %s sudah ditinjau: %s oleh %s. Berikutnya:",
		"Answer %s was already reviewed: %s by %s. Next:"},
	rvGone: {
		"Jawaban itu tidak ditemukan di wilayah Anda.",
		"That answer was not found in your region."},
	rvNoticeRevise: {"🔁 Jawaban OPD Anda perlu perbaikan", "🔁 Your OPD's answer needs revision"},
	rvNoticeReject: {"⛔ Jawaban OPD Anda ditolak", "⛔ Your OPD's answer was rejected"},
	rvNoticeBody: {
		"Pertanyaan %s — %s\nJawaban: %s (%s)\nCatatan dari %s (koordinator): %q\n\nKetik ubah %s untuk memperbaikinya sekarang; pertanyaan ini juga muncul paling dulu saat Anda ketik lanjut.",
		"Question %s — %s\nAnswer: %s (%s)\nNote from %s (coordinator): %q\n\nType ubah %s to fix it now; it also comes first when you type lanjut."},
	rvHistoryUsage: {
		"Ketik riwayat diikuti kode atau nomor pertanyaan, misalnya: riwayat 14.1",
		"Type riwayat and the question code or number, for example: riwayat 14.1"},
	rvHistoryUnknown: {"Pertanyaan %q tidak ada di instrumen %d.", "Question %q is not in the %d instrument."},
	rvHistoryNone:    {"Pertanyaan %s belum pernah dijawab.", "Question %s has not been answered yet."},
	rvHistoryTitle:   {"📜 Riwayat %s — %s", "📜 History of %s — %s"},
	rvHistoryVersion: {"v%d · %s · %s (%s)\n   Jawaban: %s · %s", "v%d · %s · %s (%s)\n   Answer: %s · %s"},
	rvHistoryReview:  {"   ↳ %s — %s, %s", "   ↳ %s — %s, %s"},
	rvHistoryNow:     {"Status sekarang: %s", "Current state: %s"},
	rvExportNotReady: {
		"Ekspor paket bukti belum disiapkan di server ini. Hubungi admin klabot.",
		"Evidence export is not set up on this server. Contact the klabot admin."},
	rvExportBadYear: {
		"Tahun tidak dikenali. Ketik ekspor, atau ekspor 2026.",
		"Year not recognised. Type ekspor, or ekspor 2026."},
	rvExportSent: {
		"📦 Paket bukti %s tahun %d: %d pertanyaan, %d dijawab, %d berkas bukti (%s). Isinya: folder per klaster/indikator/pertanyaan, ringkasan.xlsx dan BACA-SAYA.txt.",
		"📦 Evidence pack %s %d: %d questions, %d answered, %d evidence files (%s). Inside: folders per cluster/indicator/question, ringkasan.xlsx and BACA-SAYA.txt."},
	rvExportTooBig: {
		"📦 Paket bukti %s tahun %d sudah dibuat (%s), terlalu besar untuk dikirim lewat chat (batas %s). Berkasnya ada di server: %s",
		"📦 Evidence pack %s %d is ready (%s), too big to send in chat (limit %s). It is on the server at: %s"},
	rvExportNoInstrument: {
		"Belum ada instrumen tahun %d, jadi belum ada yang bisa diekspor.",
		"There is no %d instrument yet, so there is nothing to export."},
	rvExportLink: {
		"📦 Paket bukti %s tahun %d: %d pertanyaan, %d dijawab, %d berkas bukti (%s). Isinya: folder per klaster/indikator/pertanyaan, ringkasan.xlsx dan BACA-SAYA.txt.\n\nUnduh (berlaku sampai %s):\n%s\n\nringkasan.xlsx saja:\n%s\n\nPaket dibuat saat diunduh, jadi selalu berisi jawaban terbaru. Jangan teruskan tautan ini: siapa pun yang memegangnya bisa mengunduh.",
		"📦 Evidence pack %s %d: %d questions, %d answered, %d evidence files (%s). Inside: folders per cluster/indicator/question, ringkasan.xlsx and BACA-SAYA.txt.\n\nDownload (valid until %s):\n%s\n\nringkasan.xlsx alone:\n%s\n\nThe pack is made as it downloads, so it always holds the latest answers. Do not forward these links: whoever holds them can download."},
	rvExportMissing: {
		"⚠️ %d berkas tidak ditemukan di penyimpanan; daftarnya ada di BACA-SAYA.txt.",
		"⚠️ %d files are missing from storage; BACA-SAYA.txt lists them."},
}

// msgKey names one of this package's texts.
type msgKey = conversations.TextKey

// Texts are the review texts, for the one catalogue test.
func Texts() conversations.Texts { return reviewTexts }

func tr(lang string, k msgKey, args ...any) string { return reviewTexts.Tr(lang, k, args...) }
