package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// BenchmarkScorerRegion700 measures one region's score from the database: loading a
// region with 30 OPDs and 700 questions (about 600 answered, half with files, a third
// reviewed) and scoring it, as /nilai and the digests do.
func BenchmarkScorerRegion700(b *testing.B) {
	ctx := context.Background()
	s := postgres.New(pgtest.New(b), time.Now)
	inst := &scoring.Instrument{Year: 2026, Name: "Besar"}
	perCluster := []int{3, 3, 4, 6, 4, 4}
	ind, q := 0, 0
	for ci, code := range scoring.ClusterCodes {
		c := scoring.Cluster{Code: code, Name: scoring.ClusterNames[code]}
		for k := 0; k < perCluster[ci]; k++ {
			max := 40.0
			if ind == 23 {
				max = 80
			}
			in := scoring.Indicator{Code: fmt.Sprint(ind + 1), Name: fmt.Sprint("Indikator ", ind+1), MaxPoints: max}
			for j := 0; j < 700/24+map[bool]int{true: 1}[ind < 700%24]; j++ {
				qq := scoring.Question{Code: fmt.Sprintf("%d.%d", ind+1, j+1), Text: "Pertanyaan", Weight: float64(1 + q%3),
					EvidenceRequired: q%3 > 0, OPDCodes: []string{fmt.Sprintf("OPD%02d", q%30)}}
				switch q % 3 {
				case 0:
					qq.Type = scoring.YesNo
				case 1:
					qq.Type, qq.Target = scoring.Percent, 100
				default:
					qq.Type = scoring.Number
					qq.Bands = []scoring.Band{{Min: 0, Max: 0}, {Min: 1, Max: 4, Fraction: 0.5}, {Min: 5, Open: true, Fraction: 1}}
				}
				in.Questions = append(in.Questions, qq)
				q++
			}
			c.Indicators = append(c.Indicators, in)
			ind++
		}
		inst.Clusters = append(inst.Clusters, c)
	}
	if _, err := s.SaveInstrument(ctx, inst); err != nil {
		b.Fatal(err)
	}
	if err := s.UpsertRegion(ctx, conversations.Region{Code: "KAB-BESAR", Name: "Kabupaten Besar", Kind: "kabupaten", Year: 2026}); err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 30; i++ {
		if _, err := s.UpsertOPD(ctx, "KAB-BESAR", fmt.Sprintf("OPD%02d", i), fmt.Sprint("Dinas ", i), nil); err != nil {
			b.Fatal(err)
		}
	}
	pool := s.Pool()
	for _, sql := range []string{
		`INSERT INTO people (region_code, name, role) VALUES ('KAB-BESAR', 'Koor', 'coordinator')`,
		`INSERT INTO answers (region_code, year, question_code, version, value_text, value_number, person_id, channel, created_at)
		 SELECT 'KAB-BESAR', 2026, code, v, 'ya', 3, 1, 'console', now()
		 FROM questions, generate_series(1, 2) v WHERE year = 2026 AND position % 7 <> 0`,
		`INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes, original_name, person_id, channel, created_at)
		 SELECT id, 'k', 'image/jpeg', 1, 'f.jpg', 1, 'console', now() FROM answers WHERE id % 2 = 0`,
		`INSERT INTO reviews (answer_id, state, reviewer_id, created_at)
		 SELECT id, 'approved', 1, now() FROM answers WHERE id % 3 = 0`,
		`ANALYZE`,
	} {
		if _, err := pool.Exec(ctx, sql); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
	scorer := conversations.NewScorer(s, time.Now)
	rs, err := scorer.Score(ctx, "KAB-BESAR", 0)
	if err != nil {
		b.Fatal(err)
	}
	if rs.Report.Questions != 700 || rs.Report.Answered < 550 || rs.Report.Verified.Points == 0 {
		b.Fatalf("unexpected world: %d questions, %d answered, verified %v", rs.Report.Questions, rs.Report.Answered, rs.Report.Verified.Points)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := scorer.Score(ctx, "KAB-BESAR", 0); err != nil {
			b.Fatal(err)
		}
	}
}
