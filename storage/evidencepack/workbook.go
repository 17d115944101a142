package evidencepack

import (
	"archive/zip"
	"io"
	"math"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/klabot/klabot/conversations/idfmt"
)

// SummarySheet is the workbook's first sheet, with every question.
const SummarySheet = "Ringkasan"

// Columns are the workbook's column headers, in order.
var Columns = []string{"No", "Kode", "Klaster", "Indikator", "Pertanyaan", "Jawaban", "Narasi",
	"OPD", "Dijawab oleh", "Waktu", "Versi", "Status tinjauan", "Catatan tinjauan",
	"Poin maksimum", "Poin klaim", "Poin berbukti", "Poin terverifikasi", "Berkas bukti"}

// clusterSheet names a cluster's sheet ("Kelembagaan", "Klaster III"): short, and free
// of the characters Excel refuses in sheet names.
func clusterSheet(code string) string {
	if strings.EqualFold(code, "KELEMBAGAAN") {
		return "Kelembagaan"
	}
	name := "Klaster " + strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, code)
	if len([]rune(name)) > 31 {
		name = string([]rune(name)[:31])
	}
	return name
}

// writeWorkbook writes ringkasan.xlsx into the ZIP: the summary sheet and one sheet per
// cluster, each written with excelize's StreamWriter. The workbook itself is built in
// memory by excelize (a few hundred KB for ~700 questions) and stored as one entry.
func writeWorkbook(zw *zip.Writer, in Input, rows []row, loc *time.Location) error {
	dst, err := zw.CreateHeader(&zip.FileHeader{Name: WorkbookName, Method: zip.Store, Modified: in.GeneratedAt.In(loc)})
	if err != nil {
		return err
	}
	return writeWorkbookTo(dst, in, rows, loc)
}

// writeWorkbookTo writes the workbook of rows to w.
func writeWorkbookTo(w io.Writer, in Input, rows []row, loc *time.Location) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SummarySheet); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	pts, err := f.NewStyle(&excelize.Style{NumFmt: 2, Alignment: &excelize.Alignment{Vertical: "top"}}) // 0.00
	if err != nil {
		return err
	}
	sheets := []string{SummarySheet}
	byCluster := map[string][]row{}
	for _, c := range in.Instrument.Clusters {
		name := clusterSheet(c.Code)
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sheets = append(sheets, name)
	}
	for _, r := range rows {
		byCluster[clusterSheet(r.cluster.Code)] = append(byCluster[clusterSheet(r.cluster.Code)], r)
	}
	for _, sheet := range sheets {
		list := rows
		if sheet != SummarySheet {
			list = byCluster[sheet]
		}
		if err := writeSheet(f, sheet, list, loc, bold, wrap, pts); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(w)
	return err
}

// writeSheet streams the header, one row per question and a total row.
func writeSheet(f *excelize.File, sheet string, rows []row, loc *time.Location, bold, wrap, pts int) error {
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	widths := []float64{5, 10, 14, 28, 50, 16, 40, 18, 18, 22, 6, 15, 30, 9, 9, 9, 9, 60}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	header := make([]any, len(Columns))
	for i, c := range Columns {
		header[i] = excelize.Cell{StyleID: bold, Value: c}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	var total Points
	for i, r := range rows {
		total.Max += r.points.Max
		total.Claimed += r.points.Claimed
		total.Evidenced += r.points.Evidenced
		total.Verified += r.points.Verified
		var narrative, opd, who, when, note string
		var version any = ""
		if a := r.answer; a != nil {
			narrative, who, note, version = a.Narrative, a.PersonName, a.LastNote, a.Version
			opd = a.OPDName
			if a.OPDCode != "" && a.OPDName == "" {
				opd = a.OPDCode
			}
			when = idfmt.DateTime(a.AnsweredAt, loc)
		}
		if opd == "" {
			opd = strings.Join(r.q.OPDCodes, ", ")
		}
		files := strings.Join(r.files, "\n")
		if len(r.missing) > 0 {
			if files != "" {
				files += "\n"
			}
			files += "HILANG: " + strings.Join(r.missing, ", ")
		}
		cells := []any{r.number, r.q.Code, clusterSheet(r.cluster.Code), r.ind.Code + " " + r.ind.Name,
			excelize.Cell{StyleID: wrap, Value: r.q.Text}, answerText(r.q, r.answer),
			excelize.Cell{StyleID: wrap, Value: narrative}, opd, who, when, version,
			stateText(r.answer), excelize.Cell{StyleID: wrap, Value: note},
			excelize.Cell{StyleID: pts, Value: round2(r.points.Max)},
			excelize.Cell{StyleID: pts, Value: round2(r.points.Claimed)},
			excelize.Cell{StyleID: pts, Value: round2(r.points.Evidenced)},
			excelize.Cell{StyleID: pts, Value: round2(r.points.Verified)},
			excelize.Cell{StyleID: wrap, Value: files}}
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	cell, _ := excelize.CoordinatesToCellName(1, len(rows)+2)
	totalRow := make([]any, len(Columns))
	totalRow[4] = excelize.Cell{StyleID: bold, Value: "Jumlah"}
	totalRow[13] = excelize.Cell{StyleID: pts, Value: round2(total.Max)}
	totalRow[14] = excelize.Cell{StyleID: pts, Value: round2(total.Claimed)}
	totalRow[15] = excelize.Cell{StyleID: pts, Value: round2(total.Evidenced)}
	totalRow[16] = excelize.Cell{StyleID: pts, Value: round2(total.Verified)}
	if err := sw.SetRow(cell, totalRow); err != nil {
		return err
	}
	return sw.Flush()
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
