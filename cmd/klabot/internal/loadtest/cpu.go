package loadtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// clockTicks is USER_HZ, the unit of /proc CPU times (100 on Linux everywhere that matters).
const clockTicks = 100

// CPUSnapshot is the CPU time used so far by the processes a run involves, from /proc.
type CPUSnapshot struct {
	at    time.Time
	procs map[int]procTicks
	busy  uint64 // the machine's non-idle ticks (all CPUs)
}

type procTicks struct {
	kind  string // self, postgres (this database's backends), postgres-other, redis
	ticks uint64
}

// TakeCPU reads /proc: this process, the Postgres backends serving database db (their
// process titles name it), Postgres' own helpers and other databases, and Redis.
func TakeCPU(db string) CPUSnapshot {
	s := CPUSnapshot{at: time.Now(), procs: map[int]procTicks{}}
	if b, err := os.ReadFile("/proc/stat"); err == nil {
		f := strings.Fields(strings.SplitN(string(b), "\n", 2)[0])
		for i := 1; i < len(f); i++ {
			n, _ := strconv.ParseUint(f[i], 10, 64)
			if i != 4 && i != 5 { // idle, iowait
				s.busy += n
			}
		}
	}
	self := os.Getpid()
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, _ := strconv.Atoi(filepath.Base(d))
		stat, err := os.ReadFile(d + "/stat")
		if err != nil {
			continue
		}
		// comm is in parentheses and may hold spaces: the fields start after the last ')'.
		st := string(stat)
		open, end := strings.IndexByte(st, '('), strings.LastIndexByte(st, ')')
		if open < 0 || end < 0 {
			continue
		}
		comm := st[open+1 : end]
		f := strings.Fields(st[end+1:])
		if len(f) < 13 {
			continue
		}
		utime, _ := strconv.ParseUint(f[11], 10, 64)
		stime, _ := strconv.ParseUint(f[12], 10, 64)
		kind := ""
		switch {
		case pid == self:
			kind = "self"
		case comm == "postgres":
			kind = "postgres-other"
			if cmd, err := os.ReadFile(d + "/cmdline"); err == nil && db != "" && strings.Contains(string(cmd), " "+db+" ") {
				kind = "postgres"
			}
		case strings.HasPrefix(comm, "redis-server"):
			kind = "redis"
		}
		if kind != "" {
			s.procs[pid] = procTicks{kind: kind, ticks: utime + stime}
		}
	}
	return s
}

// CPUUse is CPU time spent between two snapshots, in CPU-seconds.
type CPUUse struct {
	Elapsed                                 time.Duration
	Machine, Self, Postgres, PGOther, Redis float64
}

// Since returns what was used from before to s.
func (s CPUSnapshot) Since(before CPUSnapshot) CPUUse {
	u := CPUUse{Elapsed: s.at.Sub(before.at), Machine: float64(s.busy-before.busy) / clockTicks}
	for pid, p := range s.procs {
		d := float64(p.ticks-before.procs[pid].ticks) / clockTicks
		if b, ok := before.procs[pid]; ok && b.ticks > p.ticks {
			d = 0
		}
		switch p.kind {
		case "self":
			u.Self += d
		case "postgres":
			u.Postgres += d
		case "postgres-other":
			u.PGOther += d
		case "redis":
			u.Redis += d
		}
	}
	return u
}

func (u CPUUse) String() string {
	if u.Elapsed <= 0 {
		return "unknown"
	}
	sec := u.Elapsed.Seconds()
	core := func(x float64) string { return fmt.Sprintf("%.2f", x/sec) }
	other := u.Machine - u.Self - u.Postgres - u.PGOther - u.Redis
	return fmt.Sprintf("cores busy %s of the machine: klabot %s, Postgres backends of this database %s, Postgres other %s, Redis %s, everything else %s",
		core(u.Machine), core(u.Self), core(u.Postgres), core(u.PGOther), core(u.Redis), core(other))
}
