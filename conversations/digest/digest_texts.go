package digest

import "github.com/klabot/klabot/conversations"

// The texts of the digests feature (the digest commands ringkasan, opd, ingatkan and
// tenggat, the daily digest, the escalation of silent focal points), checked with the others
// by the one catalogue test (conversations/catalogue_test.go). They are Indonesian only for now: coordinators and admins
// read them, and an empty English text falls back to the Indonesian one. The focal
// points' reminder (NudgeMessage) is bilingual with its own plural and date logic per
// language, so its texts stay in nudge.go.
const (
	dgOff                msgKey = "dg_off"
	dgDeadlineUsage      msgKey = "dg_deadline_usage"
	dgDeadlineNoSuchDate msgKey = "dg_deadline_no_such_date"
	dgOPDComplete        msgKey = "dg_opd_complete"
	dgDeadlinePast       msgKey = "dg_deadline_past"
	dgDeadlineSet        msgKey = "dg_deadline_set"
	dgDeadlineShow       msgKey = "dg_deadline_show"
	dgDeadlineUnset      msgKey = "dg_deadline_unset"
	dgNudgeUsage         msgKey = "dg_nudge_usage"
	dgNudgeUnknown       msgKey = "dg_nudge_unknown"
	dgNudgeSent          msgKey = "dg_nudge_sent"
	dgNudgeSkipped       msgKey = "dg_nudge_skipped"
	dgNudgeNobody        msgKey = "dg_nudge_nobody"
	dgChartCaption       msgKey = "dg_chart_caption"

	// The daily digest and the opd answer (DigestText, OPDProgressText).
	dgNeverAnswered     msgKey = "dg_never_answered"
	dgAnsweredToday     msgKey = "dg_answered_today"
	dgAnsweredYesterday msgKey = "dg_answered_yesterday"
	dgAnsweredDaysAgo   msgKey = "dg_answered_days_ago"
	dgHead              msgKey = "dg_head"
	dgScores            msgKey = "dg_scores"
	dgTierToNext        msgKey = "dg_tier_to_next"
	dgTier              msgKey = "dg_tier"
	dgYesterday         msgKey = "dg_yesterday"
	dgSince             msgKey = "dg_since"
	dgSinceNone         msgKey = "dg_since_none"
	dgClusters          msgKey = "dg_clusters"
	dgAllDone           msgKey = "dg_all_done"
	dgLagging           msgKey = "dg_lagging"
	dgMoreOPDs          msgKey = "dg_more_opds"
	dgQuickWins         msgKey = "dg_quick_wins"
	dgBiggestGaps       msgKey = "dg_biggest_gaps"
	dgPendingPoints     msgKey = "dg_pending_points"
	dgPending           msgKey = "dg_pending"
	dgPendingNone       msgKey = "dg_pending_none"
	dgUnreachable       msgKey = "dg_unreachable"
	dgUnregistered      msgKey = "dg_unregistered"
	dgDeadline          msgKey = "dg_deadline"
	dgDeadlineNone      msgKey = "dg_deadline_none"
	dgGapLine           msgKey = "dg_gap_line"
	dgProgressHead      msgKey = "dg_progress_head"
	dgNoOPDs            msgKey = "dg_no_opds"
	dgOPDsDone          msgKey = "dg_opds_done"
	dgNudgeHint         msgKey = "dg_nudge_hint"

	// The coordinators' escalation of silent focal points (EscalationText).
	ngEscalationHead msgKey = "ng_escalation_head"
	ngEscalationLine msgKey = "ng_escalation_line"
	ngSilentOPDs     msgKey = "ng_silent_opds"
	ngEscalationHint msgKey = "ng_escalation_hint"
)

var digestTexts = conversations.Texts{
	dgOff:                {"Ringkasan belum tersedia di server ini. Hubungi admin klabot.", ""},
	dgDeadlineUsage:      {"Ketik tenggat DD/MM/YYYY, misalnya tenggat 31/12/2026.", ""},
	dgOPDComplete:        {"✅ %s sudah menjawab semua pertanyaannya.", "✅ %s has answered all its questions."},
	dgDeadlineNoSuchDate: {"Tanggal %s tidak ada di kalender (bulan itu tidak sampai tanggal tersebut). Ketik tenggat DD/MM/YYYY, misalnya tenggat 28/02/2027.", "There is no such date as %s. Type deadline DD/MM/YYYY, e.g. deadline 28/02/2027."},
	dgDeadlinePast:       {"Tanggal %s sudah lewat. Ketik tenggat DD/MM/YYYY dengan tanggal yang akan datang.", ""},
	dgDeadlineSet:        {"Tenggat %s sekarang %s.\nPengingat ke OPD menjadi harian mulai 7 hari sebelum tenggat.", ""},
	dgDeadlineShow:       {"Tenggat %s: %s.\nUntuk mengubah: tenggat DD/MM/YYYY.", ""},
	dgDeadlineUnset:      {"Tenggat %s belum ditetapkan.\nKetik tenggat DD/MM/YYYY, misalnya tenggat 31/12/2026.", ""},
	dgNudgeUsage:         {"Ketik ingatkan KODE_OPD, misalnya ingatkan %s.\nKode OPD: %s.", ""},
	dgNudgeUnknown:       {"OPD %q tidak ada di %s.\nKode OPD: %s.", ""},
	dgNudgeSent:          {"Pengingat terkirim ke %d orang di %s.", ""},
	dgNudgeSkipped:       {"%d orang dilewati: sudah selesai atau sudah diingatkan hari ini.", ""},
	dgNudgeNobody:        {"Belum ada focal point %s yang terhubung ke bot. Buat undangan dengan perintah undang.", ""},
	dgChartCaption:       {"Grafik nilai per klaster — %s", ""},

	dgNeverAnswered:     {"belum pernah menjawab", ""},
	dgAnsweredToday:     {"terakhir menjawab hari ini", ""},
	dgAnsweredYesterday: {"terakhir menjawab kemarin", ""},
	dgAnsweredDaysAgo:   {"terakhir menjawab %d hari lalu", ""},
	dgHead:              {"📊 Ringkasan KLA %s\n%s, %s\n\n", ""},
	dgScores:            {"Nilai diklaim %s · berbukti %s · terverifikasi %s\n", ""},
	dgTierToNext:        {"Predikat%s: %s — kurang %s poin ke %s\n", ""},
	dgTier:              {"Predikat%s: %s\n", ""},
	dgYesterday:         {"kemarin", ""},
	dgSince:             {"Sejak %s: diklaim %s · berbukti %s · terverifikasi %s\n", ""},
	dgSinceNone:         {"Sejak kemarin: belum ada data kemarin\n", ""},
	dgClusters:          {"\nPer klaster (berbukti/maks, diklaim):\n", ""},
	dgAllDone:           {"\nSemua OPD sudah menjawab semua pertanyaannya. 🎉\n", ""},
	dgLagging:           {"\nOPD tertinggal (%d):\n", ""},
	dgMoreOPDs:          {"• +%d OPD lainnya (ketik opd)\n", ""},
	dgQuickWins:         {"Cepat dapat poin:", ""},
	dgBiggestGaps:       {"Celah terbesar:", ""},
	dgPendingPoints:     {"Menunggu tinjauan: %d jawaban senilai %s poin (ketik tinjau)\n", ""},
	dgPending:           {"Menunggu tinjauan: %d jawaban (ketik tinjau)\n", ""},
	dgPendingNone:       {"Menunggu tinjauan: tidak ada\n", ""},
	dgUnreachable:       {"Tidak terjangkau (memblokir bot): %s\n", ""},
	dgUnregistered:      {"Belum mendaftar: %d orang (%s)\n", ""},
	dgDeadline:          {"Tenggat: %s\n", ""},
	dgDeadlineNone:      {"Tenggat: belum ditetapkan (ketik tenggat DD/MM/YYYY)\n", ""},
	dgGapLine:           {"• %s %s — %s poin", ""},
	dgProgressHead:      {"Kemajuan per OPD — %s, %s\n", ""},
	dgNoOPDs:            {"Belum ada OPD terdaftar.", ""},
	dgOPDsDone:          {"✅ %d OPD sudah lengkap.\n", ""},
	dgNudgeHint:         {"Ketik ingatkan KODE_OPD untuk mengingatkan satu OPD.", ""},

	ngEscalationHead: {"⚠️ Belum ada jawaban setelah beberapa pengingat — %s, %s:\n", ""},
	ngEscalationLine: {"• %s — %s: %d pertanyaan terbuka, %d pengingat tanpa jawaban (terakhir %s)\n", ""},
	ngSilentOPDs:     {"OPD yang diam: %s.\n", ""},
	ngEscalationHint: {"Mohon dihubungi langsung, atau ketik ingatkan KODE_OPD untuk mengingatkan lagi.", ""},
}

// msgKey names one of this package's texts.
type msgKey = conversations.TextKey

// Texts are the digests' and nudges' texts, for the one catalogue test.
func Texts() conversations.Texts { return digestTexts }

func tr(lang string, k msgKey, args ...any) string { return digestTexts.Tr(lang, k, args...) }
