package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// scoreApp is an App on a fresh database holding region KOTA-CONTOH with the worked example
// of docs/scoring.md answered: claimed 615, evidenced 415, verified 240.
func scoreApp(t *testing.T) (*App, *bytes.Buffer) {
	t.Helper()
	ctx := context.Background()
	url := pgtest.URL(t)
	var out, errb bytes.Buffer
	app := NewApp(func(k string) string {
		if k == "DATABASE_URL" {
			return url
		}
		return ""
	}, strings.NewReader(""), &out, &errb)
	app.Now = func() time.Time { return time.Date(2026, 11, 23, 7, 5, 0, 0, time.UTC) }
	t.Cleanup(app.Close)
	pool, err := app.DB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := postgres.New(pool, app.Now)
	if err := s.UpsertRegion(ctx, conversations.Region{Code: "KOTA-CONTOH", Name: "Kota Contoh", TimeZone: "Asia/Jakarta", DigestHour: 7, Year: 2026}); err != nil {
		t.Fatal(err)
	}
	inst := &scoring.Instrument{Year: 2026, Name: "Contoh", Clusters: []scoring.Cluster{
		{Code: "KELEMBAGAAN", Name: "Kelembagaan", Indicators: []scoring.Indicator{
			{Code: "1", Name: "Perda KLA", MaxPoints: 600, Questions: []scoring.Question{
				{Code: "1.1", Text: "Bentuk kebijakan KLA?", Type: scoring.Choice, Weight: 2, EvidenceRequired: true,
					Options:  []scoring.Option{{Label: "Perda", Fraction: 1}, {Label: "Perbup, SK atau SE", Fraction: 0.6}},
					OPDCodes: []string{"DP3A", "BAGHUKUM"}},
				{Code: "1.2", Text: "Ada SK Gugus Tugas KLA?", Type: scoring.YesNo, Weight: 1, EvidenceRequired: true,
					OPDCodes: []string{"DP3A", "BAPPEDA"}},
			}},
		}},
		{Code: "I", Name: "Klaster I", Indicators: []scoring.Indicator{
			{Code: "4", Name: "Akta kelahiran", MaxPoints: 400, Questions: []scoring.Question{
				{Code: "4.1", Text: "Persentase anak berakta?", Type: scoring.Percent, Target: 100, Weight: 1, OPDCodes: []string{"DISDUKCAPIL"}},
				{Code: "4.2", Text: "Jumlah layanan jemput bola per tahun?", Type: scoring.Number, Weight: 1, EvidenceRequired: true,
					Bands:    []scoring.Band{{Min: 0, Max: 0}, {Min: 1, Max: 4, Fraction: 0.5}, {Min: 5, Open: true, Fraction: 1}},
					OPDCodes: []string{"DINKES"}},
			}},
		}},
	}}
	if _, err := s.SaveInstrument(ctx, inst); err != nil {
		t.Fatal(err)
	}
	for _, o := range []struct{ code, name, af string }{{"DISDUKCAPIL", "Disdukcapil", ""}, {"DP3AP2KB", "DP3AP2KB", "DP3A,DPPKB"}, {"BAPPEDA", "Bappeda", ""}} {
		var af []string
		if o.af != "" {
			af = strings.Split(o.af, ",")
		}
		if _, err := s.UpsertOPD(ctx, "KOTA-CONTOH", o.code, o.name, af); err != nil {
			t.Fatal(err)
		}
	}
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`INSERT INTO people (region_code, name, role) VALUES ('KOTA-CONTOH', 'Bu Koor', 'coordinator')`)
	at := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	exec(`INSERT INTO answers (region_code, year, question_code, version, value_text, value_number, person_id, channel, created_at) VALUES
		('KOTA-CONTOH', 2026, '1.1', 1, 'Perbup, SK atau SE', NULL, 1, 'console', $1),
		('KOTA-CONTOH', 2026, '1.2', 1, 'ya', NULL, 1, 'console', $1),
		('KOTA-CONTOH', 2026, '4.1', 1, '', 87.5, 1, 'console', $1)`, at)
	exec(`INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes, original_name, person_id, channel, created_at)
		SELECT id, 'k', 'application/pdf', 10, 'perbup.pdf', 1, 'console', $1 FROM answers WHERE question_code = '1.1'`, at)
	exec(`INSERT INTO reviews (answer_id, state, reviewer_id, created_at)
		SELECT id, CASE question_code WHEN '1.1' THEN 'approved' ELSE 'needs_revision' END, 1, $1
		FROM answers WHERE question_code IN ('1.1', '4.1')`, at)
	exec(`INSERT INTO skips (region_code, year, question_code, person_id, created_at) VALUES ('KOTA-CONTOH', 2026, '4.2', 1, $1)`, at)
	return app, &out
}

func TestScoreCommandText(t *testing.T) {
	t.Parallel()
	app, out := scoreApp(t)
	if err := run(context.Background(), app, []string{"score", "--region", "kota-contoh", "--snapshot"}); err != nil {
		t.Fatal(err)
	}
	// Columns are aligned with spaces; compare with runs of spaces collapsed.
	got := strings.Join(strings.Fields(strings.ReplaceAll(out.String(), "\n", " ⏎ ")), " ")
	for _, want := range []string{
		"Kota Contoh (KOTA-CONTOH) — penilaian 2026, data per 23 November 2026 14.05 WIB",
		"diklaim 615,0 Madya Nindya (701,0) 86,0 ⏎",
		"berbukti* 415,0 Belum berpredikat Pratama (500,0) 85,0 ⏎",
		"terverifikasi 240,0 Belum berpredikat Pratama (500,0) 260,0 ⏎",
		"* predikat dihitung dari nilai berbukti: Belum berpredikat, ke Pratama kurang 85,0 poin.",
		"Terjawab 3 dari 4 pertanyaan, 1 dilewati.",
		"KELEMBAGAAN Kelembagaan 600,0 440,0 240,0 240,0 2/2 (100%) 1 0 ⏎",
		"KELEMBAGAAN/1 Perda KLA 600,0 440,0 240,0 240,0 2/2 (100%) 1 0 ⏎",
		"DP3AP2KB DP3AP2KB 500,0 340,0 240,0 240,0 2/2 (100%) 1 0 ⏎",
		"— (belum ada OPD) 200,0 0,0 0,0 0,0 0/1 (0%) 0 0 ⏎",
		"Celah teratas (4 dari 4; celah cepat dulu) — 1 celah pertama cukup untuk Pratama",
		"1. 1.2 +200,0 bukti belum ada DP3AP2KB, BAPPEDA Ada SK Gugus Tugas KLA? ⏎",
		"4. 1.1 +160,0 jawaban sebagian DP3AP2KB Bentuk kebijakan KLA? ⏎",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	// --snapshot saved today's numbers.
	pool, _ := app.DB(context.Background())
	var claimed float64
	if err := pool.QueryRow(context.Background(), `SELECT claimed::float8 FROM score_snapshots WHERE region_code = 'KOTA-CONTOH' AND day = '2026-11-23'`).Scan(&claimed); err != nil || claimed != 615 {
		t.Errorf("snapshot: %v, %v", claimed, err)
	}
}

func TestScoreCommandJSON(t *testing.T) {
	t.Parallel()
	app, out := scoreApp(t)
	if err := run(context.Background(), app, []string{"score", "--region", "KOTA-CONTOH", "--year", "2026", "--json"}); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	for key, want := range map[string]any{
		"claimed": 615.0, "evidenced": 415.0, "verified": 240.0, "tier": scoring.NoTierName,
		"next_tier": "Pratama", "points_to_next_tier": 85.0, "headline": "evidenced",
	} {
		if got[key] != want {
			t.Errorf("%s = %v, want %v", key, got[key], want)
		}
	}
	for _, key := range []string{"clusters", "opds", "gaps", "indicators"} {
		if l, ok := got[key].([]any); !ok || len(l) == 0 {
			t.Errorf("%s = %v, want a non-empty list", key, got[key])
		}
	}
	gap := got["gaps"].([]any)[0].(map[string]any)
	if gap["question"] != "1.2" || gap["kind"] != "evidence_missing" || gap["points"] != 200.0 {
		t.Errorf("first gap = %v", gap)
	}
}

func TestScoreCommandErrors(t *testing.T) {
	t.Parallel()
	app, _ := scoreApp(t)
	ctx := context.Background()
	var ue usageError
	if err := run(ctx, app, []string{"score"}); !errors.As(err, &ue) {
		t.Errorf("no region: err = %v, want a usage error", err)
	}
	if err := run(ctx, app, []string{"score", "--region", "NOWHERE"}); !errors.Is(err, conversations.ErrNotFound) {
		t.Errorf("unknown region: err = %v, want ErrNotFound", err)
	}
	if err := run(ctx, app, []string{"score", "--region", "KOTA-CONTOH", "--year", "2031"}); err == nil || !strings.Contains(err.Error(), "instrument") {
		t.Errorf("year without instrument: err = %v", err)
	}
}
