package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	mrand "math/rand"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"

	"github.com/klabot/klabot/scoring"
	"github.com/klabot/klabot/storage/postgres"
)

// The fault mode (`klabot loadtest --faults`) repeats the fault table of issue 19 with
// simulated focal points talking to `klabot serve`'s Telegram webhook, in production
// pacing (klabot's sender keeps Telegram's 30 messages/s and one message per second per
// chat): people read the latest prompt they received, answer it after a moment, and type
// the message again when nothing comes back for a while. Each fault runs on a database
// and Redis prefix of its own; PostgreSQL, Redis and the Bot API are reached through
// loopback proxies the run cuts (the shared servers are never stopped). Afterwards every
// answer and document is looked up: stored on the question the person had been asked,
// told (not used, with a note), stored on another question, lost, or stored twice.

// Instance is one running `klabot serve`.
type Instance struct {
	Addr string       // its HTTP address (webhook, /metrics)
	Stop func() error // graceful shutdown (SIGTERM)
}

// ServeFunc starts `klabot serve` in this process with exactly env as its environment
// (cmd/klabot wires it; this package cannot import the command).
type ServeFunc func(ctx context.Context, env map[string]string) (*Instance, error)

// FaultOptions tune a fault run.
type FaultOptions struct {
	// People is the number of simulated focal points. Defaults to 100.
	People int
	// Only names the faults to run (all when empty); see FaultNames.
	Only []string
	// Scale multiplies every duration of the run (phases, outages, people's pauses; not
	// klabot's own timers: leases, sweeps, retries). 1 is the full run; --short uses 0.2.
	Scale float64
	// DatabaseURL is a database on the server where each fault gets a fresh database
	// (created, migrated, dropped afterwards); RedisURL the Redis server.
	DatabaseURL, RedisURL string
	Serve                 ServeFunc
	// Log receives the serve instances' logs (default: discarded). Progress goes to
	// Progress (default: discarded).
	Log, Progress io.Writer
	// Transcripts, when set, receives the conversation of each chat with a lost or
	// misfiled message.
	Transcripts io.Writer
	// PoolMaxConns sets the replicas' pool_max_conns (0: what DATABASE_URL says, else
	// pgx's default of max(4, CPUs)).
	PoolMaxConns int
	// Keep keeps each fault's database (for a look afterwards).
	Keep bool
	Seed int64
}

// Fault is one row of the table.
type Fault struct {
	Name  string
	Title string
	run   func(ctx context.Context, w *world) error
}

// Faults are the rows of issue 19's table, in its order.
func Faults() []Fault {
	return []Fault{
		{"none", "no fault: the same people and pacing, nothing broken (the control row)", faultNone},
		{"postgres-down", "PostgreSQL down 5 s during steps with downloads", faultPostgres},
		{"kill", "process killed during 15 file downloads (webhook)", faultKill},
		{"429-backlog", "429 backlog while people type", faultBacklog},
		{"redis-down", "Redis stopped 20 s", faultRedis},
		{"new-token", "new bot token on the same database", faultNewToken},
		{"busy-chat", "one chat sends 300 slow documents", faultBusyChat},
		{"stuck-update", "one stuck update", faultStuck},
		{"two-replicas", "two replicas, alternating POSTs", faultReplicas},
		{"group-start", "/start CODE typed in a group", faultGroup},
		{"wrong-codes", "1,065 wrong invite codes from one chat", faultWrongCodes},
	}
}

// FaultNames lists the faults' names for --only.
func FaultNames() []string {
	var out []string
	for _, f := range Faults() {
		out = append(out, f.Name)
	}
	return out
}

// FaultResult is what one fault's run found.
type FaultResult struct {
	Name, Title string
	Tally       Tally
	Settled     bool          // every update handled and the bot quiet before the deadline
	Took        time.Duration // the fault's whole run, setup to accounting
	Details     []string      // the fault's own figures
	Problems    []string      // failed criteria beyond the tally
	Err         error
}

// Pass reports whether the fault met its criteria: nothing lost, doubled or misfiled,
// and its own checks.
func (r FaultResult) Pass() bool { return r.Err == nil && r.Tally.OK() && len(r.Problems) == 0 }

// RunFaults runs the selected faults one after another.
func RunFaults(ctx context.Context, o FaultOptions) ([]FaultResult, error) {
	if o.People <= 0 {
		o.People = 100
	}
	if o.Scale <= 0 {
		o.Scale = 1
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	var run []Fault
	for _, f := range Faults() {
		if len(o.Only) == 0 || slices.Contains(o.Only, f.Name) {
			run = append(run, f)
		}
	}
	for _, n := range o.Only {
		if !slices.Contains(FaultNames(), n) {
			return nil, fmt.Errorf("no fault %q (faults: %s)", n, strings.Join(FaultNames(), ", "))
		}
	}
	rdb := redis.NewClient(mustRedisOptions(o.RedisURL))
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return nil, fmt.Errorf("redis: %w", err)
	}
	var out []FaultResult
	for i, f := range run {
		fmt.Fprintf(o.Progress, "faults: %d/%d %s — %s...\n", i+1, len(run), f.Name, f.Title)
		res := runFault(ctx, o, rdb, f)
		verdict := "PASS"
		if !res.Pass() {
			verdict = "FAIL"
		}
		fmt.Fprintf(o.Progress, "faults: %s %s in %s\n", f.Name, verdict, res.Took.Round(time.Second))
		out = append(out, res)
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
	}
	return out, nil
}

func mustRedisOptions(raw string) *redis.Options {
	opt, err := redis.ParseURL(raw)
	if err != nil {
		return &redis.Options{Addr: "127.0.0.1:6379"}
	}
	return opt
}

// world is one fault's setting: its database, Redis prefix, Bot API, dataset, serve
// replicas and people.
type world struct {
	o       FaultOptions
	name    string
	dbURL   string
	pool    *pgxpool.Pool // direct, for setup and accounting
	store   *postgres.Store
	rdb     *redis.Client
	prefix  string
	dir     string
	api     *FaultAPI
	ds      *Dataset
	secret  string
	qs      map[string]scoring.Question
	crowd   *crowd
	extra   []FocalPoint // people kept out of the crowd, unbound, with invite codes
	codes   map[int64]string
	mu      sync.Mutex
	reps    []*replica
	sides   []*telegramSide
	details []string
	probs   []string
	settled bool
	// begin and end bound the fault's talking and settling, for the send rate.
	begin, end time.Time
}

// replica is one `klabot serve` with its own proxies to PostgreSQL, Redis and the Bot API
// (cut them all and it is as good as killed).
type replica struct {
	inst           *Instance
	pg, redis, api *CutProxy
	token          string
	url            string
}

const (
	tokenA = "700001:FAULTS-bot-A"
	tokenB = "700002:FAULTS-bot-B"
)

// scaled is d times the run's scale.
func (w *world) scaled(d time.Duration) time.Duration { return time.Duration(float64(d) * w.o.Scale) }

func (w *world) detail(format string, args ...any) {
	w.details = append(w.details, fmt.Sprintf(format, args...))
}

func (w *world) problem(format string, args ...any) {
	w.probs = append(w.probs, fmt.Sprintf(format, args...))
}

func runFault(ctx context.Context, o FaultOptions, rdb *redis.Client, f Fault) (res FaultResult) {
	start := time.Now()
	res = FaultResult{Name: f.Name, Title: f.Title}
	w := &world{o: o, name: f.Name, rdb: rdb}
	defer func() { res.Took = time.Since(start) }()
	if err := w.setup(ctx); err != nil {
		res.Err = err
		w.teardown()
		return res
	}
	defer w.teardown()
	if err := f.run(ctx, w); err != nil {
		res.Err = err
		return res
	}
	var sent []*SentMsg
	var sends int64
	for _, tg := range w.sides {
		sent = append(sent, tg.Sent()...)
		sends += w.api.Sends(tg.token)
	}
	if d := w.end.Sub(w.begin); d > 0 {
		w.detail("the bot sent %d messages in %s (%.1f/s; Telegram's limit 30/s)", sends, d.Round(time.Second), float64(sends)/d.Seconds())
	}
	// The engine's keys live under REDIS_PREFIX + "db<instance id>:" (cmd/klabot engine.go).
	dbID, err := postgres.InstanceID(ctx, w.pool)
	if err != nil {
		res.Err = err
		return res
	}
	t, err := tallyMessages(ctx, w.pool, w.rdb, w.prefix+"db"+dbID+":", sent, w.received)
	res.Tally, res.Err = t, err
	if o.Transcripts != nil {
		for _, c := range t.ExampleChats {
			transcript(o.Transcripts, sent, c[0], c[1], w.received(c[0], c[1]))
		}
	}
	res.Settled = w.settled
	if !w.settled {
		w.problem("did not settle: updates still unhandled or replies still coming at the deadline")
	}
	res.Details, res.Problems = w.details, w.probs
	return res
}

// received is what the bot with id bot sent to chat.
func (w *world) received(bot, chat int64) []Delivered {
	for _, tg := range w.sides {
		if tg.botID == bot {
			return w.api.Messages(tg.token, strconv.FormatInt(chat, 10))
		}
	}
	return nil
}

// setup creates the fault's database, dataset, Bot API and people (no serve yet).
func (w *world) setup(ctx context.Context) error {
	b := make([]byte, 4)
	rand.Read(b)
	stamp := hex.EncodeToString(b)
	dbName := "klabot_fault_" + strings.ReplaceAll(w.name, "-", "_") + "_" + stamp
	u, err := url.Parse(w.o.DatabaseURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("--faults needs a DATABASE_URL with host:port, got %q", w.o.DatabaseURL)
	}
	admin, err := pgx.Connect(ctx, WithoutPoolParams(w.o.DatabaseURL))
	if err != nil {
		return err
	}
	_, err = admin.Exec(ctx, "CREATE DATABASE "+dbName)
	admin.Close(ctx)
	if err != nil {
		return fmt.Errorf("create the fault's database (the DATABASE_URL user needs CREATEDB): %w", err)
	}
	u.Path = "/" + dbName
	w.dbURL = u.String()
	if w.o.PoolMaxConns > 0 {
		q := u.Query()
		q.Set("pool_max_conns", strconv.Itoa(w.o.PoolMaxConns))
		u.RawQuery = q.Encode()
		w.dbURL = u.String()
	}
	if w.pool, err = pgxpool.New(ctx, w.dbURL); err != nil {
		return err
	}
	if err := postgres.Migrate(ctx, w.pool); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	w.store = postgres.New(w.pool, time.Now)
	w.prefix = "klabot-faults:" + stamp + ":"
	if w.dir, err = os.MkdirTemp("", "klabot-faults-"); err != nil {
		return err
	}
	// One OPD per person in a region of up to 10, so colleagues never share questions;
	// 15 questions per OPD, more than anyone answers in a fault.
	extra := 0
	switch w.name {
	case "new-token", "group-start":
		extra = min(20, max(2, w.o.People/5))
	}
	total := w.o.People + extra
	opds := min(10, total)
	spec := Spec{Tag: "F", Regions: (total + opds - 1) / opds, OPDs: opds, Questions: max(24, opds*15), FocalPoints: 1}
	if w.ds, err = Generate(ctx, w.pool, w.store, spec, false); err != nil {
		return err
	}
	w.qs = map[string]scoring.Question{}
	for _, q := range w.ds.Instrument.Questions() {
		w.qs[q.Code] = q
	}
	if w.api, err = StartFaultAPI(tokenA, tokenB); err != nil {
		return err
	}
	sb := make([]byte, 16)
	rand.Read(sb)
	w.secret = hex.EncodeToString(sb)
	opts := &Options{FileShare: 0.5, BurstShare: -1, DupShare: -1}
	var docs []*SimFile
	for i := range 8 {
		f := pdf(i, 4<<10)
		f.ID = "fdoc" + strconv.Itoa(i)
		w.api.AddFile(f.ID, f.Data, 0)
		docs = append(docs, f)
	}
	opts.files = docs
	w.crowd = &crowd{api: w.api, opts: opts, qs: w.qs, docs: docs, pace: Pace{
		Think: [2]time.Duration{w.scaled(2 * time.Second), w.scaled(6 * time.Second)}, Silence: max(w.scaled(10*time.Second), 6*time.Second)}}
	people := w.ds.People[:min(len(w.ds.People), total)]
	for i, fp := range people[:w.o.People] {
		w.crowd.people = append(w.crowd.people, &simPerson{person: person{fp: fp}, rng: mrand.New(mrand.NewSource(w.o.Seed + int64(i)))})
	}
	w.extra = people[w.o.People:]
	w.codes = map[int64]string{}
	for _, fp := range w.extra {
		if _, err := w.pool.Exec(ctx, `DELETE FROM identities WHERE person_id = $1`, fp.PersonID); err != nil {
			return err
		}
		code, err := w.store.CreateInvite(ctx, fp.PersonID, 24*time.Hour)
		if err != nil {
			return err
		}
		w.codes[fp.PersonID] = code
	}
	return nil
}

// teardown kills every replica (no drain: the database goes), drops the database and
// the Redis keys.
func (w *world) teardown() {
	w.mu.Lock()
	reps := w.reps
	w.mu.Unlock()
	for _, r := range reps {
		w.kill(r)
	}
	for _, tg := range w.sides {
		tg.close()
	}
	if w.api != nil {
		w.api.Close()
	}
	ctx := context.Background()
	if w.pool != nil {
		w.pool.Close()
	}
	if w.prefix != "" {
		deleteKeys(ctx, w.rdb, w.prefix) //nolint:errcheck // best effort
	}
	if w.dir != "" {
		os.RemoveAll(w.dir)
	}
	if w.dbURL != "" && !w.o.Keep {
		if admin, err := pgx.Connect(ctx, WithoutPoolParams(w.o.DatabaseURL)); err == nil {
			u, _ := url.Parse(w.dbURL)
			admin.Exec(ctx, "DROP DATABASE IF EXISTS "+strings.TrimPrefix(u.Path, "/")+" WITH (FORCE)") //nolint:errcheck
			admin.Close(ctx)
		}
	}
}

// deleteKeys removes every Redis key starting with prefix (never anything else).
func deleteKeys(ctx context.Context, rdb *redis.Client, prefix string) error {
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
	}
	if err := iter.Err(); err != nil {
		return err
	}
	for len(batch) > 0 {
		n := min(len(batch), 1000)
		if err := rdb.Unlink(ctx, batch[:n]...).Err(); err != nil {
			return err
		}
		batch = batch[n:]
	}
	return nil
}

// start starts a serve replica for token on the fault's database and Redis prefix.
func (w *world) start(ctx context.Context, token string) (*replica, error) {
	r := &replica{token: token}
	pu, _ := url.Parse(w.dbURL)
	ru, err := url.Parse(w.o.RedisURL)
	if err != nil || ru.Host == "" {
		return nil, fmt.Errorf("--faults needs a REDIS_URL with host:port, got %q", w.o.RedisURL)
	}
	pgHost, redisHost := pu.Host, ru.Host
	if pu.Port() == "" {
		pgHost += ":5432"
	}
	if ru.Port() == "" {
		redisHost += ":6379"
	}
	if r.pg, err = NewCutProxy(pgHost); err != nil {
		return nil, err
	}
	if r.redis, err = NewCutProxy(redisHost); err != nil {
		return nil, err
	}
	if r.api, err = NewCutProxy(w.api.Addr()); err != nil {
		return nil, err
	}
	pu.Host, ru.Host = r.pg.Addr(), r.redis.Addr()
	env := map[string]string{
		"DATABASE_URL":            pu.String(),
		"REDIS_URL":               ru.String(),
		"REDIS_PREFIX":            w.prefix,
		"EVIDENCE_DIR":            w.dir,
		"TELEGRAM_TOKEN":          token,
		"TELEGRAM_API_URL":        "http://" + r.api.Addr(),
		"TELEGRAM_BOT_USERNAME":   "klabot_faults_bot",
		"TELEGRAM_WEBHOOK_URL":    "https://faults.invalid/telegram/webhook",
		"TELEGRAM_WEBHOOK_SECRET": w.secret,
		// Production pacing (the defaults, stated so the caller's environment cannot
		// lift them).
		"TELEGRAM_RATE_PER_SECOND":   "30",
		"TELEGRAM_CHAT_INTERVAL_MS":  "1000",
		"TELEGRAM_GROUP_INTERVAL_MS": "3000",
		// The durable outbound queue (issue 13) seals queued messages with it: the same
		// on every replica, and across the token change.
		"OUTBOUND_KEY": "klabot-faults-outbound-key",
		"HTTP_ADDR":    "127.0.0.1:0",
		"SCHEDULER":    "off",
		"LOG_LEVEL":    "warn",
	}
	inst, err := w.o.Serve(ctx, env)
	if err != nil {
		r.pg.Close()
		r.redis.Close()
		r.api.Close()
		return nil, err
	}
	r.inst = inst
	r.url = "http://" + inst.Addr + "/telegram/webhook"
	w.mu.Lock()
	w.reps = append(w.reps, r)
	w.mu.Unlock()
	return r, nil
}

// kill cuts a replica off from everything at once, like SIGKILL: its connections break
// mid-statement, its Redis locks and leases are no longer renewed, its queued replies
// never leave. Its goroutines then wind down against the cut proxies, in the background.
func (w *world) kill(r *replica) {
	w.mu.Lock()
	i := slices.Index(w.reps, r)
	if i < 0 {
		w.mu.Unlock()
		return
	}
	w.reps = slices.Delete(w.reps, i, i+1)
	w.mu.Unlock()
	r.pg.Close()
	r.redis.Close()
	r.api.Close()
	done := make(chan struct{})
	go func() { r.inst.Stop(); close(done) }() //nolint:errcheck // dead anyway
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
}

// stopGracefully stops a replica with SIGTERM's drain (a deploy).
func (w *world) stopGracefully(r *replica) error {
	w.mu.Lock()
	if i := slices.Index(w.reps, r); i >= 0 {
		w.reps = slices.Delete(w.reps, i, i+1)
	}
	w.mu.Unlock()
	err := r.inst.Stop()
	r.pg.Close()
	r.redis.Close()
	r.api.Close()
	return err
}

// side is Telegram for token, posting to route.
func (w *world) side(token string, route func(*SentMsg) string) *telegramSide {
	tg := newTelegramSide(token, w.secret, route, max(w.scaled(8*time.Second), time.Second))
	tg.number = func(chat int64) int64 { return int64(w.api.NextMessageID(token, strconv.FormatInt(chat, 10))) }
	w.sides = append(w.sides, tg)
	return tg
}

// to routes every update to one replica.
func to(r *replica) func(*SentMsg) string { return func(*SentMsg) string { return r.url } }

// phase lets the crowd talk through tg for d; during it, fault runs (it may return early).
func (w *world) phase(tg *telegramSide, d time.Duration, fault func(stop <-chan struct{})) {
	if w.begin.IsZero() {
		w.begin = time.Now()
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { w.crowd.run(tg, stop); close(done) }()
	var fw sync.WaitGroup
	if fault != nil {
		fw.Add(1)
		go func() { defer fw.Done(); fault(stop) }()
	}
	time.Sleep(d)
	close(stop)
	<-done
	fw.Wait()
}

// settle waits for the fault's updates to be handled and the bot to fall quiet.
func (w *world) settle(ctx context.Context) {
	chats := map[string]bool{}
	for _, p := range w.crowd.people {
		chats[strconv.FormatInt(p.fp.UserID, 10)] = true
	}
	w.settled = settle(ctx, w.sides, w.api, chats, func(ctx context.Context) (int, error) {
		var n int
		err := w.pool.QueryRow(ctx, `SELECT count(*) FROM telegram_updates WHERE handled_at IS NULL`).Scan(&n)
		return n, err
	}, max(w.scaled(5*time.Second), 2*time.Second), w.settleMax())
	w.end = time.Now()
}

// settleMax bounds the wait after the people stopped: long enough for a dead replica's
// leases (30 s) and a sweep (10 s), and for retries after an outage.
func (w *world) settleMax() time.Duration { return max(w.scaled(3*time.Minute), 75*time.Second) }

// activeFor is the length of the people's talking phase.
func (w *world) activeFor() time.Duration { return w.scaled(60 * time.Second) }

// waitFor polls cond until it holds, stop closes or d passes.
func waitFor(stop <-chan struct{}, d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-stop:
			return false
		case <-time.After(20 * time.Millisecond):
		}
	}
	return true
}

// pause sleeps d unless stop closes first.
func pause(stop <-chan struct{}, d time.Duration) bool {
	select {
	case <-stop:
		return false
	case <-time.After(d):
		return true
	}
}

// crowdLatency reports the crowd's webhook and first-reply latencies.
func (w *world) crowdLatency(tg *telegramSide, skip int64) (ack, reply Latency) {
	people := map[int64]bool{}
	var first []time.Duration
	for _, p := range w.crowd.people {
		if p.fp.UserID == skip {
			continue
		}
		people[p.fp.UserID] = true
		first = append(first, p.firstReply...)
	}
	ack = tg.ackLatency(func(m *SentMsg) bool { return people[m.Chat] })
	return ack, summarise(first)
}

func ceilSeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// WithoutPoolParams drops pgxpool's pool_* settings from a URL, for a single connection.
func WithoutPoolParams(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	q := u.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}
