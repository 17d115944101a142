package loadtest

import (
	"bufio"
	"context"
	"errors"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klabot/klabot/conversations"
)

// Latency summarises a set of durations.
type Latency struct {
	N                  int
	P50, P95, P99, Max time.Duration
}

func latencies(stats []*workerStats, pick func(*workerStats) []time.Duration) Latency {
	var all []time.Duration
	for _, ws := range stats {
		all = append(all, pick(ws)...)
	}
	return summarise(all)
}

func summarise(all []time.Duration) Latency {
	if len(all) == 0 {
		return Latency{}
	}
	slices.Sort(all)
	at := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	return Latency{N: len(all), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: all[len(all)-1]}
}

func (l Latency) String() string {
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 1, 64) }
	return "p50 " + ms(l.P50) + " ms, p95 " + ms(l.P95) + " ms, p99 " + ms(l.P99) + " ms, max " + ms(l.Max) + " ms (n=" + strconv.Itoa(l.N) + ")"
}

// errorKind names an error by the engine's vocabulary, so the report counts kinds, not
// messages.
func errorKind(err error) string {
	kinds := []struct {
		err  error
		name string
	}{
		{conversations.ErrUnavailable, "unavailable"}, {conversations.ErrConflict, "conflict"},
		{conversations.ErrInvalid, "invalid"}, {conversations.ErrNotFound, "not found"},
		{conversations.ErrForbidden, "forbidden"}, {conversations.ErrExpired, "expired"},
		{context.DeadlineExceeded, "timeout"}, {context.Canceled, "canceled"},
	}
	for _, k := range kinds {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	var ke interface{ Kind() string }
	if errors.As(err, &ke) {
		return ke.Kind()
	}
	s := err.Error()
	if len(s) > 60 {
		s = s[:60]
	}
	return "other: " + s
}

// PeakRSSMB is the process's peak resident memory (VmHWM) in MiB; 0 where /proc is missing.
func PeakRSSMB() float64 { return procStatusMB("/proc/self/status", "VmHWM:") }

// procStatusMB reads one kB field of a /proc status file in MiB.
func procStatusMB(path, field string) float64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
