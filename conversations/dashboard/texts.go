package dashboard

import "github.com/klabot/klabot/conversations"

type msgKey = conversations.TextKey

const (
	dbLink      msgKey = "db_link"
	dbOff       msgKey = "db_off"
	dbForbidden msgKey = "db_forbidden"
)

var dashboardTexts = conversations.Texts{
	dbLink: {
		"🖥 Dasbor KLA %s: buka tautan ini di ponsel atau komputer, lalu tekan Masuk.\n%s\n\nTautan hanya bisa dipakai sekali dan berlaku sampai %s. Jangan teruskan ke orang lain; ketik dasbor lagi kapan saja untuk tautan baru.",
		"🖥 KLA dashboard of %s: open this link on a phone or computer, then press Masuk.\n%s\n\nThe link works once and until %s. Do not forward it; type dashboard again any time for a new one."},
	dbOff: {
		"Dasbor web belum disiapkan di server ini. Hubungi admin klabot.",
		"The web dashboard is not set up on this server. Contact the klabot admin."},
	dbForbidden: {
		"Dasbor web hanya untuk koordinator dan pimpinan daerah. Anda bisa terus menjawab di chat ini (ketik lanjut).",
		"The web dashboard is for coordinators and heads of the region. You can keep answering in this chat (type lanjut)."},
}

// Texts are the dashboard command's texts, for the one catalogue test.
func Texts() conversations.Texts { return dashboardTexts }

func tr(lang string, k msgKey, args ...any) string { return dashboardTexts.Tr(lang, k, args...) }
