// Package outboundtest has test helpers for the outbound queue.
package outboundtest

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/klabot/klabot/bot/outbound"
	"github.com/klabot/klabot/conversations"
)

// Probe wraps a Transport and records when each delivery started and which ones the
// platform throttled, so a test can tell a retry that started too early from a send that
// was merely in flight when the 429 came: a send counts as early only when it started
// after a 429 was received and before that 429's retry_after, counted from the start of
// the throttled call, was over (the platform's ban lasts at least that long).
type Probe struct {
	T outbound.Transport

	mu        sync.Mutex
	starts    []time.Time
	throttles []Throttle
	inflight  int
	maxFlight int
}

// Throttle is one 429 answer as the client saw it.
type Throttle struct {
	Start    time.Time // the throttled call started
	Received time.Time // its answer arrived
	After    time.Duration
}

// BanOver is the earliest the platform's ban of this 429 can be over.
func (t Throttle) BanOver() time.Time { return t.Start.Add(t.After) }

var _ outbound.IDTransport = (*Probe)(nil)

// Deliver delivers through T.
func (p *Probe) Deliver(ctx context.Context, out conversations.Outbound) error {
	_, err := p.DeliverID(ctx, out, "")
	return err
}

// DeliverID delivers through T, with the id when T takes one.
func (p *Probe) DeliverID(ctx context.Context, out conversations.Outbound, id string) (string, error) {
	start := time.Now()
	p.mu.Lock()
	p.starts = append(p.starts, start)
	p.inflight++
	p.maxFlight = max(p.maxFlight, p.inflight)
	p.mu.Unlock()
	var pid string
	var err error
	if it, ok := p.T.(outbound.IDTransport); ok {
		pid, err = it.DeliverID(ctx, out, id)
	} else {
		err = p.T.Deliver(ctx, out)
	}
	now := time.Now()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	var ra *outbound.RetryAfterError
	if errors.As(err, &ra) {
		p.throttles = append(p.throttles, Throttle{Start: start, Received: now, After: ra.After})
	}
	return pid, err
}

// Early returns the starts of deliveries that began more than slack after a 429 was
// received and before its ban was over. slack covers the moment between the answer
// arriving and the pause being recorded, which a loaded machine can stretch (a goroutine
// descheduled); a client that ignores retry_after sends far later into the ban.
func (p *Probe) Early(slack time.Duration) []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	var early []time.Time
	for _, s := range p.starts {
		for _, th := range p.throttles {
			if s.After(th.Received.Add(slack)) && s.Before(th.BanOver()) {
				early = append(early, s)
				break
			}
		}
	}
	return early
}

// Throttles returns the 429s seen.
func (p *Probe) Throttles() []Throttle {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Throttle(nil), p.throttles...)
}

// Starts returns when each delivery started, in order.
func (p *Probe) Starts() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.starts...)
}

// MaxInFlight is the most deliveries that ran at once.
func (p *Probe) MaxInFlight() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.maxFlight
}

// Account is the wrapped transport's account (outbound.Accounter), "" when it names none.
func (p *Probe) Account() string {
	if a, ok := p.T.(outbound.Accounter); ok {
		return a.Account()
	}
	return ""
}
