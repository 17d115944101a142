package loadtest

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
)

// TripCounter is a loopback TCP proxy that counts round trips: each time a client sends
// after the server last spoke (or first) starts one. A pgx batch, a Redis pipeline or a
// Lua script call is one round trip however many statements it carries; a statement
// pgx prepares first costs one more. The counts are exact and independent of the
// machine's load, unlike the timings.
type TripCounter struct {
	ln    net.Listener
	to    string
	trips atomic.Int64
	conns atomic.Int64
	wg    sync.WaitGroup
	mu    sync.Mutex
	open  map[net.Conn]struct{}
}

// NewTripCounter listens on a free loopback port and forwards every connection to addr.
func NewTripCounter(addr string) (*TripCounter, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	t := &TripCounter{ln: ln, to: addr, open: map[net.Conn]struct{}{}}
	t.wg.Add(1)
	go t.accept()
	return t, nil
}

// Addr is the proxy's host:port, to connect to instead of the server.
func (t *TripCounter) Addr() string { return t.ln.Addr().String() }

// Trips is the number of round trips so far, over all connections.
func (t *TripCounter) Trips() int64 { return t.trips.Load() }

// Conns is the number of connections opened so far.
func (t *TripCounter) Conns() int64 { return t.conns.Load() }

// Close stops listening and closes every forwarded connection.
func (t *TripCounter) Close() error {
	err := t.ln.Close()
	t.mu.Lock()
	for c := range t.open {
		c.Close()
	}
	t.mu.Unlock()
	t.wg.Wait()
	return err
}

func (t *TripCounter) track(c net.Conn, on bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if on {
		t.open[c] = struct{}{}
	} else {
		delete(t.open, c)
	}
}

func (t *TripCounter) accept() {
	defer t.wg.Done()
	for {
		c, err := t.ln.Accept()
		if err != nil {
			return
		}
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			t.serve(c)
		}()
	}
}

func (t *TripCounter) serve(client net.Conn) {
	server, err := (&net.Dialer{}).DialContext(context.Background(), "tcp", t.to)
	if err != nil {
		client.Close()
		return
	}
	t.conns.Add(1)
	t.track(client, true)
	t.track(server, true)
	defer func() {
		t.track(client, false)
		t.track(server, false)
		client.Close()
		server.Close()
	}()
	// talking is true while the client speaks: its first bytes after the server's
	// answer start a round trip.
	var talking atomic.Bool
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn, fromClient bool) {
		defer func() { done <- struct{}{} }()
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				if fromClient {
					if !talking.Swap(true) {
						t.trips.Add(1)
					}
				} else {
					talking.Store(false)
				}
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil { // EOF or closed: the other direction ends with it
				return
			}
		}
	}
	go pipe(server, client, true)
	go pipe(client, server, false)
	<-done
}
