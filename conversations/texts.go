package conversations

// The engine's texts, Indonesian first, English second. Arguments are fmt verbs, in the
// same order in both languages. They are part of the one catalogue (catalogue.go).
const (
	msgUnknown           msgKey = "unknown"
	msgInviteUnknown     msgKey = "invite_unknown"
	msgInviteExpired     msgKey = "invite_expired"
	msgInviteUsed        msgKey = "invite_used"
	msgAlreadyRegistered msgKey = "already_registered"
	msgWelcome           msgKey = "welcome"
	msgWelcomeCount      msgKey = "welcome_count"
	msgWelcomeStart      msgKey = "welcome_start"
	msgWelcomeOther      msgKey = "welcome_other"
	msgRoleFocal         msgKey = "role_focal"
	msgRoleAt            msgKey = "role_at"
	msgRoleCoordinator   msgKey = "role_coordinator"
	msgRoleHead          msgKey = "role_head"
	msgRoleAdmin         msgKey = "role_admin"
	msgBusy              msgKey = "busy"
	msgTrouble           msgKey = "trouble"
	msgNotForRole        msgKey = "not_for_role"
	msgOldButton         msgKey = "old_button"
	msgIdleHint          msgKey = "idle_hint"
	msgPaused            msgKey = "paused"
	msgNoQuestions       msgKey = "no_questions"
	msgNoInstrument      msgKey = "no_instrument"

	msgQuestionNo     msgKey = "question_no"
	msgIndicator      msgKey = "indicator"
	msgCurrentAnswer  msgKey = "current_answer"
	msgEvidenceNeeded msgKey = "evidence_needed"
	msgHintNumber     msgKey = "hint_number"
	msgHintPercent    msgKey = "hint_percent"
	msgHintTarget     msgKey = "hint_target"
	msgHintDate       msgKey = "hint_date"
	msgHintText       msgKey = "hint_text"
	msgHintFile       msgKey = "hint_file"
	msgNavHint        msgKey = "nav_hint"
	msgReplyNumber    msgKey = "reply_number"
	msgYes            msgKey = "yes"
	msgPartial        msgKey = "partial"
	msgNo             msgKey = "no"
	msgFileAnswer     msgKey = "file_answer"
	msgSaved          msgKey = "saved"

	msgEmptyAnswer     msgKey = "empty_answer"
	msgBadYesNo        msgKey = "bad_yes_no"
	msgBadYesPartialNo msgKey = "bad_yes_partial_no"
	msgBadChoice       msgKey = "bad_choice"
	msgBadNumber       msgKey = "bad_number"
	msgNegative        msgKey = "negative"
	msgBadPercent      msgKey = "bad_percent"
	msgPercentRange    msgKey = "percent_range"
	msgBadDate         msgKey = "bad_date"
	msgShortText       msgKey = "short_text"
	msgLongText        msgKey = "long_text"
	msgNeedFile        msgKey = "need_file"
	msgUnsure          msgKey = "unsure"
	msgListBack        msgKey = "list_back"
	msgFixedNotice     msgKey = "fixed_notice"
	msgStatusBack      msgKey = "status_back"
	msgAlreadyAttached msgKey = "already_attached"
	msgFractionalCount msgKey = "fractional_count"
	msgNoSuchDate      msgKey = "no_such_date"
	msgFutureDate      msgKey = "future_date"
	msgPartOfWhole     msgKey = "part_of_whole"
	msgComputedPercent msgKey = "computed_percent"

	msgEvidenceAsk      msgKey = "evidence_ask"
	msgEvidenceOptional msgKey = "evidence_optional"
	msgCarried          msgKey = "carried"
	msgMoreFiles        msgKey = "more_files"
	msgFileReceived     msgKey = "file_received"
	msgTooBig           msgKey = "too_big"
	msgTooBigUnknown    msgKey = "too_big_unknown"
	msgDownloadFailed   msgKey = "download_failed"
	msgEmptyFile        msgKey = "empty_file"
	msgBadType          msgKey = "bad_type"
	msgUnknownType      msgKey = "unknown_type"
	msgStoreFailed      msgKey = "store_failed"
	msgHeld             msgKey = "held"
	msgHeldAttached     msgKey = "held_attached"
	msgHeldDropped      msgKey = "held_dropped"
	msgFileIdle         msgKey = "file_idle"
	msgEvidenceWaiting  msgKey = "evidence_waiting"
	msgEvidenceMissing  msgKey = "evidence_missing"
	msgEvidenceSkipped  msgKey = "evidence_skipped"
	msgReplaced         msgKey = "replaced"
	msgNarrativeAsk     msgKey = "narrative_ask"
	msgNarrativeLong    msgKey = "narrative_long"
	msgNarrativeSaved   msgKey = "narrative_saved"
	msgBtnDone          msgKey = "btn_done"
	msgBtnSkip          msgKey = "btn_skip"
	msgBtnStart         msgKey = "btn_start"

	msgSkipped            msgKey = "skipped"
	msgNothingToSkip      msgKey = "nothing_to_skip"
	msgAtFirst            msgKey = "at_first"
	msgEditUsage          msgKey = "edit_usage"
	msgEditRange          msgKey = "edit_range"
	msgOtherOPD           msgKey = "other_opd"
	msgEditHint           msgKey = "edit_hint"
	msgEvidenceUsage      msgKey = "evidence_usage"
	msgEvidenceUnanswered msgKey = "evidence_unanswered"
	msgEvidenceFor        msgKey = "evidence_for"
	msgListProof          msgKey = "list_proof"
	msgListHead           msgKey = "list_head"
	msgListEmpty          msgKey = "list_empty"
	msgSkippedMark        msgKey = "skipped_mark"
	msgNoEvidenceMark     msgKey = "no_evidence_mark"
	msgAndMore            msgKey = "and_more"
	msgStatus             msgKey = "status"
	msgStatusAt           msgKey = "status_at"
	msgDeadline           msgKey = "deadline"
	msgDeadlineToday      msgKey = "deadline_today"
	msgDeadlinePast       msgKey = "deadline_past"
	msgHelpHead           msgKey = "help_head"
	msgStopped            msgKey = "stopped"
	msgStoppedIdle        msgKey = "stopped_idle"
	msgAllDone            msgKey = "all_done"
	msgCounts             msgKey = "counts"
	msgStillMissing       msgKey = "still_missing"
	msgNothingMissing     msgKey = "nothing_missing"
	// rvReopenedNote is the coordinator's decision under a question sent back.
	rvReopenedNote msgKey = "rv_reopened_note"
)

var engineTexts = Texts{
	rvReopenedNote: {
		"🔁 Dikembalikan koordinator (%s) oleh %s: %q",
		"🔁 Sent back by the coordinator (%s), %s: %q"},
	msgUnknown: {
		"Halo! Nomor/akun ini belum terdaftar di klabot, asisten penilaian mandiri KLA (Kabupaten/Kota Layak Anak).\nUntuk ikut mengisi, minta kode undangan ke koordinator Gugus Tugas KLA di daerah Anda (biasanya DP3A), lalu kirim: DAFTAR <kode>",
		"Hello! This account is not registered with klabot, the KLA self-assessment assistant.\nTo take part, ask your region's KLA task force coordinator (usually DP3A) for an invite code, then send: DAFTAR <code>"},
	msgInviteUnknown: {
		"Kode undangan itu tidak dikenal. Periksa kembali kodenya, atau minta kode baru ke koordinator.",
		"That invite code is not known. Check it, or ask your coordinator for a new one."},
	msgInviteExpired: {
		"Kode undangan itu sudah kedaluwarsa. Minta kode baru ke koordinator Gugus Tugas KLA.",
		"That invite code has expired. Ask your coordinator for a new one."},
	msgInviteUsed: {
		"Kode undangan itu sudah dipakai. Setiap kode hanya berlaku sekali; minta kode baru ke koordinator.",
		"That invite code was used already. Each code works once; ask your coordinator for a new one."},
	msgAlreadyRegistered: {
		"Anda sudah terdaftar, %s. Ketik mulai untuk melanjutkan pengisian.",
		"You are registered already, %s. Type start to continue."},
	msgWelcome: {
		"Selamat datang, %s! 👋\nAnda terdaftar sebagai %s, %s.",
		"Welcome, %s! 👋\nYou are registered as %s, %s."},
	msgRoleAt: {"%s %s", "%s of %s"},
	msgWelcomeCount: {
		"Ada %d pertanyaan untuk OPD Anda (%d sudah dijawab).",
		"Your OPD has %d questions (%d answered)."},
	msgWelcomeStart: {
		"Ketik mulai untuk memulai. Anda bisa berhenti kapan saja dan melanjutkan nanti; ketik bantuan untuk daftar perintah.",
		"Type start to begin. You can stop any time and continue later; type help for the commands."},
	msgWelcomeOther: {
		"Ketik bantuan untuk melihat apa yang bisa saya bantu.",
		"Type help to see what I can do for you."},
	msgRoleFocal:       {"focal point", "focal point"},
	msgRoleCoordinator: {"koordinator", "coordinator"},
	msgRoleHead:        {"pimpinan", "head"},
	msgRoleAdmin:       {"admin", "admin"},
	msgBusy: {
		"Pesan Anda sebelumnya masih diproses. Mohon kirim ulang sebentar lagi.",
		"Your previous message is still being handled. Please send this again in a moment."},
	msgTrouble: {
		"Maaf, ada gangguan di sistem kami. Jawaban Anda yang sudah tersimpan tetap aman; coba kirim lagi sebentar lagi.",
		"Sorry, something went wrong on our side. What you saved is safe; please try again in a moment."},
	msgNotForRole: {
		"Perintah itu tidak tersedia untuk peran Anda. Ketik bantuan untuk daftar perintah Anda.",
		"That command is not available for your role. Type help for your commands."},
	msgOldButton: {
		"Tombol itu dari pesan sebelumnya dan tidak berlaku lagi. Berikut yang sedang aktif:",
		"That button belongs to an earlier message and no longer applies. Here is what is open now:"},
	msgIdleHint: {
		"Ketik mulai untuk mengisi pertanyaan OPD Anda, status untuk progres, atau bantuan untuk daftar perintah.",
		"Type start to answer your OPD's questions, status for progress, or help for the commands."},
	msgPaused: {
		"Anda sedang jeda. Ketik lanjut untuk melanjutkan dari pertanyaan terakhir.",
		"You are paused. Type continue to resume at your last question."},
	msgNoInstrument: {
		"Instrumen penilaian tahun %d belum dimuat di klabot. Koordinator/admin sudah bisa mengimpornya; coba lagi nanti.",
		"The %d assessment instrument is not loaded in klabot yet. Your coordinator/admin can import it; please try later."},
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
	msgReplyNumber:    {"Balas %s.", "Reply %s."},
	msgYes:            {"Ya", "Yes"},
	msgPartial:        {"Sebagian", "Partly"},
	msgNo:             {"Tidak", "No"},
	msgFileAnswer:     {"file terlampir", "file attached"},
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
	msgEditHint:           {"Ketik ubah N untuk membuka pertanyaan nomor N, atau bukti N untuk menambah bukti dukungnya.", "Type edit N to open question N, or evidence N to add its evidence."},
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
	msgHelpHead:           {"Perintah yang bisa Anda pakai (boleh dengan atau tanpa /):", "Commands you can use (with or without /):"},
	msgStopped:            {"⏸️ Baik, kita jeda di pertanyaan %d. Jawaban Anda sudah tersimpan. Ketik lanjut kapan saja.", "⏸️ OK, paused at question %d. Your answers are saved. Type continue any time."},
	msgStoppedIdle:        {"⏸️ Baik. Ketik lanjut kapan saja.", "⏸️ OK. Type continue any time."},
	msgAllDone:            {"🎉 Semua pertanyaan %s sudah ditangani. Terima kasih!", "🎉 All questions of %s are dealt with. Thank you!"},
	msgCounts:             {"Dijawab: %d dari %d (%d dengan bukti dukung) · Dilewati: %d", "Answered: %d of %d (%d with evidence) · Skipped: %d"},
	msgStillMissing:       {"Masih kurang:", "Still missing:"},
	msgNothingMissing:     {"Tidak ada yang kurang. Koordinator akan meninjau jawaban Anda.", "Nothing is missing. The coordinator will review your answers."},
}
