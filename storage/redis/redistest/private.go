package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Private is a redis-server of a test's own, on a free loopback port, that the test may
// stop and start again (outage tests must never stop the shared server). It is stopped
// when the test ends.
type Private struct {
	t    testing.TB
	port int
	cmd  *exec.Cmd
}

// NewPrivate starts a private redis-server. Without redis-server on PATH the test is
// skipped, or fails under KLABOT_CI=1.
func NewPrivate(t testing.TB) *Private {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("KLABOT_CI") == "1" {
			t.Fatal("redistest: redis-server is not installed (apt-get install redis-server)")
		}
		t.Skip("redistest: redis-server not installed")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Private{t: t, port: ln.Addr().(*net.TCPAddr).Port}
	ln.Close()
	p.Start()
	t.Cleanup(p.Stop)
	return p
}

// URL is the server's redis:// URL.
func (p *Private) URL() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", p.port) }

// Start starts the server (again) on its port and waits until it answers.
func (p *Private) Start() {
	p.t.Helper()
	if p.cmd != nil {
		return
	}
	p.cmd = exec.Command("redis-server", "--port", fmt.Sprint(p.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--loglevel", "warning")
	if err := p.cmd.Start(); err != nil {
		p.t.Fatalf("redistest: start redis-server: %v", err)
	}
	c := redis.NewClient(&redis.Options{Addr: fmt.Sprintf("127.0.0.1:%d", p.port), MaxRetries: -1})
	defer c.Close()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c.Ping(context.Background()).Err() == nil {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("redistest: private redis-server on port %d does not answer", p.port)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops the server (an outage); Start brings it back, empty.
func (p *Private) Stop() {
	if p.cmd == nil {
		return
	}
	p.cmd.Process.Kill() //nolint:errcheck
	p.cmd.Wait()         //nolint:errcheck
	p.cmd = nil
}
