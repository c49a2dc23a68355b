package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime/trace"
	"sync"
	"time"
)

// slowTrace keeps an execution trace of the moments before the slowest
// search (--slow-trace): a flight recorder holds the last seconds of the
// process's execution, and each search slower than every one before it
// (and than from, --slow-trace-over) writes that window to the file, in
// place of the last. A tail under writes is a moment, not a function: a CPU
// profile spreads it over the minute, where the trace shows what held
// the cores then (go tool trace; -pprof=sched for who waited behind what).
type slowTrace struct {
	path    string
	from    time.Duration
	rec     *trace.FlightRecorder
	mu      sync.Mutex
	slowest time.Duration
	at      time.Time
}

// startSlowTrace starts the flight recorder; "" does nothing.
func startSlowTrace(path string, from time.Duration) (*slowTrace, error) {
	if path == "" {
		return nil, nil
	}
	rec := trace.NewFlightRecorder(trace.FlightRecorderConfig{MinAge: 3 * time.Second, MaxBytes: 64 << 20})
	if err := rec.Start(); err != nil {
		return nil, fmt.Errorf("start the flight recorder: %w", err)
	}
	return &slowTrace{path: path, from: from, rec: rec}, nil
}

// took records a search's time, writing the window when it is the
// slowest yet.
func (s *slowTrace) took(d time.Duration) {
	if s == nil || d < s.from {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= s.slowest {
		return
	}
	if err := s.write(); err != nil {
		slog.Error("bench fresh: write the slowest search's trace", "err", err)
		return
	}
	s.slowest, s.at = d, time.Now()
}

// write replaces the file with the recorder's window, through a
// temporary file: a reader never sees half a trace.
func (s *slowTrace) write() error {
	tmp := s.path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := s.rec.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, s.path)
}

// stop stops the recorder and says what the file holds.
func (s *slowTrace) stop() {
	if s == nil {
		return
	}
	s.rec.Stop()
	if s.slowest > 0 {
		slog.Warn("bench fresh: the trace of the slowest search", "file", s.path, "search_ms", s.slowest.Milliseconds(),
			"ended", s.at.Format(time.RFC3339Nano))
	}
}

type slowTraceKey struct{}

// withSlowTrace has the searches run with ctx time themselves into s (as
// net/http/httptrace hooks a request through its context).
func withSlowTrace(ctx context.Context, s *slowTrace) context.Context {
	if s == nil {
		return ctx
	}
	return context.WithValue(ctx, slowTraceKey{}, s)
}

// withoutSlowTrace has the searches run with ctx not time themselves.
func withoutSlowTrace(ctx context.Context) context.Context {
	return context.WithValue(ctx, slowTraceKey{}, (*slowTrace)(nil))
}

func slowTraceOf(ctx context.Context) *slowTrace {
	s, _ := ctx.Value(slowTraceKey{}).(*slowTrace)
	return s
}
