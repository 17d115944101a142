package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/scoring/instrumentfile"
	"github.com/klabot/klabot/storage/postgres"
)

// parseFlagsAnywhere parses flags that may come before or after positional arguments
// (`klabot import FILE --year 2026`), which the flag package alone does not allow.
func parseFlagsAnywhere(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// runImport imports an instrument file for an evaluation year. Nothing is written when
// the file has any problem; --dry-run only checks it.
func runImport(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	year := fs.Int("year", 0, "evaluation year the instrument is for (required)")
	name := fs.String("name", "", `instrument name (default "Instrumen KLA <year>")`)
	dry := fs.Bool("dry-run", false, "check the file only; write nothing")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlagsAnywhere(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"usage: klabot import FILE --year YYYY [--name NAME] [--dry-run] [--json]"}
	}
	if *year < 2000 || *year > 2100 {
		return usageError{"import: --year YYYY is required (the evaluation year, e.g. --year 2026)"}
	}
	in, err := instrumentfile.ReadFile(pos[0], *year, *name)
	if err != nil {
		return err
	}
	summary := describeInstrument(in)
	pool, err := app.DB(ctx)
	if err != nil {
		if *dry { // the file alone was still checked
			fmt.Fprintf(app.Stdout, "%s: OK, %s; nothing written (dry run; cannot compare with the database: %v)\n", pos[0], summary, err)
			return nil
		}
		return err
	}
	store := postgres.New(pool, app.Now)
	save := store.SaveInstrument
	if *dry {
		save = store.PlanInstrument
	}
	st, err := save(ctx, in)
	if err != nil {
		return err
	}
	if *dry {
		if *asJSON {
			return json.NewEncoder(app.Stdout).Encode(map[string]any{"ok": true, "dry_run": true, "year": in.Year, "summary": summary, "stats": st})
		}
		fmt.Fprintf(app.Stdout, "%s: OK, %s\nwould be: %s; nothing written (dry run)\n", pos[0], summary, describeStats(st))
		return nil
	}
	if *asJSON {
		return json.NewEncoder(app.Stdout).Encode(map[string]any{"ok": true, "year": in.Year, "summary": summary, "stats": st})
	}
	fmt.Fprintf(app.Stdout, "instrument %d: %s\n%s\n", in.Year, summary, describeStats(st))
	return nil
}

func describeInstrument(in *scoring.Instrument) string {
	var inds int
	var pts float64
	for _, c := range in.Clusters {
		for _, ind := range c.Indicators {
			inds++
			pts += ind.MaxPoints
		}
	}
	opds := map[string]bool{}
	for _, q := range in.Questions() {
		for _, o := range q.OPDCodes {
			opds[o] = true
		}
	}
	return fmt.Sprintf("%d questions in %d indicators and %d clusters, %g points, %d OPD codes",
		len(in.Questions()), inds, len(in.Clusters), pts, len(opds))
}

func describeStats(st postgres.ImportStats) string {
	parts := []string{
		fmt.Sprintf("added %d", st.Added), fmt.Sprintf("updated %d", st.Updated),
		fmt.Sprintf("unchanged %d", st.Unchanged), fmt.Sprintf("retired %d", st.Retired),
	}
	return strings.Join(parts, ", ") + fmt.Sprintf("; version %d", st.Version)
}
