package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types/events"

	"github.com/klabot/klabot/conversations"
)

// fakeHost stands in for serve's side of the session loop: pairing, the session lock
// and the whatsmeow clients, one fake client per Dial.
type fakeHost struct {
	mu       sync.Mutex
	paired   bool
	held     bool // another process holds the lock
	locks    int
	released int
	lost     chan struct{}
	dialed   chan *fakeClient
	connErr  error // ConnectContext of the next clients fails
}

func newFakeHost() *fakeHost {
	return &fakeHost{paired: true, lost: make(chan struct{}), dialed: make(chan *fakeClient, 16)}
}

type fakeLock struct{ h *fakeHost }

func (l fakeLock) Lost() <-chan struct{} { return l.h.lost }
func (l fakeLock) Release(context.Context) error {
	l.h.mu.Lock()
	defer l.h.mu.Unlock()
	l.h.released++
	return nil
}

func (h *fakeHost) Paired(context.Context) (bool, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.paired, nil
}

func (h *fakeHost) Lock(context.Context) (SessionLock, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.held {
		return nil, fmt.Errorf("held: %w", conversations.ErrConflict)
	}
	h.locks++
	return fakeLock{h}, nil
}

func (h *fakeHost) Dial(ctx context.Context) (Conn, string, error) {
	h.mu.Lock()
	fc := newFakeClient()
	fc.connected = false
	fc.connectErr = h.connErr
	h.mu.Unlock()
	select {
	case h.dialed <- fc:
	case <-ctx.Done():
		// The test is over (its cleanup cancelled the loop) and reads no more dials.
		return nil, "", ctx.Err()
	}
	return fc, phoneUser + "@s.whatsapp.net", nil
}

func (h *fakeHost) counts() (locks, released int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.locks, h.released
}

// next returns the client of the next Dial once the loop has connected it.
func (h *fakeHost) next(t *testing.T) *fakeClient {
	t.Helper()
	select {
	case fc := <-h.dialed:
		eventually(t, "connect", func() bool {
			fc.mu.Lock()
			defer fc.mu.Unlock()
			return fc.connects > 0
		})
		return fc
	case <-time.After(20 * time.Second):
		t.Fatal("the session loop did not dial again")
		return nil
	}
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !ok(); time.Sleep(2 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// sessionRig runs a Session on a fakeHost with a clock that records every wait: waits
// between attempts pass at once, the offline limit only when the test says so.
type sessionRig struct {
	h       *fakeHost
	s       *Session
	mu      sync.Mutex
	waits   []time.Duration
	ended   []string
	states  []string
	offline chan time.Time
}

const testOfflineLimit = 7 * time.Hour // unique: the rig tells it from other waits

func newSessionRig(t *testing.T) *sessionRig {
	r := &sessionRig{h: newFakeHost(), offline: make(chan time.Time, 1)}
	a := New(nil, nil, nil, Config{})
	a.SetSubmitter(&recorder{})
	r.s = NewSession(a, r.h, SessionConfig{
		Retry: time.Second, MinBackoff: time.Minute, MaxBackoff: time.Hour, OfflineLimit: testOfflineLimit,
		ReplacedWait: 5 * time.Minute, OutdatedWait: 15 * time.Minute,
		Jitter:  func() float64 { return 1 },
		OnEnded: func(reason string) { r.mu.Lock(); r.ended = append(r.ended, reason); r.mu.Unlock() },
		OnState: func(st string, _ bool) { r.mu.Lock(); r.states = append(r.states, st); r.mu.Unlock() },
		After: func(d time.Duration) <-chan time.Time {
			if d == testOfflineLimit {
				return r.offline
			}
			r.mu.Lock()
			r.waits = append(r.waits, d)
			r.mu.Unlock()
			ch := make(chan time.Time, 1)
			ch <- time.Now()
			return ch
		},
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

func (r *sessionRig) lastWait() time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.waits) == 0 {
		return 0
	}
	return r.waits[len(r.waits)-1]
}

// said returns the first state that contains want.
func (r *sessionRig) said(want string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, st := range r.states {
		if strings.Contains(st, want) {
			return st
		}
	}
	return ""
}

func (r *sessionRig) endedWith(reason string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.ended, reason)
}

// torn checks that the client was disconnected and the lock given back.
func (r *sessionRig) torn(t *testing.T, fc *fakeClient, reason string) {
	t.Helper()
	eventually(t, reason+" ends the session", func() bool { return r.endedWith(reason) })
	eventually(t, "disconnect", func() bool {
		fc.mu.Lock()
		defer fc.mu.Unlock()
		return fc.disconnects == 1
	})
	eventually(t, "lock released", func() bool { l, rel := r.h.counts(); return rel >= 1 && rel <= l })
}

func TestSessionReconnectsAfterTemporaryBan(t *testing.T) {
	t.Parallel()
	r := newSessionRig(t)
	fc := r.h.next(t)
	if ok := fc.emit(&events.Connected{}); !ok {
		t.Fatal("connected event failed")
	}
	eventually(t, "connected state", func() bool { return strings.HasPrefix(r.s.State(), "connected as ") })
	fc.emit(&events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: 2 * time.Hour})
	r.torn(t, fc, "temporary_ban")
	fc2 := r.h.next(t) // a fresh client after the ban expired
	if fc2 == fc {
		t.Fatal("same client reused")
	}
	if w := r.lastWait(); w < 2*time.Hour {
		t.Errorf("waited %s after a 2 h ban", w)
	}
}

func TestSessionBacksOffAfterConnectFailures(t *testing.T) {
	t.Parallel()
	r := newSessionRig(t)
	fc := r.h.next(t)
	fc.emit(&events.ConnectFailure{Reason: events.ConnectFailureGeneric, Message: "bad"})
	r.torn(t, fc, "connect_failure")
	fc = r.h.next(t)
	if w := r.lastWait(); w != time.Minute {
		t.Errorf("first backoff %s, want 1m", w)
	}
	fc.emit(&events.ConnectFailure{Reason: events.ConnectFailureGeneric})
	fc = r.h.next(t)
	if w := r.lastWait(); w != 2*time.Minute {
		t.Errorf("second backoff %s, want 2m (doubling)", w)
	}
	// A connection that works resets the backoff.
	fc.emit(&events.Connected{})
	eventually(t, "connected", func() bool { return strings.HasPrefix(r.s.State(), "connected") })
	fc.emit(&events.ConnectFailure{Reason: events.ConnectFailureGeneric})
	r.h.next(t)
	if w := r.lastWait(); w != time.Minute {
		t.Errorf("backoff after a good connection %s, want 1m", w)
	}
}

func TestSessionClientOutdated(t *testing.T) {
	t.Parallel()
	r := newSessionRig(t)
	fc := r.h.next(t)
	fc.emit(&events.ClientOutdated{})
	r.torn(t, fc, "client_outdated")
	if st := r.said("outdated"); !strings.Contains(st, "update klabot/whatsmeow") || strings.Contains(st, "pair") {
		t.Errorf("state %q", st)
	}
	r.h.next(t) // tries again, with a freshly fetched version (Dial)
	if w := r.lastWait(); w < 15*time.Minute {
		t.Errorf("waited %s after 405", w)
	}
}

func TestSessionBanIsNotALogout(t *testing.T) {
	t.Parallel()
	r := newSessionRig(t)
	fc := r.h.next(t)
	fc.emit(&events.LoggedOut{OnConnect: true, Reason: events.ConnectFailureUnknownLogout})
	r.torn(t, fc, "banned")
	if st := r.said("banned"); st == "" || r.said("logged out") != "" {
		t.Errorf("states %q", r.states)
	}
	fc = r.h.next(t)
	fc.emit(&events.LoggedOut{Reason: events.ConnectFailureLoggedOut})
	eventually(t, "logout", func() bool { return r.endedWith("logged_out") })
}

func TestSessionStartsAfreshWhenOfflineTooLong(t *testing.T) {
	t.Parallel()
	r := newSessionRig(t)
	fc := r.h.next(t)
	fc.emit(&events.Connected{})
	fc.emit(&events.KeepAliveTimeout{ErrorCount: 3})
	fc.emit(&events.Disconnected{})
	eventually(t, "disconnected", func() bool { return strings.HasPrefix(r.s.State(), "disconnected") })
	r.offline <- time.Now()
	r.torn(t, fc, "offline")
	r.h.next(t)
	if st := r.s.a.Status(); st.KeepAliveTimeouts != 1 {
		t.Errorf("keepalive timeouts in status: %d", st.KeepAliveTimeouts)
	}
}

func TestSessionConnectErrorGivesTheLockUp(t *testing.T) {
	t.Parallel()
	r := newSessionRig(t)
	r.h.mu.Lock()
	r.h.connErr = errors.New("dial tcp: connection refused")
	r.h.mu.Unlock()
	r.h.next(t)
	r.h.next(t)
	eventually(t, "connect_error", func() bool { return r.endedWith("connect_error") })
	locks, released := r.h.counts()
	if locks < 2 || released < 1 {
		t.Errorf("locks %d released %d", locks, released)
	}
}

func TestSessionWaitsForPairingAndLock(t *testing.T) {
	t.Parallel()
	r := &sessionRig{h: newFakeHost()}
	r.h.paired = false
	s := NewSession(New(nil, nil, nil, Config{}), r.h, SessionConfig{Retry: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Run(ctx)
	eventually(t, "waiting for pairing", func() bool { return strings.HasPrefix(s.State(), "waiting for pairing") })
	r.h.mu.Lock()
	r.h.paired, r.h.held = true, true
	r.h.mu.Unlock()
	eventually(t, "lock wait", func() bool { return strings.HasPrefix(s.State(), "another klabot process") })
	r.h.mu.Lock()
	r.h.held = false
	r.h.mu.Unlock()
	fc := r.h.next(t)
	close(r.h.lost) // the lock's connection broke: stop using the session at once
	eventually(t, "disconnect after the lock was lost", func() bool {
		fc.mu.Lock()
		defer fc.mu.Unlock()
		return fc.disconnects == 1
	})
}
