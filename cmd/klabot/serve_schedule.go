package main

import (
	"context"
	"time"

	"github.com/klabot/klabot/bot/schedule"
	"github.com/klabot/klabot/storage/postgres"
)

// startSchedule starts the digest and reminder scheduler of `klabot serve` unless
// SCHEDULER is false (or off, no, 0). It is safe on every replica: each digest and nudge is claimed once in
// Postgres (see docs/digests.md).
func startSchedule(ctx context.Context, s *server) (func(context.Context) error, error) {
	if !s.cfg.Scheduler {
		s.log.Info("schedule: off (SCHEDULER=false)")
		return nil, nil
	}
	sched := newScheduler(s.app, s.cfg, s.store, s.outbox, func(at time.Time, _ error) {
		if s.ops != nil {
			s.ops.lastTick.Store(at.Unix())
		}
	})
	s.log.Info("schedule: digests and reminders on")
	return func(ctx context.Context) error {
		sched.Run(ctx)
		return nil
	}, nil
}

// newScheduler wires the scheduler on store; out may be nil when it only serves the
// coordinators' commands (they return their messages to the engine).
// onTick (optional, at most one) is called after every tick of Run.
func newScheduler(app *App, cfg Config, store *postgres.Store, out schedule.Sender, onTick ...func(time.Time, error)) *schedule.Scheduler {
	// Tx: every Sender is the durable outbox, so claims commit with the messages they queue.
	c := schedule.Config{Now: app.Now, Year: cfg.Year, Log: app.Log, NoChart: !cfg.DigestChart, Tx: store}
	if len(onTick) > 0 {
		c.OnTick = onTick[0]
	}
	return schedule.New(store, out, c)
}
