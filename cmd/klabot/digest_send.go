package main

import (
	"context"
	"fmt"

	"github.com/klabot/klabot/storage/postgres"
)

// sendDigestNow sends a region's digest now through the configured channels.
func sendDigestNow(ctx context.Context, app *App, store *postgres.Store, region, pngPath string) error {
	return fmt.Errorf("digest: sending from the command line needs the channels of `klabot serve`; use --dry-run, or the coordinator's `ringkasan` command")
}
