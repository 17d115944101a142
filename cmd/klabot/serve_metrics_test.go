package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMetricsOnTheirOwnPort: with METRICS_ADDR, /metrics leaves the public port and is
// served there with the operators' metrics; their names pass `promtool check metrics`.
func TestMetricsOnTheirOwnPort(t *testing.T) {
	t.Parallel()
	maddr := freeAddr(t)
	r := startServe(t, map[string]string{"METRICS_ADDR": maddr})
	if code, _ := r.get(t, "/metrics"); code != http.StatusNotFound {
		t.Errorf("/metrics on HTTP_ADDR: %d, want 404", code)
	}
	var body string
	deadline := time.Now().Add(60 * time.Second)
	for { // the scheduler's first tick runs at start
		var code int
		code, body = httpGet(t, "http://"+maddr+"/metrics")
		if code == 200 && !strings.Contains(body, "klabot_scheduler_last_tick_timestamp_seconds 0") || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, want := range []string{"klabot_build_info{commit=", "klabot_outbound_queue_depth{queue=\"telegram\"} 0",
		"klabot_scheduler_last_tick_timestamp_seconds 1", "go_goroutines"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%.3000s", want, body)
		}
	}
	promtool(t, body)
}

// promtool runs `promtool check metrics` (Debian's prometheus package) on a scrape. CI
// installs it; .ci/run says so and sets KLABOT_NO_PROMTOOL when it cannot.
func promtool(t *testing.T, body string) {
	t.Helper()
	path, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("KLABOT_CI") != "" && os.Getenv("KLABOT_NO_PROMTOOL") == "" {
			t.Fatal("promtool is missing (apt-get install prometheus)")
		}
		t.Log("promtool not installed: metric names not linted")
		return
	}
	cmd := exec.Command(path, "check", "metrics")
	cmd.Stdin = strings.NewReader(body)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		// promtool also lints the Go and process collectors' names; report only ours.
		var ours []string
		for _, line := range strings.Split(out.String(), "\n") {
			if strings.HasPrefix(line, "klabot_") {
				ours = append(ours, line)
			}
		}
		if len(ours) > 0 {
			t.Errorf("promtool check metrics:\n%s", strings.Join(ours, "\n"))
		}
	}
}

// TestHealthcheckCommand: exit 0 against a serving klabot, an error against nothing.
func TestHealthcheckCommand(t *testing.T) {
	t.Parallel()
	r := startServe(t, map[string]string{})
	var out bytes.Buffer
	app := NewApp(mapEnv(map[string]string{"HTTP_ADDR": r.addr}), nil, &out, &out)
	if err := run(context.Background(), app, []string{"healthcheck"}); err != nil || !strings.Contains(out.String(), "ok: http://"+r.addr+"/healthz") {
		t.Fatalf("healthcheck: %v %q", err, out.String())
	}
	if err := run(context.Background(), app, []string{"healthcheck", "--url", "http://" + freeAddr(t) + "/healthz", "--timeout", "1s"}); err == nil {
		t.Fatal("healthcheck of nothing succeeded")
	}
	if got := localURL(":8080"); got != "http://127.0.0.1:8080" {
		t.Errorf("localURL(:8080) = %q", got)
	}
}
