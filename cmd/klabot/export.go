package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/blob"
	"github.com/klabot/klabot/storage/evidencepack"
	"github.com/klabot/klabot/storage/postgres"
)

// exportConfig is the evidence pack's configuration, read from the environment.
type exportConfig struct {
	Dir      string `env:"EXPORT_DIR" envDefault:"data/exports"` // EXPORT_DIR: where the chat command ekspor writes packs. Defaults to ./data/exports.
	MaxMB    int    `env:"EXPORT_MAX_MB" envDefault:"45"`        // EXPORT_MAX_MB: the largest pack sent as a chat attachment. Defaults to 45.
	MaxBytes int64
}

func loadExportConfig(getenv func(string) string) (exportConfig, error) {
	var c exportConfig
	if err := parseEnv(getenv, &c); err != nil {
		return c, err
	}
	if c.MaxMB <= 0 {
		return c, fmt.Errorf("EXPORT_MAX_MB must be positive, got %d", c.MaxMB)
	}
	c.MaxBytes = int64(c.MaxMB) << 20
	return c, nil
}

// newExporter builds the evidence pack exporter on the app's database and evidence folder.
func newExporter(ctx context.Context, app *App, store *postgres.Store) (*evidencepack.Exporter, error) {
	cfg, err := app.Config()
	if err != nil {
		return nil, err
	}
	xc, err := loadExportConfig(app.Getenv)
	if err != nil {
		return nil, err
	}
	blobs, err := blob.NewLocal(cfg.EvidenceDir)
	if err != nil {
		return nil, err
	}
	return &evidencepack.Exporter{Source: store, Blobs: blobs, Now: app.Now, Dir: xc.Dir}, nil
}

// runExport is `klabot export --region CODE [--year YYYY] --out FILE.zip`.
func runExport(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	region := fs.String("region", "", "region code")
	year := fs.Int("year", 0, "evaluation year (default: the region's year in progress)")
	out := fs.String("out", "", "the ZIP file to write")
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("export: %v (usage: klabot export --region CODE [--year YYYY] --out FILE.zip)", err)}
	}
	if strings.TrimSpace(*region) == "" || strings.TrimSpace(*out) == "" || fs.NArg() > 0 {
		return usageError{"usage: klabot export --region CODE [--year YYYY] --out FILE.zip"}
	}
	if *year != 0 && (*year < 2000 || *year > 2100) {
		return usageError{fmt.Sprintf("export: --year %d is not an evaluation year", *year)}
	}
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	pool, err := app.DB(ctx)
	if err != nil {
		return err
	}
	x, err := newExporter(ctx, app, postgres.New(pool, app.Now))
	if err != nil {
		return err
	}
	sum, err := x.WriteFile(ctx, *out, strings.ToUpper(strings.TrimSpace(*region)), *year)
	if errors.Is(err, conversations.ErrNotFound) {
		return fmt.Errorf("export: %w (check --region and --year; `klabot import` loads an instrument)", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(app.Stdout, "wrote %s: %s questions, %s answered, %s evidence files (%s)\n",
		*out, formatInt(sum.Questions), formatInt(sum.Answered), formatInt(sum.Files), formatSize(sum.Bytes))
	fmt.Fprintf(app.Stdout, "points: claimed %s, evidenced %s, verified %s of %s\n",
		formatPoints(sum.Points.Claimed), formatPoints(sum.Points.Evidenced), formatPoints(sum.Points.Verified), formatPoints(sum.Points.Max))
	for _, m := range sum.Missing {
		fmt.Fprintf(app.Stderr, "warning: evidence file missing from %s: %s\n", cfg.EvidenceDir, m)
	}
	return nil
}
