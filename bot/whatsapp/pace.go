package whatsapp

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// DayCounter counts bulk messages per local day across restarts (RedisDayCounter).
type DayCounter interface {
	// Count returns how many were counted on day ("2026-12-01").
	Count(ctx context.Context, day string) (int64, error)
	// Add counts one more on day.
	Add(ctx context.Context, day string) error
}

// PaceConfig tunes a Pacer: how gently bulk messages (digests, nudges) go out. WhatsApp
// bans numbers that send many similar messages quickly, so bulk messages are spread out
// far more than replies. Every field is optional.
type PaceConfig struct {
	// BulkInterval is the least time between two bulk messages to different people; each
	// gap gets a random extra of up to the same again. Defaults to 20 seconds.
	BulkInterval time.Duration
	// WorkFrom and WorkTo are the local hours [WorkFrom, WorkTo) bulk messages go out in.
	// Defaults to 7 and 18.
	WorkFrom, WorkTo int
	// Location is the zone of the working hours. Defaults to Asia/Jakarta (WIB).
	Location *time.Location
	// DailyCap is the most bulk messages per local day on the number. Defaults to 300.
	DailyCap int
	// RejectPause is how long bulk messages stop after WhatsApp rejected a message (463):
	// a sign that the number is near a limit. Defaults to 1 hour.
	RejectPause time.Duration
	// Counter keeps the day's count; nil counts in memory (lost at restart).
	Counter DayCounter
	// Now and Jitter (uniform in [0, 1)) default to time.Now and math/rand.
	Now    func() time.Time
	Jitter func() float64
}

func (c *PaceConfig) defaults() {
	if c.BulkInterval <= 0 {
		c.BulkInterval = 20 * time.Second
	}
	if c.WorkFrom == 0 && c.WorkTo == 0 {
		c.WorkFrom, c.WorkTo = 7, 18
	}
	if c.Location == nil {
		if loc, err := time.LoadLocation("Asia/Jakarta"); err == nil {
			c.Location = loc
		} else {
			c.Location = time.FixedZone("WIB", 7*3600)
		}
	}
	if c.DailyCap <= 0 {
		c.DailyCap = 300
	}
	if c.RejectPause <= 0 {
		c.RejectPause = time.Hour
	}
	if c.Counter == nil {
		c.Counter = &memoryDayCounter{n: map[string]int64{}}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Jitter == nil {
		c.Jitter = rand.Float64
	}
}

// Pacer decides when the next bulk message may go. Replies are not paced here (the
// sender's per-chat limits and the typing indicator apply to them): people who write
// expect an answer at once.
type Pacer struct {
	cfg PaceConfig

	mu       sync.Mutex
	next     time.Time // earliest time of the next bulk message to another person
	lastChat string    // the person the last bulk message went to
	paused   time.Time // no bulk before this (after a rejection)
}

// NewPacer returns a Pacer.
func NewPacer(cfg PaceConfig) *Pacer {
	cfg.defaults()
	return &Pacer{cfg: cfg}
}

// Reserve says how long a bulk message to chat must wait. 0 means "send now": the slot is
// taken (the next bulk message to someone else waits the interval). A wait takes nothing:
// the caller asks again when it has passed (a worker snoozes its job for it). Bulk messages
// to the person who got the previous one go right behind it, so that one person's digest
// and nudges arrive together. Outside the working hours, after a rejection and once the
// day's cap is reached the wait runs to the next allowed time.
func (p *Pacer) Reserve(ctx context.Context, chat string) (time.Duration, error) {
	now := p.cfg.Now()
	at := now
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.paused.After(at) {
		at = p.paused
	}
	if chat != p.lastChat && p.next.After(at) {
		at = p.next
	}
	at = p.inWorkHours(at)
	day := at.In(p.cfg.Location).Format(time.DateOnly)
	n, err := p.cfg.Counter.Count(ctx, day)
	if err != nil {
		return 0, fmt.Errorf("whatsapp bulk count: %w", err)
	}
	if n >= int64(p.cfg.DailyCap) {
		// Full today: the first working hour of the next day, spread.
		y, m, d := at.In(p.cfg.Location).Date()
		at = p.inWorkHours(time.Date(y, m, d+1, 0, 0, 0, 0, p.cfg.Location))
	}
	if at.After(now) {
		return at.Sub(now), nil
	}
	gap := p.cfg.BulkInterval + time.Duration(p.cfg.Jitter()*float64(p.cfg.BulkInterval))
	p.next, p.lastChat = now.Add(gap), chat
	return 0, nil
}

// inWorkHours moves t into the working hours: before them to their start, after them to
// the next day's start, each with a random delay of up to half an hour, so bulk messages
// held overnight do not all go at 07:00.
func (p *Pacer) inWorkHours(t time.Time) time.Time {
	l := t.In(p.cfg.Location)
	y, m, d := l.Date()
	start := time.Date(y, m, d, p.cfg.WorkFrom, 0, 0, 0, p.cfg.Location)
	end := time.Date(y, m, d, p.cfg.WorkTo, 0, 0, 0, p.cfg.Location)
	spread := time.Duration(p.cfg.Jitter() * float64(30*time.Minute))
	switch {
	case l.Before(start):
		return start.Add(spread)
	case !l.Before(end):
		return start.AddDate(0, 0, 1).Add(spread)
	}
	return t
}

// Sent counts a delivered bulk message against the day's cap.
func (p *Pacer) Sent(ctx context.Context) error {
	day := p.cfg.Now().In(p.cfg.Location).Format(time.DateOnly)
	return p.cfg.Counter.Add(ctx, day)
}

// Rejected pauses bulk messages after WhatsApp rejected one (463).
func (p *Pacer) Rejected() {
	p.mu.Lock()
	p.paused = p.cfg.Now().Add(p.cfg.RejectPause)
	p.mu.Unlock()
}

type memoryDayCounter struct {
	mu sync.Mutex
	n  map[string]int64
}

func (c *memoryDayCounter) Count(_ context.Context, day string) (int64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[day], nil
}

func (c *memoryDayCounter) Add(_ context.Context, day string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.n) > 30 {
		clear(c.n)
	}
	c.n[day]++
	return nil
}
