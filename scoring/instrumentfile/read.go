package instrumentfile

import (
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/klabot/klabot/scoring"
)

// Columns are the columns of the import format, in the order the template has them.
var Columns = []string{"cluster", "indicator_code", "indicator_name", "indicator_max_points",
	"question_code", "question_text", "answer_type", "options", "weight", "evidence_required",
	"opd_codes", "help"}

// required are the columns a file must have; the others may be left out.
var required = []string{"cluster", "indicator_code", "indicator_name", "indicator_max_points",
	"question_code", "question_text", "answer_type", "opd_codes"}

// ReadFile reads the instrument of year from the file at path (.csv, .xlsx, .yaml).
// name is the instrument's name; empty leaves the name to the store (which keeps the
// name of an earlier import of the year).
func ReadFile(path string, year int, name string) (*scoring.Instrument, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Read(path, f, year, name)
}

// Read reads an instrument from r; filename chooses the format by its extension. On any
// problem it returns an *Error listing all of them (up to MaxProblems).
func Read(filename string, r io.Reader, year int, name string) (*scoring.Instrument, error) {
	t, err := ReadTable(filename, r)
	if err != nil {
		return nil, err
	}
	return Parse(filepath.Base(filename), t, year, name)
}

// indicatorRows remembers where an indicator was defined, to check later rows against it.
type indicatorRows struct {
	cluster string
	ind     *scoring.Indicator
	line    int
}

// Parse turns a table into an instrument and checks it (scoring.Instrument.Problems),
// reporting each problem at its row and column.
func Parse(file string, t *Table, year int, name string) (*scoring.Instrument, error) {
	ps := problems{unit: t.Unit}
	for _, col := range required {
		if !slices.Contains(t.Columns, col) {
			ps.add(headerLine(t), col, "missing column (the header needs: %s)", strings.Join(required, ", "))
		}
	}
	if len(ps.list) > 0 {
		return nil, ps.err(file)
	}

	inds := map[string]*indicatorRows{}
	var order []string // indicator codes in order of first appearance
	qLine := map[string]int{}
	for _, r := range t.Rows {
		cl, ok := ParseCluster(r.Get("cluster"))
		if !ok {
			ps.add(r.Line, "cluster", "unknown cluster %q (use Kelembagaan, I, II, III, IV or V)", r.Get("cluster"))
		}
		icode := r.Get("indicator_code")
		if icode == "" {
			ps.add(r.Line, "indicator_code", "empty; every question belongs to an indicator")
			continue
		}
		ir := inds[icode]
		iname, ipoints := r.Get("indicator_name"), r.Get("indicator_max_points")
		if ir == nil {
			ir = &indicatorRows{cluster: cl, ind: &scoring.Indicator{Code: icode, Name: iname}, line: r.Line}
			inds[icode] = ir
			order = append(order, icode)
			if iname == "" {
				ps.add(r.Line, "indicator_name", "empty on the first row of indicator %s", icode)
			}
			if ipoints == "" {
				ps.add(r.Line, "indicator_max_points", "empty on the first row of indicator %s", icode)
			} else if p, err := parseNumber(ipoints); err != nil || p < 0 {
				ps.add(r.Line, "indicator_max_points", "%q is not a number of points", ipoints)
			} else {
				ir.ind.MaxPoints = p
			}
		} else {
			// Later rows of an indicator may repeat its cells (Excel users copy rows) but
			// must not contradict the first.
			if ok && cl != ir.cluster {
				ps.add(r.Line, "cluster", "indicator %s is in cluster %s on row %d", icode, clusterLabel(ir.cluster), ir.line)
			}
			if iname != "" && iname != ir.ind.Name {
				ps.add(r.Line, "indicator_name", "indicator %s is named %q on row %d", icode, ir.ind.Name, ir.line)
			}
			if ipoints != "" {
				if p, err := parseNumber(ipoints); err != nil || p != ir.ind.MaxPoints {
					ps.add(r.Line, "indicator_max_points", "indicator %s has %s points on row %d", icode, formatNumber(ir.ind.MaxPoints), ir.line)
				}
			}
		}

		q, ok := parseQuestion(r, &ps)
		if !ok {
			continue
		}
		if first, dup := qLine[q.Code]; dup {
			ps.add(r.Line, "question_code", "duplicate question code %q (first on row %d)", q.Code, first)
			continue
		}
		qLine[q.Code] = r.Line
		ir.ind.Questions = append(ir.ind.Questions, q)
	}

	in := &scoring.Instrument{Year: year, Name: name}
	for _, code := range scoring.ClusterCodes {
		c := scoring.Cluster{Code: code, Name: scoring.ClusterNames[code]}
		for _, icode := range order {
			if ir := inds[icode]; ir.cluster == code {
				c.Indicators = append(c.Indicators, *ir.ind)
			}
		}
		if len(c.Indicators) > 0 {
			in.Clusters = append(in.Clusters, c)
		}
	}

	// The instrument's own checks, placed at the rows they are about.
	for _, p := range in.Problems() {
		switch {
		case p.Question != "":
			if p.Field == "question_code" {
				continue // duplicates were reported above, with both rows
			}
			ps.add(qLine[p.Question], p.Field, "%s", p.Msg)
		case p.Indicator != "":
			if ir := inds[p.Indicator]; ir != nil {
				if p.Field == "indicator_code" {
					continue
				}
				ps.add(ir.line, p.Field, "indicator %s: %s", p.Indicator, p.Msg)
			}
		case p.Field == "indicator_max_points":
			ps.add(0, p.Field, "%s: %s", p.Msg, pointsList(order, inds))
		default:
			if len(t.Rows) > 0 || !strings.Contains(p.Msg, "no questions") {
				ps.add(0, p.Field, "%s", p.Msg)
			}
		}
	}
	if err := ps.err(file); err != nil {
		return nil, err
	}
	return in, nil
}

// headerLine is where a missing column is reported: the header row of a sheet; YAML has
// no header.
func headerLine(t *Table) int {
	if t.Unit == "line" {
		return 0
	}
	return 1
}

// pointsList shows each indicator's points and row, so an operator sees where to fix.
func pointsList(order []string, inds map[string]*indicatorRows) string {
	parts := make([]string, 0, len(order))
	for _, code := range order {
		ir := inds[code]
		parts = append(parts, fmt.Sprintf("%s=%s (row %d)", code, formatNumber(ir.ind.MaxPoints), ir.line))
	}
	return strings.Join(parts, ", ")
}

func clusterLabel(code string) string {
	if code == "KELEMBAGAAN" {
		return "Kelembagaan"
	}
	return code
}

// parseQuestion reads the question cells of a row; ok is false when the row cannot give a
// question at all (no code).
func parseQuestion(r Row, ps *problems) (scoring.Question, bool) {
	q := scoring.Question{
		Code: r.Get("question_code"),
		Text: r.Get("question_text"),
		Help: r.Get("help"),
		Type: scoring.AnswerType(strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(r.Get("answer_type"), "-", "_"), " ", "_"))),
	}
	if q.Code == "" {
		ps.add(r.Line, "question_code", "empty; every question needs a code such as 4.2")
		return q, false
	}
	if !q.Type.Valid() {
		ps.add(r.Line, "answer_type", "unknown type %q (use %s)", r.Get("answer_type"), typeList())
	}
	q.Weight = 1
	if w := r.Get("weight"); w != "" {
		v, err := parseNumber(w)
		if err != nil {
			ps.add(r.Line, "weight", "%q is not a number (leave it empty for 1)", w)
		} else {
			q.Weight = v
		}
	}
	switch ev := strings.ToLower(r.Get("evidence_required")); ev {
	case "", "tidak", "no", "n", "0", "false", "t":
	case "ya", "yes", "y", "1", "true", "wajib":
		q.EvidenceRequired = true
	case "selalu", "always": // also for a negative answer
		q.EvidenceRequired, q.EvidenceAlways = true, true
	default:
		ps.add(r.Line, "evidence_required", "%q is not ya/tidak, selalu, yes/no/always or 1/0", r.Get("evidence_required"))
	}
	for _, c := range strings.FieldsFunc(r.Get("opd_codes"), func(r rune) bool { return r == ',' || r == ';' || r == '/' || r == ' ' || r == '\n' }) {
		c = strings.ToUpper(c)
		if !slices.Contains(q.OPDCodes, c) {
			q.OPDCodes = append(q.OPDCodes, c)
		}
	}
	if len(q.OPDCodes) == 0 {
		ps.add(r.Line, "opd_codes", "empty; every question needs at least one OPD code, e.g. DINKES")
	}
	opts := r.Get("options")
	var err error
	switch q.Type {
	case scoring.Choice:
		q.Options, err = parseChoices(opts)
	case scoring.Number:
		q.Bands, err = parseBands(opts)
	case scoring.Percent:
		q.Target, err = parseTarget(opts)
	default:
		if opts != "" && q.Type.Valid() {
			err = fmt.Errorf("%s questions take no options (only choice, number and percent do)", q.Type)
		}
	}
	if err != nil {
		ps.add(r.Line, "options", "%v", err)
	}
	return q, true
}

// parseChoices reads "Perda=1;Perwali atau SK=0.5;Belum ada=0".
func parseChoices(s string) ([]scoring.Option, error) {
	if s == "" {
		return nil, fmt.Errorf("a choice question needs options like Perda=1;SK=0,5;Belum ada=0")
	}
	var out []scoring.Option
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		i := strings.LastIndex(part, "=")
		if i < 0 {
			return nil, fmt.Errorf("option %q has no fraction (write label=fraction, e.g. %s=1)", part, part)
		}
		label := strings.TrimSpace(part[:i])
		f, err := parseFraction(part[i+1:])
		if err != nil {
			return nil, fmt.Errorf("option %q: %v", label, err)
		}
		out = append(out, scoring.Option{Label: label, Fraction: f})
	}
	return out, nil
}

// parseBands reads "0=0;1-4=0.5;5+=1".
func parseBands(s string) ([]scoring.Band, error) {
	if s == "" {
		return nil, fmt.Errorf("a number question needs bands like 0=0;1-4=0.5;5+=1")
	}
	var out []scoring.Band
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		rng, frac, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("band %q has no fraction (write range=fraction, e.g. 1-4=0.5)", part)
		}
		f, err := parseFraction(frac)
		if err != nil {
			return nil, fmt.Errorf("band %q: %v", rng, err)
		}
		b := scoring.Band{Fraction: f}
		rng = strings.TrimSpace(rng)
		switch lo, hi, isRange := strings.Cut(rng[min(1, len(rng)):], "-"); {
		case strings.HasSuffix(rng, "+"):
			b.Open = true
			b.Min, err = parseNumber(strings.TrimSuffix(rng, "+"))
		case isRange:
			lo = rng[:min(1, len(rng))] + lo // a leading '-' is a minus sign
			if b.Min, err = parseNumber(lo); err == nil {
				b.Max, err = parseNumber(hi)
			}
		default:
			b.Min, err = parseNumber(rng)
			b.Max = b.Min
		}
		if err != nil {
			return nil, fmt.Errorf("band %q is not N, N-M or N+", rng)
		}
		out = append(out, b)
	}
	return out, nil
}

// parseTarget reads "target=100" or "100"; empty means 100.
func parseTarget(s string) (float64, error) {
	if s == "" {
		return 100, nil
	}
	v := s
	if k, val, ok := strings.Cut(s, "="); ok {
		if strings.ToLower(strings.TrimSpace(k)) != "target" {
			return 0, fmt.Errorf("a percent question takes target=N, not %q", s)
		}
		v = val
	}
	f, err := parseNumber(strings.TrimSuffix(strings.TrimSpace(v), "%"))
	if err != nil {
		return 0, fmt.Errorf("target %q is not a number", strings.TrimSpace(v))
	}
	return f, nil
}

func parseFraction(s string) (float64, error) {
	s = strings.TrimSpace(s)
	pct := strings.HasSuffix(s, "%")
	f, err := parseNumber(strings.TrimSuffix(s, "%"))
	if err != nil {
		return 0, fmt.Errorf("fraction %q is not a number", s)
	}
	if pct {
		f /= 100
	}
	if f < 0 || f > 1 {
		return 0, fmt.Errorf("fraction %s is not between 0 and 1", s)
	}
	return f, nil
}

// parseNumber accepts 12, 12.5 and the Indonesian 12,5.
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("not a number: %q", s)
	}
	return f, nil
}

// ParseCluster reads "Kelembagaan", "III", "Klaster III", "klaster 3", "Klaster III — Kesehatan".
func ParseCluster(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, p := range []string{"klaster", "cluster"} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
	}
	word := strings.FieldsFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') })
	if len(word) == 0 {
		return "", false
	}
	switch word[0] {
	case "kelembagaan", "k", "0":
		return "KELEMBAGAAN", true
	case "i", "1":
		return "I", true
	case "ii", "2":
		return "II", true
	case "iii", "3":
		return "III", true
	case "iv", "4":
		return "IV", true
	case "v", "5":
		return "V", true
	}
	return "", false
}

func typeList() string {
	names := make([]string, len(scoring.AnswerTypes))
	for i, t := range scoring.AnswerTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

func formatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
