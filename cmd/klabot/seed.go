package main

import (
	"context"
	"flag"
	"fmt"
	"time"
	_ "time/tzdata" // region time zones must work in a minimal container image

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/samples"
	"github.com/klabot/klabot/scoring/instrumentfile"
	"github.com/klabot/klabot/storage/postgres"
)

// SampleRegion is the code of the bundled fictional region.
const SampleRegion = "KOTA-CONTOH"

// sampleRegion is Kota Contoh as the seed creates it.
func sampleRegion() conversations.Region {
	deadline := time.Date(2026, 12, 18, 0, 0, 0, 0, time.UTC)
	return conversations.Region{
		Code: SampleRegion, Name: "Kota Contoh", Kind: "kota", Province: "Jawa Barat",
		TimeZone: "Asia/Jakarta", DigestHour: 7, Deadline: &deadline, Year: samples.InstrumentYear,
	}
}

type seedReport struct {
	Instrument string
	Stats      postgres.ImportStats
	Roster     postgres.RosterStats
}

// seedSample loads the embedded sample instrument (2026), the region KOTA-CONTOH and its
// roster. Running it again changes nothing; the region's settings, once created, are left
// as they are.
func seedSample(ctx context.Context, app *App) error {
	_, err := seed(ctx, app)
	return err
}

func seed(ctx context.Context, app *App) (seedReport, error) {
	var rep seedReport
	pool, err := app.DB(ctx)
	if err != nil {
		return rep, err
	}
	store := postgres.New(pool, app.Now)
	f, err := samples.Files.Open(samples.Instrument2026)
	if err != nil {
		return rep, err
	}
	in, err := instrumentfile.Read(samples.Instrument2026, f, samples.InstrumentYear, samples.InstrumentName2026)
	f.Close()
	if err != nil {
		return rep, fmt.Errorf("bundled sample instrument: %w", err)
	}
	rep.Instrument = describeInstrument(in)
	if rep.Stats, err = store.SaveInstrument(ctx, in); err != nil {
		return rep, err
	}
	// Created once; later runs keep what people changed (a deadline set in the chat).
	if _, err := store.Region(ctx, SampleRegion); isNotFound(err) {
		if err := store.UpsertRegion(ctx, sampleRegion()); err != nil {
			return rep, err
		}
	} else if err != nil {
		return rep, err
	}
	r, err := samples.Files.Open(samples.RegionRoster)
	if err != nil {
		return rep, err
	}
	rows, err := readRoster(samples.RegionRoster, r)
	r.Close()
	if err != nil {
		return rep, fmt.Errorf("bundled sample roster: %w", err)
	}
	rep.Roster, err = store.ImportRoster(ctx, SampleRegion, rows)
	return rep, err
}

func runSeed(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	rep, err := seed(ctx, app)
	if err != nil {
		return err
	}
	fmt.Fprintf(app.Stdout, "instrument %d: %s\n  %s\n", samples.InstrumentYear, rep.Instrument, describeStats(rep.Stats))
	fmt.Fprintf(app.Stdout, "region %s (Kota Contoh): %d OPDs, %d people added, %d already there\n",
		SampleRegion, rep.Roster.OPDs, rep.Roster.PeopleAdded, rep.Roster.PeopleExisted)
	pool, err := app.DB(ctx)
	if err != nil {
		return err
	}
	if err := warnUncoveredRegion(ctx, app, postgres.New(pool, app.Now), SampleRegion); err != nil {
		return err
	}
	fmt.Fprintf(app.Stdout, "next: klabot invite --region %s --role focal_point --opd DINKES --name \"dr. Andi Pratama\"\n", SampleRegion)
	return nil
}
