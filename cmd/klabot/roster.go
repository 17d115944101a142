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
		if rr.Phone != "" && len(postgres.NormalizePhone(rr.Phone)) < 8 {
			add(row.Line, "phone", "%q does not look like a phone number", rr.Phone)
		}
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
		if *dry {
			fmt.Fprintf(app.Stdout, "%s: OK, %d rows; nothing written (dry run)\n", pos[0], len(rows))
			return nil
		}
		pool, err := app.DB(ctx)
		if err != nil {
			return err
		}
		st, err := postgres.New(pool, app.Now).ImportRoster(ctx, *region, rows)
		if err != nil {
			return explainNotFound(err, *region)
		}
		fmt.Fprintf(app.Stdout, "roster of %s: %d OPDs, %d people added, %d already there\n",
			strings.ToUpper(*region), st.OPDs, st.PeopleAdded, st.PeopleExisted)
		return warnUncovered(ctx, app, postgres.New(pool, app.Now), *region)
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
// the region answers for: their questions would reach nobody.
func warnUncovered(ctx context.Context, app *App, store *postgres.Store, region string) error {
	reg, err := store.Region(ctx, region)
	if err != nil {
		return err
	}
	in, err := store.Instrument(ctx, reg.Year)
	if isNotFound(err) {
		return nil // no instrument for the region's year yet: nothing to compare
	}
	if err != nil {
		return err
	}
	opds, err := store.OPDs(ctx, reg.Code)
	if err != nil {
		return err
	}
	missing := uncoveredOPDCodes(in, opds)
	if len(missing) == 0 {
		return nil
	}
	codes := make([]string, 0, len(missing))
	n := 0
	for c, k := range missing {
		codes = append(codes, c)
		n += k
	}
	slices.Sort(codes)
	fmt.Fprintf(app.Stdout, "warning: no OPD of %s answers for %s (%d questions of the %d instrument reach nobody); add them to the roster or list them in an OPD's answers_for\n",
		reg.Code, strings.Join(codes, ", "), n, reg.Year)
	return nil
}

// uncoveredOPDCodes counts, per national OPD code of the instrument, the questions of that
// code when no OPD answers for it.
func uncoveredOPDCodes(in *scoring.Instrument, opds []postgres.OPD) map[string]int {
	covered := map[string]bool{}
	for _, o := range opds {
		for _, c := range o.AnswersFor {
			covered[c] = true
		}
	}
	missing := map[string]int{}
	for _, q := range in.Questions() {
		for _, c := range q.OPDCodes {
			if !covered[c] {
				missing[c]++
			}
		}
	}
	return missing
}

// explainNotFound turns an unknown region into a sentence that says what to do.
func explainNotFound(err error, region string) error {
	if isNotFound(err) && strings.Contains(err.Error(), "region") {
		return fmt.Errorf("unknown region %s (see `klabot region list`, or create it with `klabot region add`)", strings.ToUpper(region))
	}
	return err
}
