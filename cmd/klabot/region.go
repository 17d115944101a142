package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/conversations/idfmt"
	"github.com/klabot/klabot/conversations/parse"
	"github.com/klabot/klabot/storage/postgres"
)

func isNotFound(err error) bool { return errors.Is(err, conversations.ErrNotFound) }

// parseDeadline reads a date as the chat does (14/03/2025, 2025-03-14, 14 Maret 2025).
func parseDeadline(s string) (time.Time, error) {
	t, err := parse.ParseDate(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("deadline %q is not a date like 18/12/2026", s)
	}
	return t, nil
}

// checkDeadline applies the chat's tenggat rule (digest.CheckDeadline): not before today
// in the region's zone.
func checkDeadline(d, now time.Time, loc *time.Location) (time.Time, error) {
	day, err := digest.CheckDeadline(d, now, loc)
	if errors.Is(err, digest.ErrDeadlinePast) {
		return day, fmt.Errorf("deadline %s is in the past: give a date from today on", day.Format("02/01/2006"))
	}
	return day, err
}

// sameRegion reports whether two regions have the same settings.
func sameRegion(a, b conversations.Region) bool {
	if (a.Deadline == nil) != (b.Deadline == nil) || a.Deadline != nil && !idfmt.CivilDate(*a.Deadline).Equal(idfmt.CivilDate(*b.Deadline)) {
		return false
	}
	a.Deadline, b.Deadline = nil, nil
	return a == b
}

// runRegion: region add | set | list.
func runRegion(ctx context.Context, app *App, args []string) error {
	const usage = `usage: klabot region add --code CODE --name "NAME" --tz Asia/Makassar [--kind kabupaten|kota] [--province P] [--digest-hour 7] [--deadline DD/MM/YYYY] [--year YYYY]
       klabot region set --code CODE [any flag of add; --deadline none clears it]
       klabot region list [--json]`
	if len(args) == 0 {
		return usageError{usage}
	}
	cfg, _ := app.Config()
	fs := flag.NewFlagSet("region "+args[0], flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	code := fs.String("code", "", "region code, one word, e.g. KAB-MAROS")
	name := fs.String("name", "", `region name, e.g. "Kabupaten Maros"`)
	tz := fs.String("tz", "WIB", "the region's zone: WIB, WITA or WIT (or Asia/Jakarta, Asia/Pontianak, Asia/Makassar, Asia/Jayapura)")
	kind := fs.String("kind", "", "kabupaten or kota (default: from the name, else kota)")
	province := fs.String("province", "", "province name")
	hour := fs.Int("digest-hour", 7, "local hour of the coordinators' daily digest (0-23)")
	deadline := fs.String("deadline", "", "the region's own deadline, DD/MM/YYYY (not in the past); none clears it")
	year := fs.Int("year", cfg.Year, "evaluation year in progress")
	asJSON := fs.Bool("json", false, "print JSON (list)")
	if _, err := parseFlagsAnywhere(fs, args[1:]); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	pool, err := app.DB(ctx)
	if err != nil {
		return err
	}
	store := postgres.New(pool, app.Now)
	switch args[0] {
	case "list":
		regions, err := store.Regions(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(app.Stdout).Encode(regions)
		}
		tw := tabwriter.NewWriter(app.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tNAME\tKIND\tPROVINCE\tZONE\tDIGEST\tDEADLINE\tYEAR")
		for _, r := range regions {
			dl := "-"
			if r.Deadline != nil {
				dl = r.Deadline.Format("02/01/2006")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%02d:00\t%s\t%d\n", r.Code, r.Name, r.Kind, r.Province, r.TimeZone, r.DigestHour, dl, r.Year)
		}
		return tw.Flush()
	case "add", "set":
	default:
		return usageError{usage}
	}
	if *code == "" {
		return usageError{usage}
	}
	r, err := store.Region(ctx, *code)
	before := r
	switch {
	case args[0] == "add" && err == nil:
		return fmt.Errorf("region %s already exists; change it with `klabot region set --code %s ...`", r.Code, r.Code)
	case args[0] == "add" && isNotFound(err):
		if *name == "" {
			return usageError{"region add: --name is required, e.g. --name \"Kabupaten Maros\""}
		}
		r = conversations.Region{Code: *code, Name: *name, TimeZone: *tz, DigestHour: *hour, Year: *year, Province: *province, Kind: *kind}
		if r.Kind == "" && strings.HasPrefix(strings.ToLower(*name), "kabupaten") {
			r.Kind = "kabupaten"
		}
	case err != nil:
		return explainNotFound(err, *code)
	default: // set: only what was given
		if set["name"] {
			r.Name = *name
		}
		if set["tz"] {
			r.TimeZone = *tz
		}
		if set["kind"] {
			r.Kind = *kind
		}
		if set["province"] {
			r.Province = *province
		}
		if set["digest-hour"] {
			r.DigestHour = *hour
		}
		if set["year"] {
			r.Year = *year
		}
	}
	if set["tz"] || args[0] == "add" {
		zone, ok := postgres.IndonesianZone(r.TimeZone)
		if !ok {
			return usageError{fmt.Sprintf("--tz: unknown time zone %q: use WIB, WITA or WIT (Asia/Jakarta, Asia/Pontianak, Asia/Makassar, Asia/Jayapura)", r.TimeZone)}
		}
		r.TimeZone = zone
	}
	if set["deadline"] {
		if strings.EqualFold(*deadline, "none") || *deadline == "" {
			r.Deadline = nil
		} else {
			d, err := parseDeadline(*deadline)
			if err != nil {
				return usageError{err.Error()}
			}
			if d, err = checkDeadline(d, app.Now(), r.Location()); err != nil {
				return usageError{err.Error()}
			}
			r.Deadline = &d
		}
	}
	if args[0] == "set" && sameRegion(before, r) {
		fmt.Fprintf(app.Stdout, "region %s: nothing changed (the values given are the current ones)\n", r.Code)
		return nil
	}
	if err := store.UpsertRegion(ctx, r); err != nil {
		return err
	}
	r, err = store.Region(ctx, r.Code)
	if err != nil {
		return err
	}
	dl := "no deadline"
	if r.Deadline != nil {
		dl = "deadline " + r.Deadline.Format("02/01/2006")
	}
	fmt.Fprintf(app.Stdout, "region %s %q (%s, %s): %s, digest at %02d:00, %s, year %d\n",
		r.Code, r.Name, r.Kind, r.Province, r.TimeZone, r.DigestHour, dl, r.Year)
	return nil
}
