package conversations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Config tunes the engine.
type Config struct {
	// CacheTTL is how long people, regions and OPDs are kept in memory
	// before they are read again (a role change or re-import shows within it).
	// Defaults to 1 minute.
	CacheTTL time.Duration
	// Year is the evaluation year when a region names none. Defaults to the clock's year.
	Year int
	// StaleGrace is how long before the dialogue moved a message may have been sent and
	// still apply to the new position (people typing ahead in one burst). A message sent
	// earlier than that was meant for an earlier question: it is not applied and the
	// person is told. Defaults to 2 seconds.
	StaleGrace time.Duration
}

// Deps are the core's collaborators: what every message needs. A capability declares
// its own stores in its own Deps (answering.Deps, review.Deps ...), not here.
type Deps struct {
	People      People
	Regions     Regions
	Checkpoints Checkpoints
	States      States
	Locker      Locker
	Now         func() time.Time // defaults to time.Now
	Log         *slog.Logger     // defaults to slog.Default()
}

// Engine is the channel-agnostic dialogue engine. It is safe for concurrent use; one
// chat's steps are serialised by Deps.Locker.
type Engine struct {
	cfg  Config
	d    Deps
	caps []Capability
	// The capabilities' hooks, first wiring wins: who takes each dialogue mode, files,
	// idle text and strangers; every after-step hook runs.
	modes     map[Mode]ModeRoute
	files     Handler
	idle      Handler
	after     []func(r *Request) []Outbound
	strangers func(ctx context.Context, n *Newcomer) ([]Outbound, error)

	mu      sync.Mutex
	people  map[string]cached[Person]
	regions map[string]cached[regionInfo]
}

type cached[T any] struct {
	v  T
	at time.Time
}

// NewEngine returns an engine on deps that answers the capabilities' commands, buttons,
// dialogue modes, files and free text (cmd/klabot wires them: answering, onboarding,
// review, headline ...).
func NewEngine(cfg Config, deps Deps, caps ...Capability) *Engine {
	if cfg.CacheTTL <= 0 {
		cfg.CacheTTL = time.Minute
	}
	if cfg.StaleGrace <= 0 {
		cfg.StaleGrace = 2 * time.Second
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Log == nil {
		deps.Log = slog.Default()
	}
	e := &Engine{cfg: cfg, d: deps, caps: caps, modes: map[Mode]ModeRoute{},
		people:  map[string]cached[Person]{},
		regions: map[string]cached[regionInfo]{},
	}
	for _, c := range caps {
		for _, m := range c.Modes {
			if _, taken := e.modes[m.Mode]; !taken {
				e.modes[m.Mode] = m
			}
		}
		if e.files == nil {
			e.files = c.Files
		}
		if e.idle == nil {
			e.idle = c.Idle
		}
		if c.AfterStep != nil {
			e.after = append(e.after, c.AfterStep)
		}
		if e.strangers == nil {
			e.strangers = c.Stranger
		}
	}
	return e
}

// stateKey names a chat's dialogue state; the sender is part of it so that a group chat
// never mixes two people's dialogues.
func stateKey(in Inbound) string { return in.Address.Key() + ":" + in.SenderID }

// Handle applies one inbound message and returns the replies. A message handled before
// (same channel and MessageID) returns no replies and changes nothing: the first
// delivery's replies were already queued, and repeating them would confuse people.
func (e *Engine) Handle(ctx context.Context, in Inbound) ([]Outbound, error) {
	unlock, err := e.d.Locker.Lock(ctx, in.Address.Key())
	if err != nil {
		return []Outbound{e.reply(in, tr("id", msgBusy))}, fmt.Errorf("lock chat %s: %w", in.Address.Key(), err)
	}
	defer unlock()
	key := stateKey(in)
	st, seen, err := e.d.States.Load(ctx, key, in.Channel, in.MessageID)
	if err != nil {
		return []Outbound{e.reply(in, tr("id", msgTrouble))}, fmt.Errorf("load state: %w", err)
	}
	if seen {
		return nil, nil
	}
	now := e.d.Now()
	person, err := e.personFor(ctx, in)
	if errors.Is(err, ErrNotFound) {
		outs, herr := e.stranger(ctx, in)
		if errors.Is(herr, ErrDuplicate) {
			return nil, nil
		}
		if serr := e.d.States.Save(ctx, key, nil, in.Channel, in.MessageID); serr != nil && herr == nil {
			herr = serr
		}
		return outs, herr
	}
	if err != nil {
		return []Outbound{e.reply(in, tr("id", msgTrouble))}, fmt.Errorf("identify sender: %w", err)
	}
	req := &Request{In: in, Person: person, Now: now, e: e}
	ri, err := e.region(ctx, person.RegionCode)
	if err != nil {
		return []Outbound{e.reply(in, tr(person.Language, msgTrouble))}, fmt.Errorf("region %s: %w", person.RegionCode, err)
	}
	req.Region = ri.Region
	req.opds = ri.opds
	if st == nil || st.PersonID != person.ID {
		rebuilt, err := e.rebuild(ctx, person)
		if err != nil {
			return []Outbound{e.reply(in, tr(person.Language, msgTrouble))}, fmt.Errorf("rebuild state: %w", err)
		}
		st = &rebuilt
	}
	if year := e.year(req.Region, now); st.Year != year {
		// A new evaluation year (or a first message): its questions start afresh; the
		// features' own state (Extra) is kept.
		*st = State{PersonID: person.ID, Year: year, Extra: st.Extra}
	}
	req.State = st
	before := st.clone()

	if e.late(in, st) {
		// Meant for an earlier position (a late replay, or typed while replies lagged):
		// not applied; remembered as seen so that a further replay says nothing.
		outs, err := e.lateReply(ctx, req)
		if serr := e.d.States.Save(ctx, key, nil, in.Channel, in.MessageID); serr != nil && err == nil {
			err = serr
		}
		return outs, err
	}
	outs, err := e.route(ctx, req)
	if errors.Is(err, ErrDuplicate) {
		// The durable record says we handled it: leave everything as it was. Redis lost
		// the dedupe mark, so it may hold a state older than that step's checkpoint (a
		// retry after an outage): drop it, and the next step rebuilds from Postgres.
		_ = e.d.States.Save(ctx, key, nil, in.Channel, in.MessageID)
		_ = e.d.States.Forget(ctx, key)
		return nil, nil
	}
	if errors.Is(err, ErrNoInstrument) {
		// A setup gap, not a failure of this message: say so kindly, log it for the admin.
		e.d.Log.Warn("no instrument for the region's year", "region", person.RegionCode, "year", st.Year)
		_ = e.d.States.Save(ctx, key, nil, in.Channel, in.MessageID)
		return []Outbound{e.reply(in, tr(person.Language, msgNoInstrument, st.Year))}, nil
	}
	if err != nil {
		e.d.Log.Error("step failed", "chat", in.Address.Key(), "person", person.ID, "err", err)
		return []Outbound{e.reply(in, tr(person.Language, msgTrouble))}, err
	}
	for _, after := range e.after {
		if more := after(req); len(more) > 0 {
			outs = append(more, outs...)
			req.checkpointed = false // the step's checkpoint is older than what the hook changed
		}
	}
	st.UpdatedAt = now
	if st.position() != before.position() {
		st.Since = now
	}
	if !req.checkpointed && st.position() != before.position() {
		if err := e.d.Checkpoints.SaveCheckpoint(ctx, person.ID, *st); err != nil {
			e.d.Log.Warn("save checkpoint", "person", person.ID, "err", err)
		}
	}
	if err := e.d.States.Save(ctx, key, st, in.Channel, in.MessageID); err != nil {
		// Postgres may hold a newer position (the checkpoint) than Redis now: drop the
		// Redis state, best effort, so the next step rebuilds it rather than replaying
		// an old question.
		_ = e.d.States.Forget(context.WithoutCancel(ctx), key)
		return outs, fmt.Errorf("save state: %w", err)
	}
	for i := range outs {
		if outs[i].PersonID == 0 && outs[i].To == in.Address {
			outs[i].PersonID = person.ID
		}
	}
	return outs, nil
}

// rebuild restores a person's dialogue from the Postgres checkpoint (Redis lost it,
// expired it, or never had it).
func (e *Engine) rebuild(ctx context.Context, p Person) (State, error) {
	s, err := e.d.Checkpoints.Checkpoint(ctx, p.ID)
	if errors.Is(err, ErrNotFound) {
		return State{PersonID: p.ID}, nil
	}
	if err != nil {
		return State{}, err
	}
	s.PersonID = p.ID
	return s, nil
}

func (e *Engine) year(r Region, now time.Time) int {
	if r.Year > 0 {
		return r.Year
	}
	if e.cfg.Year > 0 {
		return e.cfg.Year
	}
	return now.Year()
}

// personFor identifies the sender, from a short-lived cache.
func (e *Engine) personFor(ctx context.Context, in Inbound) (Person, error) {
	k := string(in.Channel) + ":" + in.SenderID
	now := time.Now()
	if p, ok := cacheGet(e, e.people, k, now); ok {
		return p, nil
	}
	p, err := e.d.People.PersonByIdentity(ctx, in.Channel, in.SenderID)
	if err != nil {
		return Person{}, err
	}
	if p.Language == "" {
		p.Language = "id"
	}
	cachePut(e, e.people, k, p, now)
	return p, nil
}

type regionInfo struct {
	Region
	opds []OPD
}

func (e *Engine) region(ctx context.Context, code string) (regionInfo, error) {
	now := time.Now()
	if ri, ok := cacheGet(e, e.regions, code, now); ok {
		return ri, nil
	}
	r, err := e.d.Regions.Region(ctx, code)
	if err != nil {
		return regionInfo{}, err
	}
	opds, err := e.d.Regions.OPDs(ctx, code)
	if err != nil {
		return regionInfo{}, err
	}
	ri := regionInfo{r, opds}
	cachePut(e, e.regions, code, ri, now)
	return ri, nil
}

// cacheGet returns m[k] when it was stored less than CacheTTL before now. The caches
// (people, regions) share e.mu.
func cacheGet[K comparable, V any](e *Engine, m map[K]cached[V], k K, now time.Time) (V, bool) {
	e.mu.Lock()
	c, ok := m[k]
	e.mu.Unlock()
	if ok && now.Sub(c.at) < e.cfg.CacheTTL {
		return c.v, true
	}
	var zero V
	return zero, false
}

// cachePut stores v as m[k], read at now.
func cachePut[K comparable, V any](e *Engine, m map[K]cached[V], k K, v V, now time.Time) {
	e.mu.Lock()
	m[k] = cached[V]{v, now}
	e.mu.Unlock()
}

// forget drops a cached identity (after an invite bound it).
func (e *Engine) forget(channel Channel, externalID string) {
	e.mu.Lock()
	delete(e.people, string(channel)+":"+externalID)
	e.mu.Unlock()
}

// forgetRegion drops the cached region so a new deadline shows at once.
func (e *Engine) forgetRegion(code string) {
	e.mu.Lock()
	delete(e.regions, code)
	e.mu.Unlock()
}
