package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/klabot/klabot/storage/postgres/pgtest"
	"github.com/klabot/klabot/storage/redis/redistest"
)

// loadtestRun runs `klabot loadtest` with args on a fresh database and returns the report.
func loadtestRun(t *testing.T, args ...string) string {
	t.Helper()
	_, prefix := redistest.New(t)
	env := map[string]string{"DATABASE_URL": pgtest.URL(t), "EVIDENCE_DIR": t.TempDir(), "LOG_LEVEL": "error"}
	var out, errOut bytes.Buffer
	app := NewApp(func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	defer app.Close()
	if err := run(context.Background(), app, append([]string{"loadtest", "--redis-prefix", prefix}, args...)); err != nil {
		t.Fatalf("loadtest: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	return out.String()
}

// TestLoadtestWebhook runs the same load as Telegram updates through klabot serve's
// webhook, replies going to the sink Bot API.
func TestLoadtestWebhook(t *testing.T) {
	t.Parallel()
	report := loadtestRun(t, "--via", "telegram-webhook", "--regions", "2", "--opds", "3", "--questions", "48",
		"--workers", "4", "--dialogues", "12", "--answers", "120", "--duration", "15s", "--dup", "0.05", "--baseline=false")
	for _, want := range []string{"mode telegram-webhook", "errors: none", "answers not understood: 0", "answered again: 0", "check: OK"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if n := storedAnswers(t, report); n < 120 {
		t.Errorf("%d answers stored, want at least 120", n)
	}
}

// storedAnswers reads the check line: confirmed answers, all stored exactly once.
func storedAnswers(t *testing.T, report string) int {
	t.Helper()
	m := regexp.MustCompile(`check: OK: (\d+) answers confirmed, (\d+) stored`).FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("no passing check line:\n%s", report)
	}
	confirmed, _ := strconv.Atoi(m[1])
	stored, _ := strconv.Atoi(m[2])
	if stored != confirmed {
		t.Errorf("confirmed %d, stored %d", confirmed, stored)
	}
	return stored
}

// TestLoadtestEngine runs the load tool on a tiny dataset through the real engine,
// Postgres and Redis: a few hundred answers, every one stored exactly once and in order,
// no errors, and a raw baseline beside it. --duration is only a cap (the run stops at
// --answers), generous so that a busy machine does not fail the test.
func TestLoadtestEngine(t *testing.T) {
	t.Parallel()
	_, prefix := redistest.New(t)
	env := map[string]string{"DATABASE_URL": pgtest.URL(t), "EVIDENCE_DIR": t.TempDir(), "LOG_LEVEL": "error"}
	var out, errOut bytes.Buffer
	app := NewApp(func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	defer app.Close()
	err := run(context.Background(), app, []string{"loadtest", "--regions", "3", "--opds", "4", "--questions", "48",
		"--workers", "4", "--dialogues", "20", "--answers", "300", "--duration", "3m", "--dup", "0.05",
		"--redis-prefix", prefix})
	if err != nil {
		t.Fatalf("loadtest: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	report := out.String()
	for _, want := range []string{"errors: none", "answers not understood: 0", "answered again: 0", "check: OK", "ratio engine/raw"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if n := storedAnswers(t, report); n < 300 {
		t.Errorf("%d answers stored, want at least 300", n)
	}
	// Without --reuse a second run refuses to pile answers onto the dataset.
	err = run(context.Background(), app, []string{"loadtest", "--regions", "3", "--opds", "4", "--questions", "48", "--answers", "10"})
	if err == nil || !strings.Contains(err.Error(), "--reuse") {
		t.Errorf("second run without --reuse: %v", err)
	}
}
