package loadtest

import (
	"context"
	"net"
	"sync"
)

// CutProxy is a loopback TCP proxy in front of a server (PostgreSQL, Redis, the fake Bot
// API) that the fault run can cut: Cut closes every forwarded connection and stops
// listening, so clients see their connections break and new ones refused, as when the
// server stops; Restore listens again on the same port. The server itself (shared by
// other users of the machine) is never touched.
type CutProxy struct {
	to   string
	addr string

	mu   sync.Mutex
	ln   net.Listener
	open map[net.Conn]struct{}
	dead bool
	wg   sync.WaitGroup
}

// NewCutProxy listens on a free loopback port and forwards every connection to addr.
func NewCutProxy(addr string) (*CutProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &CutProxy{to: addr, addr: ln.Addr().String(), open: map[net.Conn]struct{}{}}
	p.serve(ln)
	return p, nil
}

// Addr is the proxy's host:port, to connect to instead of the server.
func (p *CutProxy) Addr() string { return p.addr }

// Cut breaks every connection and refuses new ones until Restore.
func (p *CutProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.open {
		c.Close()
	}
}

// Down reports whether the proxy is cut.
func (p *CutProxy) Down() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.ln == nil
}

// Restore listens again on the same port (the server is back).
func (p *CutProxy) Restore() error {
	p.mu.Lock()
	if p.ln != nil || p.dead {
		p.mu.Unlock()
		return nil
	}
	p.mu.Unlock()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		return err
	}
	p.serve(ln)
	return nil
}

// Close cuts the proxy for good and waits for its goroutines.
func (p *CutProxy) Close() {
	p.mu.Lock()
	p.dead = true
	p.mu.Unlock()
	p.Cut()
	p.wg.Wait()
}

func (p *CutProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.forward(c)
			}()
		}
	}()
}

func (p *CutProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		return false
	}
	p.open[c] = struct{}{}
	return true
}

func (p *CutProxy) untrack(c net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.open, c)
}

func (p *CutProxy) forward(client net.Conn) {
	server, err := (&net.Dialer{}).DialContext(context.Background(), "tcp", p.to)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client) || !p.track(server) {
		client.Close()
		server.Close()
		p.untrack(client)
		return
	}
	defer func() {
		p.untrack(client)
		p.untrack(server)
		client.Close()
		server.Close()
	}()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		defer func() { done <- struct{}{} }()
		buf := make([]byte, 32<<10)
		for {
			n, err := src.Read(buf)
			if n > 0 {
				if _, werr := dst.Write(buf[:n]); werr != nil {
					return
				}
			}
			if err != nil {
				return
			}
		}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done
}
