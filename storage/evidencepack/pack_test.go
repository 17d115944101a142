package evidencepack_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/review"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/evidencepack"
)

// dirBlobs is a content-addressed directory laid out like the local blob store
// (dir/<first two hex>/<sha256>), filled with real files.
type dirBlobs struct{ dir string }

func (d dirBlobs) put(t testing.TB, content []byte) string {
	t.Helper()
	sum := sha256.Sum256(content)
	key := hex.EncodeToString(sum[:])
	p := filepath.Join(d.dir, key[:2], key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return key
}

func (d dirBlobs) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if len(key) < 2 {
		return nil, os.ErrNotExist
	}
	return os.Open(filepath.Join(d.dir, key[:2], key))
}

func sampleInstrument() *scoring.Instrument {
	return &scoring.Instrument{Year: 2026, Name: "KLA 2026", Clusters: []scoring.Cluster{
		{Code: "KELEMBAGAAN", Name: "Kelembagaan", Indicators: []scoring.Indicator{
			{Code: "1", Name: "Peraturan KLA", MaxPoints: 60, Questions: []scoring.Question{
				{Code: "1.1", Text: "Apakah ada Perda/Perkada KLA?", Type: scoring.YesNo, Weight: 1, EvidenceRequired: true, OPDCodes: []string{"BAGHUKUM"}},
				{Code: "1.2", Text: "Jumlah rapat koordinasi Gugus Tugas", Type: scoring.Number, Weight: 1, OPDCodes: []string{"DP3A"}},
			}},
		}},
		{Code: "III", Name: "Klaster III — Kesehatan Dasar dan Kesejahteraan", Indicators: []scoring.Indicator{
			{Code: "14", Name: "Puskesmas Ramah Anak", MaxPoints: 40, Questions: []scoring.Question{
				{Code: "14.1", Text: "Persentase Puskesmas Ramah Anak", Type: scoring.Percent, Target: 100, Weight: 1, EvidenceRequired: true, OPDCodes: []string{"DINKES"}},
			}},
		}},
	}}
}

var region = conversations.Region{Code: "KTC", Name: "Kota Contoh", TimeZone: "Asia/Jakarta", Year: 2026}

func readZip(t *testing.T, b []byte) (*zip.Reader, map[string][]byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name] = data
	}
	return zr, files
}

func TestWritePack(t *testing.T) {
	t.Parallel()
	blobs := dirBlobs{t.TempDir()}
	perda := []byte("%PDF-1.4 perda")
	foto1, foto2 := []byte("\xff\xd8\xff foto satu"), []byte("\xff\xd8\xff foto dua")
	at := time.Date(2026, 11, 20, 2, 5, 0, 0, time.UTC) // 09.05 WIB
	answers := map[string]review.Item{
		"1.1": {AnswerID: 1, Version: 2, Value: scoring.Value{Text: "ya"}, Narrative: "Perda No. 3/2024",
			PersonName: "Tono", OPDCode: "HUKUM", OPDName: "Bagian Hukum", AnsweredAt: at,
			State: conversations.ReviewApproved, Evidence: []review.File{
				{BlobKey: blobs.put(t, perda), MIME: "application/pdf", Name: "Perda 3/2024: KLA.pdf", At: at},
				{BlobKey: blobs.put(t, perda), MIME: "application/pdf", Name: "Perda 3/2024: KLA.pdf", At: at}, // sent twice
			}},
		"14.1": {AnswerID: 2, Version: 1, Value: scoring.Value{Number: 87.5}, PersonName: "Sari",
			OPDName: "Dinas Kesehatan", AnsweredAt: at, State: conversations.ReviewNeedsRevision, LastNote: "Foto buram",
			Evidence: []review.File{
				{BlobKey: blobs.put(t, foto1), MIME: "image/jpeg", Name: "📷 foto.jpg", At: at},
				{BlobKey: blobs.put(t, foto2), MIME: "image/jpeg", Name: "📷 FOTO.jpg", At: at},
				{BlobKey: "00deadbeef", MIME: "image/jpeg", Name: "hilang.jpg", At: at},
				{BlobKey: blobs.put(t, []byte("x")), MIME: "image/jpeg", Name: "", At: at},
			}},
	}
	points := map[string]evidencepack.Points{
		"1.1":  {Max: 30, Claimed: 30, Evidenced: 30, Verified: 30},
		"1.2":  {Max: 30},
		"14.1": {Max: 40, Claimed: 35, Evidenced: 35},
	}
	var out bytes.Buffer
	sum, err := evidencepack.Write(context.Background(), &out, evidencepack.Input{Region: region,
		Instrument: sampleInstrument(), Answers: answers, Points: points, GeneratedAt: at}, blobs)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Questions != 3 || sum.Answered != 2 || sum.Files != 4 || len(sum.Missing) != 1 || sum.Points.Claimed != 65 {
		t.Fatalf("summary = %+v", sum)
	}
	zr, files := readZip(t, out.Bytes())
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	q11 := "Kelembagaan/Indikator 01 Peraturan KLA/1.1 Apakah ada Perda_Perkada KLA/"
	q141 := "Klaster III — Kesehatan Dasar dan Kesejahteraan/Indikator 14 Puskesmas Ramah Anak/14.1 Persentase Puskesmas Ramah Anak/"
	want := []string{
		q11 + "Perda 3_2024_ KLA.pdf",
		q141 + "📷 foto.jpg",
		q141 + "📷 FOTO (2).jpg",
		q141 + "berkas.jpg",
		"ringkasan.xlsx",
		"BACA-SAYA.txt",
	}
	if !slices.Equal(names, want) {
		t.Fatalf("entries:\n%s\nwant:\n%s", strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	if !bytes.Equal(files[q11+"Perda 3_2024_ KLA.pdf"], perda) || !bytes.Equal(files[q141+"📷 FOTO (2).jpg"], foto2) {
		t.Fatal("file contents differ from the blobs")
	}
	if m := zr.File[1].Modified.In(region.Location()); m.Hour() != 9 || m.Minute() != 5 {
		t.Errorf("modified time = %v, want 09.05 WIB", m)
	}

	readme := string(files["BACA-SAYA.txt"])
	for _, s := range []string{"Kota Contoh (KTC), tahun 2026", "20 November 2026 09.05 WIB",
		"3 pertanyaan, 2 dijawab, 4 berkas bukti", "klaim 65,0, berbukti 65,0, terverifikasi 30,0 dari 100,0",
		"1 berkas tidak ditemukan", "- 14.1: hilang.jpg", "\r\n"} {
		if !strings.Contains(readme, s) {
			t.Errorf("BACA-SAYA.txt lacks %q:\n%s", s, readme)
		}
	}

	wb, err := excelize.OpenReader(bytes.NewReader(files["ringkasan.xlsx"]))
	if err != nil {
		t.Fatalf("workbook: %v", err)
	}
	if got := wb.GetSheetList(); !slices.Equal(got, []string{"Ringkasan", "Kelembagaan", "Klaster III"}) {
		t.Fatalf("sheets = %v", got)
	}
	rows, err := wb.GetRows("Ringkasan")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || !slices.Equal(rows[0], evidencepack.Columns) {
		t.Fatalf("Ringkasan has %d rows; header %v", len(rows), rows[0])
	}
	col := func(row []string, name string) string {
		i := slices.Index(evidencepack.Columns, name)
		if i >= len(row) {
			return ""
		}
		return row[i]
	}
	r11, r12, r141, total := rows[1], rows[2], rows[3], rows[4]
	checks := []struct{ got, want string }{
		{col(r11, "Kode"), "1.1"}, {col(r11, "Jawaban"), "Ya"}, {col(r11, "Narasi"), "Perda No. 3/2024"},
		{col(r11, "OPD"), "Bagian Hukum"}, {col(r11, "Dijawab oleh"), "Tono"},
		{col(r11, "Waktu"), "20 November 2026 09.05 WIB"}, {col(r11, "Versi"), "2"},
		{col(r11, "Status tinjauan"), "diterima"}, {col(r11, "Poin terverifikasi"), "30.00"},
		{col(r11, "Berkas bukti"), q11 + "Perda 3_2024_ KLA.pdf"},
		{col(r12, "Status tinjauan"), "belum dijawab"}, {col(r12, "OPD"), "DP3A"}, {col(r12, "Jawaban"), ""},
		{col(r141, "Jawaban"), "87,5%"}, {col(r141, "Status tinjauan"), "perlu perbaikan"},
		{col(r141, "Catatan tinjauan"), "Foto buram"}, {col(r141, "Poin klaim"), "35.00"},
		{col(total, "Pertanyaan"), "Jumlah"}, {col(total, "Poin klaim"), "65.00"}, {col(total, "Poin maksimum"), "100.00"},
	}
	for i, c := range checks {
		if c.got != c.want {
			t.Errorf("check %d: got %q, want %q", i, c.got, c.want)
		}
	}
	if files := col(r141, "Berkas bukti"); !strings.Contains(files, "📷 FOTO (2).jpg") || !strings.Contains(files, "HILANG: hilang.jpg") {
		t.Errorf("14.1 files = %q", files)
	}
	k3, err := wb.GetRows("Klaster III")
	if err != nil || len(k3) != 3 || col(k3[1], "Kode") != "14.1" || col(k3[2], "Poin klaim") != "35.00" {
		t.Errorf("Klaster III sheet = %v %v", k3, err)
	}

	// The workbook alone (the dashboard's download) has the same rows, with the paths the
	// files get in the pack.
	var alone bytes.Buffer
	if err := evidencepack.WriteWorkbook(context.Background(), &alone, evidencepack.Input{Region: region,
		Instrument: sampleInstrument(), Answers: answers, Points: points, GeneratedAt: at}); err != nil {
		t.Fatal(err)
	}
	wb2, err := excelize.OpenReader(bytes.NewReader(alone.Bytes()))
	if err != nil {
		t.Fatalf("workbook alone: %v", err)
	}
	rows2, err := wb2.GetRows("Ringkasan")
	if err != nil || len(rows2) != len(rows) {
		t.Fatalf("workbook alone: %d rows, %v", len(rows2), err)
	}
	for i := range rows {
		if i == 3 { // 14.1: the pack marks the file it could not find
			continue
		}
		if !slices.Equal(rows[i], rows2[i]) {
			t.Errorf("row %d differs:\n%v\n%v", i, rows[i], rows2[i])
		}
	}
	if got := col(rows2[3], "Berkas bukti"); !strings.Contains(got, "📷 FOTO (2).jpg") {
		t.Errorf("14.1 files alone = %q", got)
	}
}

func TestWritePackWithoutEvidence(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	now := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
	sum, err := evidencepack.Write(context.Background(), &out, evidencepack.Input{Region: region,
		Instrument: sampleInstrument(), GeneratedAt: now}, dirBlobs{t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Files != 0 || sum.Answered != 0 || sum.Questions != 3 {
		t.Fatalf("summary = %+v", sum)
	}
	zr, files := readZip(t, out.Bytes())
	if len(zr.File) != 2 {
		t.Fatalf("entries = %d, want only the workbook and the readme", len(zr.File))
	}
	if !strings.Contains(string(files["BACA-SAYA.txt"]), "Belum ada berkas bukti dukung") {
		t.Errorf("readme: %s", files["BACA-SAYA.txt"])
	}
	wb, err := excelize.OpenReader(bytes.NewReader(files["ringkasan.xlsx"]))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := wb.GetRows("Ringkasan")
	if len(rows) != 5 || rows[1][11] != "belum dijawab" {
		t.Fatalf("rows = %v", rows)
	}
}

func TestWritePackStopsWithContext(t *testing.T) {
	t.Parallel()
	blobs := dirBlobs{t.TempDir()}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	answers := map[string]review.Item{"1.1": {Evidence: []review.File{
		{BlobKey: blobs.put(t, []byte("a")), Name: "a.pdf"}}}}
	_, err := evidencepack.Write(ctx, io.Discard, evidencepack.Input{Region: region,
		Instrument: sampleInstrument(), Answers: answers}, blobs)
	if err == nil {
		t.Fatal("a cancelled export succeeded")
	}
}
