package main

import (
	"context"
	"errors"
)

// TODO(owner of this command): replace this placeholder with the real command.
func runImport(ctx context.Context, app *App, args []string) error {
	return errors.New("import: not built yet")
}
