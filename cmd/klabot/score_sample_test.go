package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// TestScoreSampleRegion answers a few questions of the bundled sample instrument for Kota
// Contoh and checks `klabot score` against numbers worked out by hand:
//
//	indicator 4 (50 points; weights 3, 2, 1, 1, 1 = 8): 4.1 = 18,75, 4.2 = 12,5, 4.3–4.5 = 6,25
//	indicator 1 (40 points; weights 2, 1, 1, 1, 1 = 6): 1.1 = 13,33
//
//	4.1 92 %, file, approved          18,75 × 0,92 = 17,25   claimed, evidenced, verified
//	4.2 80 %, no file                 12,5 × 0,8  = 10,0    claimed only
//	4.3 sebagian, file, sent back     6,25 × 0,5  = 3,125   claimed, evidenced
//	4.4 3 (band 1–4 = 0,5), approved  6,25 × 0,5  = 3,125   all three
//	4.5 skipped                                   = 0
//	1.1 Perwali/Perbup KLA (0,75), file, approved 13,33 × 0,75 = 10,0  all three
//
//	claimed 43,5 · evidenced 33,5 · verified 30,375, displayed 30,4
func TestScoreSampleRegion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.URL(t)
	var out bytes.Buffer
	app := NewApp(func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}, strings.NewReader(""), &out, &bytes.Buffer{})
	app.Now = func() time.Time { return time.Date(2026, 11, 23, 7, 5, 0, 0, time.UTC) }
	t.Cleanup(app.Close)
	if err := run(ctx, app, []string{"seed"}); err != nil {
		t.Fatal(err)
	}
	pool, err := app.DB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	at := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	exec(`INSERT INTO answers (region_code, year, question_code, version, value_text, value_number, person_id, channel, created_at)
		SELECT 'KOTA-CONTOH', 2026, v.code, 1, v.text, v.num, (SELECT min(id) FROM people WHERE region_code = 'KOTA-CONTOH'), 'console', $1
		FROM (VALUES ('4.1', '', 92::float8), ('4.2', '', 80), ('4.3', 'sebagian', NULL), ('4.4', '', 3), ('1.1', 'Perwali/Perbup KLA', NULL))
		    AS v (code, text, num)`, at)
	exec(`INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes, original_name, person_id, channel, created_at)
		SELECT id, 'k', 'application/pdf', 10, 'bukti.pdf', person_id, 'console', $1 FROM answers WHERE question_code IN ('4.1', '4.3', '4.4', '1.1')`, at)
	exec(`INSERT INTO reviews (answer_id, state, reviewer_id, created_at)
		SELECT id, CASE question_code WHEN '4.3' THEN 'needs_revision' ELSE 'approved' END, person_id, $1
		FROM answers WHERE question_code IN ('4.1', '4.3', '4.4', '1.1')`, at)
	exec(`INSERT INTO skips (region_code, year, question_code, person_id, created_at)
		SELECT 'KOTA-CONTOH', 2026, '4.5', min(id), $1 FROM people WHERE region_code = 'KOTA-CONTOH'`, at)

	out.Reset()
	if err := run(ctx, app, []string{"score", "--region", "KOTA-CONTOH", "--json"}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Claimed, Evidenced, Verified float64
		Tier                         string
		PointsToNextTier             float64 `json:"points_to_next_tier"`
		Answered, Skipped, Questions int
		Indicators                   []struct {
			Code                         string
			Claimed, Evidenced, Verified float64
		}
	}
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if got.Claimed != 43.5 || got.Evidenced != 33.5 || got.Verified != 30.4 {
		t.Errorf("scores = %v / %v / %v, want 43,5 / 33,5 / 30,4", got.Claimed, got.Evidenced, got.Verified)
	}
	if got.PointsToNextTier != 466.5 || got.Answered != 5 || got.Skipped != 1 || got.Questions != 131 {
		t.Errorf("to next %v, answered %d, skipped %d of %d", got.PointsToNextTier, got.Answered, got.Skipped, got.Questions)
	}
	for _, ind := range got.Indicators {
		switch ind.Code {
		case "4":
			if ind.Claimed != 33.5 || ind.Evidenced != 23.5 || ind.Verified != 20.375 {
				t.Errorf("indicator 4 = %+v, want 33,5 / 23,5 / 20,375", ind)
			}
		case "1":
			// 1.1's maximum is 13,333333 (the leftover millionths of 40 ÷ 6 went to the
			// questions with larger remainders); × 0,75 = 9,99999975, kept as 10,000000.
			if ind.Claimed != 10 || ind.Verified != 10 {
				t.Errorf("indicator 1 = %+v, want 10", ind)
			}
		}
	}
}
