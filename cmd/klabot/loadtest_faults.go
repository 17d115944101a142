package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/klabot/klabot/cmd/klabot/internal/loadtest"
)

// runLoadtestFaults is `klabot loadtest --faults`: issue 19's fault table with simulated
// focal points against in-process `klabot serve` replicas (see docs/inbound.md §8).
func runLoadtestFaults(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("loadtest --faults", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	var o loadtest.FaultOptions
	fs.IntVar(&o.People, "people", 100, "simulated focal points per fault")
	only := fs.String("only", "", "comma-separated faults to run (default all): "+strings.Join(loadtest.FaultNames(), ","))
	short := fs.Bool("short", false, "scale every duration by 0.2 (a smoke test; klabot's own timers stay)")
	fs.Float64Var(&o.Scale, "scale", 1, "scale every duration of the run by this factor")
	logFile := fs.String("log", "", "write the serve replicas' logs, and transcripts of chats with lost or misfiled messages, to this file")
	fs.BoolVar(&o.Keep, "keep", false, "keep each fault's database")
	fs.IntVar(&o.PoolMaxConns, "pool-max-conns", 0, "the serve replicas' PostgreSQL pool size (default: DATABASE_URL's pool_max_conns, else pgx's max(4, CPUs))")
	fs.Bool("faults", true, "")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || o.People < 1 {
		return usageError{loadtestUsage}
	}
	if *short {
		o.Scale = 0.2
	}
	if *only != "" {
		o.Only = strings.Split(*only, ",")
	}
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	o.DatabaseURL, o.RedisURL = cfg.DatabaseURL, cfg.RedisURL
	o.Log, o.Progress = io.Discard, app.Stderr
	if *logFile != "" {
		f, err := os.Create(*logFile)
		if err != nil {
			return err
		}
		defer f.Close()
		o.Log, o.Transcripts = f, f
	}
	o.Serve = faultServe(o.Log)
	rep := loadtest.FaultReport{Machine: loadtest.ThisMachine(), People: o.People, Scale: o.Scale, LoadStart: loadtest.LoadAverage()}
	if conn, err := pgx.Connect(ctx, loadtest.WithoutPoolParams(o.DatabaseURL)); err == nil {
		conn.QueryRow(ctx, `SELECT split_part(version(), ' ', 1) || ' ' || split_part(version(), ' ', 2)`).Scan(&rep.Machine.Postgres) //nolint:errcheck // "" then
		conn.Close(ctx)
	}
	if rdb, err := app.Redis(ctx); err == nil {
		if info, err := rdb.InfoMap(ctx, "server").Result(); err == nil {
			rep.Machine.Redis = info["Server"]["redis_version"]
		}
	}
	start := time.Now()
	res, err := loadtest.RunFaults(ctx, o)
	rep.Results, rep.Took, rep.LoadEnd = res, time.Since(start), loadtest.LoadAverage()
	if len(res) > 0 {
		rep.Write(app.Stdout)
	}
	if err != nil {
		return err
	}
	if !rep.Pass() {
		return fmt.Errorf("loadtest --faults: some faults lost, doubled or misfiled messages or failed their checks (see above)")
	}
	return nil
}

// faultServe starts `klabot serve` in this process with exactly env as its environment,
// logging to logw; Stop is SIGTERM (the fault run "kills" a replica by cutting its
// proxies first).
func faultServe(logw io.Writer) loadtest.ServeFunc {
	return func(ctx context.Context, env map[string]string) (*loadtest.Instance, error) {
		sapp := NewApp(func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, logw)
		sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		addr := make(chan string, 1)
		done := make(chan error, 1)
		go func() {
			done <- serve(sctx, sapp, serveOptions{onListen: func(a string) { addr <- a }})
			sapp.Close()
		}()
		stop := func() error {
			cancel()
			return <-done
		}
		select {
		case a := <-addr:
			return &loadtest.Instance{Addr: a, Stop: stop}, nil
		case err := <-done:
			cancel()
			return nil, fmt.Errorf("klabot serve did not start: %w", err)
		case <-time.After(30 * time.Second):
			go stop() //nolint:errcheck // reporting the timeout instead
			return nil, fmt.Errorf("klabot serve did not start within 30s")
		}
	}
}
