package loadtest

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// FaultReport is what `klabot loadtest --faults` prints.
type FaultReport struct {
	Machine   Machine
	People    int
	Scale     float64
	LoadStart string
	LoadEnd   string
	Took      time.Duration
	Results   []FaultResult
}

// Pass reports whether every fault passed.
func (r FaultReport) Pass() bool {
	for _, f := range r.Results {
		if !f.Pass() {
			return false
		}
	}
	return len(r.Results) > 0
}

// Write prints the table and each fault's figures.
func (r FaultReport) Write(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "klabot loadtest --faults — %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "machine: %d CPUs, %.0f MB memory, %s, %s, Redis %s\n", m.CPUs, m.MemoryMB, m.Go, m.Postgres, m.Redis)
	fmt.Fprintf(w, "load average: %s at start, %s at end; %d simulated focal points per fault, durations × %.2g, production pacing; %s in all\n",
		r.LoadStart, r.LoadEnd, r.People, r.Scale, r.Took.Round(time.Second))
	fmt.Fprintf(w, "%-14s %6s %6s %5s %7s %5s %5s %7s  %s\n", "fault", "sent", "stored", "told", "wrong-q", "lost", "dup", "unacked", "verdict")
	for _, f := range r.Results {
		t := f.Tally
		verdict := "PASS"
		if !f.Pass() {
			verdict = "FAIL"
		}
		fmt.Fprintf(w, "%-14s %6d %6d %5d %7d %5d %5d %7d  %s\n", f.Name, t.Sent, t.Stored, t.Told, t.WrongQ, t.Lost, t.Twice, t.Unacked, verdict)
	}
	for _, f := range r.Results {
		fmt.Fprintf(w, "\n%s — %s (%s)\n", f.Name, f.Title, f.Took.Round(time.Second))
		if f.Err != nil {
			fmt.Fprintf(w, "  error: %v\n", f.Err)
		}
		if t := f.Tally; t.WrongQ > 0 {
			fmt.Fprintf(w, "  on the wrong question: %d, of which %d typed again after a silence, %d answering the latest prompt received, which the bot had already moved past\n",
				t.WrongQ, t.WrongRetyped, t.WrongQ-t.WrongRetyped)
		}
		for _, d := range f.Details {
			fmt.Fprintf(w, "  %s\n", d)
		}
		for _, p := range f.Problems {
			fmt.Fprintf(w, "  FAIL: %s\n", p)
		}
		if len(f.Tally.Examples) > 0 {
			fmt.Fprintf(w, "  examples: %s\n", strings.Join(f.Tally.Examples, "; "))
		}
	}
	fmt.Fprintf(w, "\nsent: answers and documents sent (typed again after a silence included); stored: on the question the person had been asked; told: not stored, and the person was told (not used, not understood, already attached, send again); wrong-q: stored on another question; lost: acknowledged, then neither stored nor answered; dup: one message stored twice; unacked: never answered 200 by the webhook\n")
}
