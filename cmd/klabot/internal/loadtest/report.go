package loadtest

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/klabot/klabot/storage/postgres"
)

// LoadAverage returns /proc/loadavg's three averages ("" where /proc is missing): the
// machine is shared, and every figure is only honest next to the load it was taken under.
func LoadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// Machine describes where a run happened.
type Machine struct {
	CPUs     int
	MemoryMB float64
	Go       string
	Postgres string
	Redis    string
}

// ThisMachine fills what the process can see by itself.
func ThisMachine() Machine {
	return Machine{CPUs: runtime.NumCPU(), MemoryMB: procStatusMB("/proc/meminfo", "MemTotal:"), Go: runtime.Version()}
}

// Trips are round trips counted by the proxies.
type Trips struct{ Postgres, Redis int64 }

// Report is everything one `klabot loadtest` run prints.
type Report struct {
	Machine    Machine
	Dataset    *Dataset
	Preloaded  *Preloaded
	Trips      *Trips      // round trips of the measured phase (--count-trips)
	Statements *Statements // pg_stat_statements of the measured phase
	Group      *postgres.GroupStats
	Result     *Result
	Baseline   *Baseline
	Check      *Check
	LoadStart  string
	LoadEnd    string
	CPU        *CPUUse // CPU time by process during the load phase
}

// Write prints the report in plain text, one figure per line.
func (r Report) Write(w io.Writer) {
	m := r.Machine
	fmt.Fprintf(w, "klabot loadtest — %s\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(w, "machine: %d CPUs, %.0f MB memory, %s, %s, Redis %s\n", m.CPUs, m.MemoryMB, m.Go, m.Postgres, m.Redis)
	fmt.Fprintf(w, "load average: %s at start, %s at end\n", r.LoadStart, r.LoadEnd)
	if ds := r.Dataset; ds != nil {
		how := "reused"
		if ds.Generated {
			how = "generated"
		}
		fmt.Fprintf(w, "dataset %s: %d regions × %d OPDs × %d focal points = %d people, %d questions, year %d (%s in %s)\n",
			ds.Spec.Tag, ds.Spec.Regions, ds.Spec.OPDs, ds.Spec.FocalPoints, len(ds.People), ds.Spec.Questions, ds.Spec.Year,
			how, ds.Took.Round(time.Millisecond))
	}
	if p := r.Preloaded; p != nil {
		fmt.Fprintf(w, "preloaded: %d answer versions of years %v stored before the run (%d added in %s)\n",
			p.Versions, p.Years, p.Added, p.Took.Round(time.Millisecond))
	}
	res := r.Result
	if res == nil {
		return
	}
	if res.Warmup > 0 {
		fmt.Fprintf(w, "warm-up: %d dialogues opened (\"mulai\") in %s = %.0f/s, %d errors; not in the figures below\n",
			res.Dialogues, res.Warmup.Round(time.Millisecond), float64(res.Dialogues)/res.Warmup.Seconds(), res.WarmupErrors)
	}
	fmt.Fprintf(w, "mode %s: %d workers, %d active dialogues, %s\n", res.Mode, res.Workers, res.Dialogues, res.Elapsed.Round(time.Millisecond))
	fmt.Fprintf(w, "answers stored: %d = %.0f answers/s\n", res.Answers, res.AnswersPerSec())
	fmt.Fprintf(w, "messages handled: %d = %.0f messages/s (%s)\n", res.Steps, res.StepsPerSec(), kinds(res.ByKind))
	fmt.Fprintf(w, "latency per answer:  %s\n", res.AnswerLat)
	fmt.Fprintf(w, "latency per message: %s\n", res.StepLat)
	fmt.Fprintf(w, "errors: %s; answers not understood: %d; duplicate deliveries: %d, answered again: %d\n",
		errs(res.Errors), res.Corrections, res.Dups, res.DupReplies)
	fmt.Fprintf(w, "bursts (a document, then \"selesai\" at once): %d, handled out of order: %d, \"selesai\" refused after the receipt: %d\n",
		res.Bursts, res.OutOfOrder, res.Refused)
	fmt.Fprintf(w, "a colleague's answer came first (the person was told and chose): %d\n", res.Clashes)
	fmt.Fprintf(w, "people finished: %d of %d\n", res.Finished, res.Dialogues)
	if res.PeakRSSMB > 0 {
		fmt.Fprintf(w, "peak RSS of this process: %.0f MB\n", res.PeakRSSMB)
	}
	if r.CPU != nil {
		fmt.Fprintf(w, "CPU during the load (cores, averaged): %s\n", r.CPU)
	}
	if b := r.Baseline; b != nil && b.Writes > 0 {
		fmt.Fprintf(w, "raw pgx baseline: %d one-answer transactions, %d workers, %s = %.0f writes/s; %s; %d errors\n",
			b.Writes, b.Workers, b.Elapsed.Round(time.Millisecond), b.PerSec(), b.Lat, b.Errors)
		fmt.Fprintf(w, "ratio engine/raw: %.2f\n", res.AnswersPerSec()/b.PerSec())
	}
	if g := r.Group; g != nil {
		fmt.Fprintf(w, "group commit (warm-up included): %d write batches in %d transactions = %.1f per commit, %d sent again alone\n",
			g.Batches, g.Groups, float64(g.Batches)/max(float64(g.Groups), 1), g.Retried)
	}
	if t := r.Trips; t != nil {
		fmt.Fprintf(w, "round trips (counting proxies, measured phase): Postgres %d = %.2f per answer, %.2f per message; Redis %d = %.2f per answer, %.2f per message\n",
			t.Postgres, float64(t.Postgres)/max(float64(res.Answers), 1), float64(t.Postgres)/max(float64(res.Steps), 1),
			t.Redis, float64(t.Redis)/max(float64(res.Answers), 1), float64(t.Redis)/max(float64(res.Steps), 1))
	}
	if st := r.Statements; st != nil {
		st.Write(w, res.Answers, res.Steps, 25)
	}
	if c := r.Check; c != nil {
		fmt.Fprintf(w, "check: %s\n", c)
	}
}

func kinds(m map[string]int) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	var parts []string
	for _, k := range ks {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

func errs(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	return kinds(m)
}
