// Command gentemplate writes samples/instrument-template.xlsx from
// samples/instrument-template.csv: the rows as text cells on the sheet "instrumen"
// (so codes like 1.10 stay as typed), drop-down lists for the columns with fixed values,
// and a "petunjuk" sheet explaining each column in Bahasa Indonesia.
// Run from samples/: go generate (see embed.go).
package main

import (
	"encoding/csv"
	"fmt"
	"log"
	"os"

	"github.com/xuri/excelize/v2"
)

const sheet = "instrumen"

// guide explains the columns to the coordinators who fill in the sheet.
var guide = [][]string{
	{"kolom", "wajib", "isi", "contoh"},
	{"cluster", "ya", "Kelembagaan, I, II, III, IV atau V (boleh ditulis \"Klaster III\")", "Klaster III"},
	{"indicator_code", "ya", "kode indikator", "12"},
	{"indicator_name", "ya (baris pertama indikator)", "nama indikator; baris berikutnya boleh kosong atau sama", "Status gizi balita"},
	{"indicator_max_points", "ya (baris pertama indikator)", "nilai maksimal indikator; semua indikator harus berjumlah tepat 1000", "150"},
	{"question_code", "ya", "kode pertanyaan, unik (format sel sebagai Teks agar 1.10 tidak menjadi 1.1)", "12.1"},
	{"question_text", "ya", "pertanyaan seperti dibaca focal point", "Apakah TPPS sudah bekerja?"},
	{"answer_type", "ya", "yes_no, yes_partial_no, choice, number, percent, text, date, file", "yes_partial_no"},
	{"options", "untuk choice/number/percent", "choice: label=nilai;label=nilai — number: 0=0;1-4=0,5;5+=1 — percent: target=100", "Perda=1;SK=0,5;Belum ada=0"},
	{"weight", "tidak", "bobot relatif di dalam indikator; kosong = 1", "2"},
	{"evidence_required", "tidak", "ya/tidak: nilai hanya dihitung bila bukti dukung diunggah", "ya"},
	{"opd_codes", "ya", "kode OPD nasional yang menjawab, dipisah koma", "DINKES,BAPPEDA"},
	{"help", "tidak", "petunjuk singkat di bawah pertanyaan", "Lampirkan SK TPPS."},
}

func main() {
	in, err := os.Open("instrument-template.csv")
	if err != nil {
		log.Fatal(err)
	}
	recs, err := csv.NewReader(in).ReadAll()
	if err != nil {
		log.Fatal(err)
	}
	f := excelize.NewFile()
	must(f.SetSheetName("Sheet1", sheet))
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	must(err)
	must(f.SetColStyle(sheet, "A:L", text))
	for i, rec := range recs {
		writeRow(f, sheet, i+1, rec)
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49})
	must(err)
	must(f.SetRowStyle(sheet, 1, 1, bold))
	must(f.SetColWidth(sheet, "A", "E", 14))
	must(f.SetColWidth(sheet, "F", "F", 60))
	must(f.SetColWidth(sheet, "G", "K", 18))
	must(f.SetColWidth(sheet, "L", "L", 50))
	must(f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	dropDown(f, "A2:A2000", []string{"Kelembagaan", "Klaster I", "Klaster II", "Klaster III", "Klaster IV", "Klaster V"})
	dropDown(f, "G2:G2000", []string{"yes_no", "yes_partial_no", "choice", "number", "percent", "text", "date", "file"})
	dropDown(f, "J2:J2000", []string{"ya", "tidak"})

	_, err = f.NewSheet("petunjuk")
	must(err)
	for i, rec := range guide {
		writeRow(f, "petunjuk", i+1, rec)
	}
	must(f.SetRowStyle("petunjuk", 1, 1, bold))
	must(f.SetColWidth("petunjuk", "A", "B", 24))
	must(f.SetColWidth("petunjuk", "C", "C", 80))
	must(f.SetColWidth("petunjuk", "D", "D", 30))
	f.SetActiveSheet(0)
	must(f.SaveAs("instrument-template.xlsx"))
	fmt.Println("wrote instrument-template.xlsx")
}

func writeRow(f *excelize.File, sh string, row int, rec []string) {
	cell, err := excelize.CoordinatesToCellName(1, row)
	must(err)
	vals := make([]any, len(rec))
	for j, v := range rec {
		vals[j] = v
	}
	must(f.SetSheetRow(sh, cell, &vals))
}

func dropDown(f *excelize.File, sqref string, values []string) {
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(sqref)
	must(dv.SetDropList(values))
	// A warning, not a stop: the importer also accepts other spellings ("III", "yes").
	dv.SetError(excelize.DataValidationErrorStyleWarning, "Nilai tidak dikenal", "Pilih salah satu nilai dari daftar.")
	must(f.AddDataValidation(sheet, dv))
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
