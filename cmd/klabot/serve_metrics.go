package main

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
)

// opsCollector exports what operators alert on, read at scrape time so that every replica
// reports the same durable truth: notifications by kind and status (digests sent, skipped,
// failed ...), the outbound queue's depth and the age of its oldest waiting message, the
// last scheduler tick of this process, and the build.
type opsCollector struct {
	pool     *pgxpool.Pool
	lastTick atomic.Int64 // unix seconds of this process's last scheduler tick

	notifications, queueDepth, queueAge, tick, build *prometheus.Desc
	info                                             buildInfo
}

func newOpsCollector(pool *pgxpool.Pool) *opsCollector {
	return &opsCollector{
		pool: pool, info: readBuildInfo(),
		notifications: prometheus.NewDesc("klabot_notifications_total",
			"Proactive messages recorded, by kind (digest, digest_run, nudge, ...) and status (pending, sent, failed, skipped).",
			[]string{"kind", "status"}, nil),
		queueDepth: prometheus.NewDesc("klabot_outbound_queue_depth",
			"Outbound messages waiting to be delivered, by queue (channel).", []string{"queue"}, nil),
		queueAge: prometheus.NewDesc("klabot_outbound_queue_oldest_age_seconds",
			"Age of the oldest outbound message waiting to be delivered, by queue (channel).", []string{"queue"}, nil),
		tick: prometheus.NewDesc("klabot_scheduler_last_tick_timestamp_seconds",
			"Unix time of this process's last digest and reminder scheduler tick (0: no scheduler here).", nil, nil),
		build: prometheus.NewDesc("klabot_build_info",
			"The running build: always 1, with the version, commit and Go version as labels.",
			[]string{"version", "commit", "goversion"}, nil),
	}
}

func (c *opsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.notifications, c.queueDepth, c.queueAge, c.tick, c.build} {
		ch <- d
	}
}

func (c *opsCollector) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(c.build, prometheus.GaugeValue, 1, c.info.Version, c.info.Commit, c.info.GoVersion)
	ch <- prometheus.MustNewConstMetric(c.tick, prometheus.GaugeValue, float64(c.lastTick.Load()))
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if rows, err := c.pool.Query(ctx, `SELECT kind, status, count(*) FROM notifications GROUP BY 1, 2`); err == nil {
		for rows.Next() {
			var kind, status string
			var n int64
			if rows.Scan(&kind, &status, &n) == nil {
				ch <- prometheus.MustNewConstMetric(c.notifications, prometheus.CounterValue, float64(n), kind, status)
			}
		}
		rows.Close()
	}
	// The durable queue, across replicas: every channel, 0 when nothing waits.
	depth := map[string]float64{}
	age := map[string]float64{}
	rows, err := c.pool.Query(ctx, `SELECT queue, sum(jsonb_array_length(args -> 'messages')),
			coalesce(extract(epoch FROM now() - min(created_at)), 0)
		FROM river_job WHERE kind = $1 AND state IN ('available', 'pending', 'retryable', 'running', 'scheduled')
		GROUP BY queue`, outbound.JobKind)
	if err != nil {
		return
	}
	for rows.Next() {
		var queue string
		var n, a float64
		if rows.Scan(&queue, &n, &a) == nil {
			depth[queue], age[queue] = n, a
		}
	}
	rows.Close()
	for _, q := range []conversations.Channel{conversations.ChannelTelegram, conversations.ChannelWhatsApp} {
		ch <- prometheus.MustNewConstMetric(c.queueDepth, prometheus.GaugeValue, depth[outbound.QueueName(q)], string(q))
		ch <- prometheus.MustNewConstMetric(c.queueAge, prometheus.GaugeValue, age[outbound.QueueName(q)], string(q))
	}
}

// startMetrics registers the operators' metrics and, when METRICS_ADDR is set, serves
// /metrics on that address of its own (kept off the public HTTP_ADDR).
func startMetrics(ctx context.Context, s *server) (func(context.Context) error, error) {
	s.ops = newOpsCollector(s.store.Pool())
	if err := s.metrics.Registry.Register(s.ops); err != nil {
		return nil, err
	}
	if s.cfg.MetricsAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", s.cfg.MetricsAddr)
	if err != nil {
		return nil, errors.New("listen on METRICS_ADDR " + s.cfg.MetricsAddr + ": " + err.Error())
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	s.log.Info("metrics on their own address", "metrics", ln.Addr().String())
	return func(ctx context.Context) error {
		go func() {
			<-ctx.Done()
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(sctx) //nolint:errcheck // best effort on the way out
		}()
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}, nil
}
