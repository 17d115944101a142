package main

import (
	"context"
	"errors"
)

// TODO(owner of this command): replace this placeholder with the real command.
func runRegion(ctx context.Context, app *App, args []string) error {
	return errors.New("region: not built yet")
}
