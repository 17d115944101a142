package conversations

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klabot/klabot/scoring"
)

// Limits that keep a score answer phone-sized.
const (
	scoreMaxGaps     = 3
	scoreMaxOPDs     = 5
	scoreMaxQuestion = 60 // runes of a question text in a gap line
	scoreMaxOPDName  = 24 // runes of an OPD name before its code is used instead
)

// scoreTexts are the texts of score answers, Indonesian first, English second; the
// arguments are fmt verbs in the same order in both. Numbers stay in Indonesian format.
var scoreTexts = map[string][2]string{
	"head":          {"📈 Nilai KLA %s: %s — %s\n", "📈 KLA score of %s: %s — %s\n"},
	"reached":       {"%s (%s) sudah tercapai. ", "%s (%s) is reached. "},
	"to_next":       {"Ke %s kurang %s poin.\n", "%s more points to %s.\n"},
	"to_tier":       {"Ke %s (%s) kurang %s poin.", "%[3]s more points to %[1]s (%[2]s)."},
	"route":         {" Bisa dicapai dengan menutup %d celah teratas.\n", " Closing the top %d gaps gets there.\n"},
	"no_route":      {" Semua celah yang ada belum cukup untuk itu.\n", " Even closing every gap is not enough.\n"},
	"top":           {"Ini predikat tertinggi.\n", "This is the highest tier.\n"},
	"three":         {"Diklaim %s · berbukti %s · terverifikasi %s\n", "Claimed %s · evidenced %s · verified %s\n"},
	"basis":         {"(predikat dihitung dari nilai berbukti", "(the tier is based on the evidenced score"},
	"no_reviews":    {"; belum ada jawaban yang ditinjau koordinator", "; no answer has been reviewed yet"},
	"all_done":      {"\nSemua OPD sudah menjawab semua pertanyaannya.\n", "\nEvery OPD has answered all its questions.\n"},
	"lagging":       {"\nOPD yang belum selesai (%d):\n", "\nOPDs not finished yet (%d):\n"},
	"more_opds":     {"… dan %d OPD lain\n", "… and %d more OPDs\n"},
	"gaps":          {"\nYang paling cepat menambah nilai:\n", "\nWhat raises the score fastest:\n"},
	"as_of":         {"Data per %s %s.", "Data as of %s %s."},
	"opd_unknown":   {"OPD Anda belum terdaftar di %s, jadi progresnya belum bisa dihitung. Hubungi koordinator KLA.", "Your OPD is not registered in %s yet, so its progress cannot be computed. Please contact the KLA coordinator."},
	"opd_head":      {"📋 Progres %s: %d dari %d pertanyaan terjawab (%s)\n", "📋 Progress of %s: %d of %d questions answered (%s)\n"},
	"opd_points":    {"Poin berbukti %s dari %s (diklaim %s).\n", "Evidenced points %s of %s (claimed %s).\n"},
	"opd_quick":     {"Bukti belum ada: %d · perlu perbaikan: %d\n", "Evidence missing: %d · sent back: %d\n"},
	"opd_region":    {"\nNilai daerah: %s — %s. ", "\nRegion's score: %s — %s. "},
	"no_tier":       {scoring.NoTierName, "no tier yet"},
	"no_opd":        {"belum ada OPD", "no OPD"},
	"gap_evidence":  {"bukti belum ada", "evidence missing"},
	"gap_sent_back": {"perlu perbaikan", "sent back"},
	"gap_open":      {"belum dijawab", "not answered"},
	"gap_partial":   {"jawaban sebagian", "partly met"},
}

// st renders a score text in lang ("en" or Indonesian).
func st(lang, key string, args ...any) string {
	pair := scoreTexts[key]
	t := pair[0]
	if lang == "en" && pair[1] != "" {
		t = pair[1]
	}
	if len(args) == 0 {
		return t
	}
	return fmt.Sprintf(t, args...)
}

// DataAsOf says when the numbers were read, in the region's own zone:
// "data per 23 November 2026 14.05 WIB".
func DataAsOf(region Region, at time.Time) string {
	t := at.In(region.Location())
	return "data per " + dateID(t) + " " + clockID(t)
}

func dataAsOf(lang string, region Region, at time.Time) string {
	t := at.In(region.Location())
	return st(lang, "as_of", dateID(t), clockID(t))
}

// GapReason is a gap kind in a few Indonesian words.
func GapReason(k scoring.GapKind) string { return gapReasonIn("id", k) }

func gapReasonIn(lang string, k scoring.GapKind) string {
	switch k {
	case scoring.GapEvidence:
		return st(lang, "gap_evidence")
	case scoring.GapSentBack:
		return st(lang, "gap_sent_back")
	case scoring.GapUnanswered:
		return st(lang, "gap_open")
	}
	return st(lang, "gap_partial")
}

// GapOPDNames lists the OPDs responsible for a gap ("Bappeda, DP3AP2KB"), or says none is.
// A long official name ("Dinas Pemberdayaan Perempuan, Perlindungan Anak, …") gives way to
// the OPD's code, which people know as well and which keeps the message short.
func GapOPDNames(g scoring.Gap) string { return gapOPDNamesIn("id", g) }

func gapOPDNamesIn(lang string, g scoring.Gap) string {
	if len(g.OPDs) == 0 {
		return st(lang, "no_opd")
	}
	names := make([]string, len(g.OPDs))
	for i, o := range g.OPDs {
		names[i] = o.Name
		if names[i] == "" || utf8.RuneCountInString(names[i]) > scoreMaxOPDName {
			names[i] = o.Code
		}
	}
	return strings.Join(names, ", ")
}

// GapOPDCodes lists the codes of the OPDs responsible for a gap ("BAPPEDA, DP3AP2KB").
func GapOPDCodes(g scoring.Gap) string {
	if len(g.OPDs) == 0 {
		return "—"
	}
	codes := make([]string, len(g.OPDs))
	for i, o := range g.OPDs {
		codes[i] = o.Code
	}
	return strings.Join(codes, ", ")
}

// shorten cuts s to at most n runes with an ellipsis, at a word boundary when one is near.
func shorten(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	cut := string([]rune(s)[:n-1])
	if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:") + "…"
}

func tierLabel(lang string, t scoring.Tier) string {
	if t.Name == "" || !t.Ranked() {
		return st(lang, "no_tier")
	}
	return t.Name
}

// ScoreText answers "berapa nilai kita?" for a head or coordinator in one short message:
// the headline score and tier, the points to the next tier, the three scores, the three
// gaps that raise the score fastest with the OPDs responsible, and the date of the data.
func ScoreText(rs RegionScore) string {
	return scoreText("id", rs, ScoreQuestion{Kind: ScoreOverview}, scoring.DefaultTiers)
}

// ScoreAnswer answers q for person p in p's language: focal points get their own OPD's
// progress, everyone else the region's score shaped by the question (a named tier,
// lagging OPDs).
func ScoreAnswer(rs RegionScore, q ScoreQuestion, p Person, tiers scoring.Tiers) string {
	if len(tiers) == 0 {
		tiers = scoring.DefaultTiers
	}
	if p.Role == RoleFocalPoint {
		return opdScoreText(p.Language, rs, p.OPDCode)
	}
	return scoreText(p.Language, rs, q, tiers)
}

func scoreText(lang string, rs RegionScore, q ScoreQuestion, tiers scoring.Tiers) string {
	r := rs.Report
	p := scoring.FormatPoints
	var b strings.Builder
	b.WriteString(st(lang, "head", rs.Region.Name, p(r.Evidenced.Points), tierLabel(lang, r.Tier)))

	gaps := r.Gaps
	target, hasTarget := tiers.ByName(q.Tier)
	switch {
	case q.Kind == ScoreToTier && hasTarget && scoring.Tenths(r.Evidenced.Points) >= scoring.Tenths(target.Min):
		b.WriteString(st(lang, "reached", target.Name, p(target.Min)))
		if r.NextTier != nil {
			b.WriteString(nextLine(lang, r.NextTier.Name, p(r.PointsToNextTier)))
		} else {
			b.WriteString(st(lang, "top"))
		}
	case q.Kind == ScoreToTier && hasTarget:
		route, ok := r.RouteTo(target.Min)
		b.WriteString(st(lang, "to_tier", target.Name, p(target.Min), p(r.PointsTo(target.Min))))
		if ok {
			b.WriteString(st(lang, "route", len(route)))
		} else {
			b.WriteString(st(lang, "no_route"))
		}
		gaps = route
	case r.NextTier != nil:
		b.WriteString(st(lang, "to_tier", r.NextTier.Name, p(r.NextTier.Min), p(r.PointsToNextTier)) + "\n")
	default:
		b.WriteString(st(lang, "top"))
	}
	b.WriteString(st(lang, "three", p(r.Claimed.Points), p(r.Evidenced.Points), p(r.Verified.Points)))
	b.WriteString(st(lang, "basis"))
	if r.VerifiedNote != "" {
		b.WriteString(st(lang, "no_reviews"))
	}
	b.WriteString(")\n")

	if q.Kind == ScoreLaggingOPDs {
		writeLaggingOPDs(lang, &b, r.OPDs)
	}
	writeScoreGaps(lang, &b, gaps)
	b.WriteString("\n" + dataAsOf(lang, rs.Region, rs.At))
	return b.String()
}

// nextLine says the points to the next tier; the two languages order the words differently.
func nextLine(lang, tier, points string) string {
	if lang == "en" {
		return st(lang, "to_next", points, tier)
	}
	return st(lang, "to_next", tier, points)
}

// writeLaggingOPDs lists the least complete OPDs.
func writeLaggingOPDs(lang string, b *strings.Builder, opds []scoring.Rollup) {
	var open []scoring.Rollup
	for _, o := range opds {
		if o.Code != "" && o.Answered < o.Questions {
			open = append(open, o)
		}
	}
	if len(open) == 0 {
		b.WriteString(st(lang, "all_done"))
		return
	}
	// Least complete first; ties by points still missing, then code.
	for i := 1; i < len(open); i++ {
		for j := i; j > 0 && lagsBehind(open[j], open[j-1]); j-- {
			open[j], open[j-1] = open[j-1], open[j]
		}
	}
	b.WriteString(st(lang, "lagging", len(open)))
	for i, o := range open {
		if i == scoreMaxOPDs {
			b.WriteString(st(lang, "more_opds", len(open)-i))
			break
		}
		fmt.Fprintf(b, "• %s %d/%d (%s)\n", o.Name, o.Answered, o.Questions, scoring.FormatPercent(o.Completion()))
	}
}

func lagsBehind(a, b scoring.Rollup) bool {
	if ca, cb := a.Completion(), b.Completion(); ca != cb {
		return ca < cb
	}
	if a.Missing != b.Missing {
		return a.Missing > b.Missing
	}
	return a.Code < b.Code
}

// writeScoreGaps writes the first gaps of a ranked list.
func writeScoreGaps(lang string, b *strings.Builder, gaps []scoring.Gap) {
	if len(gaps) == 0 {
		return
	}
	b.WriteString(st(lang, "gaps"))
	for i, g := range gaps {
		if i == scoreMaxGaps {
			break
		}
		fmt.Fprintf(b, "%d. %s %s (+%s, %s) · %s\n", i+1, g.QuestionCode, shorten(g.QuestionText, scoreMaxQuestion),
			scoring.FormatPoints(g.Points), gapReasonIn(lang, g.Kind), gapOPDNamesIn(lang, g))
	}
}

// OPDScoreText is a focal point's answer to "berapa nilai kita?": their OPD's own
// progress and points, and the OPD's gaps that raise the score fastest.
func OPDScoreText(rs RegionScore, opdCode string) string { return opdScoreText("id", rs, opdCode) }

func opdScoreText(lang string, rs RegionScore, opdCode string) string {
	r := rs.Report
	o, ok := r.OPD(opdCode)
	if !ok || opdCode == "" {
		return st(lang, "opd_unknown", rs.Region.Name)
	}
	p := scoring.FormatPoints
	var b strings.Builder
	b.WriteString(st(lang, "opd_head", o.Name, o.Answered, o.Questions, scoring.FormatPercent(o.Completion())))
	b.WriteString(st(lang, "opd_points", p(o.Evidenced), p(o.Max), p(o.Claimed)))
	if o.EvidenceMissing > 0 || o.SentBack > 0 {
		b.WriteString(st(lang, "opd_quick", o.EvidenceMissing, o.SentBack))
	}
	writeScoreGaps(lang, &b, r.GapsOf(opdCode))
	b.WriteString(st(lang, "opd_region", p(r.Evidenced.Points), tierLabel(lang, r.Tier)))
	b.WriteString(dataAsOf(lang, rs.Region, rs.At))
	return b.String()
}

// ScoreHelpText lists what the score questions can answer, for a question not understood.
func ScoreHelpText() string {
	return "Maaf, pertanyaan itu belum saya pahami. Saya bisa menjawab:\n" + scoreQuestionList + "Atau ketik /nilai."
}

// ScoreQuestionsHint lists the plain score questions, for a help message.
func ScoreQuestionsHint() string {
	return "Anda juga bisa bertanya langsung, misalnya:\n" + strings.TrimSuffix(scoreQuestionList, "\n")
}

const scoreQuestionList = "• berapa nilai kita?\n" +
	"• kita peringkat apa?\n" +
	"• apa yang kurang untuk nindya?\n" +
	"• OPD mana yang belum?\n"
