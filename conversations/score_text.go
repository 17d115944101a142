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

// DataAsOf says when the numbers were read, in the region's own zone:
// "data per 23 November 2026 14.05 WIB".
func DataAsOf(region Region, at time.Time) string {
	t := at.In(region.Location())
	return "data per " + dateID(t) + " " + clockID(t)
}

// GapReason is a gap kind in a few Indonesian words.
func GapReason(k scoring.GapKind) string {
	switch k {
	case scoring.GapEvidence:
		return "bukti belum ada"
	case scoring.GapSentBack:
		return "perlu perbaikan"
	case scoring.GapUnanswered:
		return "belum dijawab"
	}
	return "jawaban sebagian"
}

// GapOPDNames lists the OPDs responsible for a gap ("Bappeda, DP3AP2KB"), or says none is.
// A long official name ("Dinas Pemberdayaan Perempuan, Perlindungan Anak, …") gives way to
// the OPD's code, which people know as well and which keeps the message short.
func GapOPDNames(g scoring.Gap) string {
	if len(g.OPDs) == 0 {
		return "belum ada OPD"
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

func tierLabel(t scoring.Tier) string {
	if t.Name == "" {
		return scoring.NoTierName
	}
	return t.Name
}

// ScoreText answers "berapa nilai kita?" for a head or coordinator in one short message:
// the headline score and tier, the points to the next tier, the three scores, the three
// gaps that raise the score fastest with the OPDs responsible, and the date of the data.
func ScoreText(rs RegionScore) string {
	return scoreText(rs, ScoreQuestion{Kind: ScoreOverview}, scoring.DefaultTiers)
}

// ScoreAnswer answers q for person p: focal points get their own OPD's progress, everyone
// else the region's score shaped by the question (a named tier, lagging OPDs).
func ScoreAnswer(rs RegionScore, q ScoreQuestion, p Person, tiers scoring.Tiers) string {
	if len(tiers) == 0 {
		tiers = scoring.DefaultTiers
	}
	if p.Role == RoleFocalPoint {
		return OPDScoreText(rs, p.OPDCode)
	}
	return scoreText(rs, q, tiers)
}

func scoreText(rs RegionScore, q ScoreQuestion, tiers scoring.Tiers) string {
	r := rs.Report
	var b strings.Builder
	fmt.Fprintf(&b, "📈 Nilai KLA %s: %s — %s\n", rs.Region.Name, scoring.FormatPoints(r.Evidenced.Points), tierLabel(r.Tier))

	gaps := r.Gaps
	target, hasTarget := tiers.ByName(q.Tier)
	switch {
	case q.Kind == ScoreToTier && hasTarget && scoring.Tenths(r.Evidenced.Points) >= scoring.Tenths(target.Min):
		fmt.Fprintf(&b, "%s (%s) sudah tercapai. ", target.Name, scoring.FormatPoints(target.Min))
		if r.NextTier != nil {
			fmt.Fprintf(&b, "Ke %s kurang %s poin.\n", r.NextTier.Name, scoring.FormatPoints(r.PointsToNextTier))
		} else {
			b.WriteString("Ini predikat tertinggi.\n")
		}
	case q.Kind == ScoreToTier && hasTarget:
		route, ok := r.RouteTo(target.Min)
		fmt.Fprintf(&b, "Ke %s (%s) kurang %s poin.", target.Name, scoring.FormatPoints(target.Min), scoring.FormatPoints(r.PointsTo(target.Min)))
		if ok {
			fmt.Fprintf(&b, " Bisa dicapai dengan menutup %d celah teratas.\n", len(route))
		} else {
			b.WriteString(" Semua celah yang ada belum cukup untuk itu.\n")
		}
		gaps = route
	case r.NextTier != nil:
		fmt.Fprintf(&b, "Ke %s (%s) kurang %s poin.\n", r.NextTier.Name, scoring.FormatPoints(r.NextTier.Min), scoring.FormatPoints(r.PointsToNextTier))
	default:
		b.WriteString("Ini predikat tertinggi.\n")
	}
	fmt.Fprintf(&b, "Diklaim %s · berbukti %s · terverifikasi %s\n",
		scoring.FormatPoints(r.Claimed.Points), scoring.FormatPoints(r.Evidenced.Points), scoring.FormatPoints(r.Verified.Points))
	b.WriteString("(predikat dihitung dari nilai berbukti")
	if r.VerifiedNote != "" {
		b.WriteString("; belum ada jawaban yang ditinjau koordinator")
	}
	b.WriteString(")\n")

	if q.Kind == ScoreLaggingOPDs {
		writeLaggingOPDs(&b, r.OPDs)
	}
	writeScoreGaps(&b, gaps)
	fmt.Fprintf(&b, "\n%s.", capitalize(DataAsOf(rs.Region, rs.At)))
	return b.String()
}

// writeLaggingOPDs lists the least complete OPDs.
func writeLaggingOPDs(b *strings.Builder, opds []scoring.Rollup) {
	var open []scoring.Rollup
	for _, o := range opds {
		if o.Code != "" && o.Answered < o.Questions {
			open = append(open, o)
		}
	}
	if len(open) == 0 {
		b.WriteString("\nSemua OPD sudah menjawab semua pertanyaannya.\n")
		return
	}
	// Least complete first; ties by points still missing, then code.
	for i := 1; i < len(open); i++ {
		for j := i; j > 0 && lagsBehind(open[j], open[j-1]); j-- {
			open[j], open[j-1] = open[j-1], open[j]
		}
	}
	fmt.Fprintf(b, "\nOPD yang belum selesai (%d):\n", len(open))
	for i, o := range open {
		if i == scoreMaxOPDs {
			fmt.Fprintf(b, "… dan %d OPD lain\n", len(open)-i)
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
func writeScoreGaps(b *strings.Builder, gaps []scoring.Gap) {
	if len(gaps) == 0 {
		return
	}
	b.WriteString("\nYang paling cepat menambah nilai:\n")
	for i, g := range gaps {
		if i == scoreMaxGaps {
			break
		}
		fmt.Fprintf(b, "%d. %s %s (+%s, %s) · %s\n", i+1, g.QuestionCode, shorten(g.QuestionText, scoreMaxQuestion),
			scoring.FormatPoints(g.Points), GapReason(g.Kind), GapOPDNames(g))
	}
}

// OPDScoreText is a focal point's answer to "berapa nilai kita?": their OPD's own
// progress and points, and the OPD's gaps that raise the score fastest.
func OPDScoreText(rs RegionScore, opdCode string) string {
	r := rs.Report
	o, ok := r.OPD(opdCode)
	if !ok || opdCode == "" {
		return "OPD Anda belum terdaftar di " + rs.Region.Name + ", jadi progresnya belum bisa dihitung. Hubungi koordinator KLA."
	}
	var b strings.Builder
	fmt.Fprintf(&b, "📋 Progres %s: %d dari %d pertanyaan terjawab (%s)\n", o.Name, o.Answered, o.Questions, scoring.FormatPercent(o.Completion()))
	fmt.Fprintf(&b, "Poin berbukti %s dari %s (diklaim %s).\n", scoring.FormatPoints(o.Evidenced), scoring.FormatPoints(o.Max), scoring.FormatPoints(o.Claimed))
	if o.EvidenceMissing > 0 || o.SentBack > 0 {
		fmt.Fprintf(&b, "Bukti belum ada: %d · perlu perbaikan: %d\n", o.EvidenceMissing, o.SentBack)
	}
	writeScoreGaps(&b, r.GapsOf(opdCode))
	fmt.Fprintf(&b, "\nNilai daerah: %s — %s. %s.", scoring.FormatPoints(r.Evidenced.Points), tierLabel(r.Tier), capitalize(DataAsOf(rs.Region, rs.At)))
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

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}
