package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/careatlas/careatlas/postgres"
)

// bench fold measures what a fold (fold.go) costs the searches of the
// server it runs beside: it serves an index as serve does, searches it at
// a fixed rate with bench fresh's mix, and runs a fold's own build
// (indexCommand, into a directory of its own) in rounds of blocks that
// take turns: the build paused (SIGSTOP), and the build running. Each
// round is compared within itself, so the machine's drift falls on both
// alike, and the report gives the medians of the rounds' changes. The
// build's CPU in each block is read from /proc.

// foldReport is what bench fold prints (--json: as is).
type foldReport struct {
	Command    string      `json:"command"`
	Machine    machineInfo `json:"machine"`
	Documents  uint64      `json:"generation_documents"`
	SearchRate int         `json:"search_rate"`
	Clients    int         `json:"clients"`
	Block      string      `json:"block"`
	Idle       bool        `json:"build_idle"`
	Nice       int         `json:"build_nice"`
	Procs      int         `json:"build_gomaxprocs"`
	// Rounds counts the rounds that searched both blocks.
	Rounds   int     `json:"rounds"`
	Quiet    latency `json:"search_build_paused"`
	Building latency `json:"search_build_running"`
	// BuildCPU is the build's CPU seconds in the blocks it ran.
	BuildCPU float64 `json:"build_cpu_s"`
	// QuietCPU and BuildingCPU are what this process (the server and its
	// clients), the build and a PostgreSQL on this machine used in the
	// blocks of each kind (the build's part of the block it ended in is
	// not counted: its process is gone).
	QuietCPU    cpuUse `json:"cpu_build_paused"`
	BuildingCPU cpuUse `json:"cpu_build_running"`
	// BuildRunning is how long the build ran (its blocks, not the pauses).
	BuildRunning float64 `json:"build_running_s"`
	// Finished says the build ended within the rounds (they stop then),
	// and Built is what it printed.
	Finished bool   `json:"build_finished"`
	Built    string `json:"build_output,omitempty"`
	// One change per round, of the block with the build running over the
	// block with it paused, in percent.
	P50Change       []float64 `json:"p50_change_pct"`
	P99Change       []float64 `json:"p99_change_pct"`
	MedianP50Change float64   `json:"median_p50_change_pct"`
	MedianP99Change float64   `json:"median_p99_change_pct"`
}

func benchFoldCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench fold", "bench fold --index-dir DIR [--database-url URL] [--search-rate 300] [--clients 8] "+
		"[--rounds 12] [--block 10s] [--background-nice 10] [--idle=true] [--procs N] [--json]", stderr)
	dbURL := databaseFlag(fs)
	dir := fs.String("index-dir", "", "index directory to serve, built from the database (careatlas index)")
	searchRate := fs.Int("search-rate", 300, "searches a second, sent on a fixed schedule")
	clients := fs.Int("clients", 8, "concurrent searching clients")
	nRounds := fs.Int("rounds", 12, "rounds of two blocks, the build paused and running (fewer if the build ends first)")
	block := fs.Duration("block", 10*time.Second, "length of each block")
	nice := backgroundFlag(fs)
	idle := fs.Bool("idle", true, "run the build on idle CPU time only, as serve's folds do (false: at --background-nice only)")
	procs := fs.Int("procs", max(1, runtime.NumCPU()-1), "the build's GOMAXPROCS (default: every core but one, as serve's folds; 0: every core)")
	asJSON := fs.Bool("json", false, "print one JSON object with every figure")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case *dir == "":
		return fmt.Errorf("bench fold: --index-dir is required (an index built by careatlas index from --database-url)")
	case *searchRate < 1 || *clients < 1:
		return fmt.Errorf("bench fold: --search-rate and --clients must be at least 1")
	case *nRounds < 1 || *block < 100*time.Millisecond:
		return fmt.Errorf("bench fold: --rounds must be at least 1 and --block at least 100ms")
	case *procs < 0:
		return fmt.Errorf("bench fold: --procs %d: must be 0 or more", *procs)
	}
	if err := checkBackgroundNice(*nice); err != nil {
		return err
	}
	pool, err := postgres.Connect(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	paths, err := freshQueries(ctx, pool)
	if err != nil {
		return err
	}
	lv, base, stopServing, err := serveIndexLoopback(*dir)
	if err != nil {
		return fmt.Errorf("bench fold: %w", err)
	}
	defer stopServing()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * *clients}}
	rep := &foldReport{Command: "careatlas bench fold " + strings.Join(args, " "), Machine: machine(ctx, pool),
		SearchRate: *searchRate, Clients: *clients, Block: block.String(), Idle: *idle, Nice: *nice, Procs: *procs}
	if snap, err := lv.Acquire(); err == nil {
		rep.Documents, _ = snap.Index.DocCount()
		snap.Release()
	}
	// The sort orders and spans a server makes on first use are made
	// before anything is measured.
	if _, err := searchLatencies(ctx, client, base, paths, *clients, *searchRate, *block); err != nil {
		return fmt.Errorf("bench fold: warm up: %w", err)
	}
	if err := measureFold(ctx, rep, *dbURL, client, base, paths, *nRounds, *block); err != nil {
		return err
	}
	return writeReport(stdout, *asJSON, rep, func(w io.Writer) { printFoldReport(w, rep) })
}

// measureFold runs the build and the rounds, and fills rep.
func measureFold(ctx context.Context, rep *foldReport, dbURL string, client *http.Client, base string, paths []string,
	nRounds int, block time.Duration) error {
	buildDir, err := os.MkdirTemp("", "careatlas-bench-fold-")
	if err != nil {
		return fmt.Errorf("bench fold: %w", err)
	}
	defer os.RemoveAll(buildDir)
	buildCtx, stopBuild := context.WithCancel(ctx)
	defer stopBuild()
	cmd, err := indexCommand(buildCtx, buildDir, dbURL, buildOptions{nice: rep.Nice, idle: rep.Idle, procs: rep.Procs})
	if err != nil {
		return err
	}
	var out bytes.Buffer
	errOut := &tailBuffer{max: 4 << 10}
	cmd.Stdout, cmd.Stderr = &out, errOut
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("bench fold: start the build: %w", err)
	}
	pid := cmd.Process.Pid
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var buildErr error
	waited := false
	defer func() {
		// However the rounds end: a paused build cannot take its SIGTERM,
		// and the build removes its directory before this one is removed.
		syscall.Kill(pid, syscall.SIGCONT)
		stopBuild()
		if !waited {
			<-done
		}
	}()
	ended := func() bool {
		if rep.Finished || buildErr != nil {
			return true
		}
		select {
		case err := <-done:
			waited = true
			if err != nil {
				buildErr = fmt.Errorf("bench fold: the build failed: %w: %s", err, errOut.lastLine())
			} else {
				rep.Finished, rep.Built = true, strings.TrimSpace(out.String())
			}
			return true
		default:
			return false
		}
	}
	var quiet, building []time.Duration
	for r := range nRounds {
		var lat [2]latency // paused, running
		measured := 0
		for i := range 2 {
			running := (i+r)%2 == 1 // the order turns each round
			if ended() {
				break
			}
			sig := syscall.SIGSTOP
			if running {
				sig = syscall.SIGCONT
			}
			if err := syscall.Kill(pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
				return fmt.Errorf("bench fold: signal the build: %w", err)
			}
			cpu, start := cpuNow(), time.Now()
			ds, err := searchLatencies(ctx, client, base, paths, rep.Clients, rep.SearchRate, block)
			if err != nil {
				return fmt.Errorf("bench fold: search: %w", err)
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			used := cpuNow().since(cpu)
			used.Children = max(0, used.Children) // gone once it ended: then ProcessState says
			if running {
				rep.BuildCPU += used.Children
				rep.BuildingCPU = rep.BuildingCPU.plus(used)
				rep.BuildRunning += time.Since(start).Seconds()
				building = append(building, ds...)
				lat[1] = latencyOf(ds)
			} else {
				rep.QuietCPU = rep.QuietCPU.plus(used)
				quiet = append(quiet, ds...)
				lat[0] = latencyOf(ds)
			}
			measured++
		}
		if measured < 2 {
			break
		}
		rep.Rounds++
		rep.P50Change = append(rep.P50Change, change(lat[1].P50, lat[0].P50))
		rep.P99Change = append(rep.P99Change, change(lat[1].P99, lat[0].P99))
		slog.InfoContext(ctx, "bench fold: round", "round", r+1, "paused_p99_ms", lat[0].P99, "running_p99_ms", lat[1].P99)
	}
	ended()
	if buildErr != nil {
		return buildErr
	}
	if rep.Finished { // all of its CPU, the block it ended in too
		rep.BuildCPU = (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	}
	if rep.Rounds == 0 {
		return fmt.Errorf("bench fold: the build ended before a round was measured (%s): use shorter --block", rep.Built)
	}
	rep.Quiet, rep.Building = latencyOf(quiet), latencyOf(building)
	rep.MedianP50Change, rep.MedianP99Change = median(rep.P50Change), median(rep.P99Change)
	return nil
}

func printFoldReport(w io.Writer, r *foldReport) {
	fmt.Fprintf(w, "machine: %d × %s, %.0f GiB, %s\n", r.Machine.CPUs, r.Machine.CPUModel, r.Machine.MemGiB, r.Machine.Go)
	fmt.Fprintf(w, "generation: %d documents; %d searches/s from %d clients\n", r.Documents, r.SearchRate, r.Clients)
	how := fmt.Sprintf("nice %d", r.Nice)
	if r.Idle {
		how += ", idle"
	}
	if r.Procs > 0 {
		how += fmt.Sprintf(", GOMAXPROCS %d", r.Procs)
	}
	fmt.Fprintf(w, "build (%s): ran %.0f s in its blocks, %.1f s of CPU; ", how, r.BuildRunning, r.BuildCPU)
	if r.Finished {
		fmt.Fprintf(w, "finished: %s\n", r.Built)
	} else {
		fmt.Fprintln(w, "stopped after the rounds")
	}
	fmt.Fprintf(w, "searches, %d rounds of %s blocks: build paused p50 %.2f ms, p99 %.2f ms; build running p50 %.2f ms, p99 %.2f ms\n",
		r.Rounds, r.Block, r.Quiet.P50, r.Quiet.P99, r.Building.P50, r.Building.P99)
	for _, c := range []struct {
		name string
		cpu  cpuUse
	}{{"paused", r.QuietCPU}, {"running", r.BuildingCPU}} {
		fmt.Fprintf(w, "CPU, build %s: server and clients %.1f s, build %.1f s, local PostgreSQL %.1f s\n",
			c.name, c.cpu.Process, c.cpu.Children, c.cpu.Postgres)
	}
	fmt.Fprintf(w, "the build's cost, median round: %+.1f%% p50, %+.1f%% p99\n", r.MedianP50Change, r.MedianP99Change)
}
