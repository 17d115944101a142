package conversations

// The core's texts, Indonesian first, English second: what every step may answer (busy,
// trouble, a refused command, an old button), the numbered options and the answer words
// of FormatValue. Arguments are fmt verbs, in the same order in both languages. The
// capabilities keep their own (answering, onboarding, review ...); catalogue_test.go
// checks them all.
const (
	msgBusy         msgKey = "busy"
	msgTrouble      msgKey = "trouble"
	msgNotForRole   msgKey = "not_for_role"
	msgOldButton    msgKey = "old_button"
	msgNoInstrument msgKey = "no_instrument"
	msgReplyNumber  msgKey = "reply_number"
	msgYes          msgKey = "yes"
	msgPartial      msgKey = "partial"
	msgNo           msgKey = "no"
	msgFileAnswer   msgKey = "file_answer"
	msgHelpHead     msgKey = "help_head"
)

var engineTexts = Texts{
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
	msgNoInstrument: {
		"Instrumen penilaian tahun %d belum dimuat di klabot. Koordinator/admin sudah bisa mengimpornya; coba lagi nanti.",
		"The %d assessment instrument is not loaded in klabot yet. Your coordinator/admin can import it; please try later."},

	msgReplyNumber: {"Balas %s.", "Reply %s."},
	msgYes:         {"Ya", "Yes"},
	msgPartial:     {"Sebagian", "Partly"},
	msgNo:          {"Tidak", "No"},
	msgFileAnswer:  {"file terlampir", "file attached"},

	msgHelpHead: {"Perintah yang bisa Anda pakai (boleh dengan atau tanpa /):", "Commands you can use (with or without /):"},
}
