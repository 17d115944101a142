package outbound_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/bot/outbound/outboundtest"
	"github.com/klabot/klabot/bot/telegram"
	"github.com/klabot/klabot/conversations"
	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// tcpProxy forwards a loopback port to PostgreSQL; cut drops every connection and refuses
// new ones (the server is down, as far as the client can tell), mend lets them in again.
type tcpProxy struct {
	t      testing.TB
	target string
	addr   string

	mu    sync.Mutex
	ln    net.Listener
	conns map[net.Conn]bool
}

func newTCPProxy(t testing.TB, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{t: t, target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			if p.ln != ln {
				p.mu.Unlock()
				c.Close()
				up.Close()
				return
			}
			p.conns[c], p.conns[up] = true, true
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close(); c.Close() }() //nolint:errcheck
			go func() { io.Copy(c, up); up.Close(); c.Close() }() //nolint:errcheck
		}
	}()
}

func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

func (p *tcpProxy) mend() {
	p.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the port was just closed; take it again
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("proxy: listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

// proxiedPool is a pool on the rig's database through a proxy of its own.
func (r *rig) proxiedPool(dbURL string) (*pgxpool.Pool, *tcpProxy) {
	r.t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		r.t.Fatal(err)
	}
	p := newTCPProxy(r.t, u.Host)
	u.Host = p.addr
	cfg, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		r.t.Fatal(err)
	}
	cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	r.t.Cleanup(pool.Close)
	return pool, p
}

func newRigURL(t testing.TB) (*rig, string) {
	t.Helper()
	r := newRig(t)
	dbURL := pgtest.URL(t)
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	r.pool.Close()
	r.pool = pool
	return r, dbURL
}

// client is one process's queue as the fault tests start and kill them.
func (r *rig) client(pool *pgxpool.Pool, id string, lim outbound.Limits, tweak func(*outbound.Config)) (*outbound.Queue, *outboundtest.Probe) {
	r.t.Helper()
	cfg := outbound.Config{Pool: pool, Redis: r.rdb, RedisPrefix: r.prefix, Secret: "test secret", TestOnly: true, ID: id,
		BaseBackoff: 100 * time.Millisecond, MaxBackoff: 500 * time.Millisecond,
		DeliverTimeout: 2 * time.Second, MaxWait: 500 * time.Millisecond, RescueAfter: 4 * time.Second,
		OrderWait: 50 * time.Millisecond, Log: testLog(r.t)}
	if tweak != nil {
		tweak(&cfg)
	}
	q, err := outbound.New(cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	a, err := telegram.New(context.Background(), telegram.Config{Token: testToken, APIURL: r.api.URL, SkipGetMe: true},
		telegram.Deps{Log: cfg.Log})
	if err != nil {
		r.t.Fatal(err)
	}
	probe := &outboundtest.Probe{T: a}
	if err := q.Register(conversations.ChannelTelegram, probe, lim); err != nil {
		r.t.Fatal(err)
	}
	return q, probe
}

// queueReplies queues each chat's replies as separate jobs (separate steps), round robin
// over the chats, and returns the texts per chat in order.
func queueReplies(t testing.TB, q *outbound.Queue, chats, each int) map[string][]string {
	t.Helper()
	want := map[string][]string{}
	for i := range each {
		for c := range chats {
			to := tg(1000 + c)
			text := fmt.Sprintf("balasan %d untuk %s", i, to.ChatID)
			if err := q.Enqueue(context.Background(), conversations.Outbound{To: to, Text: text}); err != nil {
				t.Fatal(err)
			}
			want[to.ChatID] = append(want[to.ChatID], text)
		}
	}
	return want
}

// checkDelivered fails unless every chat got exactly want, in order.
func (r *rig) checkDelivered(want map[string][]string) {
	r.t.Helper()
	total := 0
	for _, texts := range want {
		total += len(texts)
	}
	r.api.WaitFor(r.t, 3*time.Minute, fmt.Sprintf("%d messages delivered", total), func() bool { return len(r.api.Messages("")) >= total })
	time.Sleep(300 * time.Millisecond) // a duplicate would arrive now
	if got := len(r.api.Messages("")); got != total {
		r.t.Errorf("%d messages delivered, want %d", got, total)
	}
	for chat, texts := range want {
		var got []string
		for _, m := range r.api.Messages(chat) {
			got = append(got, m.Text)
		}
		if strings.Join(got, "|") != strings.Join(texts, "|") {
			r.t.Errorf("chat %s got %q, want %q", chat, got, texts)
		}
	}
}

// 200 replies queued while the Bot API is down; the process dies (its database
// connections cut, every context cancelled, nothing recorded on the way out); a new
// process starts with the API back: all 200 arrive once each, in order per chat.
func TestFaultKillDuringBotAPIOutageLosesNothing(t *testing.T) {
	t.Parallel()
	r, dbURL := newRigURL(t)
	r.api.Fail5xx(1 << 30) // down
	lim := fastLimits()
	poolA, proxyA := r.proxiedPool(dbURL)
	a, _ := r.client(poolA, "dying", lim, nil)
	want := queueReplies(t, a, 20, 10)
	if err := a.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	r.api.WaitFor(t, time.Minute, "delivery attempts during the outage", func() bool { return len(r.api.Calls("sendMessage")) >= 40 })
	// SIGKILL: the database is gone for this process, its work is abandoned.
	proxyA.cut()
	go a.Stop(context.Background(), 0) //nolint:errcheck // a dead process records nothing
	r.api.Fail5xx(0)                   // the Bot API is back
	attempts := len(r.api.Calls("sendMessage"))
	if n := len(r.api.Messages("")); n != 0 {
		t.Fatalf("%d messages delivered during the outage", n)
	}
	b, _ := r.client(r.pool, "restarted", lim, nil)
	if err := b.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Stop(context.Background(), 5*time.Second) })
	r.checkDelivered(want)
	var sent int
	r.pool.QueryRow(context.Background(), `SELECT count(*) FROM outbound_deliveries WHERE state = 'sent'`).Scan(&sent) //nolint:errcheck
	if sent != 200 {
		t.Errorf("%d deliveries recorded, want 200", sent)
	}
	t.Logf("%d attempts during the outage", attempts)
}

// A 429 storm: every send is throttled for the storm's length (OUTBOUND_STORM, 3 s by
// default to keep CI fast; 10s for the full run). Nothing is lost, order holds, and no
// send starts after a 429 was received before its retry_after was over.
func TestFault429StormHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	storm := 3 * time.Second
	if v := os.Getenv("OUTBOUND_STORM"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatal(err)
		}
		storm = d
	}
	r := newRig(t)
	q, probe := r.client(r.pool, "storm", fastLimits(), nil)
	r.api.Throttle(1<<30, 1)
	start := time.Now()
	want := queueReplies(t, q, 8, 5)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background(), 5*time.Second) })
	// The storm lasts its length and at least one 429 per second of it (a loaded machine
	// may take longer over each round of snoozes than retry_after).
	waitFor(t, "the storm's 429s", func() bool {
		return time.Since(start) >= storm && len(probe.Throttles()) >= int(storm/time.Second)
	})
	r.api.Throttle(0, 1)
	r.checkDelivered(want)
	ths := probe.Throttles()
	if len(ths) < int(storm/time.Second) {
		t.Errorf("%d 429s in a %s storm: the storm did not happen", len(ths), storm)
	}
	if early := probe.Early(100 * time.Millisecond); len(early) > 0 {
		t.Errorf("%d sends started before retry_after was over, first %v into the test", len(early), early[0].Sub(start))
	}
	t.Logf("%s storm: %d 429s, all delivered after %s", storm, len(ths), time.Since(start).Round(time.Millisecond))
}

// Two processes work one queue: each message goes out once, and together they keep the
// bot's rate (pacing shared through Redis).
func TestFaultTwoClientsSharePacing(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	const rate = 20.0
	lim := outbound.Limits{PerBot: rate, PerChat: time.Millisecond, PerGroup: time.Millisecond, Parallel: 4}
	a, pa := r.client(r.pool, "replica-a", lim, nil)
	b, pb := r.client(r.pool, "replica-b", lim, nil)
	want := queueReplies(t, a, 60, 1)
	for _, q := range []*outbound.Queue{a, b} {
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { q.Stop(context.Background(), 5*time.Second) })
	}
	r.checkDelivered(want)
	starts := append(pa.Starts(), pb.Starts()...)
	sort.Slice(starts, func(i, j int) bool { return starts[i].Before(starts[j]) })
	most := 0
	for i, j := 0, 0; j < len(starts); j++ {
		for starts[j].Sub(starts[i]) >= time.Second {
			i++
		}
		most = max(most, j-i+1)
	}
	// Slots are spaced 1/rate apart across both; a send starts at its slot or, on a busy
	// machine, somewhat later — never earlier. One replica alone pacing 20/s would let two
	// replicas reach 40 in a second.
	if limit := int(1.25*rate) + 1; most > limit {
		t.Errorf("%d sends started in one second by two replicas, limit %.0f/s (at most %d allowed)", most, rate, limit)
	}
	if len(pa.Starts()) == 0 || len(pb.Starts()) == 0 {
		t.Logf("one replica did all the work (a %d, b %d)", len(pa.Starts()), len(pb.Starts()))
	}
	t.Logf("two replicas: most sends in one second %d (limit %.0f/s); a sent %d, b %d", most, rate, len(pa.Starts()), len(pb.Starts()))
}

// PostgreSQL goes away for a while in the middle of delivery, then comes back: delivery
// resumes on its own, every message once, in order.
func TestFaultPostgresOutageDuringDelivery(t *testing.T) {
	t.Parallel()
	r, dbURL := newRigURL(t)
	pool, proxy := r.proxiedPool(dbURL)
	q, _ := r.client(pool, "outage", outbound.Limits{PerBot: 50, PerChat: time.Millisecond, Parallel: 4}, func(c *outbound.Config) {
		c.DeliverTimeout = 5 * time.Second
	})
	want := queueReplies(t, q, 10, 6)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background(), 5*time.Second) })
	r.api.WaitFor(t, time.Minute, "the first deliveries", func() bool { return len(r.api.Messages("")) >= 10 })
	proxy.cut()
	before := len(r.api.Messages(""))
	time.Sleep(2 * time.Second) // the outage's length
	proxy.mend()
	if before >= 60 {
		t.Fatalf("all %d delivered before the outage: it tested nothing", before)
	}
	r.checkDelivered(want)
	t.Logf("%d of 60 delivered when PostgreSQL went away for 2 s", before)
}

// While PostgreSQL does not answer, nothing goes around the queue: a message queued
// outside any transaction (the dispatcher's outage notice) is refused with
// ErrUnavailable — the caller tries again later — and never sent directly.
func TestFaultPostgresDownNothingIsSentAroundTheQueue(t *testing.T) {
	t.Parallel()
	r, dbURL := newRigURL(t)
	pool, proxy := r.proxiedPool(dbURL)
	q, _ := r.client(pool, "no-direct", fastLimits(), nil)
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Stop(context.Background(), 5*time.Second) })
	proxy.cut()
	err := q.Enqueue(context.Background(), conversations.Outbound{To: tg(1), Text: "sedang ada gangguan"})
	if !errors.Is(err, conversations.ErrUnavailable) {
		t.Errorf("Enqueue with PostgreSQL down: %v, want ErrUnavailable", err)
	}
	proxy.mend()
	// Queued once the database is back, it goes out; the refused one never does.
	waitForNoErr(t, "PostgreSQL back", func() error {
		return q.Enqueue(context.Background(), conversations.Outbound{To: tg(1), Text: "pulih"})
	})
	r.checkDelivered(map[string][]string{"1": {"pulih"}})
}

func waitForNoErr(t *testing.T, what string, f func() error) {
	t.Helper()
	var err error
	waitFor(t, what, func() bool { err = f(); return err == nil })
}
