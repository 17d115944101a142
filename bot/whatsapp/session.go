package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/klabot/klabot/conversations"
)

// Conn is a whatsmeow client as the session loop drives it: the adapter's Client plus
// connecting, disconnecting and event handlers. *whatsmeow.Client satisfies it through
// NewConn.
type Conn interface {
	Client
	ConnectContext(ctx context.Context) error
	Disconnect()
	AddEventHandlerWithSuccessStatus(h whatsmeow.EventHandlerWithSuccessStatus) uint32
	SendPresence(ctx context.Context, state types.Presence) error
}

// NewConn wraps a whatsmeow client for the session loop.
func NewConn(c *whatsmeow.Client) Conn { return realClient{c} }

var _ Conn = realClient{}

// SessionLock is the lock that makes one process the holder of the session
// (postgres.SessionLock). Lost is closed when the lock may belong to someone else now.
type SessionLock interface {
	Lost() <-chan struct{}
	Release(ctx context.Context) error
}

// SessionHost is what the session loop needs from the process around it (cmd/klabot).
type SessionHost interface {
	// Paired reports whether a number is paired (the device store holds a device).
	Paired(ctx context.Context) (bool, error)
	// Lock takes the session lock without waiting; it wraps conversations.ErrConflict
	// while another process holds it.
	Lock(ctx context.Context) (SessionLock, error)
	// Dial returns a new client for the paired device, announcing the current WhatsApp
	// Web version, and a name for logs ("6281234567890@s.whatsapp.net").
	Dial(ctx context.Context) (Conn, string, error)
}

// SessionConfig tunes a Session. Every field is optional.
type SessionConfig struct {
	// Retry is the wait before looking again for a pairing or the lock, and after a
	// logout or a lost lock. Defaults to 30 seconds.
	Retry time.Duration
	// MinBackoff and MaxBackoff bound the wait after connect failures (doubling with each
	// failure in a row, with jitter). Default to 30 seconds and 30 minutes.
	MinBackoff, MaxBackoff time.Duration
	// OfflineLimit is how long the client may stay disconnected (whatsmeow reconnecting on
	// its own) before the loop tears it down, gives the lock up and starts afresh.
	// Defaults to 10 minutes.
	OfflineLimit time.Duration
	// ReplacedWait is the wait after another program took the session over, so that the
	// two do not push each other out every few seconds. Defaults to 5 minutes.
	ReplacedWait time.Duration
	// OutdatedWait is the least wait after WhatsApp called the client outdated (405): a
	// fresh version is fetched on the next try, but hammering does not help. Defaults to
	// 15 minutes.
	OutdatedWait time.Duration
	// OnState is told what the loop is doing, and whether it holds the lock.
	OnState func(state string, held bool)
	// OnEnded is told why a session ended: logged_out, banned, replaced, lock_lost,
	// temporary_ban, connect_failure, client_outdated, offline, connect_error.
	OnEnded func(reason string)
	// OnEvent sees every connection event (Connected, Disconnected, KeepAliveTimeout ...)
	// for metrics and heartbeats. It must return fast.
	OnEvent func(evt any)
	// After and Jitter are the clock and the randomness; they default to time.After and
	// a factor uniform in [0.75, 1.25).
	After  func(time.Duration) <-chan time.Time
	Jitter func() float64
}

func (c *SessionConfig) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Retry, 30*time.Second)
	def(&c.MinBackoff, 30*time.Second)
	def(&c.MaxBackoff, 30*time.Minute)
	def(&c.OfflineLimit, 10*time.Minute)
	def(&c.ReplacedWait, 5*time.Minute)
	def(&c.OutdatedWait, 15*time.Minute)
	if c.OnState == nil {
		c.OnState = func(string, bool) {}
	}
	if c.OnEnded == nil {
		c.OnEnded = func(string) {}
	}
	if c.OnEvent == nil {
		c.OnEvent = func(any) {}
	}
	if c.After == nil {
		c.After = time.After
	}
	if c.Jitter == nil {
		c.Jitter = func() float64 { return 0.75 + rand.Float64()/2 }
	}
}

// Session is the loop that keeps one WhatsApp session alive: it waits for a pairing and
// for the session lock, connects, and tears everything down — giving the lock up — when
// the session ends or is stuck (ban, connect failure, outdated client, disconnected for
// too long), then tries again after a suitable wait. It never gives up while ctx lives.
type Session struct {
	a    *Adapter
	host SessionHost
	cfg  SessionConfig

	mu       sync.Mutex
	state    string
	failures int // connect failures in a row, for the backoff
}

// NewSession returns the session loop of the adapter a; call Run.
func NewSession(a *Adapter, host SessionHost, cfg SessionConfig) *Session {
	cfg.defaults()
	return &Session{a: a, host: host, cfg: cfg, state: "starting"}
}

// State says what the loop is doing ("waiting for pairing", "connected" ...).
func (s *Session) State() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

func (s *Session) setState(state string, held bool) {
	s.mu.Lock()
	changed := s.state != state
	s.state = state
	s.mu.Unlock()
	if changed {
		s.a.log.Info("whatsapp: " + state)
	}
	s.cfg.OnState(state, held)
}

// Run works until ctx ends.
func (s *Session) Run(ctx context.Context) {
	for ctx.Err() == nil {
		wait := s.once(ctx)
		select {
		case <-ctx.Done():
		case <-s.cfg.After(wait):
		}
	}
}

// backoff counts one more failure and returns the wait before the next attempt.
func (s *Session) backoff() time.Duration {
	s.mu.Lock()
	s.failures++
	n := s.failures
	s.mu.Unlock()
	d := s.cfg.MinBackoff
	for i := 1; i < n && d < s.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return s.jitter(min(d, s.cfg.MaxBackoff))
}

func (s *Session) jitter(d time.Duration) time.Duration {
	return time.Duration(float64(d) * s.cfg.Jitter())
}

// sessionEvent reports the events the loop itself reacts to.
func sessionEvent(evt any) bool {
	switch evt.(type) {
	case *events.Connected, *events.Disconnected, *events.LoggedOut, *events.StreamReplaced,
		*events.TemporaryBan, *events.ConnectFailure, *events.ClientOutdated,
		*events.KeepAliveTimeout, *events.KeepAliveRestored:
		return true
	}
	return false
}

// once holds the session once, from taking the lock to tearing down, and returns how long
// to wait before the next attempt.
func (s *Session) once(ctx context.Context) time.Duration {
	paired, err := s.host.Paired(ctx)
	switch {
	case err != nil:
		s.setState("cannot read the device store: "+err.Error(), false)
		return s.cfg.Retry
	case !paired:
		s.setState("waiting for pairing: run `klabot whatsapp pair`", false)
		return s.cfg.Retry
	}
	lock, err := s.host.Lock(ctx)
	if errors.Is(err, conversations.ErrConflict) {
		s.setState("another klabot process holds the WhatsApp session; waiting", false)
		return s.cfg.Retry
	}
	if err != nil {
		s.setState("cannot take the session lock: "+err.Error(), false)
		return s.cfg.Retry
	}
	defer lock.Release(context.WithoutCancel(ctx))

	conn, name, err := s.host.Dial(ctx)
	if err != nil {
		s.setState("cannot start the client: "+err.Error(), false)
		return s.backoff()
	}
	// The event handler runs in whatsmeow's receive loop: the adapter records messages
	// (its answer decides whether WhatsApp gets an ack) and the loop only hears about
	// connection events, without ever blocking whatsmeow.
	evs := make(chan any, 64)
	conn.AddEventHandlerWithSuccessStatus(func(evt any) bool {
		ok := s.a.HandleEvent(ctx, evt)
		if sessionEvent(evt) {
			s.cfg.OnEvent(evt)
			select {
			case evs <- evt:
			default:
			}
		}
		return ok
	})
	s.a.SetClient(conn)
	defer s.a.SetClient(nil)
	s.setState("connecting as "+name, true)
	if err := conn.ConnectContext(ctx); err != nil {
		s.cfg.OnEnded("connect_error")
		wait := s.backoff()
		s.setState(fmt.Sprintf("cannot connect (%v); retrying in %s", err, wait.Round(time.Second)), false)
		return wait
	}
	defer conn.Disconnect()

	// Until the first Connected, and after every Disconnected, the client has
	// OfflineLimit to (re)connect on its own.
	offline := s.cfg.After(s.cfg.OfflineLimit)
	for {
		select {
		case <-ctx.Done():
			s.setState("stopped", false)
			return 0
		case <-lock.Lost():
			// Another replica may own the session now: stop using it at once.
			s.cfg.OnEnded("lock_lost")
			s.setState("lost the session lock (database connection); reconnecting later", false)
			return s.cfg.Retry
		case <-offline:
			s.cfg.OnEnded("offline")
			wait := s.backoff()
			s.setState(fmt.Sprintf("not connected for %s; starting afresh in %s", s.cfg.OfflineLimit, wait.Round(time.Second)), false)
			return wait
		case evt := <-evs:
			switch e := evt.(type) {
			case *events.Connected:
				s.mu.Lock()
				s.failures = 0
				s.mu.Unlock()
				offline = nil
				s.setState("connected as "+name, true)
				// Typing indicators are shown only to a client that is "available".
				go func() {
					if err := conn.SendPresence(context.WithoutCancel(ctx), types.PresenceAvailable); err != nil {
						s.a.log.Debug("whatsapp: send presence", "err", err)
					}
				}()
			case *events.Disconnected:
				if offline == nil {
					offline = s.cfg.After(s.cfg.OfflineLimit)
				}
				s.setState("disconnected; whatsmeow reconnects on its own", true)
			case *events.LoggedOut:
				if e.Reason == events.ConnectFailureUnknownLogout {
					s.cfg.OnEnded("banned")
					s.setState("WhatsApp banned this number (406): the session is gone; appeal in the WhatsApp app, then pair again", false)
				} else {
					s.cfg.OnEnded("logged_out")
					s.setState("logged out by WhatsApp: pair again with `klabot whatsapp pair`", false)
				}
				return s.cfg.Retry
			case *events.StreamReplaced:
				s.cfg.OnEnded("replaced")
				s.setState(fmt.Sprintf("session replaced by another process; retrying in %s", s.cfg.ReplacedWait), false)
				return s.cfg.ReplacedWait
			case *events.TemporaryBan:
				s.cfg.OnEnded("temporary_ban")
				wait := max(e.Expire, time.Minute) + s.jitter(time.Minute)
				s.setState(fmt.Sprintf("temporarily banned by WhatsApp (%s); reconnecting in %s", e.Code, wait.Round(time.Second)), false)
				return wait
			case *events.ConnectFailure:
				s.cfg.OnEnded("connect_failure")
				wait := s.backoff()
				s.setState(fmt.Sprintf("connect failure %d (%s); retrying in %s", int(e.Reason), e.Reason, wait.Round(time.Second)), false)
				return wait
			case *events.ClientOutdated:
				s.cfg.OnEnded("client_outdated")
				wait := max(s.backoff(), s.cfg.OutdatedWait)
				s.setState(fmt.Sprintf("WhatsApp rejects this client version as outdated (405): update klabot/whatsmeow (docs/whatsapp.md) or set WHATSAPP_WEB_VERSION; retrying in %s", wait.Round(time.Second)), false)
				return wait
			}
		}
	}
}
