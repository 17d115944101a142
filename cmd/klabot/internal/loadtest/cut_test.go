package loadtest

import (
	"bufio"
	"net"
	"testing"
	"time"
)

// echo is a loopback server that echoes lines.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				sc := bufio.NewScanner(c)
				for sc.Scan() {
					c.Write(append(sc.Bytes(), '\n'))
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(addr string) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return nil, err
	}
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("halo\n")); err != nil {
		c.Close()
		return nil, err
	}
	if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// TestCutProxyBreaksConnectionsAndRefusesUntilRestored: the fault run's outage is real to
// the client: an open connection breaks, new ones are refused, and after Restore the same
// address works again.
func TestCutProxyBreaksConnectionsAndRefusesUntilRestored(t *testing.T) {
	p, err := NewCutProxy(echo(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	open, err := roundTrip(p.Addr())
	if err != nil {
		t.Fatalf("through the proxy: %v", err)
	}
	defer open.Close()
	p.Cut()
	if !p.Down() {
		t.Error("Down is false after Cut")
	}
	open.SetDeadline(time.Now().Add(2 * time.Second))
	open.Write([]byte("lagi\n"))
	if _, err := bufio.NewReader(open).ReadString('\n'); err == nil {
		t.Error("an open connection still works after Cut")
	}
	if c, err := roundTrip(p.Addr()); err == nil {
		c.Close()
		t.Error("a new connection works while cut")
	}
	if err := p.Restore(); err != nil {
		t.Fatal(err)
	}
	c, err := roundTrip(p.Addr())
	if err != nil {
		t.Fatalf("after Restore: %v", err)
	}
	c.Close()
}
