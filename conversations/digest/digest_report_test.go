package digest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/scoring"
)

// smallInstrument: 1000 points over two clusters; DINKES answers I, DISDIK answers II.
func smallInstrument() scoring.Instrument {
	yes := func(code, text, opd string, ev bool) scoring.Question {
		return scoring.Question{Code: code, Text: text, Type: scoring.YesNo, Weight: 1, EvidenceRequired: ev, OPDCodes: []string{opd}}
	}
	return scoring.Instrument{Year: 2026, Clusters: []scoring.Cluster{
		{Code: "I", Name: "Klaster I", Indicators: []scoring.Indicator{{Code: "4", MaxPoints: 600, Questions: []scoring.Question{
			yes("4.1", "Akta kelahiran", "DINKES", true), yes("4.2", "KIA", "DINKES", false), yes("4.3", "Forum Anak", "DINKES", false)}}}},
		{Code: "II", Name: "Klaster II", Indicators: []scoring.Indicator{{Code: "7", MaxPoints: 400, Questions: []scoring.Question{
			yes("7.1", "Pencegahan perkawinan anak", "DISDIK", false), yes("7.2", "PUSPAGA", "DISDIK", true)}}}},
	}}
}

func TestNewDigestUsesTheReportNumbers(t *testing.T) {
	t.Parallel()
	m := scoring.NewModel(smallInstrument(), nil)
	ya := scoring.Value{Text: scoring.ValueYes}
	rep := m.Score([]scoring.OPD{{Code: "DINKES", Name: "Dinas Kesehatan"}, {Code: "DISDIK", Name: "Dinas Pendidikan"}},
		[]scoring.AnswerState{
			{QuestionCode: "4.1", Answered: true, Value: ya},                                 // evidence missing: quick win
			{QuestionCode: "4.2", Answered: true, Value: ya, Review: scoring.ReviewApproved}, // verified
			{QuestionCode: "7.1", Answered: true, Value: ya},
		})
	at := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	last := at.Add(-49 * time.Hour)
	facts := digest.DigestFacts{LastAnswerByOPD: map[string]time.Time{"DINKES": last}, PendingReviews: 2}
	prev := &digest.DigestSnapshot{Day: time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC), Scores: digest.DigestScores{Claimed: 500}}
	region := conversations.Region{Code: "7371", Name: "Kota Contoh", TimeZone: "Asia/Jakarta"}
	d := digest.NewDigest(region, at, &rep, facts, prev)

	if d.Scores.Claimed != rep.Claimed.Points || d.Scores.Evidenced != rep.Evidenced.Points || d.Scores.Verified != rep.Verified.Points {
		t.Fatalf("scores %+v differ from the report", d.Scores)
	}
	text := digest.DigestText(d)
	for _, want := range []string{
		"Nilai diklaim " + scoring.FormatPoints(rep.Claimed.Points) + " · berbukti " + scoring.FormatPoints(rep.Evidenced.Points) +
			" · terverifikasi " + scoring.FormatPoints(rep.Verified.Points),
		"Nilai diklaim 600,0 · berbukti 400,0 · terverifikasi 200,0",
		"Predikat (berbukti): " + scoring.NoTierName + " — kurang " + scoring.FormatPoints(rep.PointsToNextTier) + " poin ke Pratama",
		"Sejak kemarin: diklaim +100,0 · berbukti +400,0",
		"• Klaster I 200,0/600 (400,0)",
		"• Klaster II 200,0/400 (200,0)",
		"• Dinas Kesehatan 2/3 (67%) · terakhir menjawab 2 hari lalu",
		"• Dinas Pendidikan 1/2 (50%) · belum pernah menjawab",
		"Cepat dapat poin:\n• 4.1 Akta kelahiran — 200,0 poin · DINKES (bukti belum ada)",
		"Celah terbesar:\n• 4.3 Forum Anak — 200,0 poin · DINKES (belum dijawab)\n• 7.2 PUSPAGA — 200,0 poin · DISDIK (belum dijawab)",
		"Menunggu tinjauan: 2 jawaban",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	if len(d.Thresholds) != 5 || d.Thresholds[0].Points != 500 {
		t.Errorf("thresholds = %+v", d.Thresholds)
	}
}
