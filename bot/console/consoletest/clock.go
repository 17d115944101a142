package consoletest

import (
	"sync"
	"time"
)

// Clock is a settable clock shared by the engine and the store.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock starts at Monday 2 March 2026, 09.00 WIB.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 3, 2, 2, 0, 0, 0, time.UTC)} }

// Now is the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Add moves the clock by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
