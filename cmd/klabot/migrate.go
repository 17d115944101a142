package main

import (
	"context"
	"flag"
	"fmt"
)

func runMigrate(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	if _, err := app.DB(ctx); err != nil {
		return err
	}
	fmt.Fprintln(app.Stdout, "database is up to date")
	return nil
}
