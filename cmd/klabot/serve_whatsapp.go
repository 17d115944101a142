package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.mau.fi/whatsmeow/store"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/klabot/klabot/bot/dispatch"
	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/bot/whatsapp"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
)

// startWhatsApp is serve's WhatsApp component: when WHATSAPP_ENABLED=true it registers
// the WhatsApp transport with the shared sender (gentle limits) and returns the run
// function. A missing pairing, another replica holding the session, a logout or a replaced
// session are reported (log, metrics, `klabot whatsapp status`) and waited out in the
// background: they never stop serve.
func startWhatsApp(ctx context.Context, s *server) (func(context.Context) error, error) {
	cfg, err := loadWhatsAppConfig(s.app.Getenv)
	if err != nil {
		return nil, err
	}
	if !cfg.Enabled {
		s.log.Info("whatsapp: off (WHATSAPP_ENABLED is not true)")
		return nil, nil
	}
	ws, err := newWhatsAppService(ctx, s.app, cfg, s.metrics.Registry)
	if err != nil {
		return nil, err
	}
	s.sender.Register(conversations.ChannelWhatsApp, ws.Adapter, outbound.Limits{
		PerBot: cfg.PerSecond, PerChat: cfg.PerChat, PerGroup: cfg.PerGroup,
		IsGroup: whatsapp.IsGroupChat, Parallel: 2,
	})
	s.addChatChannel("whatsapp")
	return func(ctx context.Context) error {
		ws.Run(ctx, s.engine, s.sender)
		return nil
	}, nil
}

// whatsappSender is the shared outbound sender as WhatsApp's dispatcher uses it.
type whatsappSender interface {
	Enqueue(ctx context.Context, out conversations.Outbound) error
}

// whatsappService is the WhatsApp channel inside `klabot serve`: a dispatcher for
// WhatsApp chats, and a loop that waits for a paired device and for the session lock,
// connects, and gives the session up cleanly when it ends.
type whatsappService struct {
	Adapter *whatsapp.Adapter

	app     *App
	cfg     whatsappConfig
	st      *postgres.Store
	devices *sqlstore.Container
	rdb     *redis.Client
	log     *slog.Logger
	// retry is how long the loop waits before looking again for a pairing or the lock.
	retry time.Duration

	mu    sync.Mutex
	state string // what the loop is doing, for logs and tests

	connected prometheus.Gauge
	holding   prometheus.Gauge
	ended     *prometheus.CounterVec
}

// newWhatsAppService opens the device store and builds the adapter. reg may be nil.
func newWhatsAppService(ctx context.Context, app *App, cfg whatsappConfig, reg prometheus.Registerer) (*whatsappService, error) {
	st, devices, err := openWhatsAppDevices(ctx, app)
	if err != nil {
		return nil, err
	}
	rdb, err := app.Redis(ctx)
	if err != nil {
		return nil, err
	}
	s := &whatsappService{
		app: app, cfg: cfg, st: st, devices: devices, rdb: rdb, log: app.Log.With("channel", "whatsapp"),
		retry: 30 * time.Second, state: "starting",
		connected: prometheus.NewGauge(prometheus.GaugeOpts{Name: "klabot_whatsapp_connected", Help: "1 while this process is connected to WhatsApp."}),
		holding:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "klabot_whatsapp_session_held", Help: "1 while this process holds the WhatsApp session lock."}),
		ended: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klabot_whatsapp_session_ended_total", Help: "WhatsApp sessions ended by logout, replacement or a lost lock.",
		}, []string{"reason"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{s.connected, s.holding, s.ended} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("register whatsapp metrics: %w", err)
			}
		}
	}
	s.Adapter = whatsapp.New(nil, &whatsapp.RedisMenus{RDB: rdb, Prefix: cfg.RedisPrefix}, s.log, whatsapp.Config{
		DigestGroups: cfg.DigestGroups,
		MaxFileBytes: int64(app.cfg.MaxFileMB) << 20,
		MenuTTL:      cfg.MenuTTL,
	})
	s.Adapter.SetPhonebook(st, cfg.BindByPhone)
	return s, nil
}

// Run works until ctx ends: WhatsApp messages go through the adapter's wrapper to the
// engine in per-chat order, replies to sender. On the way out it disconnects first (no
// new messages), then finishes the messages it holds.
func (s *whatsappService) Run(ctx context.Context, engine whatsapp.Engine, sender whatsappSender) {
	d := dispatch.New(s.Adapter.Wrap(engine), sender, s.log, dispatch.Config{})
	s.Adapter.SetSubmitter(d)
	dctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	done := make(chan struct{})
	go func() { d.Run(dctx); close(done) }()
	go s.refreshGroups(ctx)
	s.run(ctx)
	stop()
	<-done
}

// State says what the service is doing ("waiting for pairing", "connected" ...).
func (s *whatsappService) State() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

func (s *whatsappService) setState(state string, held bool) {
	s.mu.Lock()
	changed := s.state != state
	s.state = state
	s.mu.Unlock()
	if held {
		s.holding.Set(1)
	} else {
		s.holding.Set(0)
		s.connected.Set(0)
	}
	if changed {
		s.log.Info("whatsapp: " + state)
	}
}

// run is the session loop: find a paired device, take the lock, connect, hold until the
// session ends or serve stops; repeat.
func (s *whatsappService) run(ctx context.Context) {
	for ctx.Err() == nil {
		wait := s.retry
		dev, err := s.devices.GetFirstDevice(ctx)
		switch {
		case err != nil:
			s.setState("cannot read the device store: "+err.Error(), false)
		case dev.ID == nil:
			s.setState("waiting for pairing: run `klabot whatsapp pair`", false)
		default:
			wait = s.hold(ctx, dev)
		}
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
	}
}

// hold takes the session lock and keeps the connection until something ends it. It
// returns how long to wait before trying again: longer after the session was replaced, so
// that klabot and another program using the same session do not push each other out
// every few seconds.
func (s *whatsappService) hold(ctx context.Context, dev *store.Device) (wait time.Duration) {
	wait = s.retry
	lock, err := s.st.TryLockSession(ctx, whatsappSessionLock, 0)
	if errors.Is(err, conversations.ErrConflict) {
		s.setState("another klabot process holds the WhatsApp session; waiting", false)
		return
	}
	if err != nil {
		s.setState("cannot take the session lock: "+err.Error(), false)
		return
	}
	defer lock.Release(context.WithoutCancel(ctx))

	client, err := newWhatsAppClient(s.app, s.cfg, dev, "serve")
	if err != nil {
		s.setState(err.Error(), true)
		return
	}
	// Reconnect on our own after network trouble, also when the first connect fails.
	client.EnableAutoReconnect = true
	client.InitialAutoReconnect = true
	ended := make(chan string, 1)
	client.AddEventHandler(s.Adapter.EventHandler(ctx))
	client.AddEventHandler(func(evt any) {
		var reason string
		switch evt.(type) {
		case *events.Connected:
			s.connected.Set(1)
			go s.heartbeat(ctx) // `klabot whatsapp status` sees it at once
			return
		case *events.Disconnected:
			s.connected.Set(0)
			go s.heartbeat(ctx)
			return
		case *events.LoggedOut:
			reason = "logged_out"
		case *events.StreamReplaced:
			reason = "replaced"
		default:
			return
		}
		select {
		case ended <- reason:
		default:
		}
	})
	s.Adapter.SetClient(whatsapp.NewClient(client))
	defer s.Adapter.SetClient(nil)
	s.setState("connecting as "+dev.ID.ToNonAD().String(), true)
	if err := client.ConnectContext(ctx); err != nil {
		s.setState("cannot connect: "+err.Error(), true)
		return
	}
	defer client.Disconnect()

	beat := time.NewTicker(15 * time.Second)
	defer beat.Stop()
	s.heartbeat(ctx)
	for {
		select {
		case <-ctx.Done():
			s.setState("stopped", false)
			return
		case <-lock.Lost():
			// Another replica may own the session now: stop using it at once.
			s.ended.WithLabelValues("lock_lost").Inc()
			s.setState("lost the session lock (database connection); reconnecting later", false)
			return
		case reason := <-ended:
			s.ended.WithLabelValues(reason).Inc()
			s.heartbeat(ctx)
			if reason == "logged_out" {
				s.setState("logged out by WhatsApp: pair again with `klabot whatsapp pair`", false)
			} else {
				s.setState("session replaced by another process; retrying in 5 minutes", false)
				wait = 10 * s.retry
			}
			return wait
		case <-beat.C:
			s.heartbeat(ctx)
		}
	}
}

// refreshGroups keeps the adapter's digest groups in step with the regions' digest chats.
func (s *whatsappService) refreshGroups(ctx context.Context) {
	for {
		if groups, err := s.st.WhatsAppDigestGroups(ctx); err == nil {
			s.Adapter.SetDigestGroups(groups)
		} else if ctx.Err() == nil {
			s.log.Warn("whatsapp: read the regions' digest groups", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Minute):
		}
	}
}

// heartbeat publishes the session's status for `klabot whatsapp status`.
func (s *whatsappService) heartbeat(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	host, _ := os.Hostname()
	b, err := json.Marshal(whatsappHeartbeat{
		Status: s.Adapter.Status(),
		Holder: fmt.Sprintf("%s pid %d", host, os.Getpid()),
		At:     s.app.Now(),
	})
	if err == nil {
		err = s.rdb.Set(ctx, whatsappHeartbeatKey(s.cfg.RedisPrefix), b, time.Minute).Err()
	}
	if err != nil {
		s.log.Warn("whatsapp: publish status", "err", err)
	}
}
