package main

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/klabot/klabot/storage/postgres"
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

// TestLoadtestPreloadAndTrips: --preload fills earlier years of the dataset's regions
// with answer versions (with their message records, evidence and reviews) before the
// run, which then answers its own year as usual; --count-trips counts round trips;
// --group-commit sends the engine's writes through a group writer, every answer still
// stored exactly once and in order.
func TestLoadtestPreloadAndTrips(t *testing.T) {
	t.Parallel()
	_, prefix := redistest.New(t)
	url := pgtest.URL(t)
	env := map[string]string{"DATABASE_URL": url, "EVIDENCE_DIR": t.TempDir(), "LOG_LEVEL": "error"}
	var out, errOut bytes.Buffer
	app := NewApp(func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	defer app.Close()
	// 2 regions × 48 questions = 96 versions a year: 150 fill 2089 and half of 2088.
	err := run(context.Background(), app, []string{"loadtest", "--regions", "2", "--opds", "3", "--questions", "48",
		"--workers", "2", "--dialogues", "6", "--answers", "40", "--duration", "15s", "--baseline=false",
		"--preload", "150", "--count-trips", "--group-commit", "--redis-prefix", prefix})
	if err != nil {
		t.Fatalf("loadtest: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	report := out.String()
	for _, want := range []string{"preloaded: 150 answer versions of years [2089 2088]", "check: OK", "round trips (counting proxies",
		"group commit (warm-up included)", "errors: none"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	m := regexp.MustCompile(`Postgres (\d+) = ([\d.]+) per answer.*Redis (\d+) = ([\d.]+) per answer`).FindStringSubmatch(report)
	if m == nil || m[1] == "0" || m[3] == "0" {
		t.Errorf("no round trips counted: %v\n%s", m, report)
	}
	// The app's own pool went through the proxies, closed with the run.
	pool, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var versions, records, evidence, reviews, sentBack int
	if err := pool.QueryRow(context.Background(), `SELECT
		(SELECT count(*) FROM answers WHERE year < 2090),
		(SELECT count(*) FROM inbound_messages i JOIN answers a ON a.message_id = i.message_id AND a.year < 2090),
		(SELECT count(*) FROM evidence e JOIN answers a ON a.id = e.answer_id AND a.year < 2090),
		(SELECT count(*) FROM reviews r JOIN answers a ON a.id = r.answer_id AND a.year < 2090),
		(SELECT count(*) FROM reviews r JOIN answers a ON a.id = r.answer_id AND a.year < 2090 WHERE r.state <> 'approved')`).
		Scan(&versions, &records, &evidence, &reviews, &sentBack); err != nil {
		t.Fatal(err)
	}
	if versions != 150 || records != 150 || evidence == 0 || reviews < 90 || sentBack == 0 {
		t.Errorf("preloaded %d versions, %d message records, %d evidence files, %d reviews (%d sent back)", versions, records, evidence, reviews, sentBack)
	}
}
