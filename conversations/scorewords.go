package conversations

import "github.com/klabot/klabot/scoring"

// The words for score gaps and for a region without a tier, shared by the heads' score
// answers (headline), the digests (digest) and `klabot score`.
const (
	scNoTier      msgKey = "sc_no_tier"
	scGapEvidence msgKey = "sc_gap_evidence"
	scGapSentBack msgKey = "sc_gap_sent_back"
	scGapOpen     msgKey = "sc_gap_open"
	scGapPartial  msgKey = "sc_gap_partial"
)

var scoreWords = Texts{
	scNoTier:      {scoring.NoTierName, "no tier yet"},
	scGapEvidence: {"bukti belum ada", "evidence missing"},
	scGapSentBack: {"perlu perbaikan", "sent back"},
	scGapOpen:     {"belum dijawab", "not answered"},
	scGapPartial:  {"jawaban sebagian", "partly met"},
}

// GapReason is a gap kind in a few Indonesian words.
func GapReason(k scoring.GapKind) string { return GapReasonIn("id", k) }

// GapReasonIn is a gap kind in a few words of lang; an unknown kind keeps its name.
func GapReasonIn(lang string, k scoring.GapKind) string {
	switch k {
	case scoring.GapEvidence:
		return tr(lang, scGapEvidence)
	case scoring.GapSentBack:
		return tr(lang, scGapSentBack)
	case scoring.GapUnanswered:
		return tr(lang, scGapOpen)
	case scoring.GapPartial:
		return tr(lang, scGapPartial)
	}
	return string(k)
}

// NoTierLabel is the name shown for a region that has reached no tier yet.
func NoTierLabel(lang string) string { return tr(lang, scNoTier) }
