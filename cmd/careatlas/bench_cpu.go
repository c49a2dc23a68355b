package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
)

// cpuUse is CPU time used, in seconds: by this process (the server, its
// follower, and the bench's own clients, and its writers when they run
// here), by its child processes (the bench's writers), and by the
// processes of a PostgreSQL server on this machine (0 when it runs
// elsewhere), with its backends that exited meanwhile.
type cpuUse struct {
	Process  float64 `json:"process_cpu_s"`
	Children float64 `json:"child_processes_cpu_s"`
	Postgres float64 `json:"local_postgres_cpu_s"`
}

// cpuNow reads the CPU time used so far.
func cpuNow() cpuUse {
	var u cpuUse
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		u.Process = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
	}
	self := strconv.Itoa(os.Getpid())
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces, so fields are
		// counted after its closing parenthesis.
		s := string(b)
		open, end := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || end < open {
			continue
		}
		if f := strings.Fields(s[end+1:]); len(f) > 12 && f[1] == self {
			// state ppid …: a child of this process, whose utime and
			// stime count (it runs until the bench ends).
			for _, t := range f[11:13] {
				v, _ := strconv.ParseFloat(t, 64)
				u.Children += v / clockTicks
			}
			continue
		}
		if s[open+1:end] != "postgres" {
			continue
		}
		// utime, stime, and cutime and cstime: the postmaster's children
		// that exited (a pool's connection closed, a follower stopped)
		// would otherwise take the CPU they used out of the sum.
		f := strings.Fields(s[end+1:])
		if len(f) < 15 {
			continue
		}
		for _, t := range f[11:15] {
			v, _ := strconv.ParseFloat(t, 64)
			u.Postgres += v / clockTicks
		}
	}
	return u
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux architecture Go builds for.
const clockTicks = 100

// String names the processes that used CPU: the children only when some
// ran (--writers-process), since writers in this process are counted in
// its own figure and a zero beside them would read as writers that cost
// nothing.
func (u cpuUse) String() string {
	if u.Children == 0 {
		return fmt.Sprintf("this process %.1f s, local PostgreSQL %.1f s", u.Process, u.Postgres)
	}
	return fmt.Sprintf("this process %.1f s, the writers' process %.1f s, local PostgreSQL %.1f s", u.Process, u.Children, u.Postgres)
}

// since is the CPU used between before and u.
func (u cpuUse) since(before cpuUse) cpuUse {
	return cpuUse{Process: u.Process - before.Process, Children: u.Children - before.Children, Postgres: u.Postgres - before.Postgres}
}

// plus is u and v together.
func (u cpuUse) plus(v cpuUse) cpuUse {
	return cpuUse{Process: u.Process + v.Process, Children: u.Children + v.Children, Postgres: u.Postgres + v.Postgres}
}

// schedWaits is how long this process's goroutines have waited to run
// once runnable, so far (runtime/metrics' cumulative histogram). A search
// that waits for a core shows here before it shows in its latency: on a
// machine whose cores the follower's work or PostgreSQL hold, goroutines
// queue.
type schedWaits struct{ h *metrics.Float64Histogram }

const schedLatencies = "/sched/latencies:seconds"

func schedNow() schedWaits {
	s := []metrics.Sample{{Name: schedLatencies}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return schedWaits{}
	}
	return schedWaits{s[0].Value.Float64Histogram()}
}

// schedWait is the distribution of goroutines' waits to run, in
// milliseconds (each the upper bound of its histogram bucket).
type schedWait struct {
	N   uint64  `json:"n"`
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
}

// since is the waits between before and s.
func (s schedWaits) since(before schedWaits) schedWait {
	if s.h == nil || before.h == nil || len(s.h.Counts) != len(before.h.Counts) {
		return schedWait{}
	}
	counts := make([]uint64, len(s.h.Counts))
	var n uint64
	for i := range counts {
		counts[i] = s.h.Counts[i] - before.h.Counts[i]
		n += counts[i]
	}
	at := func(q float64) float64 {
		want, seen := uint64(math.Ceil(q*float64(n))), uint64(0)
		for i, c := range counts {
			if seen += c; seen >= want && c > 0 {
				upper := s.h.Buckets[i+1]
				if math.IsInf(upper, 1) {
					upper = s.h.Buckets[i]
				}
				return upper * 1000
			}
		}
		return 0
	}
	if n == 0 {
		return schedWait{}
	}
	return schedWait{N: n, P50: at(0.50), P99: at(0.99)}
}
