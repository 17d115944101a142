package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/scoring/instrumentdiff"
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
// the file has any problem, or when it would change answers already given and --force is
// not set; the diff against the stored year is printed first. --dry-run only checks.
func runImport(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	year := fs.Int("year", 0, "evaluation year the instrument is for (required)")
	from := fs.Int("from", 0, "an earlier year: unchanged questions offer that year's answer and evidence as a suggestion")
	name := fs.String("name", "", `instrument name (default "Instrumen KLA <year>")`)
	dry := fs.Bool("dry-run", false, "check the file and show the changes; write nothing")
	force := fs.Bool("force", false, "apply changes that touch answers already given (retired, re-scored or re-weighted)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlagsAnywhere(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"usage: klabot import FILE --year YYYY [--from YYYY] [--name NAME] [--dry-run] [--force] [--json]"}
	}
	if *year < 2000 || *year > 2100 {
		return usageError{"import: --year YYYY is required (the evaluation year, e.g. --year 2026)"}
	}
	if *from != 0 && (*from < 2000 || *from >= *year) {
		return usageError{fmt.Sprintf("import: --from must be an earlier year than --year %d", *year)}
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
	res, err := store.ImportInstrument(ctx, in, postgres.ImportOptions{Force: *force, DryRun: *dry, From: *from})
	refused := errors.Is(err, postgres.ErrAnswersTouched)
	if err != nil && !refused {
		return err
	}
	if *asJSON {
		if e := json.NewEncoder(app.Stdout).Encode(map[string]any{
			"ok": !refused, "dry_run": *dry, "refused": refused, "year": in.Year, "summary": summary,
			"stats": res.Stats, "diff": res.Diff, "touched": res.Diff.Touched(), "relabelled": res.Relabelled, "carried": res.Carried,
		}); e != nil {
			return e
		}
	} else {
		fmt.Fprintf(app.Stdout, "%s: OK, %s\n", pos[0], summary)
		writeDiff(app.Stdout, res.Diff, 40)
		touched := res.Diff.Touched()
		switch {
		case refused:
			// the error below says what to do
		case *dry:
			fmt.Fprintf(app.Stdout, "would be: %s; nothing written (dry run)\n", describeStats(res.Stats))
			if touched > 0 && !*force {
				fmt.Fprintf(app.Stdout, "this import would be refused: it changes %s already given; check the file, or apply it with --force\n", plural(touched, "answer"))
			}
		default:
			fmt.Fprintf(app.Stdout, "instrument %d: %s\n", in.Year, describeStats(res.Stats))
			if res.Relabelled > 0 {
				fmt.Fprintf(app.Stdout, "%s kept under the renamed option\n", plural(res.Relabelled, "answer version"))
			}
			if touched > 0 {
				fmt.Fprintf(app.Stdout, "applied with --force: %s changed\n", plural(touched, "answer"))
			}
		}
		if *from != 0 && !refused {
			fmt.Fprintf(app.Stdout, "%s of %d linked to %d: regions see last year's answer and evidence as a suggestion\n",
				plural(res.Carried, "question"), in.Year, *from)
		}
	}
	if refused {
		return fmt.Errorf("refused: this import changes %s already given (see the changes above); nothing written. Check the file, or run again with --force to apply it",
			plural(res.Diff.Touched(), "answer"))
	}
	return nil
}

// writeDiff lists the changes of d, at most limit lines (the rest is counted).
func writeDiff(w io.Writer, d instrumentdiff.Diff, limit int) {
	if len(d.Changes) == 0 || d.Count(instrumentdiff.Added) == len(d.Changes) && d.Unchanged == 0 {
		return // a new year: every question is new
	}
	fmt.Fprintf(w, "changes against the stored year (%s unchanged):\n", formatInt(d.Unchanged))
	for i, c := range d.Changes {
		if i == limit {
			fmt.Fprintf(w, "  … and %s more (--json lists all)\n", formatInt(len(d.Changes)-limit))
			break
		}
		line := fmt.Sprintf("  %-8s %s", c.Kind, c.Code)
		if len(c.Fields) > 0 {
			line += " (" + strings.Join(c.Fields, ", ") + ")"
		}
		for _, r := range c.Renames {
			line += fmt.Sprintf("; option %q renamed %q", r.From, r.To)
			if r.Answers > 0 {
				line += fmt.Sprintf(", %s kept", plural(r.Answers, "answer"))
			}
		}
		switch {
		case c.Touched > 0:
			line += fmt.Sprintf(" — touches %s: %s", plural(c.Touched, "answer"), strings.Join(c.Why, "; "))
		case c.Answers > 0:
			line += fmt.Sprintf(" — %s kept", plural(c.Answers, "answer"))
		}
		fmt.Fprintln(w, line)
	}
}

// plural writes "1 answer", "2 answers" with the number in Indonesian format.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return formatInt(n) + " " + noun + "s"
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
	return fmt.Sprintf("%s questions in %d indicators and %d clusters, %s points, %d OPD codes",
		formatInt(len(in.Questions())), inds, len(in.Clusters), formatMax(pts), len(opds))
}

func describeStats(st postgres.ImportStats) string {
	parts := []string{
		"added " + formatInt(st.Added), "updated " + formatInt(st.Updated),
		"unchanged " + formatInt(st.Unchanged), "retired " + formatInt(st.Retired),
	}
	return strings.Join(parts, ", ") + fmt.Sprintf("; version %d", st.Version)
}
