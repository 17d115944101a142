package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/klabot/klabot/bot/schedule"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// runDigest prints a region's digest and writes its chart, or with --send sends it now:
// klabot digest --region CODE [--send] [--png FILE]. Sending needs the explicit --send,
// so that trying the command out never messages a region's coordinators.
func runDigest(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("digest", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	region := fs.String("region", "", "region code (required)")
	send := fs.Bool("send", false, "send it now to the coordinators and the digest group (Telegram); without it the digest is only printed")
	dry := fs.Bool("dry-run", false, "print only, never send (the default; kept for scripts)")
	pngPath := fs.String("png", "", "write the chart (PNG, 800x500) to this file")
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	code := strings.ToUpper(strings.TrimSpace(*region))
	if code == "" || fs.NArg() > 0 {
		return usageError{"usage: klabot digest --region CODE [--send] [--png FILE]"}
	}
	if *send && *dry {
		return usageError{"digest: --send and --dry-run contradict each other: give one"}
	}
	pool, err := app.DB(ctx)
	if err != nil {
		return err
	}
	store := postgres.New(pool, app.Now)
	if *send {
		return sendDigestNow(ctx, app, store, code, *pngPath)
	}
	cfg, _ := app.Config()
	s := newScheduler(app, cfg, store, nil)
	r, err := s.Digest(ctx, code)
	if errors.Is(err, conversations.ErrNotFound) {
		return fmt.Errorf("%w (is the region created and the year's instrument imported?)", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintln(app.Stdout, r.Text)
	return writeChart(app, r, *pngPath)
}

// writeChart writes the digest's chart to path when one is given.
func writeChart(app *App, r schedule.Rendered, path string) error {
	if path == "" {
		return nil
	}
	if err := os.WriteFile(path, r.Chart, 0o644); err != nil {
		return fmt.Errorf("write chart: %w", err)
	}
	fmt.Fprintf(app.Stderr, "chart written to %s (%s)\n", path, formatSize(int64(len(r.Chart))))
	return nil
}
