package outbound

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// pacer hands out send slots under a channel's limits and holds its 429 pauses. The Redis
// pacer shares both across replicas; the local one is its fallback while Redis is down.
type pacer interface {
	// take reserves the next send slot for chat on ch when it is at most maxWait away and
	// returns how long to wait for it. When it is further away, or when it is the chat's
	// own gap (not the bot's rate) that keeps it more than chatWait away, nothing is
	// reserved and reserved is false: the job gives its worker back and comes again then.
	// paused says the channel is paused (429) for wait.
	take(ctx context.Context, ch, chat string, bot, chatGap, maxWait, chatWait time.Duration) (wait time.Duration, reserved, paused bool, err error)
	// pausedFor says how much longer ch is paused (0: not paused).
	pausedFor(ctx context.Context, ch string) (time.Duration, error)
	// pause pauses ch for d unless it is already paused for longer.
	pause(ctx context.Context, ch string, d time.Duration) error
}

// The Lua scripts keep every time in microseconds of the Redis server's clock (TIME), so
// replicas with skewed clocks still share one schedule.
var (
	takeScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local pause = tonumber(redis.call('GET', KEYS[3]) or '0')
if pause > now then return {pause - now, 0, 1} end
local b = tonumber(redis.call('GET', KEYS[1]) or '0')
local c = tonumber(redis.call('GET', KEYS[2]) or '0')
local start = math.max(now, b, c)
local wait = start - now
if wait > tonumber(ARGV[3]) then return {wait, 0, 0} end
if c > b and c - now > tonumber(ARGV[4]) then return {wait, 0, 0} end
local bn = start + tonumber(ARGV[1])
local cn = start + tonumber(ARGV[2])
redis.call('SET', KEYS[1], string.format('%.0f', bn), 'PX', math.ceil((bn - now) / 1000) + 1000)
redis.call('SET', KEYS[2], string.format('%.0f', cn), 'PX', math.ceil((cn - now) / 1000) + 1000)
return {wait, 1, 0}
`)
	pauseScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local untl = now + tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if untl > cur then
  redis.call('SET', KEYS[1], string.format('%.0f', untl), 'PX', math.ceil(tonumber(ARGV[1]) / 1000) + 1000)
end
return 0
`)
	pausedScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local pause = tonumber(redis.call('GET', KEYS[1]) or '0')
if pause > now then return pause - now end
return 0
`)
)

// redisPacer is the shared pacer: every replica takes its slots from the same keys.
type redisPacer struct {
	rdb    *redis.Client
	prefix string
}

func (p redisPacer) key(ch, what string) string { return p.prefix + "outbound:" + ch + ":" + what }

func (p redisPacer) take(ctx context.Context, ch, chat string, bot, chatGap, maxWait, chatWait time.Duration) (time.Duration, bool, bool, error) {
	res, err := takeScript.Run(ctx, p.rdb,
		[]string{p.key(ch, "bot"), p.key(ch, "chat:"+chat), p.key(ch, "pause")},
		bot.Microseconds(), chatGap.Microseconds(), maxWait.Microseconds(), chatWait.Microseconds()).Int64Slice()
	if err != nil {
		return 0, false, false, err
	}
	return time.Duration(res[0]) * time.Microsecond, res[1] == 1, res[2] == 1, nil
}

func (p redisPacer) pausedFor(ctx context.Context, ch string) (time.Duration, error) {
	us, err := pausedScript.Run(ctx, p.rdb, []string{p.key(ch, "pause")}).Int64()
	return time.Duration(us) * time.Microsecond, err
}

func (p redisPacer) pause(ctx context.Context, ch string, d time.Duration) error {
	return pauseScript.Run(ctx, p.rdb, []string{p.key(ch, "pause")}, d.Microseconds()).Err()
}

// localPacer paces one process on its own (no Redis, or Redis down).
type localPacer struct {
	mu     sync.Mutex
	now    func() time.Time
	bots   map[string]time.Time
	chats  map[string]time.Time
	pauses map[string]time.Time
}

func newLocalPacer(now func() time.Time) *localPacer {
	return &localPacer{now: now, bots: map[string]time.Time{}, chats: map[string]time.Time{}, pauses: map[string]time.Time{}}
}

func (p *localPacer) take(_ context.Context, ch, chat string, bot, chatGap, maxWait, chatWait time.Duration) (time.Duration, bool, bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if u := p.pauses[ch]; u.After(now) {
		return u.Sub(now), false, true, nil
	}
	start := now
	if b := p.bots[ch]; b.After(start) {
		start = b
	}
	ck := ch + ":" + chat
	c := p.chats[ck]
	if c.After(start) {
		start = c
	}
	wait := start.Sub(now)
	if wait > maxWait || (c.After(p.bots[ch]) && c.Sub(now) > chatWait) {
		return wait, false, false, nil
	}
	p.bots[ch] = start.Add(bot)
	p.chats[ck] = start.Add(chatGap)
	if len(p.chats) > 100_000 { // forget chats whose gap is over
		for k, t := range p.chats {
			if t.Before(now) {
				delete(p.chats, k)
			}
		}
	}
	return wait, true, false, nil
}

func (p *localPacer) pausedFor(_ context.Context, ch string) (time.Duration, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u := p.pauses[ch]; u.After(p.now()) {
		return u.Sub(p.now()), nil
	}
	return 0, nil
}

func (p *localPacer) pause(_ context.Context, ch string, d time.Duration) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u := p.now().Add(d); u.After(p.pauses[ch]) {
		p.pauses[ch] = u
	}
	return nil
}

// fallbackPacer uses the shared pacer and, while it fails, the local one. Pauses are
// kept in both, so a pause survives Redis going away.
type fallbackPacer struct {
	shared pacer // nil: local only
	local  *localPacer
	log    *slog.Logger
	now    func() time.Time

	mu       sync.Mutex
	warnedAt time.Time
}

func (p *fallbackPacer) failed(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := p.now(); now.Sub(p.warnedAt) > time.Minute {
		p.warnedAt = now
		p.log.Warn("outbound: shared pacing unavailable, pacing this process alone", "err", err)
	}
}

func (p *fallbackPacer) take(ctx context.Context, ch, chat string, bot, chatGap, maxWait, chatWait time.Duration) (time.Duration, bool, bool, error) {
	if p.shared != nil {
		wait, reserved, paused, err := p.shared.take(ctx, ch, chat, bot, chatGap, maxWait, chatWait)
		if err == nil {
			if !paused {
				// A pause this process saw while Redis was away still holds.
				if lw, _ := p.local.pausedFor(ctx, ch); lw > 0 {
					return lw, false, true, nil
				}
			}
			return wait, reserved, paused, nil
		}
		p.failed(err)
	}
	return p.local.take(ctx, ch, chat, bot, chatGap, maxWait, chatWait)
}

func (p *fallbackPacer) pausedFor(ctx context.Context, ch string) (time.Duration, error) {
	lw, _ := p.local.pausedFor(ctx, ch)
	if p.shared != nil {
		w, err := p.shared.pausedFor(ctx, ch)
		if err != nil {
			p.failed(err)
		}
		lw = max(lw, w)
	}
	return lw, nil
}

func (p *fallbackPacer) pause(ctx context.Context, ch string, d time.Duration) error {
	p.local.pause(ctx, ch, d) //nolint:errcheck // never fails
	if p.shared != nil {
		if err := p.shared.pause(ctx, ch, d); err != nil {
			p.failed(err)
		}
	}
	return nil
}
