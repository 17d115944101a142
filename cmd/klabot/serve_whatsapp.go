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
	// The WhatsApp queue is worked only while this process holds the session; every
	// replica queues into it (replies, digests, nudges, notices) and the messages wait
	// there while the session is away or moves to another replica.
	s.outbox.RegisterIdle(conversations.ChannelWhatsApp, ws.Adapter, outbound.Limits{
		PerBot: cfg.PerSecond, PerChat: cfg.PerChat, PerGroup: cfg.PerGroup,
		IsGroup: whatsapp.IsGroupChat, Parallel: 2,
	})
	ws.onHeld = followSession(ctx, s)
	s.addChatChannel("whatsapp")
	return func(ctx context.Context) error {
		ws.Run(ctx, s.engine, s.outbox)
		return nil
	}, nil
}

// followSession returns the session loop's hook that works the WhatsApp queue while the
// session is held. The queue is added and removed on a goroutine of its own (removing waits
// for the deliveries in flight), always towards the latest state.
func followSession(ctx context.Context, s *server) func(held bool) {
	var mu sync.Mutex
	want := false
	kick := make(chan struct{}, 1)
	go func() {
		for {
			select {
			case <-kick:
			case <-ctx.Done():
				return
			}
			mu.Lock()
			w := want
			mu.Unlock()
			var err error
			if w {
				err = s.outbox.Work(conversations.ChannelWhatsApp)
			} else {
				err = s.outbox.Unwork(context.WithoutCancel(ctx), conversations.ChannelWhatsApp)
			}
			if err != nil {
				s.log.Error("whatsapp: outbound queue", "work", w, "err", err)
			}
		}
	}()
	return func(held bool) {
		mu.Lock()
		want = held
		mu.Unlock()
		select {
		case kick <- struct{}{}:
		default:
		}
	}
}

// whatsappSender is the shared outbound sender as WhatsApp's dispatcher uses it.
type whatsappSender interface {
	Enqueue(ctx context.Context, out conversations.Outbound) error
}

// whatsappService is the WhatsApp channel inside `klabot serve`: a dispatcher for
// WhatsApp chats, and the session loop (whatsapp.Session) that waits for a paired device
// and for the session lock, connects, heals itself and gives the session up cleanly.
type whatsappService struct {
	Adapter *whatsapp.Adapter

	app         *App
	cfg         whatsappConfig
	st          *postgres.Store
	devices     *sqlstore.Container
	rdb         *redis.Client
	log         *slog.Logger
	session     *whatsapp.Session
	sessionOnce sync.Once // session is made once: Run and State (another goroutine) both ask for it
	// onHeld, when set, is told when this process takes (true) or gives up (false) the
	// session: serve works the WhatsApp outbound queue only while it holds it.
	onHeld func(held bool)
	// retry is how long the loop waits before looking again for a pairing or the lock.
	retry time.Duration

	connected  prometheus.Gauge
	holding    prometheus.Gauge
	ended      *prometheus.CounterVec
	keepalives prometheus.Counter
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
		retry:     30 * time.Second,
		connected: prometheus.NewGauge(prometheus.GaugeOpts{Name: "klabot_whatsapp_connected", Help: "1 while this process is connected to WhatsApp."}),
		holding:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "klabot_whatsapp_session_held", Help: "1 while this process holds the WhatsApp session lock."}),
		ended: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klabot_whatsapp_session_ended_total", Help: "WhatsApp sessions ended, by reason (logged_out, banned, replaced, lock_lost, temporary_ban, connect_failure, client_outdated, offline, connect_error).",
		}, []string{"reason"}),
		keepalives: prometheus.NewCounter(prometheus.CounterOpts{Name: "klabot_whatsapp_keepalive_timeouts_total", Help: "WhatsApp keepalive pings that timed out."}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{s.connected, s.holding, s.ended, s.keepalives} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("register whatsapp metrics: %w", err)
			}
		}
	}
	s.Adapter = whatsapp.New(nil, &whatsapp.RedisMenus{RDB: rdb, Prefix: cfg.RedisPrefix}, s.log, whatsapp.Config{
		DigestGroups:  cfg.DigestGroups,
		MaxFileBytes:  int64(app.cfg.MaxFileMB) << 20,
		MenuTTL:       cfg.MenuTTL,
		TypingPerChar: cfg.TypingPerChar,
	})
	s.Adapter.SetPhonebook(st, cfg.BindByPhone)
	s.Adapter.SetPacer(whatsapp.NewPacer(whatsapp.PaceConfig{
		BulkInterval: cfg.BulkInterval, DailyCap: cfg.DailyCap, WorkFrom: cfg.WorkFrom, WorkTo: cfg.WorkTo,
		Location: cfg.Location, Counter: &whatsapp.RedisDayCounter{RDB: rdb, Prefix: cfg.RedisPrefix}, Now: app.Now,
	}))
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
	go s.prune(ctx)
	s.sessionLoop().Run(ctx)
	stop()
	<-done
}

func (s *whatsappService) sessionLoop() *whatsapp.Session {
	s.sessionOnce.Do(s.newSession)
	return s.session
}

// newSession makes the session loop (once: sessionLoop).
func (s *whatsappService) newSession() {
	s.session = whatsapp.NewSession(s.Adapter, s, whatsapp.SessionConfig{
		Retry: s.retry, MinBackoff: s.retry,
		OnState: func(_ string, held bool) {
			if held {
				s.holding.Set(1)
			} else {
				s.holding.Set(0)
				s.connected.Set(0)
			}
			if s.onHeld != nil {
				s.onHeld(held)
			}
			go s.heartbeat(context.Background())
		},
		OnEnded: func(reason string) { s.ended.WithLabelValues(reason).Inc() },
		OnEvent: func(evt any) {
			switch evt.(type) {
			case *events.Connected:
				s.connected.Set(1)
			case *events.Disconnected:
				s.connected.Set(0)
			case *events.KeepAliveTimeout:
				s.keepalives.Inc()
			}
		},
	})
}

// State says what the service is doing ("waiting for pairing", "connected" ...).
func (s *whatsappService) State() string { return s.sessionLoop().State() }

var _ whatsapp.SessionHost = (*whatsappService)(nil)

// Paired reports whether the device store holds a paired device.
func (s *whatsappService) Paired(ctx context.Context) (bool, error) {
	dev, err := s.devices.GetFirstDevice(ctx)
	if err != nil {
		return false, err
	}
	return dev.ID != nil, nil
}

// Lock takes the session lock.
func (s *whatsappService) Lock(ctx context.Context) (whatsapp.SessionLock, error) {
	l, err := s.st.TryLockSession(ctx, whatsappSessionLock, 0)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// Dial builds the client for the paired device: the current web version, acks only
// after the adapter recorded a message (SynchronousAck, with whatsmeow's decrypted-event
// buffer so that an unacknowledged message can be decrypted again when it comes back),
// reconnects on its own after network trouble.
func (s *whatsappService) Dial(ctx context.Context) (whatsapp.Conn, string, error) {
	dev, err := s.devices.GetFirstDevice(ctx)
	if err != nil {
		return nil, "", err
	}
	if dev.ID == nil {
		return nil, "", errors.New("no number is paired any more")
	}
	setWhatsAppVersion(ctx, s.app, s.cfg, s.log)
	client, err := newWhatsAppClient(s.app, s.cfg, dev, "serve")
	if err != nil {
		return nil, "", err
	}
	client.EnableAutoReconnect = true
	client.SynchronousAck = true
	client.EnableDecryptedEventBuffer = true
	// Retry receipts for messages sent before a restart are answered from the journal.
	client.GetMessageForRetry = s.Adapter.MessageForRetry
	if dev.IdentityKey != nil && dev.IdentityKey.Priv != nil {
		if err := s.Adapter.SetJournal(s.st, whatsapp.NewSealKey(dev.IdentityKey.Priv[:])); err != nil {
			return nil, "", err
		}
	}
	return whatsapp.NewConn(client), dev.ID.ToNonAD().String(), nil
}

// prune drops handled message records older than two days and sent messages older than a
// week, hourly.
func (s *whatsappService) prune(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
		if _, err := s.st.PruneWhatsAppMessages(ctx, s.app.Now().Add(-48*time.Hour)); err != nil && ctx.Err() == nil {
			s.log.Warn("whatsapp: prune message records", "err", err)
		}
		if _, err := s.st.PruneSentWhatsAppMessages(ctx, s.app.Now().Add(-7*24*time.Hour)); err != nil && ctx.Err() == nil {
			s.log.Warn("whatsapp: prune sent messages", "err", err)
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
