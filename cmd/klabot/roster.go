package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/scoring/instrumentfile"
	"github.com/klabot/klabot/storage/postgres"
)

// rosterRoles maps what people write in a roster to a role.
var rosterRoles = map[string]conversations.Role{
	"focal_point": conversations.RoleFocalPoint, "focal point": conversations.RoleFocalPoint,
	"fokal": conversations.RoleFocalPoint, "focal": conversations.RoleFocalPoint, "operator": conversations.RoleFocalPoint,
	"coordinator": conversations.RoleCoordinator, "koordinator": conversations.RoleCoordinator,
	"head": conversations.RoleHead, "kepala": conversations.RoleHead, "pimpinan": conversations.RoleHead,
	"admin": conversations.RoleAdmin,
}

// parseRole reads a role the way people write it ("Focal Point", "koordinator").
func parseRole(s string) (conversations.Role, bool) {
	r, ok := rosterRoles[strings.ToLower(strings.Join(strings.Fields(strings.ReplaceAll(s, "-", " ")), " "))]
	if !ok {
		r, ok = rosterRoles[strings.ToLower(strings.TrimSpace(s))]
	}
	return r, ok
}

// readRoster reads a roster (CSV/XLSX/YAML) with columns opd_code, opd_name, name, role,
// and optional phone and answers_for. A row with an OPD and no name only declares the OPD.
func readRoster(name string, r io.Reader) ([]postgres.RosterRow, error) {
	t, err := instrumentfile.ReadTable(name, r)
	if err != nil {
		return nil, err
	}
	file := filepath.Base(name)
	var ps []instrumentfile.Problem
	add := func(line int, col, format string, args ...any) {
		if len(ps) < instrumentfile.MaxProblems {
			ps = append(ps, instrumentfile.Problem{Unit: t.Unit, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
		}
	}
	for _, col := range []string{"opd_code", "name", "role"} {
		if !slices.Contains(t.Columns, col) {
			add(1, col, "missing column (the header needs opd_code, opd_name, name, role; phone and answers_for are optional)")
		}
	}
	if len(ps) > 0 {
		return nil, &instrumentfile.Error{File: file, Problems: ps}
	}
	var rows []postgres.RosterRow
	for _, row := range t.Rows {
		rr := postgres.RosterRow{
			OPDCode: strings.ToUpper(row.Get("opd_code")), OPDName: row.Get("opd_name"),
			Name: row.Get("name"), Phone: row.Get("phone"),
		}
		for _, c := range strings.FieldsFunc(row.Get("answers_for"), func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
			rr.AnswersFor = append(rr.AnswersFor, strings.ToUpper(c))
		}
		role := row.Get("role")
		switch {
		case rr.Name == "" && role == "":
			if rr.OPDCode == "" {
				add(row.Line, "opd_code", "a row needs a person (name, role) or an OPD (opd_code)")
			}
		case rr.Name == "":
			add(row.Line, "name", "empty; who has the role %q?", role)
		default:
			r, ok := parseRole(role)
			if !ok {
				add(row.Line, "role", "unknown role %q (use focal_point, coordinator, head or admin)", role)
			}
			rr.Role = r
			if r == conversations.RoleFocalPoint && rr.OPDCode == "" {
				add(row.Line, "opd_code", "a focal point needs the code of their OPD")
			}
		}
		if rr.OPDCode != "" && strings.ContainsAny(rr.OPDCode, " ,;") {
			add(row.Line, "opd_code", "%q is not a single code", rr.OPDCode)
		}
		if rr.Phone != "" && !validPhone(rr.Phone) {
			add(row.Line, "phone", "%q does not look like a phone number (write it like 0812 3456 7890 or +62 812 3456 7890)", rr.Phone)
		}
		rr.Line = row.Line
		rows = append(rows, rr)
	}
	if len(ps) > 0 {
		return nil, &instrumentfile.Error{File: file, Problems: ps}
	}
	return rows, nil
}

// runRoster: klabot roster import FILE --region CODE | roster list --region CODE.
func runRoster(ctx context.Context, app *App, args []string) error {
	const usage = "usage: klabot roster import FILE --region CODE [--dry-run] | klabot roster list --region CODE [--json]"
	if len(args) == 0 {
		return usageError{usage}
	}
	fs := flag.NewFlagSet("roster "+args[0], flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	region := fs.String("region", "", "region code, e.g. KOTA-CONTOH (required)")
	dry := fs.Bool("dry-run", false, "check the file only; write nothing")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlagsAnywhere(fs, args[1:])
	if err != nil {
		return err
	}
	if *region == "" {
		return usageError{usage}
	}
	switch args[0] {
	case "import":
		if len(pos) != 1 {
			return usageError{usage}
		}
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		rows, err := readRoster(pos[0], f)
		if err != nil {
			return err
		}
		pool, err := app.DB(ctx)
		if err != nil {
			if *dry { // the file alone was still checked
				fmt.Fprintf(app.Stdout, "%s: OK, %d rows; nothing written (dry run; cannot check against the database: %v)\n", pos[0], len(rows), err)
				return nil
			}
			return err
		}
		store := postgres.New(pool, app.Now)
		reg, err := store.Region(ctx, *region)
		if err != nil {
			return explainNotFound(err, *region)
		}
		in, err := store.Instrument(ctx, reg.Year)
		if err != nil && !isNotFound(err) {
			return err
		}
		if in != nil { // answers_for must name codes of the region's instrument
			if err := checkAnswersFor(pos[0], rows, in); err != nil {
				return err
			}
		}
		if *dry {
			fmt.Fprintf(app.Stdout, "%s: OK, %d rows; nothing written (dry run)\n", pos[0], len(rows))
			opds, err := store.OPDs(ctx, reg.Code)
			if err != nil {
				return err
			}
			warnUncovered(app, reg, in, withRosterOPDs(opds, rows))
			return nil
		}
		st, err := store.ImportRoster(ctx, reg.Code, rows)
		if err != nil {
			return explainNotFound(err, *region)
		}
		fmt.Fprintf(app.Stdout, "roster of %s: %d OPDs, %d people added, %d already there\n",
			reg.Code, st.OPDs, st.PeopleAdded, st.PeopleExisted)
		opds, err := store.OPDs(ctx, reg.Code)
		if err != nil {
			return err
		}
		warnUncovered(app, reg, in, opds)
		return nil
	case "list":
		pool, err := app.DB(ctx)
		if err != nil {
			return err
		}
		store := postgres.New(pool, app.Now)
		if _, err := store.Region(ctx, *region); err != nil {
			return explainNotFound(err, *region)
		}
		opds, err := store.OPDs(ctx, *region)
		if err != nil {
			return err
		}
		people, err := store.People(ctx, *region)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(app.Stdout).Encode(map[string]any{"opds": opds, "people": people})
		}
		tw := tabwriter.NewWriter(app.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "OPD\tANSWERS FOR\tNAME")
		for _, o := range opds {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", o.Code, strings.Join(o.AnswersFor, ","), o.Name)
		}
		fmt.Fprintln(tw, "\nID\tROLE\tOPD\tNAME")
		for _, p := range people {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", p.ID, p.Role, p.OPDCode, p.Name)
		}
		return tw.Flush()
	}
	return usageError{usage}
}

// warnUncovered tells the operator which OPD codes of the region's instrument no OPD of
// the region answers for, and how many questions therefore reach nobody (a question
// reaches somebody when any of its codes is answered for). in may be nil (no instrument
// for the region's year yet: nothing to compare).
func warnUncovered(app *App, reg conversations.Region, in *scoring.Instrument, opds []postgres.OPD) {
	if in == nil {
		return
	}
	codes, questions := uncoveredOPDCodes(in, opds)
	if len(codes) == 0 {
		return
	}
	fmt.Fprintf(app.Stdout, "warning: no OPD of %s answers for %s (%s of the %d instrument reach nobody); add them to the roster or list them in an OPD's answers_for\n",
		reg.Code, strings.Join(codes, ", "), plural(questions, "question"), reg.Year)
}

// uncoveredOPDCodes returns the national OPD codes of the instrument no OPD answers for,
// sorted, and the number of questions none of whose codes is answered for.
func uncoveredOPDCodes(in *scoring.Instrument, opds []postgres.OPD) ([]string, int) {
	covered := map[string]bool{}
	for _, o := range opds {
		for _, c := range o.AnswersFor {
			covered[c] = true
		}
	}
	missing := map[string]bool{}
	n := 0
	for _, q := range in.Questions() {
		reached := false
		for _, c := range q.OPDCodes {
			if covered[c] {
				reached = true
			} else {
				missing[c] = true
			}
		}
		if !reached {
			n++
		}
	}
	codes := make([]string, 0, len(missing))
	for c := range missing {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	return codes, n
}

// withRosterOPDs is the region's OPDs as they would be after importing rows (for a dry
// run): the rows' OPDs added, their answers_for applied.
func withRosterOPDs(opds []postgres.OPD, rows []postgres.RosterRow) []postgres.OPD {
	byCode := map[string]int{}
	out := slices.Clone(opds)
	for i, o := range out {
		byCode[o.Code] = i
	}
	for _, r := range rows {
		if r.OPDCode == "" {
			continue
		}
		i, ok := byCode[r.OPDCode]
		if !ok {
			out = append(out, postgres.OPD{Code: r.OPDCode, AnswersFor: []string{r.OPDCode}})
			i = len(out) - 1
			byCode[r.OPDCode] = i
		}
		if len(r.AnswersFor) > 0 {
			out[i].AnswersFor = r.AnswersFor
		}
	}
	return out
}

// checkAnswersFor refuses answers_for codes the instrument does not know, by row: a typo
// there silently leaves an OPD without its questions.
func checkAnswersFor(file string, rows []postgres.RosterRow, in *scoring.Instrument) error {
	known := map[string]bool{}
	for _, q := range in.Questions() {
		for _, c := range q.OPDCodes {
			known[c] = true
		}
	}
	var ps []instrumentfile.Problem
	first := map[string]int{} // unknown code -> index of its problem
	for _, r := range rows {
		for _, c := range r.AnswersFor {
			if known[c] {
				continue
			}
			if i, seen := first[c]; seen { // the OPD's rows repeat its answers_for
				if !strings.Contains(ps[i].Msg, "; also row") {
					ps[i].Msg += fmt.Sprintf("; also row %d", r.Line)
				} else {
					ps[i].Msg += fmt.Sprintf(", %d", r.Line)
				}
				continue
			}
			if len(ps) < instrumentfile.MaxProblems {
				first[c] = len(ps)
				ps = append(ps, instrumentfile.Problem{Line: r.Line, Column: "answers_for",
					Msg: fmt.Sprintf("unknown OPD code %q: the %d instrument has no question for it (known: %s)", c, in.Year, knownCodes(known))})
			}
		}
	}
	if len(ps) > 0 {
		return &instrumentfile.Error{File: filepath.Base(file), Problems: ps}
	}
	return nil
}

func knownCodes(known map[string]bool) string {
	codes := make([]string, 0, len(known))
	for c := range known {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	if len(codes) > 12 {
		return strings.Join(codes[:12], ", ") + ", …"
	}
	return strings.Join(codes, ", ")
}

// explainNotFound turns an unknown region into a sentence that says what to do.
func explainNotFound(err error, region string) error {
	if isNotFound(err) && strings.Contains(err.Error(), "region") {
		return fmt.Errorf("unknown region %s (see `klabot region list`, or create it with `klabot region add`)", strings.ToUpper(region))
	}
	return err
}

// validPhone reports whether p is an Indonesian (or international) phone number as people
// write it: digits with spaces, dashes, dots or brackets, optionally a leading +; 0812…
// or 62812… or +62 812…, 10 to 15 digits once normalised.
func validPhone(p string) bool {
	p = strings.TrimSpace(p)
	for i, r := range p {
		switch {
		case r >= '0' && r <= '9', r == ' ', r == '-', r == '.', r == '(', r == ')':
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	d := postgres.NormalizePhone(p)
	if !strings.HasPrefix(strings.TrimSpace(p), "+") && !strings.HasPrefix(d, "62") {
		return false // a local number must start with 0 (0812…) or 62
	}
	return len(d) >= 10 && len(d) <= 15
}

// warnUncoveredRegion is warnUncovered on the region's stored OPDs and instrument.
func warnUncoveredRegion(ctx context.Context, app *App, store *postgres.Store, region string) error {
	reg, err := store.Region(ctx, region)
	if err != nil {
		return err
	}
	in, err := store.Instrument(ctx, reg.Year)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	opds, err := store.OPDs(ctx, reg.Code)
	if err != nil {
		return err
	}
	warnUncovered(app, reg, in, opds)
	return nil
}
