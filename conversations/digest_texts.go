package conversations

// The digest commands' texts (ringkasan, opd, ingatkan, tenggat), merged into the one
// catalogue (catalogue.go). They are Indonesian only for now: coordinators and admins
// read them, and an empty English text falls back to the Indonesian one.
const (
	dgOff           msgKey = "dg_off"
	dgDeadlineUsage msgKey = "dg_deadline_usage"
	dgDeadlinePast  msgKey = "dg_deadline_past"
	dgDeadlineSet   msgKey = "dg_deadline_set"
	dgDeadlineShow  msgKey = "dg_deadline_show"
	dgDeadlineUnset msgKey = "dg_deadline_unset"
	dgNudgeUsage    msgKey = "dg_nudge_usage"
	dgNudgeUnknown  msgKey = "dg_nudge_unknown"
	dgNudgeSent     msgKey = "dg_nudge_sent"
	dgNudgeSkipped  msgKey = "dg_nudge_skipped"
	dgNudgeNobody   msgKey = "dg_nudge_nobody"
	dgChartCaption  msgKey = "dg_chart_caption"
)

var digestTexts = map[msgKey][2]string{
	dgOff:           {"Ringkasan belum tersedia di server ini. Hubungi admin klabot.", ""},
	dgDeadlineUsage: {"Ketik tenggat DD/MM/YYYY, misalnya tenggat 31/12/2026.", ""},
	dgDeadlinePast:  {"Tanggal %s sudah lewat. Ketik tenggat DD/MM/YYYY dengan tanggal yang akan datang.", ""},
	dgDeadlineSet:   {"Tenggat %s sekarang %s.\nPengingat ke OPD menjadi harian mulai 7 hari sebelum tenggat.", ""},
	dgDeadlineShow:  {"Tenggat %s: %s.\nUntuk mengubah: tenggat DD/MM/YYYY.", ""},
	dgDeadlineUnset: {"Tenggat %s belum ditetapkan.\nKetik tenggat DD/MM/YYYY, misalnya tenggat 31/12/2026.", ""},
	dgNudgeUsage:    {"Ketik ingatkan KODE_OPD, misalnya ingatkan %s.\nKode OPD: %s.", ""},
	dgNudgeUnknown:  {"OPD %q tidak ada di %s.\nKode OPD: %s.", ""},
	dgNudgeSent:     {"Pengingat terkirim ke %d orang di %s.", ""},
	dgNudgeSkipped:  {"%d orang dilewati: sudah selesai atau sudah diingatkan hari ini.", ""},
	dgNudgeNobody:   {"Belum ada focal point %s yang terhubung ke bot. Buat undangan dengan perintah undang.", ""},
	dgChartCaption:  {"Grafik nilai per klaster — %s", ""},
}
