package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/background"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
	"github.com/jackc/pgx/v5/pgxpool"
)

// 'careatlas bench fresh' measures freshness (issue 12) against a database
// and an index built from it: how soon a committed change is visible in
// search under a steady write load while clients search, what that load
// costs the searches, and how long the server takes to catch up after it
// was disconnected from the change log. The server runs in the process
// (the index, the change-log follower serve runs, the HTTP API on
// loopback); the writes go to the database as any application's would,
// each in its own transaction. The bench leaves the catalogue as valid as
// it found it: the offers and posts it inserts are deleted, the prices it
// marks are put back; the prices, review counts and exchange rates it
// edits stay edited.

// freshReport is what 'careatlas bench fresh' measures; --json prints it.
type freshReport struct {
	Command string      `json:"command"`
	Machine machineInfo `json:"machine"`
	Offers  int64       `json:"offers"`
	Rate    int         `json:"changes_per_second"`
	Clients int         `json:"clients"`
	// SearchRate is the searches a second the clients send between them
	// on a fixed schedule, each timed from when it was due; 0: each
	// client sends its next search when the last is answered (the
	// machine saturated, so the figures measure what the writes take
	// from the searches' share of the CPU).
	SearchRate int     `json:"searches_per_second,omitempty"`
	Quiet      latency `json:"search_without_writes"`
	Loaded     latency `json:"search_under_writes"`
	QuietCPU   cpuUse  `json:"cpu_without_writes"`
	LoadedCPU  cpuUse  `json:"cpu_under_writes"`
	// QuietWait and LoadedWait are how long this process's goroutines
	// waited for a core once runnable, in each search phase.
	QuietWait  schedWait `json:"goroutine_wait_without_writes"`
	LoadedWait schedWait `json:"goroutine_wait_under_writes"`
	Refresh    string    `json:"refresh"`
	// BackgroundIdle says whether background work ran on idle CPU time
	// (--background-idle, where the process may lift it out again),
	// BackgroundNice is --background-nice, and Procs the GOMAXPROCS the
	// server ran with (background.Setup raises it when background work is
	// lowered).
	BackgroundIdle bool `json:"background_idle"`
	BackgroundNice int  `json:"background_nice"`
	Procs          int  `json:"gomaxprocs"`
	// Lifted is how many background goroutines waited long enough for a
	// core to be lifted out of idle CPU time (background.LiftAfter).
	Lifted int64 `json:"background_lifted"`
	// Unfollowed is the searches under the same writes with the follower
	// stopped (--unfollowed): the overlay's searches without the
	// follower's work beside them.
	Unfollowed *underWrites `json:"search_under_writes_unfollowed,omitempty"`
	// Floor is the searches under the same writes, the follower applying
	// them, on the generation alone (--floor): what sharing the machine
	// with the writes and the follower costs a search with no overlay to
	// read, the least a search under writes can cost here.
	Floor *underWrites `json:"search_under_writes_generation_alone,omitempty"`
	// FloorUnfollowed is the same with the follower stopped: what the
	// writers and PostgreSQL alone take from a search on this machine.
	FloorUnfollowed *underWrites `json:"search_under_writes_generation_alone_unfollowed,omitempty"`
	Visible         latency      `json:"visible_after_commit"`
	Written         int64        `json:"changes_written"`
	Kinds           []string     `json:"change_kinds"`
	RateChanges     int64        `json:"exchange_rate_changes"`
	Catchup         *catchup     `json:"catch_up,omitempty"`
	Initial         float64      `json:"seconds_to_catch_up_before_measuring"`
	// Rounds is --rounds: the phases again in short blocks that take
	// turns, the figures the latency target is judged by.
	Rounds      *rounds `json:"rounds,omitempty"`
	Segments    int     `json:"segments_at_end"`
	ChangedDocs uint64  `json:"overlay_records_at_end"`
}

// latency is a distribution in milliseconds.
type latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

func latencyOf(ds []time.Duration) latency {
	if len(ds) == 0 {
		return latency{}
	}
	slices.Sort(ds)
	return latency{N: len(ds), P50: percentile(ds, 0.50), P99: percentile(ds, 0.99),
		Max: float64(ds[len(ds)-1].Microseconds()) / 1000}
}

// underWrites is one search phase under the writes besides the main
// one. --unfollowed searches the overlay as the phase under writes left
// it, with the follower stopped: the overlay's searches without the
// follower's work beside them. --floor searches the generation alone,
// with the follower applying the writes and then stopped: what sharing
// the machine with the follower, the writers and PostgreSQL costs a
// search that reads no overlay. The phase under writes less the floor is
// what the overlay's searches cost.
type underWrites struct {
	Search latency   `json:"search"`
	CPU    cpuUse    `json:"cpu"`
	Wait   schedWait `json:"goroutine_wait"`
}

// catchup is the disconnected scenario.
type catchup struct {
	Disconnected string  `json:"disconnected"`
	Changes      int64   `json:"changes_while_disconnected"`
	Seconds      float64 `json:"seconds_to_catch_up"`
	// WritesCPU is the CPU the writes alone used while the server was
	// cut off: the writers here, the transactions and their log triggers
	// in PostgreSQL. What the searches under writes lose beyond it is
	// the follower's.
	WritesCPU cpuUse `json:"cpu_of_writes_alone"`
}

func benchFreshCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench fresh", "bench fresh --index-dir DIR [--database-url URL] [--rate 100] [--duration 2m] [--disconnected 10m]", stderr)
	dbURL := databaseFlag(fs)
	dir := fs.String("index-dir", "", "index directory built from the database (careatlas index)")
	rate := fs.Int("rate", 100, "changes per second written, of mixed kinds")
	clients := fs.Int("clients", 8, "concurrent searching clients")
	searchRate := fs.Int("search-rate", 0, "searches a second the clients send on a fixed schedule (0: each as soon as the last is answered)")
	duration := fs.Duration("duration", 2*time.Minute, "length of each search run (without, then with writes)")
	disconnected := fs.Duration("disconnected", 10*time.Minute, "how long the server is cut off from the change log before it catches up (0: skip)")
	rateEvery := fs.Duration("rate-every", time.Minute, "how often an exchange rate changes within the writes (0: never)")
	asJSON := fs.Bool("json", false, "print one JSON object with every figure")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the searches under writes to this file")
	quietProfile := fs.String("quiet-cpuprofile", "", "write a CPU profile of the searches without writes to this file (to compare: pprof -diff_base)")
	refresh := fs.Duration("refresh", changesGather, "serve --refresh: how long changes gather before they are applied as one batch")
	unfollow := fs.Bool("unfollowed", false, "search under the writes once more for --duration with the follower stopped: the overlay's searches without the follower's work beside them (with --rounds, also a block of it in every round)")
	floor := fs.Bool("floor", false, "search under the writes for --duration on the generation alone, the follower applying them, then as long with it stopped: what sharing the machine costs a search with no overlay to read")
	floorProfile := fs.String("floor-cpuprofile", "", "with --floor, write a CPU profile of that phase to this file")
	unfollowedProfile := fs.String("unfollowed-cpuprofile", "", "with --unfollowed, write a CPU profile of that phase to this file")
	nRounds := fs.Int("rounds", 0, "then search in this many rounds of short blocks that take turns, without and under writes (and with --floor on the generation alone), so the machine's drift falls on each alike (0: not)")
	block := fs.Duration("block", 10*time.Second, "with --rounds, the length of each block")
	warm := fs.Duration("warm-up", 5*time.Second, "before measuring, search untimed for this long without writes, then as long under writes (0: not)")
	slowTracePath := fs.String("slow-trace", "", "write an execution trace of the seconds before the slowest search under writes to this file (go tool trace)")
	slowTraceOver := fs.Duration("slow-trace-over", 50*time.Millisecond, "with --slow-trace, the least a search takes to be traced")
	ownProcess := fs.Bool("writers-process", false, "run the bench's writers in a child process of their own, as an application writing to the database runs apart from the server, their CPU reported apart (default: goroutines in this process, beside the server)")
	lowerWriters := fs.Bool("lower-writers", false, "run the bench's writers as background work (--background-idle, --background-nice): the load generator's CPU then yields to the searches, as writers on other machines take none of it (not with --writers-process)")
	control := fs.Bool("control", false, "with --rounds, search the blocks meant to be under writes without writes too: an A/A comparison whose changes are the rounds' own noise (not with --floor)")
	attribute := fs.Bool("attribute", false, "with --rounds, count the slow searches of each kind of block by what ran beside them: the collector's mark phases, the follower's batches and merges")
	heapProfile := fs.String("heapprofile", "", "write a profile of the heap in use to this file once the searches under writes are done (with --rounds, after them): the overlay as the writes left it, which the collector marks")
	mutexProfile := fs.String("mutexprofile", "", "write a profile of the waits for locks (go tool pprof; the runtime's own with GODEBUG=runtimecontentionstacks=1) under writes to this file: with --rounds, over the rounds' blocks")
	allocProfile := fs.String("allocprofile", "", "write profiles of what was allocated to this file: FILE.base as the writes start, FILE once the searches under writes are done (with --rounds, after them); compare with go tool pprof -sample_index=alloc_space -diff_base FILE.base FILE")
	catchupProfile := fs.String("catchup-cpuprofile", "", "write a CPU profile of the catch-up after the disconnection to this file")
	nice, idle := backgroundFlag(fs), backgroundIdleFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := checkBackgroundNice(*nice); err != nil {
		return err
	}
	if *dir == "" || *rate < 1 || *rate > 10_000 || *clients < 1 || *clients > 256 || *duration <= 0 || *disconnected < 0 ||
		*searchRate < 0 || *searchRate > 100_000 || *refresh < minRefresh || *refresh > maxRefresh ||
		*nRounds < 0 || *nRounds > 1000 || *block <= 0 || *warm < 0 {
		return fmt.Errorf("--index-dir is required; --rate 1–10000, --clients 1–256, --search-rate 0–100000, --duration positive, --disconnected not negative, --refresh %s–%s, --rounds 0–1000, --block positive, --warm-up not negative", minRefresh, maxRefresh)
	}
	if *lowerWriters && *ownProcess {
		return fmt.Errorf("--lower-writers lowers goroutines in this process: not with --writers-process")
	}
	if *control && (*floor || *unfollow || *nRounds == 0) {
		// --floor and --unfollowed add blocks under writes that a control
		// would write in, unlike its own.
		return fmt.Errorf("--control needs --rounds, and not --floor or --unfollowed")
	}
	setupBackground(*nice, *idle) // as serve does
	cfg, err := pgxpool.ParseConfig(*dbURL)
	if err != nil {
		return fmt.Errorf("database url: %w", err)
	}
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to database: %w", err)
	}
	defer pool.Close()
	if err := pool.Ping(ctx); err != nil {
		return fmt.Errorf("connect to database (pass --database-url or set DATABASE_URL): %w", err)
	}
	lv, base, stopHTTP, err := serveIndexLoopback(*dir)
	if err != nil {
		return err
	}
	defer stopHTTP()

	rep := &freshReport{Command: "careatlas bench fresh " + strings.Join(args, " "), Machine: machine(ctx, pool),
		Rate: *rate, Clients: *clients, SearchRate: *searchRate, Refresh: refresh.String(),
		BackgroundIdle: background.Idling(), BackgroundNice: *nice, Procs: runtime.GOMAXPROCS(0)}
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM offers`).Scan(&rep.Offers); err != nil {
		return fmt.Errorf("count offers: %w", err)
	}
	w, err := newFreshWriter(ctx, pool, *rateEvery)
	if err != nil {
		return err
	}
	w.lowered = *lowerWriters
	defer w.cleanUp(context.WithoutCancel(ctx))
	if *ownProcess {
		if err := w.spawnWriters(ctx, *dbURL); err != nil {
			return err
		}
		defer func() {
			if err := w.close(); err != nil {
				slog.Error("bench fresh", "err", err)
			}
		}()
	}
	rep.Kinds = w.kinds()
	paths, err := freshQueries(ctx, pool)
	if err != nil {
		return err
	}
	f := &changes{pool: pool, src: postgres.Source{Pool: pool}, live: lv, synced: func(context.Context) {}, gather: *refresh}
	follow := startFollower(ctx, f)
	defer follow.pause()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients * 2}, Timeout: time.Minute}

	// The index may be older than the log: measure from a server that has
	// caught up with it.
	initial, err := caughtUp(ctx, w, client, base, lv, time.Hour)
	if err != nil {
		return err
	}
	rep.Initial = initial.Seconds()
	slog.Warn("bench fresh: caught up with the log", "seconds", rep.Initial)
	if *warm > 0 {
		if err := warmUpFresh(ctx, w, client, base, lv, paths, *clients, *searchRate, *rate, *warm); err != nil {
			return err
		}
	}

	slog.Info("bench fresh: searching without writes", "clients", *clients, "for", *duration)
	stopQuietProfile, err := profileTo(*quietProfile)
	if err != nil {
		return err
	}
	cpu, waits := cpuNow(), schedNow()
	quiet, err := searchLatencies(ctx, client, base, paths, *clients, *searchRate, *duration)
	stopQuietProfile()
	if err != nil {
		return err
	}
	rep.Quiet, rep.QuietCPU, rep.QuietWait = latencyOf(quiet), cpuNow().since(cpu), schedNow().since(waits)
	slog.Warn("bench fresh: search without writes", "latency", rep.Quiet)

	tracer, err := startSlowTrace(*slowTracePath, *slowTraceOver)
	if err != nil {
		return err
	}
	defer tracer.stop()
	traced := withSlowTrace(ctx, tracer)

	slog.Info("bench fresh: searching under writes", "changes_per_second", *rate)
	stopProfile, err := profileTo(*cpuProfile)
	if err != nil {
		return err
	}
	stopContention := func() error { return nil }
	if *nRounds == 0 {
		stopContention = contentionTo(*mutexProfile)
	}
	if err := writeCollectedProfile("allocs", *allocProfile, ".base"); err != nil {
		return err
	}
	cpu, waits = cpuNow(), schedNow()
	writeCtx, stopWrites := context.WithCancel(ctx)
	writing := w.start(writeCtx, *rate)
	probes := make(chan []time.Duration, 1)
	go func() { probes <- w.probe(writeCtx, client, base, *refresh) }()
	loaded, err := searchLatencies(traced, client, base, paths, *clients, *searchRate, *duration)
	rep.LoadedCPU, rep.LoadedWait = cpuNow().since(cpu), schedNow().since(waits)
	stopProfile()
	contended := stopContention()
	stopWrites()
	visible := <-probes
	if err := errors.Join(err, writing(), contended); err != nil {
		return err
	}
	rep.Loaded, rep.Visible = latencyOf(loaded), latencyOf(visible)
	written, _, err := w.counts()
	if err != nil {
		return err
	}
	slog.Warn("bench fresh: under writes", "search", rep.Loaded, "visible", rep.Visible, "written", written)

	if *floor {
		if rep.Floor, rep.FloorUnfollowed, err = benchFloor(ctx, w, client, base, lv, paths, *clients, *searchRate, *rate, *duration,
			follow, *floorProfile); err != nil {
			return err
		}
	}
	if *unfollow {
		if rep.Unfollowed, err = benchUnfollowed(ctx, w, client, base, paths, *clients, *searchRate, *rate, *duration,
			follow, lv, *unfollowedProfile); err != nil {
			return err
		}
	}
	if *nRounds > 0 {
		slog.Info("bench fresh: searching in rounds of blocks that take turns", "rounds", *nRounds, "block", *block)
		rctx := traced
		if *attribute {
			a := startAttribution(lv)
			defer a.close()
			rctx = withAttribution(traced, a)
		}
		opt := roundsOptions{floor: *floor, control: *control}
		if *unfollow {
			opt.unfollowed = follow
		}
		stopContention := contentionTo(*mutexProfile)
		if rep.Rounds, err = benchRounds(rctx, w, client, base, lv, paths, *clients, *searchRate, *rate, *nRounds, *block, opt); err != nil {
			return err
		}
		if err := stopContention(); err != nil {
			return err
		}
	}
	if err := writeCollectedProfile("allocs", *allocProfile, ""); err != nil {
		return err
	}
	if err := writeCollectedProfile("heap", *heapProfile, ""); err != nil {
		return err
	}
	if *disconnected > 0 {
		slog.Info("bench fresh: the server is cut off from the change log", "for", *disconnected)
		if rep.Catchup, err = benchCatchup(ctx, w, client, base, *rate, *disconnected, follow, *catchupProfile); err != nil {
			return err
		}
	}
	if rep.Written, rep.RateChanges, err = w.counts(); err != nil {
		return err
	}
	lf := lv.Freshness()
	rep.Segments, rep.ChangedDocs, rep.Lifted = lf.Segments, lf.Changed, background.Lifted()
	return writeReport(stdout, *asJSON, rep, func(w io.Writer) { printFresh(w, rep) })
}

// serveIndexLoopback opens the index in dir and serves it as
// serveFreshLoopback does; stop stops serving it and closes it.
func serveIndexLoopback(dir string) (lv *live.Live, base string, stop func(), err error) {
	if lv, err = live.New(dir); err != nil {
		return nil, "", nil, err
	}
	if !lv.Ready() {
		lv.Close()
		return nil, "", nil, fmt.Errorf("no index in %s: build one with careatlas index", dir)
	}
	base, stopHTTP, err := serveFreshLoopback(lv)
	if err != nil {
		lv.Close()
		return nil, "", nil, err
	}
	return lv, base, func() { stopHTTP(); lv.Close() }, nil
}

// serveFreshLoopback serves the API as serveLoopback does, with a search
// budget of a minute: a shared machine's slow moments are measured, not
// cut off as over budget.
func serveFreshLoopback(lv api.Snapshots) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: api.New(lv, api.Options{SearchTimeout: time.Minute, SearchBudget: time.Minute,
		Auth: auth.Config{PublicSearch: true, AnonymousRate: auth.Rate{PerMinute: -1}}}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// freshQueries is the search mix of 'bench fresh', the shapes of bench's
// classes (text, facets, price sort in euros, filters, broad facets):
// twenty lay names the offers are found by, and twenty country and
// category pairs.
func freshQueries(ctx context.Context, pool *pgxpool.Pool) ([]string, error) {
	terms, err := strings1(ctx, pool, `SELECT l FROM (SELECT DISTINCT lower(l) AS l FROM treatments t,
		unnest(t.lay_names) l WHERE length(l) BETWEEN 5 AND 30) x ORDER BY md5(l) LIMIT 20`)
	if err != nil || len(terms) == 0 {
		return nil, fmt.Errorf("bench fresh: pick text queries (treatments need lay names): %v", err)
	}
	var paths []string
	for _, t := range terms {
		q := url.QueryEscape(t)
		paths = append(paths, "/v1/search?type=offer&q="+q,
			"/v1/search?type=offer&facets=country,category,kind&q="+q,
			"/v1/search?type=offer&sort=price_asc&currency=EUR&q="+q)
	}
	rows, err := pool.Query(ctx, `SELECT f.country_code, t.category FROM offers o
		JOIN facilities f ON f.id = o.facility_id JOIN treatments t ON t.id = o.treatment_id
		WHERE o.id IN (SELECT id FROM offers ORDER BY id LIMIT 20000)
		GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 20`)
	if err != nil {
		return nil, fmt.Errorf("bench fresh: pick filter queries: %w", err)
	}
	for rows.Next() {
		var country, category string
		if err := rows.Scan(&country, &category); err != nil {
			return nil, err
		}
		paths = append(paths, fmt.Sprintf("/v1/search?type=offer&sort=price_asc&country=%s&category=%s",
			url.QueryEscape(country), url.QueryEscape(category)),
			"/v1/search?type=offer&sort=rating&facets=country,kind,city&category="+url.QueryEscape(category))
	}
	return paths, rows.Err()
}

// follower runs serve's change-log follower, which the bench stops (the
// server cut off from the log, or idle beside the writes) and starts
// again.
type follower struct {
	ctx  context.Context
	c    *changes
	stop func() // nil: stopped
}

// startFollower starts c's follower until ctx is done or it is paused.
func startFollower(ctx context.Context, c *changes) *follower {
	f := &follower{ctx: ctx, c: c}
	f.resume()
	return f
}

// pause stops the follower and waits until it has.
func (f *follower) pause() {
	if f.stop != nil {
		f.stop()
		f.stop = nil
	}
}

// resume starts the follower again where it stopped.
func (f *follower) resume() {
	if f.stop != nil {
		return
	}
	ctx, cancel := context.WithCancel(f.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		f.c.run(ctx)
	}()
	f.stop = func() {
		cancel()
		<-done
	}
}

// benchUnfollowed searches for d under the writes with the follower
// stopped, then starts it again and waits until it has caught up and its
// merges are done.
func benchUnfollowed(ctx context.Context, w *freshWriter, client *http.Client, base string, paths []string,
	clients, searchRate, rate int, d time.Duration, follow *follower, lv *live.Live, profile string) (*underWrites, error) {
	slog.Info("bench fresh: searching under writes, the follower stopped", "for", d)
	follow.pause()
	out, err := searchUnderWrites(ctx, w, client, base, paths, clients, searchRate, rate, d, profile)
	if err != nil {
		return nil, err
	}
	slog.Warn("bench fresh: under writes, the follower stopped", "search", out.Search)
	follow.resume()
	if _, err := caughtUp(ctx, w, client, base, lv, 5*time.Minute); err != nil {
		return nil, err
	}
	return out, nil
}

// searchUnderWrites searches the API at base for d while rate changes a
// second are written (searchBlock), profiling the phase to profile ("":
// not).
func searchUnderWrites(ctx context.Context, w *freshWriter, client *http.Client, base string, paths []string,
	clients, searchRate, rate int, d time.Duration, profile string) (*underWrites, error) {
	stopProfile, err := profileTo(profile)
	if err != nil {
		return nil, err
	}
	waits := schedNow()
	lat, cpu, err := searchBlock(ctx, w, client, base, paths, clients, searchRate, rate, d, true)
	wait := schedNow().since(waits)
	stopProfile()
	if err != nil {
		return nil, err
	}
	return &underWrites{Search: latencyOf(lat), CPU: cpu, Wait: wait}, nil
}

// generationOnly serves the generation as it was built, without the
// changes applied on top (Live.AcquireGeneration).
type generationOnly struct{ lv *live.Live }

func (g generationOnly) Acquire() (*live.Snapshot, error) { return g.lv.AcquireGeneration() }

// benchFloor searches for d under the writes, the follower applying them
// as in the phase under writes, on the generation alone, served on a
// loopback port of its own: the searches share the machine with the
// writers, PostgreSQL and the follower, and read no overlay. Then it
// searches as long with the follower stopped (the writers and PostgreSQL
// alone), starts it again and waits until it has caught up.
func benchFloor(ctx context.Context, w *freshWriter, client *http.Client, base string, lv *live.Live, paths []string,
	clients, searchRate, rate int, d time.Duration, follow *follower, profile string) (*underWrites, *underWrites, error) {
	slog.Info("bench fresh: searching under writes on the generation alone", "for", d)
	gen, stopHTTP, err := serveFreshLoopback(generationOnly{lv})
	if err != nil {
		return nil, nil, err
	}
	defer stopHTTP()
	followed, err := searchUnderWrites(ctx, w, client, gen, paths, clients, searchRate, rate, d, profile)
	if err != nil {
		return nil, nil, err
	}
	slog.Warn("bench fresh: under writes, the generation alone", "search", followed.Search)
	follow.pause()
	alone, err := searchUnderWrites(ctx, w, client, gen, paths, clients, searchRate, rate, d, "")
	if err != nil {
		return nil, nil, err
	}
	slog.Warn("bench fresh: under writes, the generation alone, the follower stopped", "search", alone.Search)
	follow.resume()
	if _, err := caughtUp(ctx, w, client, base, lv, 5*time.Minute); err != nil {
		return nil, nil, err
	}
	return followed, alone, nil
}

// warmUpFresh searches untimed for d without writes, then as long under
// writes, and waits until the server has caught up and merged: a server
// that has been serving has made the orders its sorts walk and the price
// spans its recounts read (each on first use, at a million offers most of
// a second), which a measured phase must not pay for.
func warmUpFresh(ctx context.Context, w *freshWriter, client *http.Client, base string, lv *live.Live, paths []string,
	clients, searchRate, rate int, d time.Duration) error {
	slog.Info("bench fresh: warming up, without writes then under them", "for", d)
	if _, err := searchLatencies(ctx, client, base, paths, clients, searchRate, d); err != nil {
		return fmt.Errorf("warm up: %w", err)
	}
	if _, err := searchUnderWrites(ctx, w, client, base, paths, clients, searchRate, rate, d, ""); err != nil {
		return fmt.Errorf("warm up: %w", err)
	}
	_, err := caughtUp(ctx, w, client, base, lv, 5*time.Minute)
	return err
}

// caughtUp waits until a change committed now is visible, within the
// time given, and then until the merges the catch-up started are done,
// so that they do not run beside the next phase's searches. It returns
// how long the change took to be visible.
func caughtUp(ctx context.Context, w *freshWriter, client *http.Client, base string, lv *live.Live,
	within time.Duration) (time.Duration, error) {
	start := time.Now()
	probe, err := w.mark(ctx)
	if err != nil {
		return 0, err
	}
	if _, err := w.waitVisible(ctx, client, base, probe, within); err != nil {
		f := lv.Freshness()
		return 0, fmt.Errorf("%w (the server had applied the log up to %s, the last batch at %s, into %d segments; it holds the offer %s)",
			err, f.Position, f.Applied.Format(time.RFC3339Nano), f.Segments, heldOffer(ctx, lv, probe.offer))
	}
	took := time.Since(start)
	if err := w.unmark(ctx, probe); err != nil {
		return 0, err
	}
	for settle := time.Now().Add(5 * time.Minute); lv.Merging() && time.Now().Before(settle); {
		sleep(ctx, 100*time.Millisecond)
	}
	return took, nil
}

// heldOffer says what the server holds of an offer: its price, or why
// there is none.
func heldOffer(ctx context.Context, lv *live.Live, id int64) string {
	snap, err := lv.Acquire()
	if err != nil {
		return err.Error()
	}
	defer snap.Release()
	r, err := snap.Get(ctx, search.TypeOffer, id)
	switch {
	case err != nil:
		return err.Error()
	case r == nil:
		return "deleted"
	case r.Price == nil:
		return "unpriced"
	}
	return fmt.Sprintf("at %v %s", r.Price.Amount, r.Price.Currency)
}

// benchCatchup stops the follower, writes for d, then starts it again and
// times how long a change committed when it starts takes to be visible
// (the writes go on meanwhile).
func benchCatchup(ctx context.Context, w *freshWriter, client *http.Client, base string, rate int, d time.Duration,
	follow *follower, profile string) (*catchup, error) {
	follow.pause()
	before, _, err := w.counts()
	if err != nil {
		return nil, err
	}
	writeCtx, stopWrites := context.WithCancel(ctx)
	defer stopWrites()
	cpu := cpuNow()
	writing := w.start(writeCtx, rate)
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-time.After(d):
	}
	out := &catchup{Disconnected: d.String(), WritesCPU: cpuNow().since(cpu)}
	written, _, err := w.counts()
	if err != nil {
		return nil, err
	}
	out.Changes = written - before
	probe, err := w.mark(ctx)
	if err != nil {
		return nil, err
	}
	stopProfile, err := profileTo(profile)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	follow.resume()
	seen, err := w.waitVisible(ctx, client, base, probe, 5*time.Minute)
	stopProfile()
	stopWrites()
	if err := errors.Join(err, writing()); err != nil {
		return nil, err
	}
	out.Seconds = seen.Sub(start).Seconds()
	slog.Warn("bench fresh: caught up after the disconnection", "catch_up", out)
	return out, w.unmark(ctx, probe)
}

// searchLatencies runs the queries of paths from clients concurrent
// clients for d. With rate 0 each client sends its next query when the
// last is answered; otherwise the clients send rate queries a second
// between them on a fixed schedule, and each is timed from when it was
// due, so a server that falls behind is charged for the wait (no
// coordinated omission).
func searchLatencies(ctx context.Context, client *http.Client, base string, paths []string, clients, rate int,
	d time.Duration) ([]time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	tracer, attr := slowTraceOf(ctx), attributionOf(ctx)
	begin := time.Now()
	for i := range clients {
		wg.Go(func() {
			var mine []time.Duration
			defer func() {
				mu.Lock()
				all = append(all, mine...)
				mu.Unlock()
			}()
			var every time.Duration
			due := begin
			if rate > 0 {
				every = time.Duration(clients) * time.Second / time.Duration(rate)
				due = begin.Add(time.Duration(i) * every / time.Duration(clients))
			}
			for ctx.Err() == nil {
				start := time.Now()
				if rate > 0 {
					if wait := time.Until(due); wait > 0 {
						sleep(ctx, wait)
						if ctx.Err() != nil {
							return
						}
					}
					start, due = due, due.Add(every)
				}
				p := paths[int(next.Add(1))%len(paths)]
				if err := getOK(ctx, client, base+p); err != nil {
					if ctx.Err() == nil {
						errs <- err
					}
					return
				}
				took := time.Since(start)
				tracer.took(took)
				attr.searched(p, start, took)
				mine = append(mine, took)
			}
		})
	}
	wg.Wait()
	close(errs)
	return all, <-errs
}

func getOK(ctx context.Context, client *http.Client, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return nil
}

func printFresh(w io.Writer, r *freshReport) {
	fmt.Fprintf(w, "%s\n%d offers, %d changes/s (%s), %d clients, %d changes written\n", r.Command, r.Offers, r.Rate,
		strings.Join(r.Kinds, ", "), r.Clients, r.Written)
	fmt.Fprintf(w, "machine: %d CPUs %s, %.1f GiB, PostgreSQL %s\n", r.Machine.CPUs, r.Machine.CPUModel, r.Machine.MemGiB, r.Machine.Postgres)
	how := fmt.Sprintf("at nice %d", r.BackgroundNice)
	if r.BackgroundIdle {
		how = "on idle CPU time"
	}
	fmt.Fprintf(w, "background work %s, GOMAXPROCS %d, %d lifted out of idle CPU time\n", how, r.Procs, r.Lifted)
	if r.SearchRate > 0 {
		fmt.Fprintf(w, "searches sent at %d a second on a fixed schedule, timed from when each was due\n", r.SearchRate)
	}
	row := func(name string, l latency) {
		fmt.Fprintf(w, "%-28s n=%-7d p50 %8.1f ms  p99 %8.1f ms  max %8.1f ms\n", name, l.N, l.P50, l.P99, l.Max)
	}
	row("search, no writes", r.Quiet)
	row("search, under writes", r.Loaded)
	if u := r.Unfollowed; u != nil {
		row("search, writes unfollowed", u.Search)
	}
	if f := r.Floor; f != nil {
		row("search, writes, generation", f.Search)
	}
	if f := r.FloorUnfollowed; f != nil {
		row("search, writes, gen., unf.", f.Search)
	}
	row("visible after commit", r.Visible)
	fmt.Fprintf(w, "cpu, no writes: %s; under writes: %s\n", r.QuietCPU, r.LoadedCPU)
	fmt.Fprintf(w, "goroutines' wait to run, no writes: p50 %.3f ms, p99 %.3f ms; under writes: p50 %.3f ms, p99 %.3f ms\n",
		r.QuietWait.P50, r.QuietWait.P99, r.LoadedWait.P50, r.LoadedWait.P99)
	if r.Quiet.P50 > 0 {
		fmt.Fprintf(w, "search under writes / without: p50 %+.1f%%, p99 %+.1f%%\n",
			100*(r.Loaded.P50/r.Quiet.P50-1), 100*(r.Loaded.P99/r.Quiet.P99-1))
	}
	if u := r.Unfollowed; u != nil && r.Quiet.P50 > 0 {
		fmt.Fprintf(w, "search under writes, the follower stopped / without writes: p50 %+.1f%%, p99 %+.1f%% (cpu: %s)\n",
			100*(u.Search.P50/r.Quiet.P50-1), 100*(u.Search.P99/r.Quiet.P99-1), u.CPU)
	}
	if f := r.Floor; f != nil && r.Quiet.P50 > 0 {
		fmt.Fprintf(w, "search under writes on the generation alone / without writes: p50 %+.1f%%, p99 %+.1f%% (cpu: %s)\n",
			100*(f.Search.P50/r.Quiet.P50-1), 100*(f.Search.P99/r.Quiet.P99-1), f.CPU)
	}
	if f := r.FloorUnfollowed; f != nil && r.Quiet.P50 > 0 {
		fmt.Fprintf(w, "search under writes on the generation alone, the follower stopped / without writes: p50 %+.1f%%, p99 %+.1f%% (cpu: %s)\n",
			100*(f.Search.P50/r.Quiet.P50-1), 100*(f.Search.P99/r.Quiet.P99-1), f.CPU)
	}
	if rs := r.Rounds; rs != nil {
		fmt.Fprintf(w, "%d rounds of %s blocks that take turns:\n", rs.Rounds, rs.Block)
		if rs.Control {
			fmt.Fprintf(w, "  (--control: the blocks \"under writes\" ran without writes, as the others: their changes are the rounds' noise)\n")
		}
		row("  search, no writes", rs.Quiet)
		row("  search, under writes", rs.Loaded)
		if rs.Floor != nil {
			row("  search, writes, generation", *rs.Floor)
		}
		if rs.Unfollowed != nil {
			row("  search, writes, unfollowed", *rs.Unfollowed)
		}
		fmt.Fprintf(w, "  under writes / without, the median of the rounds: p50 %+.1f%%, p99 %+.1f%%\n", rs.MedianP50Change, rs.MedianP99Change)
		if pc := rs.Pooled; pc != nil {
			fmt.Fprintf(w, "  under writes / without, every round pooled: %s; within 10%%: %s\n", pc, pc.Within10Pct)
		}
		if rs.MedianFloorP50Change != nil {
			fmt.Fprintf(w, "  generation alone under writes / without, the median of the rounds: p50 %+.1f%%, p99 %+.1f%%\n",
				*rs.MedianFloorP50Change, *rs.MedianFloorP99Change)
		}
		if rs.MedianUnfollowedP50Change != nil {
			fmt.Fprintf(w, "  under writes, the follower stopped / without, the median of the rounds: p50 %+.1f%%, p99 %+.1f%%\n",
				*rs.MedianUnfollowedP50Change, *rs.MedianUnfollowedP99Change)
			if pc := rs.PooledUnfollowed; pc != nil {
				fmt.Fprintf(w, "  under writes, the follower stopped / without, every round pooled: %s\n", pc)
			}
		}
		fmt.Fprintf(w, "  segments reached with the search's side kept: %.0f%% of %d without writes, %.0f%% of %d under writes\n",
			rs.QuietSides.KeptPct, rs.QuietSides.Kept+rs.QuietSides.Searched, rs.LoadedSides.KeptPct, rs.LoadedSides.Kept+rs.LoadedSides.Searched)
		if s := rs.Slow; s != nil {
			fmt.Fprintf(w, "  searches of %.1f ms or more (the p99 without writes), by what ran beside them:\n", s.OverMS)
			for _, b := range []struct {
				name string
				w    *blockWork
			}{{"no writes", s.Quiet}, {"under writes", s.Loaded}, {"writes, generation", s.Floor}, {"writes, unfollowed", s.Unfollowed}} {
				if b.w == nil {
					continue
				}
				fmt.Fprintf(w, "    %-18s %4d of %6d: collector marking %d, merge %d, batch applied %d, batch read %d, sort order %d, none %d"+
					" (in %.0f s: %.0f MB allocated, %d page faults, %d marks %.0f ms, %d merges %.0f ms, %d batches applied %.0f ms, %d read %.0f ms, %d orders %.0f ms)\n",
					b.name, b.w.Slow, b.w.Searches, b.w.DuringGC, b.w.DuringMerge, b.w.DuringApply, b.w.DuringRead, b.w.DuringOrder,
					b.w.DuringNone, b.w.Seconds, b.w.AllocatedMB, b.w.MinorFaults, b.w.GCMarks, b.w.GCMarkMS, b.w.Merges, b.w.MergeMS, b.w.Applies, b.w.ApplyMS,
					b.w.Reads, b.w.ReadMS, b.w.Orders, b.w.OrderMS)
				if st, pa := b.w.GCStopping, b.w.GCPaused; pa.N > 0 {
					fmt.Fprintf(w, "      the collector stopped the world %d times: stopping took p50 %.3f, p99 %.3f, max %.3f ms; stopped in all p50 %.3f, p99 %.3f, max %.3f ms\n",
						pa.N, st.P50MS, st.P99MS, st.MaxMS, pa.P50MS, pa.P99MS, pa.MaxMS)
				}
				if b.w.Publishes > 0 {
					fmt.Fprintf(w, "      of the %d searches sent within %s of one of %d overlays published, %d slow\n",
						b.w.AfterPublish.Searches, afterPublish, b.w.Publishes, b.w.AfterPublish.Slow)
				}
			}
			fmt.Fprintf(w, "    slow of each kind of search (no writes · under writes):\n")
			for _, class := range slices.Sorted(maps.Keys(s.Quiet.ByClass)) {
				q, l := s.Quiet.ByClass[class], s.Loaded.ByClass[class]
				fmt.Fprintf(w, "      %4d of %5d · %4d of %5d  %s\n", q.Slow, q.Searches, l.Slow, l.Searches, class)
			}
			fmt.Fprintf(w, "    slow under writes by the overlay's segments when answered:")
			for _, n := range slices.Sorted(maps.Keys(s.Loaded.BySegments)) {
				c := s.Loaded.BySegments[n]
				fmt.Fprintf(w, " %d: %d of %d;", n, c.Slow, c.Searches)
			}
			fmt.Fprintln(w)
		}
	}
	if c := r.Catchup; c != nil {
		fmt.Fprintf(w, "catch-up after %s disconnected (%d changes): %.1f s\n", c.Disconnected, c.Changes, c.Seconds)
		fmt.Fprintf(w, "cpu of the writes alone, disconnected: %s\n", c.WritesCPU)
	}
	fmt.Fprintf(w, "caught up with the log before measuring in %.1f s\n", r.Initial)
	fmt.Fprintf(w, "overlay at the end: %d records in %d segments\n", r.ChangedDocs, r.Segments)
}

// errProbeLost says a probe's change never became visible.
var errProbeLost = errors.New("a committed change was not visible in time")
