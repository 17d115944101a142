package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/klabot/klabot/storage/postgres/pgtest"
)

// TestLoadtestFaultsSmoke runs the fault mode short, with four people, on two faults
// that must pass: /start CODE in a group, and a thousand-odd wrong codes from one chat
// (scaled to 100). Each fault makes a database of its own on the test server and a Redis
// prefix of its own, and drops them afterwards. The full run (every fault, 100 people)
// is manual: BENCHMARKS.md.
func TestLoadtestFaultsSmoke(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": pgtest.URL(t), "LOG_LEVEL": "error"}
	var out, errOut bytes.Buffer
	app := NewApp(func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	defer app.Close()
	err := run(context.Background(), app, []string{"loadtest", "--faults", "--short", "--people", "4", "--only", "group-start,wrong-codes"})
	report := out.String()
	if err != nil {
		t.Fatalf("loadtest --faults: %v\n%s\n%s", err, report, errOut.String())
	}
	for _, f := range []string{"group-start", "wrong-codes"} {
		row := regexp.MustCompile(`(?m)^` + f + `\s+(\d+)\s+(\d+)\s+(\d+)\s+0\s+0\s+0\s+0\s+PASS$`).FindStringSubmatch(report)
		if row == nil {
			t.Errorf("no passing row for %s:\n%s", f, report)
			continue
		}
		if row[1] == "0" {
			t.Errorf("%s: the people sent no answers:\n%s", f, report)
		}
	}
	for _, want := range []string{"0 groups bound", "the chat bound: 0"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}
