// Package samples holds the bundled sample files, embedded so that `klabot seed` and the
// tests work from any directory: the sample instrument of 2026 (24 indicators, 1000
// points), the import template (CSV and XLSX) and the roster of the fictional Kota Contoh.
package samples

//go:generate go run ./gentemplate

import "embed"

// Files are the sample files by name: instrument-sample-2026.csv,
// instrument-template.csv, instrument-template.xlsx, region-sample.csv.
//
//go:embed *.csv *.xlsx
var Files embed.FS

// The names of the bundled files.
const (
	Instrument2026     = "instrument-sample-2026.csv"
	TemplateCSV        = "instrument-template.csv"
	TemplateXLSX       = "instrument-template.xlsx"
	RegionRoster       = "region-sample.csv"
	InstrumentYear     = 2026
	InstrumentName2026 = "Instrumen Evaluasi KLA 2026 (contoh)"
)
