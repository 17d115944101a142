package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// syncBuffer is a bytes.Buffer safe for the logger and the test at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// running is a `klabot serve` started by a test.
type running struct {
	addr   string
	logs   *syncBuffer
	stop   context.CancelFunc
	done   chan error
	stderr *syncBuffer
}

// startServe runs serve with env (plus a fresh database and HTTP on a free port) until
// the test ends.
func startServe(t *testing.T, env map[string]string) *running {
	t.Helper()
	return startServeWith(t, env, serveOptions{})
}

// startServeWith is startServe with test hooks (onListen is set here).
func startServeWith(t *testing.T, env map[string]string, opts serveOptions) *running {
	t.Helper()
	if env["DATABASE_URL"] == "" {
		env["DATABASE_URL"] = pgtest.URL(t)
	}
	env["HTTP_ADDR"] = "127.0.0.1:0"
	logs := &syncBuffer{}
	app := NewApp(func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, logs)
	t.Cleanup(app.Close)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{logs: logs, stop: cancel, done: make(chan error, 1)}
	listening := make(chan string, 1)
	opts.onListen = func(a string) { listening <- a }
	go func() { r.done <- serve(ctx, app, opts) }()
	select {
	case r.addr = <-listening:
	case err := <-r.done:
		t.Fatalf("serve ended at start: %v\n%s", err, logs)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve did not start\n%s", logs)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-r.done:
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop")
		}
	})
	return r
}

func (r *running) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get("http://" + r.addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServeWithoutChannelsRunsTheHTTPEndpoints(t *testing.T) {
	t.Parallel()
	r := startServe(t, map[string]string{})
	if code, body := r.get(t, "/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	code, body := r.get(t, "/readyz")
	if code != 200 || !strings.Contains(body, "postgres: ok") || !strings.Contains(body, "redis: ok") {
		t.Errorf("/readyz: %d %q", code, body)
	}
	if code, body := r.get(t, "/metrics"); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics: %d %.200q", code, body)
	}
	if !strings.Contains(r.logs.String(), "no chat channel configured") {
		t.Errorf("log does not say that no channel is configured:\n%s", r.logs)
	}
	// Graceful shutdown: serve returns without error.
	r.stop()
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("serve after SIGTERM: %v", err)
		}
		r.done <- nil // for the cleanup
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestServeRefusesToStartWithoutPostgresOrRedis(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"postgres", map[string]string{"DATABASE_URL": "postgres://postgres@127.0.0.1:1/klabot?sslmode=disable"}, "cannot reach PostgreSQL at 127.0.0.1:1"},
		{"redis", map[string]string{"DATABASE_URL": pgtest.URL(t), "REDIS_URL": "redis://127.0.0.1:1/0"}, "cannot reach Redis at 127.0.0.1:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := NewApp(func(k string) string { return tc.env[k] }, strings.NewReader(""), io.Discard, io.Discard)
			defer app.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			err := serve(ctx, app, serveOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("serve: %v, want one line with %q", err, tc.want)
			}
		})
	}
}

func TestServeRefusesABadTelegramConfiguration(t *testing.T) {
	t.Parallel()
	for name, env := range map[string]map[string]string{
		"token":   {"TELEGRAM_TOKEN": "not-a-token"},
		"half":    {"TELEGRAM_TOKEN": "1:x", "TELEGRAM_WEBHOOK_URL": "https://bot.example/telegram/webhook"},
		"rootURL": {"TELEGRAM_TOKEN": "1:x", "TELEGRAM_WEBHOOK_URL": "https://bot.example", "TELEGRAM_WEBHOOK_SECRET": "abc", "TELEGRAM_API_URL": "http://127.0.0.1:1"},
	} {
		t.Run(name, func(t *testing.T) {
			env["DATABASE_URL"] = pgtest.URL(t)
			env["HTTP_ADDR"] = "127.0.0.1:0"
			app := NewApp(func(k string) string { return env[k] }, strings.NewReader(""), io.Discard, io.Discard)
			defer app.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := serve(ctx, app, serveOptions{}); err == nil || !strings.Contains(err.Error(), "TELEGRAM_") {
				t.Errorf("serve: %v, want an error naming the TELEGRAM_ variable", err)
			}
		})
	}
}
