package conversations

import (
	"context"
	"fmt"
	"reflect"
)

// StepLocker is a store that is both Deps.Locker and Deps.States (storage/redis) and
// does a step's Redis work in two round trips: LockLoad takes the chat's lock (waiting
// as Locker.Lock does) and reads the state and the dedupe mark with it; Held.SaveUnlock
// saves and releases. The engine uses it when Deps.Locker and Deps.States are one value
// that offers it; else it calls Lock, Load, Save and unlock one by one.
type StepLocker interface {
	// LockLoad waits (bounded) for lockKey's lock and returns it with the state saved
	// under stateKey (nil when there is none) and whether (channel, messageID) was
	// handled before, read atomically with the lock taken.
	LockLoad(ctx context.Context, lockKey, stateKey string, channel Channel, messageID string) (Held, *State, bool, error)
}

// Held is a chat lock taken by StepLocker.LockLoad, renewed while it is held.
type Held interface {
	// SaveUnlock does what States.Save does, then releases the lock only if it is still
	// ours, in one round trip. After it succeeded, Unlock does nothing.
	SaveUnlock(ctx context.Context, s *State, channel Channel, messageID string) error
	// Unlock releases the lock only if it is still ours (it may have expired and been
	// taken). Calling it again does nothing.
	Unlock()
}

// stepLocker returns the store that does lock+load and save+unlock in one round trip
// each, when Deps.Locker and Deps.States are that one store.
func stepLocker(d Deps) StepLocker {
	sl, ok := d.Locker.(StepLocker)
	if !ok || d.States == nil {
		return nil
	}
	lt, st := reflect.TypeOf(d.Locker), reflect.TypeOf(d.States)
	if lt != st || !lt.Comparable() || any(d.Locker) != any(d.States) {
		return nil
	}
	return sl
}

// chatLock is the Redis side of one step: the lock taken with the state loaded, and how
// to save and release (in one round trip each with a StepLocker).
type chatLock struct {
	held   Held   // with a StepLocker
	unlk   func() // else: Locker's unlock
	states States
	errMsg msgKey // the reply when taking the lock or loading failed
}

// lockLoad takes in's chat lock and loads the state under key and the dedupe mark.
func (e *Engine) lockLoad(ctx context.Context, in Inbound, key string) (*chatLock, *State, bool, error) {
	if e.steps != nil {
		h, st, seen, err := e.steps.LockLoad(ctx, in.Address.Key(), key, in.Channel, in.MessageID)
		if err != nil {
			return &chatLock{errMsg: msgBusy}, nil, false, fmt.Errorf("lock chat %s: %w", in.Address.Key(), err)
		}
		return &chatLock{held: h}, st, seen, nil
	}
	unlock, err := e.d.Locker.Lock(ctx, in.Address.Key())
	if err != nil {
		return &chatLock{errMsg: msgBusy}, nil, false, fmt.Errorf("lock chat %s: %w", in.Address.Key(), err)
	}
	st, seen, err := e.d.States.Load(ctx, key, in.Channel, in.MessageID)
	if err != nil {
		unlock()
		return &chatLock{errMsg: msgTrouble}, nil, false, fmt.Errorf("load state: %w", err)
	}
	return &chatLock{unlk: unlock, states: e.d.States}, st, seen, nil
}

// saveUnlock saves like States.Save and releases the lock: in one round trip with a
// StepLocker (the deferred unlock then does nothing), else the save alone (the deferred
// unlock releases).
func (l *chatLock) saveUnlock(ctx context.Context, key string, st *State, ch Channel, messageID string) error {
	if l.held != nil {
		return l.held.SaveUnlock(ctx, st, ch, messageID)
	}
	return l.states.Save(ctx, key, st, ch, messageID)
}

// unlock releases the lock if saveUnlock did not.
func (l *chatLock) unlock() {
	if l.held != nil {
		l.held.Unlock()
		return
	}
	l.unlk()
}
