package main

import (
	"context"
	"fmt"

	"github.com/klabot/klabot/cmd/klabot/internal/loadtest"
)

func startWebhookTarget(ctx context.Context, app *App, prefix string) (loadtest.Target, func(), error) {
	return nil, nil, fmt.Errorf("not yet")
}

func runLoadtestSender(ctx context.Context, app *App, args []string) error {
	return fmt.Errorf("not yet")
}
