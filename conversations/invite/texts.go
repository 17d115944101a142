package invite

import "github.com/klabot/klabot/conversations"

type msgKey = conversations.TextKey

const (
	ivOff         msgKey = "iv_off"
	ivUsage       msgKey = "iv_usage"
	ivUnknownOPD  msgKey = "iv_unknown_opd"
	ivCreated     msgKey = "iv_created"
	ivLink        msgKey = "iv_link"
	ivHead        msgKey = "iv_head"
	ivCoordinator msgKey = "iv_coordinator"
	ivFocal       msgKey = "iv_focal"
)

var texts = conversations.Texts{
	ivOff: {"Undangan lewat chat belum tersedia di server ini. Minta admin menjalankan klabot invite.",
		"Invites in chat are not available on this server. Ask the admin to run klabot invite."},
	ivUsage: {"Ketik undang OPD NAMA untuk focal point (mis. undang DINKES Dewi Lestari), atau undang kepala NAMA / undang koordinator NAMA.\nKode OPD: %s.",
		"Type invite OPD NAME for a focal point (e.g. invite DINKES Dewi Lestari), or invite head NAME / invite coordinator NAME.\nOPD codes: %s."},
	ivUnknownOPD: {"OPD %q tidak dikenal. Tulis kode atau nama lengkap OPD, lalu nama orangnya.\nKode OPD: %s.",
		"Unknown OPD %q. Write the OPD's code or full name, then the person's name.\nOPD codes: %s."},
	ivCreated: {"✉️ Kode undangan untuk %s (%s): %s\nSekali pakai, berlaku sampai %[5]s. Di WhatsApp: DAFTAR %[4]s.",
		"✉️ Invite code for %s (%s): %s\nSingle use, valid until %[5]s. On WhatsApp: DAFTAR %[4]s."},
	ivLink:        {"Telegram: %s", "Telegram: %s"},
	ivHead:        {"pimpinan daerah", "regional head"},
	ivCoordinator: {"koordinator", "coordinator"},
	ivFocal:       {"focal point %s", "focal point of %s"},
}

// Texts are the capability's texts, for the one catalogue test.
func Texts() conversations.Texts { return texts }

func tr(lang string, k msgKey, args ...any) string { return texts.Tr(lang, k, args...) }
