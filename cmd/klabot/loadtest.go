package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/klabot/klabot/cmd/klabot/internal/loadtest"
	"github.com/klabot/klabot/storage/postgres"
)

const loadtestUsage = `usage: klabot loadtest [--via engine|telegram-webhook] [--regions 514 --opds 30 --questions 700]
       [--dataset LT] [--reuse] [--preload N] [--workers 32] [--dialogues 20000] [--duration 60s | --answers N]
       klabot loadtest sender [--nudges 10000] [--rate 30] [--sender-rate 29.5]
       klabot loadtest --faults [--people 100] [--only none,postgres-down,kill,...] [--short | --scale 1] [--log FILE] [--keep] [--pool-max-conns N]
Use a database of its own: DATABASE_URL=postgres://postgres@127.0.0.1:5432/klabot_load?sslmode=disable&pool_max_conns=16.
See BENCHMARKS.md.`

// runLoadtest is `klabot loadtest`: it generates (or reuses) a synthetic national dataset
// and drives simulated focal points through the real engine, Postgres and Redis, or
// through the Telegram webhook of an in-process `klabot serve`; then it runs the raw pgx
// baseline and checks that every answer was stored exactly once and in order.
func runLoadtest(ctx context.Context, app *App, args []string) error {
	if len(args) > 0 && args[0] == "sender" {
		return runLoadtestSender(ctx, app, args[1:])
	}
	for _, a := range args {
		if a == "--faults" || a == "-faults" || a == "--faults=true" {
			return runLoadtestFaults(ctx, app, args)
		}
	}
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	var spec loadtest.Spec
	var opts loadtest.Options
	via := fs.String("via", "engine", "engine (in process) or telegram-webhook (klabot serve's webhook, replies to a fake Bot API)")
	fs.StringVar(&spec.Tag, "dataset", "LT", "dataset tag: region codes start with it")
	fs.IntVar(&spec.Regions, "regions", 514, "regions (kabupaten/kota)")
	fs.IntVar(&spec.OPDs, "opds", 30, "OPDs per region")
	fs.IntVar(&spec.Questions, "questions", 700, "questions in the instrument")
	fs.IntVar(&spec.FocalPoints, "focal-points", 2, "focal points per OPD")
	fs.IntVar(&spec.Year, "year", 2090, "evaluation year of the synthetic instrument")
	reuse := fs.Bool("reuse", false, "run on the dataset generated before instead of generating it")
	preload := fs.Int("preload", 0, "stored answer versions of earlier years to put in the dataset's regions first (one national year: 359800)")
	fs.IntVar(&opts.Workers, "workers", 32, "concurrent senders")
	fs.IntVar(&opts.Dialogues, "dialogues", 20000, "focal points in conversation at once")
	fs.DurationVar(&opts.Duration, "duration", 60*time.Second, "how long to run (with --answers: at most)")
	fs.IntVar(&opts.Answers, "answers", 0, "stop after this many stored answers")
	fs.Float64Var(&opts.FileShare, "files", 0.3, "share of evidence prompts answered with a small document")
	fs.Float64Var(&opts.DupShare, "dup", 0.01, "share of messages delivered twice")
	fs.Float64Var(&opts.BurstShare, "burst", 0.5, "share of documents followed at once by \"selesai\" (ordering check)")
	fileKB := fs.Int("file-kb", 8, "evidence document size in KiB")
	baseline := fs.Bool("baseline", true, "run the raw pgx baseline after the load")
	fs.IntVar(&opts.Turn, "turn", 4, "messages a person sends in a row before the worker turns to the next person")
	fs.BoolVar(&opts.Warmup, "warmup", true, "open every dialogue (\"mulai\") before the measured phase")
	edits := fs.Bool("edits", true, "people who answered everything correct a random answer")
	redisPrefix := fs.String("redis-prefix", "", "Redis key prefix of the dialogue states (default klabot-load:TAG:STAMP:)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the load phase to this file (go tool pprof -top)")
	keepRedis := fs.Bool("keep-redis", false, "keep the run's dialogue states and dedupe marks in Redis (the Postgres checkpoints rebuild states anyway)")
	countTrips := fs.Bool("count-trips", false, "count round trips to Postgres and Redis through loopback proxies (adds latency: not for throughput figures)")
	groupCommit := fs.Bool("group-commit", false, "engine mode: the engine's write batches share commits (postgres.GroupWriter)")
	statements := fs.Bool("pg-stat-statements", false, "report pg_stat_statements per answer (only on a Postgres of your own that loads it)")
	transcript := fs.Bool("transcript", false, "print every message and reply to standard error (use with --dialogues 1)")
	if err := fs.Parse(args); err != nil {
		return usageError{loadtestUsage}
	}
	opts.FileSize = *fileKB << 10
	opts.Edits = *edits
	if *transcript {
		opts.Transcript = app.Stderr
	}
	if *via != "engine" && *via != "telegram-webhook" {
		return usageError{loadtestUsage}
	}
	rep := loadtest.Report{Machine: loadtest.ThisMachine(), LoadStart: loadtest.LoadAverage()}
	var pgTrips, redisTrips *loadtest.TripCounter
	if *countTrips {
		var err error
		if pgTrips, redisTrips, err = proxyThroughCounters(app); err != nil {
			return err
		}
		defer pgTrips.Close()
		defer redisTrips.Close()
	}
	pool, err := app.DB(ctx)
	if err != nil {
		return err
	}
	rdb, err := app.Redis(ctx)
	if err != nil {
		return err
	}
	pool.QueryRow(ctx, `SELECT split_part(version(), ' ', 1) || ' ' || split_part(version(), ' ', 2)`).Scan(&rep.Machine.Postgres) //nolint:errcheck // the report says "" then
	if info, err := rdb.InfoMap(ctx, "server").Result(); err == nil {
		rep.Machine.Redis = info["Server"]["redis_version"]
	}
	fmt.Fprintf(app.Stderr, "loadtest: preparing dataset %s (%d regions × %d OPDs, %d questions)...\n", spec.Tag, spec.Regions, spec.OPDs, spec.Questions)
	ds, err := loadtest.Generate(ctx, pool, postgres.New(pool, app.Now), spec, *reuse)
	if err != nil {
		return err
	}
	rep.Dataset = ds
	if *preload > 0 {
		fmt.Fprintf(app.Stderr, "loadtest: preloading %d answer versions of earlier years...\n", *preload)
		pre, err := loadtest.Preload(ctx, pool, ds, *preload)
		if err != nil {
			return err
		}
		rep.Preloaded = &pre
	}
	// The load's dialogue states live under a prefix of their own, per dataset generation.
	prefix := *redisPrefix
	if prefix == "" {
		prefix = fmt.Sprintf("klabot-load:%s:%d:", strings.ToLower(ds.Spec.Tag), ds.Stamp)
	}
	getenv := app.Getenv
	app.Getenv = func(k string) string {
		if k == "REDIS_PREFIX" {
			return prefix
		}
		return getenv(k)
	}
	// The engine queues each step's replies in the durable outbound queue inside the step's
	// transaction, as in serve (insert only: nothing works the queue in engine mode); the
	// load reads them back from the capture.
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	outbox, err := newOutbox(ctx, app, cfg, postgres.New(pool, app.Now), nil, nil)
	if err != nil {
		return err
	}
	capture := loadtest.NewCapture(outbox)
	parts, err := buildEngine(ctx, app, capture)
	if err != nil {
		return err
	}
	fmt.Fprintf(app.Stderr, "loadtest: dataset ready in %s; running %s for %s...\n", ds.Took.Round(time.Millisecond), *via, opts.Duration)
	var target loadtest.Target = loadtest.EngineTarget{Engine: parts.Engine, Capture: capture}
	var group *postgres.GroupWriter
	if *groupCommit {
		if *via != "engine" {
			return usageError{loadtestUsage}
		}
		group = postgres.NewGroupWriter(pool, postgres.GroupConfig{})
		defer group.Close()
		parts.Store.WithGroupCommit(group)
	}
	var stopServe func() error
	if *via == "telegram-webhook" {
		wh, stop, err := startWebhookTarget(ctx, app, prefix, opts.Documents())
		if err != nil {
			return err
		}
		target, stopServe = wh, stop
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	var trips0 [2]int64
	opts.Measure = func() {
		if *statements {
			if err := loadtest.ResetStatements(ctx, pool); err != nil {
				fmt.Fprintf(app.Stderr, "loadtest: %v\n", err)
			}
		}
		if pgTrips != nil {
			trips0 = [2]int64{pgTrips.Trips(), redisTrips.Trips()}
		}
	}
	cpu0 := loadtest.TakeCPU(dbName(app))
	res, err := loadtest.Run(ctx, *via, ds, target, opts)
	if group != nil {
		st := group.Stats()
		rep.Group = &st
	}
	if pgTrips != nil {
		rep.Trips = &loadtest.Trips{Postgres: pgTrips.Trips() - trips0[0], Redis: redisTrips.Trips() - trips0[1]}
	}
	if *statements && err == nil {
		st, serr := loadtest.ReadStatements(ctx, pool)
		if serr != nil {
			return serr
		}
		rep.Statements = &st
	}
	use := loadtest.TakeCPU(dbName(app)).Since(cpu0)
	rep.CPU = &use
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if stopServe != nil {
		if serr := stopServe(); serr != nil && err == nil {
			err = fmt.Errorf("klabot serve: %w", serr)
		}
	}
	if err != nil {
		return err
	}
	rep.Result = res
	rep.LoadEnd = loadtest.LoadAverage()
	if *baseline && res.Answers > 0 {
		fmt.Fprintf(app.Stderr, "loadtest: raw pgx baseline, %d writes...\n", res.Answers)
		b, err := loadtest.RawBaseline(ctx, pool, ds, res.Answers, res.Workers)
		if err != nil {
			return err
		}
		rep.Baseline = &b
	}
	check, err := loadtest.Verify(ctx, pool, ds, res)
	if err != nil {
		return err
	}
	if !*keepRedis {
		// Hundreds of thousands of dedupe marks would stay for a week and slow every SCAN
		// on a shared Redis; dialogue states come back from the Postgres checkpoints.
		if err := deletePrefix(ctx, rdb, prefix); err != nil {
			fmt.Fprintf(app.Stderr, "loadtest: cleaning Redis keys %s*: %v\n", prefix, err)
		}
	}
	rep.Check = &check
	rep.Write(app.Stdout)
	if !check.OK() || len(res.Errors) > 0 || res.DupReplies > 0 || res.OutOfOrder > 0 || res.Corrections > 0 || res.WarmupErrors > 0 {
		return fmt.Errorf("loadtest: the run had errors or lost, doubled or reordered answers (see above)")
	}
	return nil
}

// proxyThroughCounters points the app's DATABASE_URL and REDIS_URL at round-trip
// counting proxies in front of the configured servers (before any connection is made).
func proxyThroughCounters(app *App) (pg, rd *loadtest.TripCounter, err error) {
	cfg, err := app.Config()
	if err != nil {
		return nil, nil, err
	}
	pu, err := url.Parse(cfg.DatabaseURL)
	if err != nil || pu.Host == "" {
		return nil, nil, fmt.Errorf("--count-trips needs a DATABASE_URL with host:port")
	}
	ru, err := url.Parse(cfg.RedisURL)
	if err != nil || ru.Host == "" {
		return nil, nil, fmt.Errorf("--count-trips needs a REDIS_URL with host:port")
	}
	if pu.Port() == "" {
		pu.Host += ":5432"
	}
	if ru.Port() == "" {
		ru.Host += ":6379"
	}
	if pg, err = loadtest.NewTripCounter(pu.Host); err != nil {
		return nil, nil, err
	}
	if rd, err = loadtest.NewTripCounter(ru.Host); err != nil {
		pg.Close()
		return nil, nil, err
	}
	pu.Host, ru.Host = pg.Addr(), rd.Addr()
	getenv := app.Getenv
	app.Getenv = func(k string) string {
		switch k {
		case "DATABASE_URL":
			return pu.String()
		case "REDIS_URL":
			return ru.String()
		}
		return getenv(k)
	}
	app.cfg, app.cfgErr = loadConfig(app.Getenv)
	return pg, rd, nil
}

// dbName is the database the app uses (for telling its Postgres backends apart).
func dbName(app *App) string {
	cfg, err := app.Config()
	if err != nil {
		return ""
	}
	u, err := url.Parse(cfg.DatabaseURL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

// deletePrefix removes every Redis key starting with prefix (never anything else).
func deletePrefix(ctx context.Context, rdb *redis.Client, prefix string) error {
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 1000 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return rdb.Unlink(ctx, batch...).Err()
	}
	return nil
}
