package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/search/live"
)

// Folding: a server that follows the change log keeps what changed since
// its generation in an overlay (search.Overlay), and every search pays for
// the overlay's segments and for the generation's documents it leaves out,
// more as they grow: +15% at 500 changed records, +35% at 19,000 (careatlas
// bench overlay, BENCHMARKS.md). Left alone, the overlay grows until an
// operator reindexes. So once it holds --fold-after records, or leaves out
// as many of the generation's documents, or a rebuild is needed (a bulk
// load replaced a table, or the log was trimmed past the generation's
// position), serve builds a new generation from PostgreSQL itself: it runs
// 'careatlas index' into its own index directory, as a process of its own
// that runs on idle CPU time only and on every core but one (foldBuild;
// not with --background-nice 0), so that the searches go first and the
// build's garbage is not the server's to collect. The generation records its
// change-log position, and the server's reload opens it, replays what came
// during the build, and swaps it in as it would an operator's build: the
// overlay starts again from the changes made during the build.
//
// A fold has its own cost: at a million offers the build takes two to
// three minutes beside the searches and 2 GB, and the searches' p99 is
// worse by a sixth to a half while it runs (BENCHMARKS.md, folds). Where that matters,
// build on another machine and publish to the servers through object
// storage (index --publish, serve --generations), and serve --fold-after 0.
//
// A fold is not started sooner after the last one ended than the last one
// took, so that folding takes at most half of the time; and not while the
// last fold's generation is not served yet.

// foldEnv, set in the environment of a fold's process, marks it as one:
// the test binary then runs careatlas (TestMain) as the real one does.
const foldEnv = "CAREATLAS_FOLD"

// foldCheckEvery is how often the folder looks at the overlay's size.
const foldCheckEvery = 2 * time.Second

// foldRetry is the least wait after a failed fold.
const foldRetry = time.Minute

// defaultFoldAfter is --fold-after: at a million offers a build takes
// about two minutes, and 20,000 changed records cost a search about a
// third more.
const defaultFoldAfter = 20_000

// folder folds serve's overlay into a new generation when it grows.
type folder struct {
	after   uint64 // changed records (or left-out documents) that start a fold
	dir     string // the index directory
	dbURL   string
	nice    int
	live    *live.Live
	rebuild func() string // why a rebuild is needed ("": it is not)

	mu     sync.Mutex
	st     api.FoldStatus
	nextAt time.Time // no fold before
	// waitOn is the generation served when the last fold started: no
	// fold starts while it is still served, until waitUntil (a built
	// generation the reload cannot open is tried again by a fold).
	waitOn    string
	waitUntil time.Time
}

// foldSwapWait is how long a fold waits for the last fold's generation
// to be served before it builds another.
const foldSwapWait = 10 * time.Minute

// Status is what /readyz shows of the folds.
func (f *folder) Status() *api.FoldStatus {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.st
	return &st
}

// run folds whenever due until ctx is done.
func (f *folder) run(ctx context.Context) {
	t := time.NewTicker(foldCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if why := f.due(now); why != "" {
				f.fold(ctx, why)
			}
		}
	}
}

// due says why a fold is due now ("": it is not).
func (f *folder) due(now time.Time) string {
	lf := f.live.Freshness()
	f.mu.Lock()
	defer f.mu.Unlock()
	if lf.Generation == "" || now.Before(f.nextAt) || f.waitOn == lf.Generation && now.Before(f.waitUntil) {
		return ""
	}
	f.waitOn = ""
	if why := f.rebuild(); why != "" {
		return why
	}
	switch {
	case lf.Changed >= f.after:
		return fmt.Sprintf("the overlay holds %d changed records", lf.Changed)
	case lf.Deleted >= f.after:
		return fmt.Sprintf("the overlay leaves out %d of the generation's documents", lf.Deleted)
	}
	return ""
}

// fold builds a new generation in a careatlas index process and waits
// for it. The server's reload serves it.
func (f *folder) fold(ctx context.Context, why string) {
	served := f.live.Path()
	f.mu.Lock()
	f.st.Running = true
	f.mu.Unlock()
	slog.InfoContext(ctx, "fold: building a new generation", "why", why, "index_dir", f.dir, "nice", f.nice)
	start := time.Now()
	summary, err := f.build(ctx)
	took := time.Since(start)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st.Running, f.st.LastSeconds = false, took.Seconds()
	f.nextAt = time.Now().Add(took)
	if err != nil {
		if ctx.Err() != nil {
			return // shutting down: the build removed what it had written
		}
		f.st.LastError = err.Error()
		f.st.Failures++
		f.nextAt = time.Now().Add(max(took, foldRetry))
		slog.ErrorContext(ctx, "fold: the build failed; the overlay is served as it is", "err", err, "took_s", took.Seconds(),
			"retry_in_s", time.Until(f.nextAt).Seconds())
		return
	}
	f.st.Folds++
	f.st.LastError = ""
	f.waitOn, f.waitUntil = served, time.Now().Add(foldSwapWait)
	slog.InfoContext(ctx, "fold: generation built; the server opens it at its next reload", "took_s", took.Seconds(), "build", summary)
}

// build runs careatlas index into f.dir and returns the line it printed.
func (f *folder) build(ctx context.Context) (string, error) {
	cmd, err := indexCommand(ctx, f.dir, f.dbURL, foldBuild(f.nice))
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	errOut := &tailBuffer{max: 4 << 10}
	cmd.Stdout, cmd.Stderr = &out, errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("careatlas index: %w: %s", err, errOut.lastLine())
	}
	return strings.TrimSpace(out.String()), nil
}

// buildOptions are how a fold's build shares the machine with the
// searches.
type buildOptions struct {
	nice  int  // its niceness (0: as the searches)
	idle  bool // on idle CPU time only (index --idle)
	procs int  // its GOMAXPROCS (0: the machine's cores)
}

// foldBuild is how serve's folds build at background niceness nice (0:
// as the searches, every core): idle, and on every core but one. A build
// beside 300 searches a second at a million offers raised their p99 by
// 45–80% while it ran on both cores of this machine, idle or at nice 10
// alike, and by 17–45% on one (bench fold, BENCHMARKS.md "Folds"): what
// the scheduler cannot take back is a core's cache, and the database's
// backends serving the build at normal priority.
func foldBuild(nice int) buildOptions {
	if nice == 0 {
		return buildOptions{}
	}
	return buildOptions{nice: nice, idle: true, procs: max(1, runtime.NumCPU()-1)}
}

// indexCommand is a fold's build: this program's 'careatlas index' into
// dir, as opt says. The database URL is passed in the environment, not
// on the command line that other users of the machine can read. When ctx
// is done the build is asked to stop (SIGTERM), and removes what it
// wrote.
func indexCommand(ctx context.Context, dir, dbURL string, opt buildOptions) (*exec.Cmd, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find this program to run the build: %w", err)
	}
	args := []string{"index", "--index-dir", dir}
	if opt.nice > 0 {
		args = append(args, "--nice", strconv.Itoa(opt.nice))
	}
	if opt.idle {
		args = append(args, "--idle")
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, foldEnv+"=1")
	if opt.procs > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(opt.procs))
	}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 30 * time.Second
	return cmd, nil
}

// tailBuffer keeps the last max bytes written to it: a build's progress
// bar writes for minutes, and only its last words explain a failure.
type tailBuffer struct {
	max int
	b   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > t.max {
		t.b = append(t.b[:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

// lastLine is the last line written that says something (the progress
// bar's redrawn lines split at \r as well as \n).
func (t *tailBuffer) lastLine() string {
	lines := strings.FieldsFunc(string(t.b), func(r rune) bool { return r == '\n' || r == '\r' })
	for i := len(lines) - 1; i >= 0; i-- {
		if s := strings.TrimSpace(lines[i]); s != "" {
			return s
		}
	}
	return "(no output)"
}
