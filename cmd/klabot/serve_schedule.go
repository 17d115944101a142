package main

import (
	"context"
	"strings"

	"github.com/klabot/klabot/bot/schedule"
	"github.com/klabot/klabot/storage/postgres"
)

// startSchedule starts the digest and reminder scheduler of `klabot serve` unless
// SCHEDULER=off. It is safe on every replica: each digest and nudge is claimed once in
// Postgres (see docs/digests.md).
func startSchedule(ctx context.Context, s *server) (func(context.Context) error, error) {
	if strings.EqualFold(strings.TrimSpace(s.app.Getenv("SCHEDULER")), "off") {
		s.log.Info("schedule: off (SCHEDULER=off)")
		return nil, nil
	}
	sched := newScheduler(s.app, s.cfg, s.store, s.sender)
	s.log.Info("schedule: digests and reminders on")
	return func(ctx context.Context) error {
		sched.Run(ctx)
		return nil
	}, nil
}

// newScheduler wires the scheduler on store; out may be nil when it only serves the
// coordinators' commands (they return their messages to the engine).
func newScheduler(app *App, cfg Config, store *postgres.Store, out schedule.Sender) *schedule.Scheduler {
	return schedule.New(store, out, schedule.Config{
		Now: app.Now, Year: cfg.Year, Log: app.Log,
		NoChart: strings.EqualFold(strings.TrimSpace(app.Getenv("DIGEST_CHART")), "off"),
	})
}
