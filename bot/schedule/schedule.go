// Package schedule sends the proactive messages: each region's daily digest at its own
// local hour and reminders (nudges) to focal points inside working hours, with escalation
// to coordinators when nudges are ignored.
//
// Exactly once without a job queue: every minute each process looks at the regions whose
// local digest hour has come and claims the day's digest with an INSERT of the row
// 'digest:REGION:YYYY-MM-DD' into notifications, which has a unique dedupe key. Only the
// process whose insert wins sends; a restart finds the row and sends nothing twice; a
// restart later the same local day finds no row and sends the missed digest; earlier
// missed days are recorded as skipped and logged, never sent. Nudges use the same claim
// per person per local day. See docs/digests.md.
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/conversations/digest"
	"github.com/klabot/klabot/scoring"
)

// Store is what the scheduler needs from storage (postgres.Store).
type Store interface {
	digest.DigestStore
	digest.NudgeStore
	SetDeadline(ctx context.Context, region string, day time.Time) error
}

// Sender queues an outbound message for delivery (bot/outbound.Outbox): called with a
// ctx carrying a transaction (Transactor), it inserts the message in it.
type Sender interface {
	Enqueue(ctx context.Context, out conversations.Outbound) error
}

// Transactor runs fn in one Postgres transaction carried by ctx (postgres.Store.InTx).
type Transactor interface {
	InTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// Config tunes a Scheduler.
type Config struct {
	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
	// Every is the tick interval. Defaults to one minute.
	Every time.Duration
	// Year is the evaluation year of regions that have none. Defaults to the current
	// year in the region's zone.
	Year int
	// Workers bounds how many regions are scored at once. Defaults to 4.
	Workers int
	// NoChart sends digests without the chart picture.
	NoChart bool
	// Log receives one line per sent digest, skipped day and failure. Defaults to slog.Default().
	Log *slog.Logger
	// Tiers are the predikat bands. Defaults to scoring.DefaultTiers (as `klabot score`).
	Tiers scoring.Tiers
	// OnTick, when set, is called after every tick of Run with the tick's start and its
	// error (for the last-tick metric).
	OnTick func(at time.Time, err error)
	// Tx, when set, makes every claim commit in one transaction with the messages it
	// queues (the Sender is then a durable outbox that inserts into ctx's transaction):
	// a digest's day is claimed exactly when its texts and pictures are queued, a nudge
	// or an escalation recorded exactly with its message. A failed queueing rolls the
	// claim back and the next tick tries again. Without Tx (an in-memory sender) the
	// claims commit first and a failed queueing is recorded as failed.
	Tx Transactor
}

// Scheduler sends digests, nudges and escalations. Several may run against one database:
// they never send the same thing twice.
type Scheduler struct {
	store Store
	out   Sender
	cfg   Config

	mu     sync.Mutex
	models map[int]model // by year
}

type model struct {
	version int
	m       *scoring.Model
}

// New returns a Scheduler; call Run to start it. out may be nil when the scheduler only
// serves the coordinators' commands.
func New(store Store, out Sender, cfg Config) *Scheduler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Every <= 0 {
		cfg.Every = time.Minute
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	return &Scheduler{store: store, out: out, cfg: cfg}
}

// report scores one region's input with the instrument's model, built once per instrument
// version: the arithmetic of conversations.Scorer, so the numbers are those of `klabot score`.
func (s *Scheduler) report(in *conversations.ScoreInput) scoring.Report {
	s.mu.Lock()
	m, ok := s.models[in.Year]
	if !ok || m.version != in.InstrumentVersion || in.InstrumentVersion == 0 {
		m = model{in.InstrumentVersion, scoring.NewModel(*in.Instrument, s.cfg.Tiers)}
		if s.models == nil {
			s.models = map[int]model{}
		}
		s.models[in.Year] = m
	}
	s.mu.Unlock()
	return m.m.Score(in.OPDs, in.Answers)
}

// Run ticks until ctx ends: once at start (so a digest missed while klabot was down goes
// out now), then every Config.Every. A failing tick is logged and retried next tick.
func (s *Scheduler) Run(ctx context.Context) {
	// Messages queued in memory by a process that stopped never got an outcome: say so
	// in the records instead of leaving them pending for ever. With a durable outbox
	// (Config.Tx) a pending message is still queued and will be sent.
	if s.cfg.Tx == nil {
		if n, err := s.store.ExpirePendingNotifications(ctx, s.cfg.Now().Add(-pendingLimit)); err != nil {
			s.cfg.Log.Error("expire pending notifications", "err", err)
		} else if n > 0 {
			s.cfg.Log.Warn("notifications never delivered before a stop, marked failed", "count", n)
		}
	}
	t := time.NewTicker(s.cfg.Every)
	defer t.Stop()
	for {
		at := s.cfg.Now()
		err := s.Tick(ctx)
		if err != nil && ctx.Err() == nil {
			s.cfg.Log.Error("schedule tick", "err", err)
		}
		if s.cfg.OnTick != nil {
			s.cfg.OnTick(at, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// pendingLimit is how long a queued message may wait for its outcome before a starting
// scheduler considers it lost (the sender gives up long before: its retries take minutes).
const pendingLimit = time.Hour

// Tick sends what is due at the clock's now: digests, then nudges and escalations.
func (s *Scheduler) Tick(ctx context.Context) error {
	now := s.cfg.Now()
	regions, err := s.store.DigestRegions(ctx)
	if err != nil {
		return err
	}
	_, derr := s.digests(ctx, now, regions)
	_, nerr := s.nudges(ctx, now, regions)
	return errors.Join(derr, nerr)
}

// year is the evaluation year of r at now.
func (s *Scheduler) year(r digest.DigestRegion, now time.Time) int {
	switch {
	case r.Year != 0:
		return r.Year
	case s.cfg.Year != 0:
		return s.cfg.Year
	}
	return now.In(r.Location()).Year()
}

// localDay is the calendar date of now in the region's zone, as midnight UTC.
func localDay(now time.Time, loc *time.Location) time.Time {
	l := now.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// OnOutcome records the delivery outcome of proactive messages in the notifications
// table; give it to the outbound sender (outbound.Config.OnOutcome).
func OnOutcome(store digest.NotificationStore, log *slog.Logger) func(ctx context.Context, out conversations.Outbound, err error) {
	return func(ctx context.Context, out conversations.Outbound, err error) {
		if out.NotificationID == 0 {
			return
		}
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if rerr := store.RecordNotificationOutcome(ctx, out.NotificationID, msg); rerr != nil && log != nil {
			log.Error("record notification outcome", "id", out.NotificationID, "err", rerr)
		}
	}
}

// inTx runs fn in one transaction with Config.Tx, else directly.
func (s *Scheduler) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if s.cfg.Tx == nil {
		return fn(ctx)
	}
	return s.cfg.Tx.InTx(ctx, fn)
}

// enqueue hands out to the sender and, without a transaction, records an immediate
// failure (with one, the failure rolls the claim back).
func (s *Scheduler) enqueue(ctx context.Context, out conversations.Outbound) error {
	err := s.out.Enqueue(ctx, out)
	if err != nil {
		if out.NotificationID != 0 && s.cfg.Tx == nil {
			if rerr := s.store.RecordNotificationOutcome(ctx, out.NotificationID, "enqueue: "+err.Error()); rerr != nil {
				s.cfg.Log.Error("record notification outcome", "id", out.NotificationID, "err", rerr)
			}
		}
		return fmt.Errorf("enqueue %s to %s: %w", out.Kind, out.To.Key(), err)
	}
	return nil
}
