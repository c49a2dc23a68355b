package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// cpuUse is CPU time used, in seconds: by this process (the server, its
// follower, and the bench's own clients and writers), and by the processes
// of a PostgreSQL server on this machine (0 when it runs elsewhere; its
// backends that exited meanwhile are not counted).
type cpuUse struct {
	Process  float64 `json:"process_cpu_s"`
	Postgres float64 `json:"local_postgres_cpu_s"`
}

// cpuNow reads the CPU time used so far.
func cpuNow() cpuUse {
	var u cpuUse
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		u.Process = float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
	}
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
		if open < 0 || end < open || s[open+1:end] != "postgres" {
			continue
		}
		f := strings.Fields(s[end+1:])
		if len(f) < 13 {
			continue
		}
		utime, _ := strconv.ParseFloat(f[11], 64)
		stime, _ := strconv.ParseFloat(f[12], 64)
		u.Postgres += (utime + stime) / clockTicks
	}
	return u
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every
// Linux architecture Go builds for.
const clockTicks = 100

// since is the CPU used between before and u.
func (u cpuUse) since(before cpuUse) cpuUse {
	return cpuUse{Process: u.Process - before.Process, Postgres: u.Postgres - before.Postgres}
}
