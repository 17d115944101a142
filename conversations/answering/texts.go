package answering

import "github.com/klabot/klabot/conversations"

// The focal point's dialogue texts (questions, answers and their corrections, evidence,
// narratives, navigation), Indonesian first, English second. Arguments are fmt verbs, in
// the same order in both languages; catalogue_test.go checks them with every package's.
type key = conversations.TextKey

const (
	msgAlreadyRegistered  key = "already_registered"
	msgWelcomeCount       key = "welcome_count"
	msgIdleHint           key = "idle_hint"
	msgPaused             key = "paused"
	msgNoQuestions        key = "no_questions"
	msgQuestionNo         key = "question_no"
	msgIndicator          key = "indicator"
	msgCurrentAnswer      key = "current_answer"
	msgEvidenceNeeded     key = "evidence_needed"
	msgHintNumber         key = "hint_number"
	msgHintPercent        key = "hint_percent"
	msgHintTarget         key = "hint_target"
	msgHintDate           key = "hint_date"
	msgHintText           key = "hint_text"
	msgHintFile           key = "hint_file"
	msgNavHint            key = "nav_hint"
	msgSaved              key = "saved"
	msgEmptyAnswer        key = "empty_answer"
	msgBadYesNo           key = "bad_yes_no"
	msgBadYesPartialNo    key = "bad_yes_partial_no"
	msgBadChoice          key = "bad_choice"
	msgBadNumber          key = "bad_number"
	msgNegative           key = "negative"
	msgBadPercent         key = "bad_percent"
	msgPercentRange       key = "percent_range"
	msgBadDate            key = "bad_date"
	msgShortText          key = "short_text"
	msgLongText           key = "long_text"
	msgNeedFile           key = "need_file"
	msgUnsure             key = "unsure"
	msgListBack           key = "list_back"
	msgFixedNotice        key = "fixed_notice"
	msgStatusBack         key = "status_back"
	msgAlreadyAttached    key = "already_attached"
	msgFractionalCount    key = "fractional_count"
	msgNoSuchDate         key = "no_such_date"
	msgFutureDate         key = "future_date"
	msgPartOfWhole        key = "part_of_whole"
	msgComputedPercent    key = "computed_percent"
	msgEvidenceAsk        key = "evidence_ask"
	msgEvidenceOptional   key = "evidence_optional"
	msgCarried            key = "carried"
	msgMoreFiles          key = "more_files"
	msgFileReceived       key = "file_received"
	msgTooBig             key = "too_big"
	msgTooBigUnknown      key = "too_big_unknown"
	msgDownloadFailed     key = "download_failed"
	msgEmptyFile          key = "empty_file"
	msgBadType            key = "bad_type"
	msgUnknownType        key = "unknown_type"
	msgStoreFailed        key = "store_failed"
	msgHeld               key = "held"
	msgHeldAttached       key = "held_attached"
	msgHeldDropped        key = "held_dropped"
	msgFileIdle           key = "file_idle"
	msgFileNoOPD          key = "file_no_opd"
	msgEvidenceWaiting    key = "evidence_waiting"
	msgEvidenceMissing    key = "evidence_missing"
	msgEvidenceSkipped    key = "evidence_skipped"
	msgReplaced           key = "replaced"
	msgNarrativeAsk       key = "narrative_ask"
	msgNarrativeLong      key = "narrative_long"
	msgNarrativeSaved     key = "narrative_saved"
	msgBtnDone            key = "btn_done"
	msgBtnSkip            key = "btn_skip"
	msgBtnStart           key = "btn_start"
	msgSkipped            key = "skipped"
	msgNothingToSkip      key = "nothing_to_skip"
	msgAtFirst            key = "at_first"
	msgEditUsage          key = "edit_usage"
	msgEditRange          key = "edit_range"
	msgOtherOPD           key = "other_opd"
	msgListPickHint       key = "list_pick_hint"
	msgListPicked         key = "list_picked"
	msgListPickAnswer     key = "list_pick_answer"
	msgEvidenceUsage      key = "evidence_usage"
	msgEvidenceUnanswered key = "evidence_unanswered"
	msgEvidenceFor        key = "evidence_for"
	msgListProof          key = "list_proof"
	msgListHead           key = "list_head"
	msgListEmpty          key = "list_empty"
	msgSkippedMark        key = "skipped_mark"
	msgNoEvidenceMark     key = "no_evidence_mark"
	msgAndMore            key = "and_more"
	msgStatus             key = "status"
	msgStatusAt           key = "status_at"
	msgDeadline           key = "deadline"
	msgDeadlineToday      key = "deadline_today"
	msgDeadlinePast       key = "deadline_past"
	msgStopped            key = "stopped"
	msgStoppedIdle        key = "stopped_idle"
	msgAllDone            key = "all_done"
	msgCounts             key = "counts"
	msgStillMissing       key = "still_missing"
	msgNothingMissing     key = "nothing_missing"
	rvReopenedNote        key = "rv_reopened_note"
	// A colleague's answer that came first (colleague.go).
	msgClashAnswer    key = "clash_answer"
	msgClashEvidence  key = "clash_evidence"
	msgClashFirst     key = "clash_first"
	msgBtnMine        key = "btn_mine"
	msgBtnTheirs      key = "btn_theirs"
	msgTheirsKept     key = "theirs_kept"
	msgMineAgain      key = "mine_again"
	msgSameAnswered   key = "same_answered"
	msgClashLeft      key = "clash_left"
	msgClashLeftSaved key = "clash_left_saved"
	// Last year's answer, offered again.
	msgLastYear      key = "last_year"
	msgLastYearFiles key = "last_year_files"
	msgBtnReuse      key = "btn_reuse"
	msgReused        key = "reused"
	msgReusedFiles   key = "reused_files"
	// The files of an answer a coordinator sent back (oldfiles.go).
	msgOldFilesAsk   key = "old_files_ask"
	msgOldFilesFirst key = "old_files_first"
	msgBtnKeepOld    key = "btn_keep_old"
	msgBtnFresh      key = "btn_fresh"
	msgOldKept       key = "old_kept"
	msgReplacedKept  key = "replaced_kept"
	msgOldDropped    key = "old_dropped"
	// Messages sent for an earlier prompt (bind.go).
	msgBindAsk1    key = "bind_ask1"
	msgBindAsk2    key = "bind_ask2"
	msgBtnFor      key = "btn_for"
	msgBtnIgnore   key = "btn_ignore"
	msgBindIgnored key = "bind_ignored"
	msgBindSame    key = "bind_same"
	msgBindFiles   key = "bind_files"
)

var texts = conversations.Texts{
	msgBindAsk1: {"❓ Jawaban “%s” Anda kirim saat pertanyaan %s terbuka, sebelum pertanyaan berikutnya sampai. Jawaban itu untuk %s?",
		"❓ You sent “%s” while question %s was open, before the next question reached you. Is it the answer to %s?"},
	msgBindAsk2: {"❓ Jawaban Anda “%s” untuk pertanyaan %s atau %s? Anda mengirimnya sebelum pertanyaan %s sampai, jadi belum dipakai.",
		"❓ Is your answer “%s” for question %s or %s? You sent it before question %s reached you, so it was not used yet."},
	msgBtnFor:      {"Untuk %s", "For %s"},
	msgBtnIgnore:   {"Abaikan", "Ignore"},
	msgBindIgnored: {"Baik, pesan itu tidak dipakai.", "OK, that message was not used."},
	msgBindSame:    {"✅ Jawaban “%s” untuk pertanyaan %s sudah tersimpan.", "✅ The answer “%s” to question %s is saved already."},
	msgBindFiles:   {"Untuk pertanyaan %s (yang terbuka saat Anda mengirimnya):", "For question %s (the one open when you sent it):"},
	msgClashAnswer: {"⚠️ %s baru saja menjawab pertanyaan ini (pukul %s): %s.\nJawaban Anda (%s) belum disimpan, supaya jawaban rekan Anda tidak tertimpa tanpa sepengetahuan Anda.",
		"⚠️ %s has just answered this question (at %s): %s.\nYour answer (%s) is not saved yet, so that your colleague's answer is not replaced without you knowing."},
	msgClashEvidence: {"⚠️ %s mengubah jawaban pertanyaan ini menjadi %s (pukul %s), setelah Anda menjawab %s. Bukti yang Anda kirim terlampir pada jawaban Anda (%[4]s), yang kini bukan jawaban berlaku.",
		"⚠️ %s changed the answer to this question to %s (at %s), after you answered %s. The evidence you sent is attached to your answer (%[4]s), which is no longer the current one."},
	msgClashFirst: {"Pilih dulu jawaban mana yang berlaku:", "First choose which answer stands:"},
	msgClashLeft: {"ℹ️ Jawaban Anda untuk %s (%s) tidak disimpan; jawaban %s tetap berlaku: %s. Ketik ubah %[1]s untuk menjawab lagi.",
		"ℹ️ Your answer to %s (%s) is not saved; %s's answer stands: %s. Type edit %[1]s to answer again."},
	msgClashLeftSaved: {"ℹ️ Untuk %s jawaban %s tetap berlaku: %s; jawaban Anda (%s) dengan buktinya tersimpan sebagai versi lama. Ketik ubah %[1]s untuk menjawab lagi.",
		"ℹ️ For %s, %s's answer stands: %s; your answer (%s) is kept with its evidence as an older version. Type edit %[1]s to answer again."},
	msgBtnMine:      {"Simpan jawaban saya: %s", "Save my answer: %s"},
	msgBtnTheirs:    {"Pakai jawaban %s: %s", "Keep %s's answer: %s"},
	msgTheirsKept:   {"Baik, jawaban %s tetap berlaku: %s.", "OK, %s's answer stands: %s."},
	msgMineAgain:    {"✅ Jawaban Anda berlaku lagi: %s (%d bukti).", "✅ Your answer is current again: %s (%d files)."},
	msgSameAnswered: {"ℹ️ %s menyimpan jawaban yang sama (%s) barusan; bukti ini dilampirkan ke jawaban itu.", "ℹ️ %s just saved the same answer (%s); this evidence is attached to it."},
	msgLastYear: {"🔁 Tahun lalu (%d): %s — pakai lagi? Ketik pakai, atau jawab baru.",
		"🔁 Last year (%d): %s — use it again? Type reuse, or answer anew."},
	msgLastYearFiles: {"%s, %d file", "%s, %d files"},
	msgBtnReuse:      {"Pakai jawaban tahun lalu", "Use last year's answer"},
	msgReused:        {"(jawaban tahun %d dipakai lagi)", "(the answer of %d, used again)"},
	msgReusedFiles:   {"(jawaban tahun %d dipakai lagi, %d file terlampir)", "(the answer of %d, used again, %d files attached)"},

	msgOldFilesAsk: {"⚠️ Bukti lama dari jawaban yang dikembalikan koordinator (%d file) masih terlampir. Tetap lampirkan, atau mulai tanpa bukti lama?",
		"⚠️ The old evidence of the answer the coordinator sent back (%d files) is still attached. Keep it, or start without the old evidence?"},
	msgOldFilesFirst: {"Pilih dulu soal bukti lama:", "First choose what happens to the old evidence:"},
	msgBtnKeepOld:    {"Tetap lampirkan bukti lama", "Keep the old evidence"},
	msgBtnFresh:      {"Mulai tanpa bukti lama", "Start without the old evidence"},
	msgOldKept:       {"Baik, bukti lama tetap terlampir.", "OK, the old evidence stays attached."},
	msgReplacedKept:  {"%d file yang Anda kirim sesudahnya tetap terlampir.", "%d files you sent since stay attached."},
	msgOldDropped: {"Bukti lama dari jawaban yang dikembalikan koordinator tidak ikut dilampirkan (jawaban ini tidak memerlukan bukti).",
		"The old evidence of the answer the coordinator sent back is not attached (this answer needs none)."},
	rvReopenedNote: {
		"🔁 Dikembalikan koordinator (%s) oleh %s: %q",
		"🔁 Sent back by the coordinator (%s), %s: %q"},
	msgAlreadyRegistered: {
		"Anda sudah terdaftar, %s. Ketik mulai untuk melanjutkan pengisian.",
		"You are registered already, %s. Type start to continue."},
	msgWelcomeCount: {
		"Ada %d pertanyaan untuk OPD Anda (%d sudah dijawab).",
		"Your OPD has %d questions (%d answered)."},
	msgIdleHint: {
		"Ketik mulai untuk mengisi pertanyaan OPD Anda, status untuk progres, atau bantuan untuk daftar perintah.",
		"Type start to answer your OPD's questions, status for progress, or help for the commands."},
	msgPaused: {
		"Anda sedang jeda. Ketik lanjut untuk melanjutkan dari pertanyaan terakhir.",
		"You are paused. Type continue to resume at your last question."},
	msgNoQuestions: {
		"Belum ada pertanyaan untuk OPD Anda di instrumen tahun ini. Hubungi koordinator bila ini keliru.",
		"There are no questions for your OPD in this year's instrument. Contact your coordinator if this is wrong."},

	msgIndicator:      {"Indikator %s: %s", "Indicator %s: %s"},
	msgQuestionNo:     {"Pertanyaan %d/%d · %s", "Question %d/%d · %s"},
	msgCurrentAnswer:  {"Jawaban saat ini: %s (oleh %s, %s; %d bukti). Jawab lagi untuk membuat versi baru, atau ketik lewati.", "Current answer: %s (by %s, %s; %d files). Answer again to make a new version, or type skip."},
	msgEvidenceNeeded: {"📎 Butuh bukti dukung.", "📎 Needs supporting evidence."},
	msgHintNumber:     {"Balas dengan angka, mis. 12 atau 1.250.", "Reply with a number, e.g. 12 or 1,250."},
	msgHintPercent:    {"Balas dengan persen, mis. 87,5%.", "Reply with a percentage, e.g. 87.5%."},
	msgHintTarget:     {"(Target: %s%%)", "(Target: %s%%)"},
	msgHintDate:       {"Balas dengan tanggal, mis. 14/03/2025 atau 14 Maret 2025.", "Reply with a date, e.g. 14/03/2025 or 14 March 2025."},
	msgHintText:       {"Balas dengan jawaban singkat.", "Reply with a short answer."},
	msgHintFile:       {"Kirim file sebagai jawaban: foto atau dokumen (PDF, JPG, PNG, WEBP, DOCX, XLSX, DOC, XLS; maks. %s).", "Send a file as the answer: a photo or document (PDF, JPG, PNG, WEBP, DOCX, XLSX, DOC, XLS; max %s)."},
	msgNavHint:        {"(lewati · kembali · berhenti · bantuan)", "(skip · back · stop · help)"},
	msgSaved:          {"✅ Tersimpan: %s", "✅ Saved: %s"}, // endSentence adds the full stop

	msgEmptyAnswer:     {"Jawabannya kosong. Silakan jawab pertanyaan berikut:", "The answer is empty. Please answer:"},
	msgBadYesNo:        {"Mohon jawab ya atau tidak (atau balas %s).", "Please answer yes or no (or reply %s)."},
	msgBadYesPartialNo: {"Mohon jawab ya, sebagian, atau tidak (atau balas %s).", "Please answer yes, partly or no (or reply %s)."},
	msgBadChoice:       {"Pilihan itu tidak ada. Balas dengan nomor pilihan (%s) atau tulis pilihannya.", "That is not one of the options. Reply with the option number (%s) or its text."},
	msgBadNumber:       {"Itu bukan angka. Tulis angka saja, mis. 12 atau 1.250 (tanpa satuan).", "That is not a number. Write just the number, e.g. 12 or 1,250."},
	msgNegative:        {"Angkanya tidak boleh negatif.", "The number cannot be negative."},
	msgBadPercent:      {"Itu bukan persentase. Tulis angka 0–100, mis. 87,5 atau 87,5%.", "That is not a percentage. Write a number 0–100, e.g. 87.5 or 87.5%."},
	msgPercentRange:    {"Persentase harus antara 0 dan 100.", "A percentage must be between 0 and 100."},
	msgBadDate:         {"Tanggal tidak terbaca. Tulis seperti 14/03/2025 atau 14 Maret 2025.", "I cannot read that date. Write it like 14/03/2025 or 14 March 2025."},
	msgShortText:       {"Jawabannya terlalu pendek. Tulis jawaban singkat dalam satu pesan.", "The answer is too short. Write a short answer in one message."},
	msgLongText:        {"Jawabannya terlalu panjang (maks. 2.000 karakter). Ringkas, dan kirim dokumen lengkapnya sebagai bukti dukung.", "The answer is too long (max 2,000 characters). Summarise it and send the full document as evidence."},
	msgNeedFile:        {"Pertanyaan ini dijawab dengan file. Kirim foto atau dokumennya.", "This question is answered with a file. Send the photo or document."},
	msgUnsure:          {"Pertanyaan ini perlu satu pilihan (balas %s). Bila belum tahu, ketik lewati: pertanyaan ini dicatat sebagai kekurangan dan bisa dijawab nanti.", "This question needs one of the options (reply %s). If you do not know yet, type skip: it is recorded as a gap and you can answer later."},
	msgAlreadyAttached: {"📎 Sudah terlampir: %s (file yang sama ada di jawaban ini), jadi tidak dilampirkan dua kali.", "📎 Already attached: %s (this answer has the same file), so it is not attached twice."},
	msgFixedNotice: {"✏️ Diperbaiki: %s — %s\n%s (%s) sudah menanggapi catatan Anda; versi baru menunggu tinjauan (diubah). Ketik tinjau %s untuk meninjaunya.",
		"✏️ Fixed: %s — %s\n%s (%s) answered your note; the new version waits for review. Type review %s to review it."},
	msgListBack:        {"🔁 Dikembalikan koordinator: %d (diperbaiki dulu).", "🔁 Sent back by the coordinator: %d (fix these first)."},
	msgStatusBack:      {"🔁 Dikembalikan: %d (ketik lanjut atau ubah %s).", "🔁 Sent back: %d (type continue or edit %s)."},
	msgFractionalCount: {"Pertanyaan ini menghitung jumlah, jadi jawabannya bilangan bulat, mis. 4.", "This question counts something, so the answer is a whole number, e.g. 4."},
	msgNoSuchDate:      {"Tanggal itu tidak ada di kalender (mis. 31 Februari). Periksa lagi tanggalnya.", "That date does not exist (e.g. 31 February). Please check it."},
	msgFutureDate:      {"Tanggal itu belum terjadi. Pertanyaan ini menanyakan tanggal yang sudah lewat; periksa lagi tahunnya.", "That date is in the future. This question asks about something that already happened; please check the year."},
	msgPartOfWhole:     {"Bagiannya tidak boleh lebih besar dari jumlah seluruhnya (mis. 45 dari 60 desa).", "The part cannot be larger than the whole (e.g. 45 of 60 villages)."},
	msgComputedPercent: {"(%s dari %s = %s%%)", "(%s of %s = %s%%)"},

	msgEvidenceAsk:      {"📎 Kirim bukti dukung: foto atau dokumen (PDF, JPG, PNG, WEBP, DOCX, XLSX, DOC, XLS; maks. %s). Boleh beberapa file. Ketik selesai jika sudah.", "📎 Send the supporting evidence: photos or documents (PDF, JPG, PNG, WEBP, DOCX, XLSX, DOC, XLS; max %s). Several files are fine. Type done when finished."},
	msgEvidenceOptional: {"📎 Bila ada, kirim file tambahan (maks. %s). Ketik selesai jika sudah.", "📎 Send more files if you have them (max %s). Type done when finished."},
	msgCarried:          {"Bukti dari versi sebelumnya (%d file) tetap terlampir. Ketik ganti untuk mengganti semuanya.", "Evidence of the previous version (%d files) stays attached. Type replace to replace all of it."},
	msgMoreFiles:        {"Kirim file lain, atau ketik selesai.", "Send another file, or type done."},
	msgFileReceived:     {"📎 Diterima: %s (%s)", "📎 Received: %s (%s)"},
	msgTooBig:           {"❌ %s tidak diterima: terlalu besar (%s; maks. %s). Kecilkan atau bagi filenya, lalu kirim lagi.", "❌ %s was not accepted: too large (%s; max %s). Make it smaller or split it, then send again."},
	msgTooBigUnknown:    {"❌ %s tidak diterima: lebih besar dari batas %s.", "❌ %s was not accepted: larger than the %s limit."},
	msgDownloadFailed:   {"❌ %s gagal diunduh. Mohon kirim ulang.", "❌ %s could not be downloaded. Please send it again."},
	msgEmptyFile:        {"❌ %s kosong (0 byte).", "❌ %s is empty (0 bytes)."},
	msgBadType:          {"❌ %s tidak diterima: jenis file (%s) tidak didukung. Kirim PDF, JPG, PNG, WEBP, DOCX, XLSX, DOC atau XLS.", "❌ %s was not accepted: its type (%s) is not supported. Send PDF, JPG, PNG, WEBP, DOCX, XLSX, DOC or XLS."},
	msgUnknownType:      {"tidak dikenal", "unknown"},
	msgStoreFailed:      {"❌ %s gagal disimpan karena gangguan. Mohon kirim ulang sebentar lagi.", "❌ %s could not be stored. Please send it again in a moment."},
	msgHeld:             {"File ini akan dilampirkan sebagai bukti dukung setelah Anda menjawab pertanyaan di atas.", "These files will be attached as evidence once you answer the question above."},
	msgHeldAttached:     {"(%d file terlampir)", "(%d files attached)"},
	msgHeldDropped:      {"%d file yang Anda kirim untuk pertanyaan sebelumnya tidak dilampirkan karena pertanyaan itu belum dijawab. Kirim lagi bila perlu.", "%d files you sent for the previous question were not attached because it was not answered. Send them again if needed."},
	msgFileIdle:         {"Tidak ada pertanyaan yang sedang menunggu file. Ketik mulai, atau ubah N untuk memilih pertanyaan, lalu kirim filenya.", "No question is waiting for a file. Type start, or edit N to pick a question, then send the file."},
	msgFileNoOPD:        {"📎 File hanya diterima dari focal point OPD, sebagai bukti dukung jawaban mereka. File ini tidak disimpan.", "📎 Files are taken only from OPD focal points, as evidence of their answers. This one was not kept."},
	msgEvidenceWaiting:  {"Saya menunggu file bukti dukung. Kirim foto/dokumen, atau ketik selesai.", "I am waiting for evidence files. Send a photo/document, or type done."},
	msgEvidenceMissing:  {"Belum ada bukti dukung. Tanpa bukti, nilai pertanyaan ini tidak dihitung saat verifikasi. Kirim file, atau ketik lewati untuk melanjutkan tanpa bukti.", "There is no evidence yet. Without it this question does not count at verification. Send a file, or type skip to go on without it."},
	msgEvidenceSkipped:  {"Baik, tanpa bukti dukung untuk sekarang (dicatat sebagai kekurangan).", "OK, no evidence for now (recorded as a gap)."},
	msgReplaced:         {"Bukti lama dilepas dari jawaban ini (versi lama tetap tersimpan).", "The old evidence is detached from this answer (the old version is kept)."},
	msgNarrativeAsk:     {"✍️ Tambahkan keterangan singkat tentang bukti ini (opsional), atau ketik lewati.", "✍️ Add a short note about this evidence (optional), or type skip."},
	msgNarrativeLong:    {"Keterangannya terlalu panjang (maks. 2.000 karakter). Mohon diringkas.", "The note is too long (max 2,000 characters). Please shorten it."},
	msgNarrativeSaved:   {"✅ Keterangan tersimpan.", "✅ Note saved."},
	msgBtnDone:          {"Selesai", "Done"},
	msgBtnSkip:          {"Lewati", "Skip"},
	msgBtnStart:         {"Mulai", "Start"},

	msgSkipped:            {"⏭️ Pertanyaan %d dilewati (dicatat sebagai kekurangan; ketik daftar untuk melihatnya lagi).", "⏭️ Question %d skipped (recorded as a gap; type list to see it again)."},
	msgNothingToSkip:      {"Tidak ada pertanyaan yang sedang dibuka. Ketik mulai.", "No question is open. Type start."},
	msgAtFirst:            {"Ini sudah pertanyaan pertama.", "This is the first question."},
	msgEditUsage:          {"Tulis ubah diikuti nomor pertanyaan (1–%d), mis. ubah 3. Ketik daftar untuk nomor-nomornya.", "Write edit and the question number (1–%d), e.g. edit 3. Type list for the numbers."},
	msgEditRange:          {"Tidak ada pertanyaan nomor %d untuk OPD Anda; nomornya 1–%d. Ketik daftar untuk melihatnya.", "There is no question %d for your OPD; the numbers are 1–%d. Type list to see them."},
	msgOtherOPD:           {"Pertanyaan %s bukan bagian %s, jadi tidak bisa Anda jawab. Hubungi koordinator bila pembagiannya keliru.", "Question %s does not belong to %s, so you cannot answer it. Contact your coordinator if the assignment is wrong."},
	msgListPickHint:       {"Ketik nomornya (mis. 3) untuk membuka pertanyaan itu, atau bukti N untuk menambah bukti dukungnya.", "Type its number (e.g. 3) to open that question, or evidence N to add its evidence."},
	msgListPicked:         {"Membuka pertanyaan nomor %d dari daftar.", "Opening question %d from the list."},
	msgListPickAnswer:     {"Kalau maksud Anda jawaban \"%s\" untuk pertanyaan %d, ketik ubah %d lalu kirim jawabannya lagi.", "If you meant \"%s\" as the answer to question %d, type edit %d and send it again."},
	msgEvidenceUsage:      {"Tulis bukti diikuti nomor pertanyaan (1–%d), mis. bukti 3.", "Write evidence and the question number (1–%d), e.g. evidence 3."},
	msgEvidenceUnanswered: {"Pertanyaan %d belum dijawab. Ketik ubah %[1]d untuk menjawabnya dulu.", "Question %d is not answered yet. Type edit %[1]d to answer it first."},
	msgEvidenceFor:        {"Bukti dukung untuk pertanyaan %d/%d · %s\n%s\nJawaban: %s", "Evidence for question %d/%d · %s\n%s\nAnswer: %s"},
	msgListProof:          {"Sudah dijawab tetapi bukti dukung belum ada: %d.", "Answered but evidence missing: %d."},
	msgListHead:           {"Belum dijawab: %d dari %d pertanyaan.", "Not answered yet: %d of %d questions."},
	msgListEmpty:          {"Semua pertanyaan OPD Anda sudah dijawab. 🎉", "All your OPD's questions are answered. 🎉"},
	msgSkippedMark:        {"dilewati", "skipped"},
	msgNoEvidenceMark:     {"bukti dukung belum ada", "evidence missing"},
	msgAndMore:            {"… dan %d lagi", "… and %d more"},
	msgStatus:             {"📊 Progres %s — %s\n✅ Dijawab: %d dari %d (%d dengan bukti dukung)\n📎 Perlu bukti: %d\n⏭️ Dilewati: %d\n⬜ Belum: %d", "📊 Progress of %s — %s\n✅ Answered: %d of %d (%d with evidence)\n📎 Evidence missing: %d\n⏭️ Skipped: %d\n⬜ Open: %d"},
	msgStatusAt:           {"Posisi Anda: pertanyaan %d. Ketik lanjut untuk meneruskan.", "You are at question %d. Type continue to go on."},
	msgDeadline:           {"⏰ Tenggat: %s (%d hari lagi).", "⏰ Deadline: %s (%d days left)."},
	msgDeadlineToday:      {"⏰ Tenggat: hari ini, %s.", "⏰ Deadline: today, %s."},
	msgDeadlinePast:       {"⏰ Tenggat %s sudah lewat — mohon segera dilengkapi.", "⏰ The deadline %s has passed — please complete soon."},
	msgStopped:            {"⏸️ Baik, kita jeda di pertanyaan %d. Jawaban Anda sudah tersimpan. Ketik lanjut kapan saja.", "⏸️ OK, paused at question %d. Your answers are saved. Type continue any time."},
	msgStoppedIdle:        {"⏸️ Baik. Ketik lanjut kapan saja.", "⏸️ OK. Type continue any time."},
	msgAllDone:            {"🎉 Semua pertanyaan %s sudah ditangani. Terima kasih!", "🎉 All questions of %s are dealt with. Thank you!"},
	msgCounts:             {"Dijawab: %d dari %d (%d dengan bukti dukung) · Dilewati: %d", "Answered: %d of %d (%d with evidence) · Skipped: %d"},
	msgStillMissing:       {"Masih kurang:", "Still missing:"},
	msgNothingMissing:     {"Tidak ada yang kurang. Koordinator akan meninjau jawaban Anda.", "Nothing is missing. The coordinator will review your answers."},
}

// Texts are the dialogue's texts, for the one catalogue test.
func Texts() conversations.Texts { return texts }

func tr(lang string, k key, args ...any) string { return texts.Tr(lang, k, args...) }
