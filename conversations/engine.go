package conversations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
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

	// Tx, when set, runs each step in one transaction (postgres.Store.InTx); Outbox,
	// when set, queues the step's replies in it (bot/outbound.Outbox). See Handle.
	Tx     Transactor
	Outbox Outbox
	// Deliveries, with Tx, records each step's message at its start (see Deliveries).
	Deliveries Deliveries
}

// Engine is the channel-agnostic dialogue engine. It is safe for concurrent use; one
// chat's steps are serialised by Deps.Locker.
type Engine struct {
	cfg  Config
	d    Deps
	caps []Capability
	// Deps.Locker and Deps.States as one store, when it offers lock+load and save+unlock.
	steps StepLocker
	// The capabilities' hooks, first wiring wins: who takes each dialogue mode, files,
	// idle text and strangers; every after-step hook runs.
	modes     map[Mode]ModeRoute
	files     Handler
	idle      Handler
	after     []func(r *Request) []Outbound
	strangers func(ctx context.Context, n *Newcomer) ([]Outbound, error)
	bind      func(ctx context.Context, r *Request) ([]Outbound, bool, error)
	prepare   []func(ctx context.Context, p Prep)

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
	e := &Engine{cfg: cfg, d: deps, caps: caps, modes: map[Mode]ModeRoute{}, steps: stepLocker(deps),
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
		if e.bind == nil {
			e.bind = c.Bind
		}
		if c.Prepare != nil {
			e.prepare = append(e.prepare, c.Prepare)
		}
	}
	return e
}

// stateKey names a chat's dialogue state; the sender is part of it so that a group chat
// never mixes two people's dialogues.
func stateKey(in Inbound) string { return in.Address.Key() + ":" + in.SenderID }

// Handle applies one inbound message. A message handled before (same channel and
// MessageID) changes nothing and says nothing: the first delivery's replies were already
// queued, and repeating them would confuse people.
//
// With Deps.Tx the step runs in one Postgres transaction: all its writes, and with
// Deps.Outbox its replies too (queued in that transaction), commit together or not at
// all. Before it begins, the capabilities' Prepare hooks do the step's slow work
// (downloads, the wait for a prompt's delivery record) outside it, so that no pool
// connection is held meanwhile. The Redis state is saved after the commit. Handle returns
// the messages the caller still has to send:
//   - without Outbox, the step's replies (after the commit);
//   - with Outbox, none for a step that succeeded (its replies were queued with it), and
//     for a step that failed (err != nil: its transaction was rolled back, nothing of it
//     kept) the apology, for the caller to send outside that transaction or to drop when
//     it retries the message (bot/dispatch).
func (e *Engine) Handle(ctx context.Context, in Inbound) ([]Outbound, error) {
	key := stateKey(in)
	r, st, seen, err := e.lockLoad(ctx, in, key)
	if err != nil {
		return []Outbound{e.reply(in, tr("id", r.errMsg))}, err
	}
	defer r.unlock()
	if seen {
		return nil, nil
	}
	e.prep(ctx, &in, st)
	var res stepResult
	txErr := e.inTx(ctx, func(ctx context.Context) error {
		res = e.step(ctx, in, st)
		if res.err != nil || res.duplicate {
			return errStepFailed // roll back: the step keeps nothing
		}
		return e.queue(ctx, res.outs)
	})
	switch {
	case res.duplicate:
		// The durable record says we handled it: leave everything as it was. Redis lost
		// the dedupe mark, so it may hold a state older than that step's checkpoint (a
		// retry after an outage): drop it, and the next step rebuilds from Postgres.
		if res.mark {
			_ = e.d.States.Save(ctx, key, nil, in.Channel, in.MessageID)
			_ = e.d.States.Forget(ctx, key)
		}
		return nil, nil
	case res.err != nil:
		if res.mark {
			_ = r.saveUnlock(ctx, key, nil, in.Channel, in.MessageID)
		}
		return res.outs, res.err
	case txErr != nil:
		// The commit (or the queueing of the replies) failed: nothing of the step is kept.
		lang := "id"
		if res.lang != "" {
			lang = res.lang
		}
		e.d.Log.Error("step not committed", "chat", in.Address.Key(), "err", txErr)
		return []Outbound{e.reply(in, tr(lang, msgTrouble))}, fmt.Errorf("commit step: %w", txErr)
	}
	// Committed. Redis only now: a state saved before a rollback would run ahead of
	// Postgres.
	outs := res.outs
	if e.d.Outbox != nil {
		outs = e.local(outs) // the others were queued with the step
	}
	if err := r.saveUnlock(ctx, key, res.state, in.Channel, in.MessageID); err != nil {
		if res.state != nil {
			// Postgres may hold a newer position (the checkpoint) than Redis now: drop
			// the Redis state, best effort, so the next step rebuilds it rather than
			// replaying an old question.
			_ = e.d.States.Forget(context.WithoutCancel(ctx), key)
		}
		if e.d.Outbox != nil {
			// The step and its replies are committed: handling the message again would
			// only repeat replies of a step without a durable record. The next step
			// rebuilds its state from the checkpoint.
			e.d.Log.Warn("save state after commit; the next step rebuilds it", "chat", in.Address.Key(), "err", err)
			return nil, nil
		}
		return outs, fmt.Errorf("save state: %w", err)
	}
	return outs, nil
}

// prep runs the Prepare hooks on a known sender's message, before the step's
// transaction: no connection is held while they download or wait.
func (e *Engine) prep(ctx context.Context, in *Inbound, st *State) {
	if len(e.prepare) == 0 {
		return
	}
	if _, err := e.personFor(ctx, *in); err != nil {
		return // a stranger, or the step says what failed
	}
	in.Files = slices.Clone(in.Files) // the caller's message stays as it was (a retry fetches afresh)
	p := Prep{In: in, State: st, Positional: st != nil && e.bind != nil && e.positional(*in, st)}
	for _, f := range e.prepare {
		f(ctx, p)
	}
}

// local returns the replies to chats the Outbox's caller shows itself (localOutbox);
// none for a plain Outbox, which queued them all.
func (e *Engine) local(outs []Outbound) []Outbound {
	lo, ok := e.d.Outbox.(localOutbox)
	if !ok {
		return nil
	}
	var mine []Outbound
	for _, o := range outs {
		if lo.Local(o.To) {
			mine = append(mine, o)
		}
	}
	return mine
}

// errStepFailed rolls back the transaction of a step that failed or was a duplicate.
var errStepFailed = errors.New("step failed")

// stepResult is what one step did, for Handle to commit and save.
type stepResult struct {
	outs      []Outbound
	state     *State // saved in Redis after the commit (nil: only mark the message seen)
	err       error  // the step failed: outs is its apology
	duplicate bool   // handled before (durable record): nothing to say
	mark      bool   // with err or duplicate: mark the message seen in Redis all the same
	lang      string // the person's language, once known
}

// inTx runs fn in one transaction when Deps.Tx is set, else directly.
func (e *Engine) inTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if e.d.Tx == nil {
		return fn(ctx)
	}
	return e.d.Tx.InTx(ctx, fn)
}

// queue hands the step's replies to the Outbox inside the step's transaction; without
// an Outbox Handle returns them.
func (e *Engine) queue(ctx context.Context, outs []Outbound) error {
	if e.d.Outbox == nil || len(outs) == 0 {
		return nil
	}
	if lo, ok := e.d.Outbox.(localOutbox); ok {
		var queued []Outbound
		for _, o := range outs {
			if !lo.Local(o.To) {
				queued = append(queued, o)
			}
		}
		if outs = queued; len(outs) == 0 {
			return nil
		}
	}
	if m, ok := e.d.Outbox.(outboxMany); ok {
		return m.EnqueueMany(ctx, outs...)
	}
	for _, o := range outs {
		if err := e.d.Outbox.Enqueue(ctx, o); err != nil {
			return err
		}
	}
	return nil
}

// step applies in (not seen before) with the Redis state st: every Postgres read and
// write it makes uses ctx, the step's transaction.
func (e *Engine) step(ctx context.Context, in Inbound, st *State) stepResult {
	now := e.d.Now()
	person, err := e.personFor(ctx, in)
	if errors.Is(err, ErrNotFound) {
		outs, herr := e.stranger(ctx, in)
		if errors.Is(herr, ErrDuplicate) {
			return stepResult{duplicate: true}
		}
		return stepResult{outs: outs, err: herr, mark: true}
	}
	if err != nil {
		return stepResult{outs: []Outbound{e.reply(in, tr("id", msgTrouble))}, err: fmt.Errorf("identify sender: %w", err)}
	}
	fail := func(err error) stepResult {
		return stepResult{outs: []Outbound{e.reply(in, tr(person.Language, msgTrouble))}, err: err, lang: person.Language}
	}
	ri, err := e.region(ctx, person.RegionCode)
	if err != nil {
		return fail(fmt.Errorf("region %s: %w", person.RegionCode, err))
	}
	if e.d.Tx != nil && e.d.Deliveries != nil && in.MessageID != "" {
		// The step's durable record first: a message handled before (Redis forgot it)
		// stops here, before anything is said; a concurrent delivery of the same message
		// waits for this step's commit and then stops here.
		d := Delivery{Channel: in.Channel, ChatID: in.ChatID, MessageID: in.MessageID, At: in.At}
		if d.At.IsZero() {
			d.At = now
		}
		var err error
		if sd, ok := e.d.Deliveries.(StampedDeliveries); ok && person.OPDID != 0 {
			// With the stamp of the person's progress: one round trip for both.
			year := e.year(ri.Region, now)
			var stamp int64
			if stamp, err = sd.RecordDeliveryStamp(ctx, d, person.OPDID, year); err == nil {
				ctx = context.WithValue(ctx, stampKey{}, readStamp{person.OPDID, year, stamp})
			}
		} else {
			err = e.d.Deliveries.RecordDelivery(ctx, d)
		}
		if errors.Is(err, ErrDuplicate) {
			return stepResult{duplicate: true, mark: true}
		}
		if err != nil {
			return fail(fmt.Errorf("record message: %w", err))
		}
		ctx = withRecorded(ctx, d)
	}
	req := &Request{In: in, Person: person, Now: now, e: e}
	req.Region = ri.Region
	req.opds = ri.opds
	if st == nil || st.PersonID != person.ID {
		rebuilt, err := e.rebuild(ctx, person)
		if err != nil {
			return fail(fmt.Errorf("rebuild state: %w", err))
		}
		st = &rebuilt
	}
	if year := e.year(req.Region, now); st.Year != year {
		// A new evaluation year (or a first message): its questions start afresh; the
		// features' own state (Extra) is kept.
		*st = State{PersonID: person.ID, Year: year, Extra: st.Extra}
	}
	req.State = st
	before := st.Clone()

	var outs []Outbound
	bound := false
	if e.positional(in, st) {
		// Meant for the position: was it the one the person saw (the prompt delivered
		// last, by the Bind hook; else State.Since)? If not — a late replay, or typed while
		// the replies lagged — it is not applied here: the hook answers it.
		switch {
		case e.bind != nil:
			outs, bound, err = e.bind(ctx, req)
		case e.late(in, st):
			outs, err = e.lateReply(ctx, req)
			bound = true
		}
	}
	if !bound && err == nil {
		outs, err = e.route(ctx, req)
	}
	if errors.Is(err, ErrDuplicate) {
		return stepResult{duplicate: true, mark: true}
	}
	if errors.Is(err, ErrNoInstrument) {
		// A setup gap, not a failure of this message: say so kindly, log it for the admin.
		e.d.Log.Warn("no instrument for the region's year", "region", person.RegionCode, "year", st.Year)
		return stepResult{outs: e.own([]Outbound{e.reply(in, tr(person.Language, msgNoInstrument, st.Year))}, in, person),
			lang: person.Language}
	}
	if err != nil {
		e.d.Log.Error("step failed", "chat", in.Address.Key(), "person", person.ID, "err", err)
		return fail(err)
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
	return stepResult{outs: e.own(outs, in, person), state: st, lang: person.Language}
}

// own addresses the replies to the sender's chat to the sender (PersonID), so a channel
// can mark them unreachable.
func (e *Engine) own(outs []Outbound, in Inbound, person Person) []Outbound {
	for i := range outs {
		if outs[i].PersonID == 0 && outs[i].To == in.Address {
			outs[i].PersonID = person.ID
		}
	}
	return outs
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
