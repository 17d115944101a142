package headline

import (
	"fmt"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/idfmt"
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

// The texts of score answers, Indonesian first, English second; the arguments are fmt
// verbs in the same order in both (explicit indexes where English orders words
// differently). Numbers stay in Indonesian format. Checked with the others by
// the one catalogue test (conversations/catalogue_test.go).
const (
	scHead          msgKey = "sc_head"
	scReached       msgKey = "sc_reached"
	scToNext        msgKey = "sc_to_next"
	scToTier        msgKey = "sc_to_tier"
	scRoute         msgKey = "sc_route"
	scNoRoute       msgKey = "sc_no_route"
	scTop           msgKey = "sc_top"
	scThree         msgKey = "sc_three"
	scBasis         msgKey = "sc_basis"
	scNoReviews     msgKey = "sc_no_reviews"
	scAllDone       msgKey = "sc_all_done"
	scLagging       msgKey = "sc_lagging"
	scMoreOPDs      msgKey = "sc_more_opds"
	scGaps          msgKey = "sc_gaps"
	scAsOf          msgKey = "sc_as_of"
	scOPDUnknown    msgKey = "sc_opd_unknown"
	scOPDHead       msgKey = "sc_opd_head"
	scOPDPoints     msgKey = "sc_opd_points"
	scOPDQuick      msgKey = "sc_opd_quick"
	scOPDRegion     msgKey = "sc_opd_region"
	scNoOPD         msgKey = "sc_no_opd"
	scHelp          msgKey = "sc_help"
	scQuestionsHint msgKey = "sc_questions_hint"
	scWeakest       msgKey = "sc_weakest"
	scProgress      msgKey = "sc_progress"
	scDeadline      msgKey = "sc_deadline"
	scDeadlineUnset msgKey = "sc_deadline_unset"
	scDaysLeft      msgKey = "sc_days_left"
	scToday         msgKey = "sc_today"
	scPassed        msgKey = "sc_passed"
)

// msgKey names one of this package's texts.
type msgKey = conversations.TextKey

// Texts are the score answers' texts, for the one catalogue test.
func Texts() conversations.Texts { return scoreTexts }

func tr(lang string, k msgKey, args ...any) string { return scoreTexts.Tr(lang, k, args...) }

var scoreTexts = conversations.Texts{
	scHead:       {"📈 Nilai KLA %s: %s — %s\n", "📈 KLA score of %s: %s — %s\n"},
	scReached:    {"%s (%s) sudah tercapai. ", "%s (%s) is reached. "},
	scToNext:     {"Ke %s kurang %s poin.\n", "%[2]s more points to %[1]s.\n"},
	scToTier:     {"Ke %s (%s) kurang %s poin.", "%[3]s more points to %[1]s (%[2]s)."},
	scRoute:      {" Bisa dicapai dengan menutup %d celah teratas.\n", " Closing the top %d gaps gets there.\n"},
	scNoRoute:    {" Semua celah yang ada belum cukup untuk itu.\n", " Even closing every gap is not enough.\n"},
	scTop:        {"Ini predikat tertinggi.\n", "This is the highest tier.\n"},
	scThree:      {"Diklaim %s · berbukti %s · terverifikasi %s\n", "Claimed %s · evidenced %s · verified %s\n"},
	scBasis:      {"(predikat dihitung dari nilai berbukti", "(the tier is based on the evidenced score"},
	scNoReviews:  {"; belum ada jawaban yang ditinjau koordinator", "; no answer has been reviewed yet"},
	scAllDone:    {"\nSemua OPD sudah menjawab semua pertanyaannya.\n", "\nEvery OPD has answered all its questions.\n"},
	scLagging:    {"\nOPD yang belum selesai (%d):\n", "\nOPDs not finished yet (%d):\n"},
	scMoreOPDs:   {"… dan %d OPD lain\n", "… and %d more OPDs\n"},
	scGaps:       {"\nYang paling cepat menambah nilai:\n", "\nWhat raises the score fastest:\n"},
	scAsOf:       {"Data per %s %s.", "Data as of %s %s."},
	scOPDUnknown: {"OPD Anda belum terdaftar di %s, jadi progresnya belum bisa dihitung. Hubungi koordinator KLA.", "Your OPD is not registered in %s yet, so its progress cannot be computed. Please contact the KLA coordinator."},
	scOPDHead:    {"📋 Progres %s: %d dari %d pertanyaan terjawab (%s)\n", "📋 Progress of %s: %d of %d questions answered (%s)\n"},
	scOPDPoints:  {"Poin berbukti %s dari %s (diklaim %s).\n", "Evidenced points %s of %s (claimed %s).\n"},
	scOPDQuick:   {"Bukti belum ada: %d · perlu perbaikan: %d\n", "Evidence missing: %d · sent back: %d\n"},
	scOPDRegion:  {"\nNilai daerah: %s — %s. ", "\nRegion's score: %s — %s. "},
	scNoOPD:      {"belum ada OPD", "no OPD"},
	// Indonesian only: the example questions (scoreQuestionList) are the Indonesian
	// phrases the score parser understands.
	scHelp:          {"Maaf, pertanyaan itu belum saya pahami. Saya bisa menjawab:\n%sAtau ketik /nilai.", ""},
	scQuestionsHint: {"Anda juga bisa bertanya langsung, misalnya:\n%s", ""},
	scWeakest:       {"\n📉 Klaster terendah: %s\n", "\n📉 Weakest cluster: %s\n"},
	scProgress:      {"📊 Progres: %d dari %d pertanyaan dijawab (%s); %d masih tanpa bukti dukung.\n", "📊 Progress: %d of %d questions answered (%s); %d still without evidence.\n"},
	scDeadline:      {"⏰ Tenggat %s: %s", "⏰ Deadline of %s: %s"},
	scDeadlineUnset: {"⏰ Tenggat %s belum ditetapkan koordinator.", "⏰ %s has no deadline set yet."},
	scDaysLeft:      {" (%d hari lagi).", " (%d days left)."},
	scToday:         {" (hari ini).", " (today)."},
	scPassed:        {" (sudah lewat).", " (passed)."},
}

// DataAsOf says when the numbers were read, in the region's own zone:
// "data per 23 November 2026 14.05 WIB".
func DataAsOf(region conversations.Region, at time.Time) string {
	t := at.In(region.Location())
	return "data per " + idfmt.DateID(t) + " " + idfmt.Clock(t)
}

func dataAsOf(lang string, region conversations.Region, at time.Time) string {
	t := at.In(region.Location())
	return tr(lang, scAsOf, idfmt.DateID(t), idfmt.Clock(t))
}

// GapOPDNames lists the OPDs responsible for a gap ("Bappeda, DP3AP2KB"), or says none is.
// A long official name ("Dinas Pemberdayaan Perempuan, Perlindungan Anak, …") gives way to
// the OPD's code, which people know as well and which keeps the message short.
func GapOPDNames(g scoring.Gap) string { return gapOPDNamesIn("id", g) }

func gapOPDNamesIn(lang string, g scoring.Gap) string {
	if len(g.OPDs) == 0 {
		return tr(lang, scNoOPD)
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

func tierLabel(lang string, t scoring.Tier) string {
	if t.Name == "" || !t.Ranked() {
		return conversations.NoTierLabel(lang)
	}
	return t.Name
}

// ScoreText answers "berapa nilai kita?" for a head or coordinator in one short message:
// the headline score and tier, the points to the next tier, the three scores, the three
// gaps that raise the score fastest with the OPDs responsible, and the date of the data.
func ScoreText(rs conversations.RegionScore) string {
	return scoreText("id", rs, ScoreQuestion{Kind: ScoreOverview}, scoring.DefaultTiers)
}

// ScoreAnswer answers q for person p in p's language: focal points get their own OPD's
// progress, everyone else the region's score shaped by the question (a named tier,
// lagging OPDs).
func ScoreAnswer(rs conversations.RegionScore, q ScoreQuestion, p conversations.Person, tiers scoring.Tiers) string {
	if len(tiers) == 0 {
		tiers = scoring.DefaultTiers
	}
	if p.Role == conversations.RoleFocalPoint {
		return opdScoreText(p.Language, rs, p.OPDCode)
	}
	return scoreText(p.Language, rs, q, tiers)
}

func scoreText(lang string, rs conversations.RegionScore, q ScoreQuestion, tiers scoring.Tiers) string {
	r := rs.Report
	p := scoring.FormatPoints
	var b strings.Builder
	if q.Kind == ScoreDeadline {
		return deadlineText(lang, rs)
	}
	b.WriteString(tr(lang, scHead, rs.Region.Name, p(r.Evidenced.Points), tierLabel(lang, r.Tier)))

	gaps := r.Gaps
	target, hasTarget := tiers.ByName(q.Tier)
	switch {
	case q.Kind == ScoreToTier && hasTarget && scoring.Tenths(r.Evidenced.Points) >= scoring.Tenths(target.Min):
		b.WriteString(tr(lang, scReached, target.Name, p(target.Min)))
		if r.NextTier != nil {
			b.WriteString(nextLine(lang, r.NextTier.Name, p(r.PointsToNextTier)))
		} else {
			b.WriteString(tr(lang, scTop))
		}
	case q.Kind == ScoreToTier && hasTarget:
		route, ok := r.RouteTo(target.Min)
		b.WriteString(tr(lang, scToTier, target.Name, p(target.Min), p(r.PointsTo(target.Min))))
		if ok {
			b.WriteString(tr(lang, scRoute, len(route)))
		} else {
			b.WriteString(tr(lang, scNoRoute))
		}
		gaps = route
	case r.NextTier != nil:
		b.WriteString(tr(lang, scToTier, r.NextTier.Name, p(r.NextTier.Min), p(r.PointsToNextTier)) + "\n")
	default:
		b.WriteString(tr(lang, scTop))
	}
	b.WriteString(tr(lang, scThree, p(r.Claimed.Points), p(r.Evidenced.Points), p(r.Verified.Points)))
	b.WriteString(tr(lang, scBasis))
	if r.VerifiedNote != "" {
		b.WriteString(tr(lang, scNoReviews))
	}
	b.WriteString(")\n")

	switch q.Kind {
	case ScoreLaggingOPDs:
		writeLaggingOPDs(lang, &b, r.OPDs)
	case ScoreClusters:
		writeClusters(lang, &b, r.Clusters)
	case ScoreProgress:
		b.WriteString(tr(lang, scProgress, r.Answered, r.Questions, idfmt.Percent(share(r.Answered, r.Questions)), evidenceMissing(r)))
		writeLaggingOPDs(lang, &b, r.OPDs)
	}
	writeScoreGaps(lang, &b, gaps)
	b.WriteString("\n" + dataAsOf(lang, rs.Region, rs.At))
	return b.String()
}

// deadlineText answers "kapan tenggatnya?": the region's deadline and the days left,
// in the region's zone, with how much is still open.
func deadlineText(lang string, rs conversations.RegionScore) string {
	r := rs.Report
	if rs.Region.Deadline == nil {
		return tr(lang, scDeadlineUnset, rs.Region.Name)
	}
	loc := rs.Region.Location()
	days := idfmt.DaysBetween(idfmt.CivilDate(rs.At.In(loc)), idfmt.CivilDate(*rs.Region.Deadline))
	text := tr(lang, scDeadline, rs.Region.Name, idfmt.Date(*rs.Region.Deadline, lang))
	switch {
	case days > 0:
		text += tr(lang, scDaysLeft, days)
	case days == 0:
		text += tr(lang, scToday)
	default:
		text += tr(lang, scPassed)
	}
	return text + "\n" + tr(lang, scProgress, r.Answered, r.Questions, idfmt.Percent(share(r.Answered, r.Questions)), evidenceMissing(r))
}

// evidenceMissing counts the answers still lacking their required evidence.
func evidenceMissing(r scoring.Report) int {
	n := 0
	for _, res := range r.Results {
		if res.EvidenceMissing {
			n++
		}
	}
	return n
}

// share is part/whole as a fraction, 0 for nothing.
func share(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// writeClusters lists the clusters from the weakest (evidenced points against their
// maximum) up.
func writeClusters(lang string, b *strings.Builder, cs []scoring.Rollup) {
	sorted := append([]scoring.Rollup(nil), cs...)
	ratio := func(c scoring.Rollup) float64 {
		if c.Max == 0 {
			return 1
		}
		return c.Evidenced / c.Max
	}
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && ratio(sorted[j]) < ratio(sorted[j-1]); j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	if len(sorted) == 0 {
		return
	}
	b.WriteString(tr(lang, scWeakest, sorted[0].Name))
	for _, c := range sorted {
		fmt.Fprintf(b, "• %s: %s dari %s (%s)\n", c.Name, scoring.FormatPoints(c.Evidenced), scoring.FormatPoints(c.Max), idfmt.Percent(ratio(c)))
	}
}

// nextLine says the points to the next tier; the English text reorders the arguments
// with explicit indexes.
func nextLine(lang, tier, points string) string {
	return tr(lang, scToNext, tier, points)
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
		b.WriteString(tr(lang, scAllDone))
		return
	}
	// Least complete first; ties by points still missing, then code.
	for i := 1; i < len(open); i++ {
		for j := i; j > 0 && lagsBehind(open[j], open[j-1]); j-- {
			open[j], open[j-1] = open[j-1], open[j]
		}
	}
	b.WriteString(tr(lang, scLagging, len(open)))
	for i, o := range open {
		if i == scoreMaxOPDs {
			b.WriteString(tr(lang, scMoreOPDs, len(open)-i))
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
	b.WriteString(tr(lang, scGaps))
	for i, g := range gaps {
		if i == scoreMaxGaps {
			break
		}
		fmt.Fprintf(b, "%d. %s %s (+%s, %s) · %s\n", i+1, g.QuestionCode, conversations.Shorten(g.QuestionText, scoreMaxQuestion),
			scoring.FormatPoints(g.Points), conversations.GapReasonIn(lang, g.Kind), gapOPDNamesIn(lang, g))
	}
}

// OPDScoreText is a focal point's answer to "berapa nilai kita?": their OPD's own
// progress and points, and the OPD's gaps that raise the score fastest.
func OPDScoreText(rs conversations.RegionScore, opdCode string) string {
	return opdScoreText("id", rs, opdCode)
}

func opdScoreText(lang string, rs conversations.RegionScore, opdCode string) string {
	r := rs.Report
	o, ok := r.OPD(opdCode)
	if !ok || opdCode == "" {
		return tr(lang, scOPDUnknown, rs.Region.Name)
	}
	p := scoring.FormatPoints
	var b strings.Builder
	b.WriteString(tr(lang, scOPDHead, o.Name, o.Answered, o.Questions, scoring.FormatPercent(o.Completion())))
	b.WriteString(tr(lang, scOPDPoints, p(o.Evidenced), p(o.Max), p(o.Claimed)))
	if o.EvidenceMissing > 0 || o.SentBack > 0 {
		b.WriteString(tr(lang, scOPDQuick, o.EvidenceMissing, o.SentBack))
	}
	writeScoreGaps(lang, &b, r.GapsOf(opdCode))
	b.WriteString(tr(lang, scOPDRegion, p(r.Evidenced.Points), tierLabel(lang, r.Tier)))
	b.WriteString(dataAsOf(lang, rs.Region, rs.At))
	return b.String()
}

// ScoreHelpText lists what the score questions can answer, for a question not understood.
func ScoreHelpText() string {
	return tr("id", scHelp, scoreQuestionList)
}

// ScoreQuestionsHint lists the plain score questions, for a help message.
func ScoreQuestionsHint() string {
	return tr("id", scQuestionsHint, strings.TrimSuffix(scoreQuestionList, "\n"))
}

const scoreQuestionList = "• berapa nilai kita?\n" +
	"• kita peringkat apa?\n" +
	"• apa yang kurang untuk nindya?\n" +
	"• OPD mana yang belum?\n"
