package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/bot/metrics"
	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// server is what `klabot serve` holds while it runs; components add to it in start.
type server struct {
	app        *App
	cfg        Config
	log        *slog.Logger
	store      *postgres.Store
	redis      *redis.Client
	engine     dispatch.Handler
	dispatcher *dispatch.Dispatcher
	outbox     *outbound.Queue // the durable outbound queue: every producer enqueues here
	metrics    *metrics.Metrics
	ops        *opsCollector // serve_metrics.go
	mux        *http.ServeMux

	opts serveOptions

	mu     sync.Mutex
	checks []readyCheck
	chats  []string // names of the chat channels that started
	gates  map[conversations.Channel]func(context.Context, conversations.Inbound)
}

// addGate makes every inbound message of ch wait for gate right before the engine handles
// it (Telegram's cross-replica ordering in webhook mode).
func (s *server) addGate(ch conversations.Channel, gate func(context.Context, conversations.Inbound)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gates[ch] = gate
}

// gatedEngine runs a channel's gate, if any, before the engine.
type gatedEngine struct{ s *server }

func (g gatedEngine) Handle(ctx context.Context, in conversations.Inbound) ([]conversations.Outbound, error) {
	g.s.mu.Lock()
	gate := g.s.gates[in.Channel]
	g.s.mu.Unlock()
	if gate != nil {
		gate(ctx, in)
	}
	return g.s.engine.Handle(ctx, in)
}

type readyCheck struct {
	name  string
	check func(context.Context) error
}

// addReadyCheck adds a check to /readyz.
func (s *server) addReadyCheck(name string, check func(context.Context) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checks = append(s.checks, readyCheck{name, check})
}

// addChatChannel records that a chat channel is configured (for the start-up log).
func (s *server) addChatChannel(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chats = append(s.chats, name)
}

// serveComponent is one optional part of serve: a chat channel or a scheduler. start
// configures it (registering its transport on s.outbox, HTTP handlers on s.mux, ready
// checks) and returns its run function, or nil when the component is not configured.
// run works until its ctx ends, then stops taking work, finishes what it holds and returns;
// the dispatcher and the delivery workers keep running until every component returned.
type serveComponent struct {
	name  string
	start func(ctx context.Context, s *server) (run func(ctx context.Context) error, err error)
}

// serveComponents lists what serve starts, each in its own file. Add yours here
// (a WhatsApp adapter, the digest and nudge schedulers ...).
func serveComponents() []serveComponent {
	return []serveComponent{
		{"metrics", startMetrics}, // serve_metrics.go: first, so later components can record
		{"telegram", startTelegram},
		{"whatsapp", startWhatsApp},
		{"schedule", startSchedule}, // serve_schedule.go: digests and reminders
		{"web", startWeb},           // serve_web.go: the coordinators' dashboard
	}
}

// serveOptions are test hooks.
type serveOptions struct {
	onListen func(addr string) // called with the HTTP address once listening
	// telegramSweep replaces the 10 s interval of the replay of Telegram updates nobody
	// holds (fault tests).
	telegramSweep time.Duration
}

func runServe(ctx context.Context, app *App, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(app.Stderr)
	if err := fs.Parse(args); err != nil {
		return usageError{err.Error()}
	}
	return serve(ctx, app, serveOptions{})
}

// serve runs until ctx ends (SIGTERM, Ctrl-C), then shuts down in order: stop taking
// updates (503), let components finish, drain the dispatcher (its replies are queued
// durably), stop the delivery workers, stop the HTTP server.
func serve(ctx context.Context, app *App, opts serveOptions) error {
	cfg, err := app.Config()
	if err != nil {
		return err
	}
	pool, err := app.DB(ctx)
	if err != nil {
		return err
	}
	rdb, err := app.Redis(ctx)
	if err != nil {
		return err
	}
	// Lone records that many requests write at once and each waits for (Telegram's update
	// records and handled marks, the delivery records) share commits; closed last.
	shared := postgres.NewGroupWriter(pool, postgres.GroupConfig{Conns: 4})
	defer shared.Close()
	s := &server{app: app, cfg: cfg, log: app.Log, opts: opts, store: postgres.New(pool, app.Now).WithSharedCommits(shared), redis: rdb,
		metrics: metrics.New(), mux: http.NewServeMux(),
		gates: map[conversations.Channel]func(context.Context, conversations.Inbound){}}
	s.addReadyCheck("postgres", func(ctx context.Context) error { return pool.Ping(ctx) })
	s.addReadyCheck("redis", func(ctx context.Context) error { return rdb.Ping(ctx).Err() })

	app.OnInvite = s.metrics.InviteAttempt
	if s.outbox, err = newOutbox(ctx, app, cfg, s.store, s.metrics, shared); err != nil {
		return err
	}
	if s.engine, err = serveEngine(ctx, s); err != nil {
		return err
	}
	s.dispatcher = dispatch.New(gatedEngine{s}, s.outbox, app.Log, dispatch.Config{Transient: transient, OnEvent: s.metrics.InboundEvent})

	type started struct {
		name string
		run  func(context.Context) error
	}
	var runs []started
	for _, c := range serveComponents() {
		run, err := c.start(ctx, s)
		if err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		if run != nil {
			runs = append(runs, started{c.name, run})
		}
	}
	if len(s.chats) == 0 {
		s.log.Warn("no chat channel configured: serving only the HTTP endpoints (set TELEGRAM_TOKEN for Telegram); messages queued here wait for a replica with the channel")
	}
	// The queue starts before anything produces: River's maintenance runs on every
	// replica (a replica working no channel still helps rescue a dead one's jobs).
	if err := s.outbox.Start(context.WithoutCancel(ctx)); err != nil {
		return err
	}
	outboxStopped := false
	stopOutbox := func() {
		if !outboxStopped {
			outboxStopped = true
			s.outbox.Stop(context.WithoutCancel(ctx), 15*time.Second) //nolint:errcheck // logged inside
		}
	}
	defer stopOutbox()

	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on HTTP_ADDR %s: %w", cfg.HTTPAddr, err)
	}
	ready := &readiness{}
	s.routes(ready)
	httpSrv := &http.Server{Handler: s.mux, ReadHeaderTimeout: 10 * time.Second}
	httpDone := make(chan error, 1)
	go func() { httpDone <- httpSrv.Serve(ln) }()
	s.log.Info("klabot serve started", "http", ln.Addr().String(), "channels", s.chats)
	if opts.onListen != nil {
		opts.onListen(ln.Addr().String())
	}

	dispatchCtx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	var dispatchDone sync.WaitGroup
	dispatchDone.Add(1)
	go func() { defer dispatchDone.Done(); s.dispatcher.Run(dispatchCtx) }()

	compCtx, stopComponents := context.WithCancel(ctx)
	defer stopComponents()
	var compDone sync.WaitGroup
	compErr := make(chan error, len(runs))
	for _, r := range runs {
		compDone.Add(1)
		go func() {
			defer compDone.Done()
			if err := r.run(compCtx); err != nil && !errors.Is(err, context.Canceled) {
				compErr <- fmt.Errorf("%s: %w", r.name, err)
			}
		}()
	}

	var runErr error
	select {
	case <-ctx.Done():
	case err := <-httpDone:
		runErr = fmt.Errorf("HTTP server: %w", err)
	case err := <-compErr:
		runErr = err
	}
	s.log.Info("klabot serve shutting down")
	// The HTTP server stays up through the whole drain, answering 503 on /readyz and the
	// webhook (Telegram retries later, or at another replica) rather than refusing
	// connections; it stops last.
	ready.shuttingDown()
	stopComponents()
	compDone.Wait()
	stopDispatch()
	dispatchDone.Wait()
	// Deliveries in flight finish (15 s at most, then they are cancelled and retried
	// later); queued messages stay in the queue for the next process.
	stopOutbox()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	httpSrv.Shutdown(sctx) //nolint:errcheck // best effort on the way out
	cancel()
	s.log.Info("klabot serve stopped")
	return runErr
}

// serveEngine builds the conversation engine for serve, wired like the console chat.
func serveEngine(ctx context.Context, s *server) (dispatch.Handler, error) {
	parts, err := buildEngine(ctx, s.app, s.outbox) // replies queued in each step's transaction
	if err != nil {
		return nil, err
	}
	return parts.Engine, nil
}
