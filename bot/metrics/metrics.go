// Package metrics holds klabot's Prometheus metrics for the chat runtime: updates received,
// duplicates dropped, handling latency, messages sent and send errors by kind. Each process
// builds its own registry (never the global default), so tests and several servers in one
// process do not collide. A nil *Metrics records nothing.
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
)

// Metrics are the runtime's counters and histograms on their own registry.
type Metrics struct {
	// Registry is where the metrics live; other components may register theirs here.
	Registry   *prometheus.Registry
	updates    *prometheus.CounterVec
	duplicates *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	sent       *prometheus.CounterVec
	sendErrors *prometheus.CounterVec
	inbound    *prometheus.CounterVec // dispatch events (inbound.go)
	invites    *prometheus.CounterVec // invite code attempts (inbound.go)
}

// New returns metrics on a fresh registry that also carries the Go and process collectors.
func New() *Metrics {
	r := prometheus.NewRegistry()
	r.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m := &Metrics{
		Registry: r,
		updates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klabot_updates_received_total", Help: "Inbound platform updates received, duplicates included.",
		}, []string{"channel"}),
		duplicates: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klabot_updates_duplicate_total", Help: "Inbound updates dropped because they were seen before.",
		}, []string{"channel"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "klabot_update_handling_seconds", Help: "Time from receiving an update to its replies being queued.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"channel"}),
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klabot_messages_sent_total", Help: "Outbound messages delivered.",
		}, []string{"channel"}),
		sendErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "klabot_send_errors_total", Help: "Failed delivery attempts by kind: throttled, temporary, blocked, failed.",
		}, []string{"channel", "kind"}),
	}
	m.inbound = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "klabot_inbound_events_total", Help: "Inbound messages retried, deferred or refused: retried, deferred, chat_full, outage_notice.",
	}, []string{"kind"})
	m.invites = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "klabot_invite_attempts_total", Help: "Invite codes tried, by result: ok, wrong, throttled, group.",
	}, []string{"result"})
	r.MustRegister(m.updates, m.duplicates, m.latency, m.sent, m.sendErrors, m.inbound, m.invites)
	for _, k := range InboundEvents {
		m.inbound.WithLabelValues(k)
	}
	for _, k := range InviteResults {
		m.invites.WithLabelValues(k)
	}
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// InitChannel exports every series of a channel at zero, so dashboards and alerts see
// the channel before its first update or send.
func (m *Metrics) InitChannel(ch conversations.Channel) {
	if m == nil {
		return
	}
	c := string(ch)
	m.updates.WithLabelValues(c)
	m.duplicates.WithLabelValues(c)
	m.latency.WithLabelValues(c)
	m.sent.WithLabelValues(c)
	for _, kind := range []string{outbound.ResultThrottled, outbound.ResultTemporary, outbound.ResultBlocked, outbound.ResultFailed} {
		m.sendErrors.WithLabelValues(c, kind)
	}
}

// UpdateReceived counts one inbound update.
func (m *Metrics) UpdateReceived(ch conversations.Channel) {
	if m != nil {
		m.updates.WithLabelValues(string(ch)).Inc()
	}
}

// DuplicateDropped counts one inbound update dropped as already seen.
func (m *Metrics) DuplicateDropped(ch conversations.Channel) {
	if m != nil {
		m.duplicates.WithLabelValues(string(ch)).Inc()
	}
}

// Handled observes how long one inbound message took to handle.
func (m *Metrics) Handled(ch conversations.Channel, d time.Duration) {
	if m != nil {
		m.latency.WithLabelValues(string(ch)).Observe(d.Seconds())
	}
}

// SendResult counts one delivery attempt by its outbound.Result kind; it fits
// outbound.Config.OnResult.
func (m *Metrics) SendResult(ch conversations.Channel, result string) {
	if m == nil {
		return
	}
	if result == outbound.ResultSent {
		m.sent.WithLabelValues(string(ch)).Inc()
		return
	}
	m.sendErrors.WithLabelValues(string(ch), result).Inc()
}
