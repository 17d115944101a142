package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.mau.fi/whatsmeow/proto/waAdv"
	"go.mau.fi/whatsmeow/store/sqlstore"
	"go.mau.fi/whatsmeow/types"

	"github.com/klabot/klabot/bot/metrics"
	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres"
	"github.com/klabot/klabot/storage/redis/redistest"
)

type nopEngine struct{}

func (nopEngine) Handle(context.Context, conversations.Inbound) ([]conversations.Outbound, error) {
	return nil, nil
}

type nopSender struct{}

func (nopSender) Enqueue(context.Context, conversations.Outbound) error { return nil }

func waitState(t *testing.T, s *whatsappService, want string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(s.State(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("state %q, want it to contain %q", s.State(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// testOutbox is a durable outbound queue on app's database, not started.
func testOutbox(t *testing.T, app *App) *outbound.Queue {
	t.Helper()
	pool, err := app.DB(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	q, err := outbound.New(outbound.Config{Pool: pool, Secret: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func TestServeWhatsAppDisabled(t *testing.T) {
	t.Parallel()
	app, _ := whatsappApp(t, nil)
	srv := &server{app: app, log: app.Log, outbox: testOutbox(t, app), metrics: metrics.New()}
	run, err := startWhatsApp(context.Background(), srv)
	if run != nil || err != nil || len(srv.outbox.Channels()) != 0 {
		t.Fatalf("disabled channel started: %v", err)
	}
	app, _ = whatsappApp(t, map[string]string{"WHATSAPP_ENABLED": "true"})
	srv = &server{app: app, log: app.Log, outbox: testOutbox(t, app), metrics: metrics.New()}
	run, err = startWhatsApp(context.Background(), srv)
	if run == nil || err != nil || len(srv.outbox.Channels()) != 1 || srv.chats[0] != "whatsapp" {
		t.Fatalf("enabled channel not registered: %v %v", err, srv.outbox.Channels())
	}
}

// Two replicas: the one that does not hold the session waits in the background and
// takes over when the holder goes away; nothing crashes while no number is paired.
func TestServeWhatsAppWaitsForPairingAndLock(t *testing.T) {
	t.Parallel()
	rdb, prefix := redistest.New(t)
	app, out := whatsappApp(t, map[string]string{
		"WHATSAPP_ENABLED":      "true",
		"WHATSAPP_REDIS_PREFIX": prefix,
		"REDIS_URL":             "redis://" + rdb.Options().Addr + "/" + strconv.Itoa(rdb.Options().DB),
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reg := prometheus.NewRegistry()
	cfg, err := loadWhatsAppConfig(app.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	s, err := newWhatsAppService(ctx, app, cfg, reg)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	s.retry = 20 * time.Millisecond
	stopped := make(chan struct{})
	go func() { s.Run(ctx, nopEngine{}, nopSender{}); close(stopped) }()
	waitState(t, s, "waiting for pairing")

	// A device gets paired (as `klabot whatsapp pair` would store it) while another
	// process holds the session.
	st, devices, err := openWhatsAppDevices(ctx, app)
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.TryLockSession(ctx, whatsappSessionLock, 0)
	if err != nil {
		t.Fatal(err)
	}
	pairFakeDevice(t, devices)
	waitState(t, s, "another klabot process holds the WhatsApp session")

	// The other process stops: this one takes the session and connects (to nowhere: the
	// proxy is a closed port). The connect fails, so it gives the lock up during its
	// backoff — another replica with a working network may take over meanwhile.
	other.Release(ctx)
	waitState(t, s, "cannot connect")
	if got := counterValue(t, reg, "klabot_whatsapp_session_ended_total"); got < 1 {
		t.Errorf("connect errors counted %v", got)
	}
	var free *postgres.SessionLock
	for deadline := time.Now().Add(60 * time.Second); free == nil; {
		free, err = st.TryLockSession(ctx, whatsappSessionLock, 0)
		if err != nil && time.Now().After(deadline) {
			t.Fatalf("lock kept during the backoff: %v", err)
		}
	}
	// `klabot whatsapp status` on another machine sees the pairing.
	out.Reset()
	if err := run(ctx, app, []string{"whatsapp", "status"}); err != nil {
		t.Fatal(err)
	}
	free.Release(ctx)
	for _, want := range []string{"paired:    yes, 6281234567890@s.whatsapp.net", "connected: false"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
	// Deliveries while not connected wait (the queue snoozes the job).
	if err := s.Adapter.Deliver(ctx, conversations.Outbound{To: conversations.Address{Channel: conversations.ChannelWhatsApp, ChatID: "6281234567890@s.whatsapp.net"}, Text: "halo"}); err == nil {
		t.Error("delivery without a connection succeeded")
	}

	// serve stops: the session lock is given back.
	cancel()
	<-stopped
	deadline := time.Now().Add(60 * time.Second)
	for {
		l, err := st.TryLockSession(context.Background(), whatsappSessionLock, 0)
		if err == nil {
			l.Release(context.Background())
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lock not released after serve stopped: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pairFakeDevice stores a device as `klabot whatsapp pair` would after a successful pairing
// (with made-up keys: it can never log in).
func pairFakeDevice(t *testing.T, devices *sqlstore.Container) {
	t.Helper()
	dev := devices.NewDevice()
	jid := types.NewADJID("6281234567890", 0, 7)
	dev.ID = &jid
	dev.Account = &waAdv.ADVSignedDeviceIdentity{Details: []byte{1}, AccountSignature: make([]byte, 64), AccountSignatureKey: make([]byte, 32), DeviceSignature: make([]byte, 64)}
	if err := devices.PutDevice(context.Background(), dev); err != nil {
		t.Fatal(err)
	}
}

// counterValue sums the registry's counter called name over its labels.
func counterValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, mf := range mfs {
		if mf.GetName() == name {
			for _, m := range mf.GetMetric() {
				sum += m.GetCounter().GetValue()
			}
		}
	}
	return sum
}
