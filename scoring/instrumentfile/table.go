// Package instrumentfile reads a KLA instrument from the files coordinators keep: CSV,
// XLSX (the first sheet) or YAML, one question per row, and checks it. Every problem is
// reported with its row and column in plain words, not just the first one.
package instrumentfile

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"gopkg.in/yaml.v3"
)

// Table is a header row and the rows under it, read from CSV, XLSX or YAML. Column names
// are lower case with underscores ("OPD Codes" reads as opd_codes).
type Table struct {
	Columns []string
	Rows    []Row
	// Unit names what Row.Line counts: "row" (spreadsheet rows, the header is row 1) or
	// "line" (YAML).
	Unit string
}

// Row is one data row with the line it came from.
type Row struct {
	Line   int
	Values map[string]string
}

// Get returns the trimmed value of column col.
func (r Row) Get(col string) string { return strings.TrimSpace(r.Values[col]) }

// empty reports whether every cell is blank.
func (r Row) empty() bool {
	for _, v := range r.Values {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// Problem is one thing wrong in a file, at a row (0 when about the whole file) and a
// column ("" when about the whole row).
type Problem struct {
	Unit   string // "row" or "line"
	Line   int
	Column string
	Msg    string
}

func (p Problem) String() string {
	var where []string
	if p.Line > 0 {
		unit := p.Unit
		if unit == "" {
			unit = "row"
		}
		where = append(where, fmt.Sprintf("%s %d", unit, p.Line))
	}
	if p.Column != "" {
		where = append(where, "column "+p.Column)
	}
	if len(where) == 0 {
		return p.Msg
	}
	return strings.Join(where, ", ") + ": " + p.Msg
}

// MaxProblems is how many problems an Error lists before it stops counting.
const MaxProblems = 50

// Error lists every problem found in a file.
type Error struct {
	File     string
	Problems []Problem
	More     int // problems left out after MaxProblems
}

func (e *Error) Error() string {
	var b strings.Builder
	n := len(e.Problems) + e.More
	fmt.Fprintf(&b, "%s: %d problem", e.File, n)
	if n != 1 {
		b.WriteString("s")
	}
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	if e.More > 0 {
		fmt.Fprintf(&b, "\n  ... and %d more", e.More)
	}
	return b.String()
}

// problems collects Problems up to MaxProblems, one per row and column.
type problems struct {
	unit string
	list []Problem
	seen map[string]bool
	more int
}

func (ps *problems) add(line int, col, format string, args ...any) {
	key := fmt.Sprint(line, "\x00", col)
	if ps.seen == nil {
		ps.seen = map[string]bool{}
	}
	if line > 0 && ps.seen[key] { // one message per cell is enough
		return
	}
	ps.seen[key] = true
	if len(ps.list) >= MaxProblems {
		ps.more++
		return
	}
	ps.list = append(ps.list, Problem{Unit: ps.unit, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
}

func (ps *problems) err(file string) error {
	if len(ps.list) == 0 {
		return nil
	}
	return &Error{File: file, Problems: ps.list, More: ps.more}
}

// ReadTable reads a table from r, choosing the format by the extension of name: .csv,
// .xlsx, .yaml or .yml. It fails on an empty file, a CSV that is not UTF-8, a sheet
// without a header row, and repeated column names.
func ReadTable(name string, r io.Reader) (*Table, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	file := filepath.Base(name)
	fail := func(line int, col, format string, args ...any) error {
		ps := problems{unit: "row"}
		ps.add(line, col, format, args...)
		return ps.err(file)
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))) == 0 {
		return nil, fail(1, "", "the file is empty (expected a header row and one row per question)")
	}
	var cells [][]string
	var t *Table
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		if cells, err = readCSV(data, fail); err != nil {
			return nil, err
		}
	case ".xlsx", ".xlsm":
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			return nil, fail(0, "", "cannot read it as an Excel .xlsx workbook (%v)", err)
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, fail(0, "", "the workbook has no sheets")
		}
		// The first sheet whose header names known columns, so that an instructions sheet
		// in front does not get read; else the first sheet (its errors then explain).
		for i, sh := range sheets {
			// Raw values: a cell formatted as "1.000" or "50%" must not change the number read.
			rows, err := f.GetRows(sh, excelize.Options{RawCellValue: true})
			if err != nil {
				return nil, fail(0, "", "cannot read sheet %q (%v)", sh, err)
			}
			if i == 0 {
				cells = rows
			}
			if looksLikeTable(rows) {
				cells = rows
				break
			}
		}
	case ".yaml", ".yml":
		if t, err = readYAML(data, file); err != nil {
			return nil, err
		}
	default:
		return nil, fail(0, "", "unknown file type %q (use .csv, .xlsx or .yaml)", filepath.Ext(name))
	}
	if t == nil {
		if t, err = tableFromCells(cells, file); err != nil {
			return nil, err
		}
	}
	if len(t.Rows) == 0 {
		return nil, fail(0, "", "the file has a header row but no data rows")
	}
	return t, nil
}

// readCSV accepts UTF-8 with or without BOM, separated by commas or (as Excel writes in
// Indonesian locales) semicolons.
func readCSV(data []byte, fail func(int, string, string, ...any) error) ([][]string, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		line := 1
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			if r == '\n' {
				line++
			}
			i += size
		}
		return nil, fail(line, "", "the file is not UTF-8 text; in Excel use Save As \"CSV UTF-8 (Comma delimited)\"")
	}
	first, _, _ := bytes.Cut(data, []byte("\n"))
	cr := csv.NewReader(bytes.NewReader(data))
	if !bytes.Contains(first, []byte(",")) && bytes.Contains(first, []byte(";")) {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	var cells [][]string
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, fail(pe.StartLine, "", "broken CSV: %v", pe.Err)
		}
		if err != nil {
			return nil, fail(0, "", "broken CSV: %v", err)
		}
		line, _ := cr.FieldPos(0)
		for len(cells) < line-1 { // keep row numbers equal to the file's lines
			cells = append(cells, nil)
		}
		cells = append(cells, rec)
	}
	return cells, nil
}

// knownColumns are the column names of the instrument and roster formats.
var knownColumns = map[string]bool{
	"cluster": true, "indicator_code": true, "indicator_name": true, "indicator_max_points": true,
	"question_code": true, "question_text": true, "answer_type": true, "options": true, "weight": true,
	"evidence_required": true, "opd_codes": true, "help": true,
	"opd_code": true, "opd_name": true, "name": true, "role": true, "phone": true, "answers_for": true,
}

// looksLikeTable reports whether the first non-empty row names at least two known columns.
func looksLikeTable(rows [][]string) bool {
	for _, row := range rows {
		if strings.TrimSpace(strings.Join(row, "")) == "" {
			continue
		}
		n := 0
		for _, c := range row {
			if knownColumns[normColumn(c)] {
				n++
			}
		}
		return n >= 2
	}
	return false
}

// normColumn turns a header cell into a column name: "OPD Codes " -> "opd_codes".
func normColumn(s string) string {
	s = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' }), "_")
}

func tableFromCells(cells [][]string, file string) (*Table, error) {
	ps := problems{unit: "row"}
	h := -1
	for i, row := range cells {
		if strings.TrimSpace(strings.Join(row, "")) != "" {
			h = i
			break
		}
	}
	if h < 0 {
		ps.add(0, "", "the file is empty (expected a header row and one row per question)")
		return nil, ps.err(file)
	}
	t := &Table{Unit: "row"}
	idx := map[string]int{}
	for i, c := range cells[h] {
		name := normColumn(c)
		if name == "" {
			continue
		}
		if prev, dup := idx[name]; dup {
			ps.add(h+1, name, "the column appears twice (cells %d and %d of the header)", prev+1, i+1)
			continue
		}
		idx[name] = i
		t.Columns = append(t.Columns, name)
	}
	for i := h + 1; i < len(cells); i++ {
		r := Row{Line: i + 1, Values: map[string]string{}}
		for name, j := range idx {
			if j < len(cells[i]) {
				r.Values[name] = cells[i][j]
			}
		}
		if !r.empty() {
			t.Rows = append(t.Rows, r)
		}
	}
	return t, ps.err(file)
}

// readYAML reads a list of mappings whose keys are the column names.
func readYAML(data []byte, file string) (*Table, error) {
	ps := problems{unit: "line"}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		ps.add(0, "", "broken YAML: %v", err)
		return nil, ps.err(file)
	}
	seq := &doc
	if seq.Kind == yaml.DocumentNode && len(seq.Content) == 1 {
		seq = seq.Content[0]
	}
	if seq.Kind == yaml.MappingNode { // {questions: [...]} or {rows: [...]}
		for i := 0; i+1 < len(seq.Content); i += 2 {
			if seq.Content[i+1].Kind == yaml.SequenceNode {
				seq = seq.Content[i+1]
				break
			}
		}
	}
	if seq.Kind != yaml.SequenceNode {
		ps.add(0, "", "expected a list of rows (one mapping per question)")
		return nil, ps.err(file)
	}
	t := &Table{Unit: "line"}
	cols := map[string]bool{}
	for _, item := range seq.Content {
		if item.Kind != yaml.MappingNode {
			ps.add(item.Line, "", "expected a mapping like `question_code: 1.1`")
			continue
		}
		r := Row{Line: item.Line, Values: map[string]string{}}
		for i := 0; i+1 < len(item.Content); i += 2 {
			name := normColumn(item.Content[i].Value)
			v := item.Content[i+1]
			switch v.Kind {
			case yaml.ScalarNode:
				r.Values[name] = v.Value
			case yaml.SequenceNode: // opd_codes: [DINKES, DISDIK]
				var parts []string
				for _, c := range v.Content {
					parts = append(parts, c.Value)
				}
				r.Values[name] = strings.Join(parts, ",")
			default:
				ps.add(v.Line, name, "expected a single value")
			}
			if !cols[name] {
				cols[name] = true
				t.Columns = append(t.Columns, name)
			}
		}
		if !r.empty() {
			t.Rows = append(t.Rows, r)
		}
	}
	return t, ps.err(file)
}
