package onboarding

import "github.com/klabot/klabot/conversations"

// The onboarding's texts, Indonesian first, English second (strangers are answered in
// Indonesian: klabot does not know their language yet). Arguments are fmt verbs, in the
// same order in both languages; catalogue_test.go checks them with every package's.
type key = conversations.TextKey

const (
	msgUnknown         key = "unknown"
	msgInviteUnknown   key = "invite_unknown"
	msgInviteExpired   key = "invite_expired"
	msgInviteUsed      key = "invite_used"
	msgWelcome         key = "welcome"
	msgWelcomeStart    key = "welcome_start"
	msgWelcomeOther    key = "welcome_other"
	msgRoleFocal       key = "role_focal"
	msgRoleAt          key = "role_at"
	msgRoleCoordinator key = "role_coordinator"
	msgRoleHead        key = "role_head"
	msgRoleAdmin       key = "role_admin"
	msgInvitePrivate   key = "invite_private"
	msgInviteWait      key = "invite_wait"
)

var texts = conversations.Texts{
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
	msgWelcome: {
		"Selamat datang, %s! 👋\nAnda terdaftar sebagai %s, %s.",
		"Welcome, %s! 👋\nYou are registered as %s, %s."},
	msgRoleAt: {"%s %s", "%s of %s"},
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
	msgInvitePrivate: {
		"🔒 Kode undangan hanya bisa dipakai di chat pribadi dengan bot, bukan di grup. Kirim kode ini lewat chat pribadi.",
		"🔒 Invite codes only work in a private chat with the bot, not in a group. Send the code in a private chat."},
	msgInviteWait: {
		"⏳ Terlalu banyak kode yang salah. Coba lagi dalam %d menit, atau minta kode baru ke koordinator.",
		"⏳ Too many wrong codes. Try again in %d minutes, or ask your coordinator for a new code."},
}

// Texts are the onboarding's texts, for the one catalogue test.
func Texts() conversations.Texts { return texts }

func tr(lang string, k key, args ...any) string { return texts.Tr(lang, k, args...) }
