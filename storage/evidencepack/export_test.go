package evidencepack_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/evidencepack"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

var _ evidencepack.Source = (*postgres.Store)(nil)

// TestExportFromPostgres exports a region stored in the real Postgres: the verified
// points move only when the coordinator approves, and the pack holds the current
// version's files and states.
func TestExportFromPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := pgtest.New(t)
	now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	store := postgres.New(pool, func() time.Time { return now })
	inst := &scoring.Instrument{Year: 2026, Name: "Uji", Clusters: []scoring.Cluster{
		{Code: "KELEMBAGAAN", Name: "Kelembagaan", Indicators: []scoring.Indicator{
			{Code: "1", Name: "Perda KLA", MaxPoints: 600, Questions: []scoring.Question{
				{Code: "1.1", Text: "Ada Perda KLA?", Type: scoring.YesNo, Weight: 1, EvidenceRequired: true, OPDCodes: []string{"BAGHUKUM"}},
			}},
		}},
		{Code: "III", Name: "Klaster III", Indicators: []scoring.Indicator{
			{Code: "14", Name: "Puskesmas", MaxPoints: 400, Questions: []scoring.Question{
				{Code: "14.1", Text: "Ada pojok ASI?", Type: scoring.YesNo, Weight: 1, OPDCodes: []string{"DINKES"}},
			}},
		}},
	}}
	if _, err := store.SaveInstrument(ctx, inst); err != nil {
		t.Fatal(err)
	}
	if err := store.UpsertRegion(ctx, conversations.Region{Code: "KTC", Name: "Kota Contoh", TimeZone: "Asia/Makassar", DigestHour: 7, Year: 2026}); err != nil {
		t.Fatal(err)
	}
	opd, err := store.UpsertOPD(ctx, "KTC", "HUKUM", "Bagian Hukum", []string{"BAGHUKUM"})
	if err != nil {
		t.Fatal(err)
	}
	fp, err := store.UpsertPerson(ctx, conversations.Person{Name: "Tono", Role: conversations.RoleFocalPoint, RegionCode: "KTC", OPDID: opd}, "")
	if err != nil {
		t.Fatal(err)
	}
	coord, err := store.UpsertPerson(ctx, conversations.Person{Name: "Bu Koor", Role: conversations.RoleCoordinator, RegionCode: "KTC"}, "")
	if err != nil {
		t.Fatal(err)
	}
	blobs := dirBlobs{t.TempDir()}
	key := blobs.put(t, []byte("%PDF perda"))
	var answerID int64
	if err := pool.QueryRow(ctx, `INSERT INTO answers (region_code, year, question_code, version, value_text, person_id, channel, created_at)
		VALUES ('KTC', 2026, '1.1', 1, 'ya', $1, 'console', $2) RETURNING id`, fp, now).Scan(&answerID); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO evidence (answer_id, blob_key, mime_type, size_bytes, original_name, person_id, channel, created_at)
		VALUES ($1, $2, 'application/pdf', 10, 'Perda/2024.pdf', $3, 'console', $4)`, answerID, key, fp, now); err != nil {
		t.Fatal(err)
	}

	x := &evidencepack.Exporter{Source: store, Blobs: blobs, Now: func() time.Time { return now }, Dir: t.TempDir()}
	verified := func() (claimed, verified float64) {
		t.Helper()
		in, err := x.Input(ctx, "KTC", 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range in.Points {
			claimed += p.Claimed
			verified += p.Verified
		}
		return claimed, verified
	}
	if c, v := verified(); c != 600 || v != 0 {
		t.Fatalf("before review: claimed %v verified %v, want 600 and 0", c, v)
	}
	if _, err := store.RecordReview(ctx, answerID, conversations.ReviewApproved, "", coord); err != nil {
		t.Fatal(err)
	}
	if c, v := verified(); c != 600 || v != 600 {
		t.Fatalf("after approval: claimed %v verified %v, want 600 and 600", c, v)
	}

	stale := filepath.Join(x.Dir, "bukti-KLA-KTC-2026-20261101-0900.zip")
	if err := os.WriteFile(stale, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(stale, now.AddDate(0, 0, -8), now.AddDate(0, 0, -8)); err != nil {
		t.Fatal(err)
	}
	res, err := x.Export(ctx, "KTC", 0)
	if err != nil {
		t.Fatal(err)
	}
	if res.Name != "bukti-KLA-KTC-2026-20261123-1100.zip" || res.Files != 1 || res.Answered != 1 || res.Questions != 2 || res.Size == 0 {
		t.Fatalf("export = %+v", res)
	}
	b, err := os.ReadFile(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	_, files := readZip(t, b)
	if _, ok := files["Kelembagaan/Indikator 01 Perda KLA/1.1 Ada Perda KLA/Perda_2024.pdf"]; !ok {
		t.Fatalf("entries: %v", keys(files))
	}
	wb, err := excelize.OpenReader(bytes.NewReader(files["ringkasan.xlsx"]))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := wb.GetRows("Ringkasan")
	state := slices.Index(evidencepack.Columns, "Status tinjauan")
	when := slices.Index(evidencepack.Columns, "Waktu")
	if rows[1][state] != "diterima" || rows[2][state] != "belum dijawab" || rows[1][when] != "23 November 2026 11.00 WITA" {
		t.Fatalf("rows = %v", rows)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("a pack older than a week was kept: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(x.Dir, ".ekspor-*")); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
	if _, err := x.Export(ctx, "NOPE", 0); err == nil {
		t.Fatal("export of an unknown region succeeded")
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
