package instrumentfile_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/klabot/klabot/samples"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/scoring/instrumentfile"
)

func readSample(t *testing.T, name string) *scoring.Instrument {
	t.Helper()
	f, err := samples.Files.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in, err := instrumentfile.Read(name, f, 2026, "")
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return in
}

func total(in *scoring.Instrument) (pts float64, indicators int) {
	for _, c := range in.Clusters {
		for _, ind := range c.Indicators {
			pts += ind.MaxPoints
			indicators++
		}
	}
	return pts, indicators
}

func TestSampleInstrument(t *testing.T) {
	t.Parallel()
	in := readSample(t, samples.Instrument2026)
	pts, n := total(in)
	if pts != 1000 || n != 24 {
		t.Fatalf("sample: %d indicators, %v points; want 24 and 1000", n, pts)
	}
	qs := in.Questions()
	if len(qs) < 120 {
		t.Fatalf("sample has %d questions, want at least 120", len(qs))
	}
	types := map[scoring.AnswerType]bool{}
	opds := map[string]bool{}
	evidence := 0
	for _, q := range qs {
		types[q.Type] = true
		for _, o := range q.OPDCodes {
			opds[o] = true
		}
		if q.EvidenceRequired {
			evidence++
		}
		if q.Help == "" {
			t.Errorf("question %s has no help text", q.Code)
		}
	}
	for _, typ := range scoring.AnswerTypes {
		if !types[typ] {
			t.Errorf("no question of type %s", typ)
		}
	}
	if len(opds) < 15 {
		t.Errorf("sample uses %d OPD codes, want at least 15", len(opds))
	}
	if evidence*2 < len(qs) {
		t.Errorf("only %d of %d questions require evidence", evidence, len(qs))
	}
	var codes []string
	for _, c := range in.Clusters {
		codes = append(codes, c.Code)
	}
	if got := strings.Join(codes, " "); got != "KELEMBAGAAN I II III IV V" {
		t.Errorf("clusters = %s", got)
	}
	// Indonesian decimal commas and bands survive.
	q := in.Clusters[0].Indicators[0].Questions[0]
	if q.Type != scoring.Choice || len(q.Options) != 5 || q.Options[1].Fraction != 0.75 || q.Weight != 2 {
		t.Errorf("question 1.1 = %+v", q)
	}
}

func TestTemplateCSVAndXLSXAgree(t *testing.T) {
	t.Parallel()
	csvIn := readSample(t, samples.TemplateCSV)
	xlsxIn := readSample(t, samples.TemplateXLSX)
	if pts, _ := total(csvIn); pts != 1000 {
		t.Fatalf("template points = %v", pts)
	}
	if len(csvIn.Questions()) != 10 {
		t.Fatalf("template has %d questions, want 10", len(csvIn.Questions()))
	}
	if a, b := csvIn.Questions(), xlsxIn.Questions(); len(a) != len(b) {
		t.Fatalf("csv %d questions, xlsx %d", len(a), len(b))
	}
	for i, q := range csvIn.Questions() {
		x := xlsxIn.Questions()[i]
		if q.Code != x.Code || q.Text != x.Text || q.Type != x.Type || q.Weight != x.Weight || len(q.Options) != len(x.Options) || len(q.Bands) != len(x.Bands) {
			t.Errorf("question %d: csv %+v, xlsx %+v", i, q, x)
		}
	}
}

func TestBadFiles(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file string
		want []string // every string must appear in the error
	}{
		{"missing-column.csv", []string{"row 1, column answer_type: missing column"}},
		{"points-not-1000.csv", []string{"column indicator_max_points", "add up to 990, not 1000", "21=140 (row 11)"}},
		{"duplicate-codes.csv", []string{`row 5, column question_code: duplicate question code "2.1" (first on row 3)`}},
		{"unknown-type.csv", []string{`row 6, column answer_type: unknown type "yesno" (use yes_no, yes_partial_no, choice, number, percent, text, date, file)`}},
		{"broken-options.csv", []string{`row 2, column options: option "Perda" has no fraction`, `row 3, column options: band "satu-empat" is not N, N-M or N+`}},
		{"latin1.csv", []string{"row 4: the file is not UTF-8 text"}},
		{"empty.csv", []string{"row 1: the file is empty"}},
		{"no-opd.csv", []string{"row 8, column opd_codes: empty"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			t.Parallel()
			in, err := instrumentfile.ReadFile(filepath.Join("testdata", c.file), 2026, "")
			if err == nil {
				t.Fatalf("no error; read %d questions", len(in.Questions()))
			}
			var fe *instrumentfile.Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %T is not an *instrumentfile.Error: %v", err, err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestCollectsManyProblems(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("cluster,indicator_code,indicator_name,indicator_max_points,question_code,question_text,answer_type,opd_codes\n")
	for i := range 80 {
		b.WriteString("Klaster VI,1,X,1000,q" + string(rune('a'+i%26)) + strings.Repeat("x", i/26) + ",Teks,yesno,DINKES\n")
	}
	_, err := instrumentfile.Read("big.csv", strings.NewReader(b.String()), 2026, "")
	var fe *instrumentfile.Error
	if !errors.As(err, &fe) || len(fe.Problems) != instrumentfile.MaxProblems || fe.More == 0 {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(err.Error(), "... and") {
		t.Fatalf("error does not say more were left out: %v", err)
	}
}

func TestBOMSemicolonsAndYAML(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../samples/instrument-template.csv")
	if err != nil {
		t.Fatal(err)
	}
	yamlDoc := `
- cluster: Kelembagaan
  indicator_code: "1"
  indicator_name: Kebijakan KLA
  indicator_max_points: 400
  question_code: "1.1"
  question_text: Ada Perda KLA?
  answer_type: yes_no
  evidence_required: ya
  opd_codes: [BAGHUKUM, DP3A]
- cluster: klaster iii
  indicator_code: "12"
  indicator_name: Gizi
  indicator_max_points: 600
  question_code: "12.1"
  question_text: "Prevalensi stunting (%)"
  answer_type: number
  options: "0-14=1;14-20=0,5;20+=0"
  opd_codes: DINKES
`
	in, err := instrumentfile.Read("x.yaml", strings.NewReader(yamlDoc), 2026, "Uji")
	if err != nil {
		t.Fatal(err)
	}
	if pts, n := total(in); pts != 1000 || n != 2 || in.Clusters[1].Code != "III" || len(in.Questions()[0].OPDCodes) != 2 ||
		!in.Questions()[0].EvidenceRequired || len(in.Questions()[1].Bands) != 3 {
		t.Fatalf("yaml instrument = %+v", in)
	}
	// A UTF-8 BOM and comma separators with quoted fields.
	bom := append([]byte("\ufeff"), data...)
	if _, err := instrumentfile.Read("bom.csv", bytes.NewReader(bom), 2026, ""); err != nil {
		t.Fatalf("BOM: %v", err)
	}
}

func TestSemicolonCSV(t *testing.T) {
	t.Parallel()
	doc := "\ufeffcluster;indicator_code;indicator_name;indicator_max_points;question_code;question_text;answer_type;options;opd_codes\n" +
		"Klaster I;4;Akta;1000;4.1;Cakupan akta kelahiran (%);percent;target=90;DISDUKCAPIL\n" +
		"Klaster I;4;;;4.2;Bentuk layanan;choice;\"Online=1;Loket=0,5\";\"DISDUKCAPIL,KECAMATAN\"\n"
	in, err := instrumentfile.Read("semi.csv", strings.NewReader(doc), 2026, "")
	if err != nil {
		t.Fatal(err)
	}
	qs := in.Questions()
	if len(qs) != 2 || qs[0].Target != 90 || len(qs[1].Options) != 2 || qs[1].Options[1].Fraction != 0.5 || len(qs[1].OPDCodes) != 2 {
		t.Fatalf("questions = %+v", qs)
	}
}

func TestParseCluster(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Kelembagaan": "KELEMBAGAAN", "kelembagaan": "KELEMBAGAAN", "III": "III", "Klaster III": "III",
		"klaster 3": "III", "Klaster IV — Pendidikan": "IV", "v": "V", "Cluster II": "II",
	} {
		if got, ok := instrumentfile.ParseCluster(in); !ok || got != want {
			t.Errorf("ParseCluster(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "VI", "Klaster", "kesehatan"} {
		if got, ok := instrumentfile.ParseCluster(bad); ok {
			t.Errorf("ParseCluster(%q) = %q, want refusal", bad, got)
		}
	}
}

func TestBadXLSX(t *testing.T) {
	t.Parallel()
	if _, err := instrumentfile.Read("rusak.xlsx", strings.NewReader("bukan excel"), 2026, ""); err == nil ||
		!strings.Contains(err.Error(), "cannot read it as an Excel .xlsx workbook") {
		t.Fatalf("garbage xlsx: %v", err)
	}
	// A real workbook with the template's rows but no opd_codes column.
	f := excelize.NewFile()
	rows, err := csv.NewReader(bytes.NewReader(mustRead(t, "../../samples/instrument-template.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range rows {
		cells := make([]any, 0, len(rec))
		for j, v := range rec {
			if j != 10 { // opd_codes
				cells = append(cells, v)
			}
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	_, err = instrumentfile.Read("tanpa-opd.xlsx", &buf, 2026, "")
	if err == nil || !strings.Contains(err.Error(), "row 1, column opd_codes: missing column") {
		t.Fatalf("xlsx without opd_codes: %v", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestXLSXSkipsAnInstructionsSheet(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "Petunjuk"); err != nil {
		t.Fatal(err)
	}
	f.SetCellValue("Petunjuk", "A1", "Isi lembar berikutnya, satu baris per pertanyaan.")
	if _, err := f.NewSheet("Borang"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(mustRead(t, "../../samples/instrument-template.csv"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, rec := range rows {
		cells := make([]any, len(rec))
		for j, v := range rec {
			cells[j] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Borang", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	in, err := instrumentfile.Read("dua-lembar.xlsx", &buf, 2026, "")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(in.Questions()); n != 10 {
		t.Fatalf("read %d questions, want 10", n)
	}
}
