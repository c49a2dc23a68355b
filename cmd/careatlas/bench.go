package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/indexer/gen"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/replica"
	"github.com/careatlas/careatlas/search/live"
	"github.com/jackc/pgx/v5/pgxpool"
)

// benchReport is everything 'careatlas bench' measures; --json prints it.
type benchReport struct {
	Command       string                 `json:"command"`
	Machine       machineInfo            `json:"machine"`
	Catalogue     map[string]int64       `json:"catalogue"`
	Build         buildReport            `json:"build"`
	PostgresBuild postgresBuildReport    `json:"postgres_build"`
	RumBuild      *postgresBuildReport   `json:"postgres_rum_build,omitempty"`
	Serve         serveReport            `json:"serve"`
	Classes       map[string]*classStats `json:"classes"`
}

type machineInfo struct {
	CPUs     int     `json:"cpus"`
	CPUModel string  `json:"cpu_model"`
	MemGiB   float64 `json:"mem_gib"`
	GoOS     string  `json:"goos"`
	GoArch   string  `json:"goarch"`
	Go       string  `json:"go"`
	Postgres string  `json:"postgres"`
}

type buildReport struct {
	Docs          int     `json:"docs"`
	Seconds       float64 `json:"seconds"`
	DocsPerSecond float64 `json:"docs_per_second"`
	PeakRSSMiB    float64 `json:"peak_rss_mib"`
	IndexMiB      float64 `json:"index_mib"`
}

type postgresBuildReport struct {
	Seconds  float64 `json:"seconds"`
	IndexMiB float64 `json:"table_and_indexes_mib"`
}

// classStats are one query class's figures. Latencies are with one client;
// QPS with Clients concurrent clients, CareAtlas over HTTP on loopback,
// PostgreSQL over its wire protocol.
type classStats struct {
	Description     string  `json:"description"`
	Queries         int     `json:"queries"`
	Samples         int     `json:"samples"`
	MatchedFraction float64 `json:"matched_fraction"`
	P50             float64 `json:"p50_ms"`
	P95             float64 `json:"p95_ms"`
	P99             float64 `json:"p99_ms"`
	PostgresP50     float64 `json:"postgres_p50_ms"`
	PostgresP95     float64 `json:"postgres_p95_ms"`
	PostgresP99     float64 `json:"postgres_p99_ms"`
	Ratio           float64 `json:"ratio_vs_postgres"`
	// PostgreSQL through its RUM index, where the class orders by rank;
	// BestRatio is against the faster of GIN and RUM (p50).
	RumP50      float64 `json:"postgres_rum_p50_ms,omitempty"`
	RumP95      float64 `json:"postgres_rum_p95_ms,omitempty"`
	RumP99      float64 `json:"postgres_rum_p99_ms,omitempty"`
	BestRatio   float64 `json:"ratio_vs_best_postgres"`
	Clients     int     `json:"clients"`
	QPS         float64 `json:"qps"`
	PostgresQPS float64 `json:"postgres_qps"`
	// FaultsPerQuery is the page faults per timed query (client and
	// server): memory the process touched for the first time.
	FaultsPerQuery float64 `json:"faults_per_query"`
	// Slowest are the queries with the highest median latency, one client.
	Slowest []slowQuery `json:"slowest,omitempty"`
}

// slowQuery is one query's median and worst latency over its samples.
type slowQuery struct {
	Path string  `json:"path"`
	P50  float64 `json:"p50_ms"`
	Max  float64 `json:"max_ms"`
}

func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "fresh" {
		return benchFreshCmd(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "overlay" {
		return benchOverlayCmd(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "fold" {
		return benchFoldCmd(ctx, args[1:], stdout, stderr)
	}
	fs := newFlags("bench", "bench [--database-url URL] [--offers N] [--json]", stderr)
	dbURL := databaseFlag(fs)
	offers := fs.Int("offers", 1_000_000, "offers the catalogue should hold; a smaller one is regenerated")
	asJSON := fs.Bool("json", false, "print one JSON object with every figure")
	samples := fs.Int("samples", 200, "timed queries per class and engine, with one client")
	clients := fs.Int("clients", 8, "concurrent clients for the throughput runs")
	duration := fs.Duration("duration", 3*time.Second, "length of each throughput run")
	dir := fs.String("index-dir", "", "where to build the index (default: a temporary directory)")
	base := fs.String("base", defaultCatalog, "catalogue the generated one follows"+catalogUsage)
	only := fs.String("classes", "", "comma-separated classes to run (default: all)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the query runs to this file")
	memProfile := fs.String("memprofile", "", "write a profile of what the query runs allocated to this file")
	reuse := fs.Bool("reuse-index", false, "query the index already in --index-dir instead of building one (no build figures)")
	pgSide := fs.Bool("postgres", true, "measure PostgreSQL's full-text search beside CareAtlas (false: CareAtlas alone, as the cost curve's larger sizes)")
	rum := fs.Bool("rum", true, "also measure PostgreSQL through the RUM index (needs the rum extension)")
	publish := fs.String("publish", "", "also time shipping the generation through this store, s3://BUCKET/PREFIX (upload, then download-and-open)")
	s3Endpoint := fs.String("s3-endpoint", "", "the store's endpoint when it is not Amazon S3 (or AWS_ENDPOINT_URL)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *samples < 1 || *clients < 1 || *duration <= 0 {
		return fmt.Errorf("--samples, --clients and --duration must be positive")
	}
	cfg, err := pgxpool.ParseConfig(*dbURL)
	if err != nil {
		return fmt.Errorf("database url: %w", err)
	}
	cfg.MaxConns = int32(*clients + 2)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connect to database: %w", err)
	}
	defer pool.Close()
	if err := pool.Ping(ctx); err != nil {
		return fmt.Errorf("connect to database (pass --database-url or set DATABASE_URL): %w", err)
	}

	rep := &benchReport{Command: "careatlas bench " + strings.Join(args, " "), Machine: machine(ctx, pool),
		Classes: map[string]*classStats{}}
	if _, err := postgres.Migrate(ctx, pool); err != nil {
		return err
	}
	var have int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM offers`).Scan(&have); err != nil {
		return fmt.Errorf("count offers: %w", err)
	}
	if have < *offers {
		slog.Info("generating a catalogue", "offers", *offers, "had", have)
		if err := generate(ctx, pool, *base, gen.Config{Offers: *offers}, io.Discard, stderr); err != nil {
			return err
		}
	}
	if rep.Catalogue, err = catalogueCounts(ctx, pool); err != nil {
		return err
	}

	indexDir := *dir
	if indexDir == "" {
		if indexDir, err = os.MkdirTemp("", "careatlas-bench-"); err != nil {
			return err
		}
		defer os.RemoveAll(indexDir)
	}
	if *reuse {
		if *dir == "" {
			return fmt.Errorf("--reuse-index needs --index-dir")
		}
	} else if rep.Build, err = benchBuild(ctx, pool, indexDir, stderr); err != nil {
		return err
	}
	*rum = *rum && *pgSide
	if *pgSide {
		slog.Info("building the PostgreSQL full-text tables")
		if rep.PostgresBuild, err = buildPostgresFTS(ctx, pool); err != nil {
			return err
		}
	}
	if *rum {
		slog.Info("building the PostgreSQL RUM tables")
		rb, err := buildPostgresRUM(ctx, pool)
		if err != nil {
			return err
		}
		rep.RumBuild = &rb
	}

	lv, serve, err := openForBench(indexDir)
	if err != nil {
		return err
	}
	defer lv.Close()
	rep.Serve = serve
	if *publish != "" {
		if err := shipForBench(ctx, replica.ConfigFromEnv(*publish, *s3Endpoint), indexDir, &rep.Serve); err != nil {
			return err
		}
	}
	baseURL, stop, err := serveLoopback(lv)
	if err != nil {
		return err
	}
	defer stop()

	pickDeep := servedDeep(baseURL)
	if *pgSide {
		pickDeep = postgresDeep(ctx, pool)
	}
	classes, err := benchClasses(ctx, pool, rep.Catalogue["offers"], pickDeep)
	if err != nil {
		return err
	}
	slog.Info("warming up: every class's queries from all clients", "seconds", warmUpAll.Seconds())
	if err := warmUpMix(ctx, baseURL, classes, *clients); err != nil {
		return err
	}
	stopProfile, err := profileTo(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	for _, c := range classes {
		if *only != "" && !slices.Contains(strings.Split(*only, ","), c.name) {
			continue
		}
		slog.Info("measuring", "class", c.name, "queries", len(c.paths))
		st, err := c.measure(ctx, baseURL, pool, *samples, *clients, *duration, rep.Catalogue["offers"], *rum, *pgSide)
		if err != nil {
			return fmt.Errorf("class %s: %w", c.name, err)
		}
		rep.Classes[c.name] = st
		slog.Info("measured", "class", c.name, "p50_ms", st.P50, "p99_ms", st.P99, "postgres_p50_ms", st.PostgresP50,
			"postgres_p99_ms", st.PostgresP99, "rum_p50_ms", st.RumP50, "ratio", fmt.Sprintf("%.1f", st.Ratio),
			"ratio_vs_best", fmt.Sprintf("%.1f", st.BestRatio), "qps", int(st.QPS),
			"postgres_qps", int(st.PostgresQPS), "matched", fmt.Sprintf("%.3f", st.MatchedFraction))
	}
	runtime.GC()
	rep.Serve.RSSQueriedMiB = rssMiB()
	if err := writeAllocs(*memProfile); err != nil {
		return err
	}
	return writeReport(stdout, *asJSON, rep, func(w io.Writer) { printReport(w, rep, classes) })
}

func catalogueCounts(ctx context.Context, pool *pgxpool.Pool) (map[string]int64, error) {
	out := map[string]int64{}
	for _, t := range []string{"offers", "facilities", "doctors", "treatments", "countries"} {
		var n int64
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("count %s: %w", t, err)
		}
		out[t] = n
	}
	return out, nil
}

// benchBuild builds the index from PostgreSQL and measures it. Peak RSS is
// the process's high-water mark, reset just before the build.
func benchBuild(ctx context.Context, pool *pgxpool.Pool, dir string, stderr io.Writer) (buildReport, error) {
	runtime.GC()
	resetPeakRSS()
	bar := newProgressBar(stderr, "indexing")
	stats, err := indexer.Build(ctx, postgres.Source{Pool: pool}, dir, bar.Update)
	bar.Finish()
	if err != nil {
		return buildReport{}, err
	}
	return buildReport{Docs: stats.Docs, Seconds: stats.Elapsed.Seconds(), DocsPerSecond: stats.DocsPerSecond(),
		PeakRSSMiB: peakRSSMiB(), IndexMiB: dirMiB(stats.Path)}, nil
}

// resetPeakRSS asks Linux to restart VmHWM from the current RSS.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

func peakRSSMiB() float64 { return procStatusMiB("VmHWM") }

// procStatusMiB reads one memory line of /proc/self/status, in MiB.
func procStatusMiB(field string) float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(v), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

func dirMiB(dir string) float64 {
	var total int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				total += info.Size()
			}
		}
		return nil
	})
	return float64(total) / (1 << 20)
}

func machine(ctx context.Context, pool *pgxpool.Pool) machineInfo {
	m := machineInfo{CPUs: runtime.NumCPU(), GoOS: runtime.GOOS, GoArch: runtime.GOARCH, Go: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				m.CPUModel = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb float64
		if i := strings.Index(string(b), "MemTotal:"); i >= 0 {
			fmt.Sscanf(strings.TrimSpace(string(b)[i+len("MemTotal:"):]), "%f", &kb)
		}
		m.MemGiB = kb / (1 << 20)
	}
	if pool != nil {
		pool.QueryRow(ctx, `SHOW server_version`).Scan(&m.Postgres)
	}
	return m
}

// serveLoopback serves the API on a loopback port and returns its base URL.
func serveLoopback(lv *live.Live) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("listen: %w", err)
	}
	// The bench times the engine: no access log, and a budget as long as
	// the timeout, so a search slowed by a busy machine is timed rather
	// than refused.
	srv := &http.Server{Handler: api.New(lv, api.Options{SearchTimeout: time.Minute, SearchBudget: time.Minute, NoAccessLog: true,
		Auth: auth.Config{PublicSearch: true, AnonymousRate: auth.Rate{PerMinute: -1}}}), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }, nil
}

// timeRuns runs each of n calls of one, in turn, and returns the latencies.
func timeRuns(n int, one func(i int) error) ([]time.Duration, error) {
	out := make([]time.Duration, 0, n)
	for i := range n {
		start := time.Now()
		if err := one(i); err != nil {
			return nil, err
		}
		out = append(out, time.Since(start))
	}
	return out, nil
}

// throughput runs one from clients goroutines for d and returns calls/s.
func throughput(ctx context.Context, clients int, d time.Duration, one func(i int) error) (float64, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var done atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := c; ctx.Err() == nil; i += clients {
				if err := one(i); err != nil {
					if ctx.Err() == nil {
						mu.Lock()
						firstErr = cmpErr(firstErr, err)
						mu.Unlock()
						cancel()
					}
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return 0, firstErr
	}
	return float64(done.Load()) / time.Since(start).Seconds(), nil
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func percentile(ds []time.Duration, p float64) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	i := int(p*float64(len(s))+0.5) - 1
	i = max(0, min(len(s)-1, i))
	return float64(s[i].Microseconds()) / 1000
}

func printReport(w io.Writer, r *benchReport, classes []*benchClass) {
	fmt.Fprintf(w, "machine: %d × %s, %.0f GiB, %s, PostgreSQL %s\n", r.Machine.CPUs, r.Machine.CPUModel,
		r.Machine.MemGiB, r.Machine.Go, r.Machine.Postgres)
	fmt.Fprintf(w, "catalogue: %d offers, %d facilities, %d doctors, %d treatments, %d countries\n",
		r.Catalogue["offers"], r.Catalogue["facilities"], r.Catalogue["doctors"], r.Catalogue["treatments"], r.Catalogue["countries"])
	fmt.Fprintf(w, "index build: %d docs in %.1fs = %.0f docs/s, peak RSS %.0f MiB, %.0f MiB on disk\n",
		r.Build.Docs, r.Build.Seconds, r.Build.DocsPerSecond, r.Build.PeakRSSMiB, r.Build.IndexMiB)
	fmt.Fprintf(w, "serve: open %.1fs, RSS %.0f MiB open, %.0f MiB after the queries\n", r.Serve.OpenSeconds,
		r.Serve.RSSOpenMiB, r.Serve.RSSQueriedMiB)
	if r.Serve.UploadSeconds > 0 {
		fmt.Fprintf(w, "replica: upload %.0f MiB in %.1fs, download + verify + open %.1fs\n", r.Serve.UploadedMiB,
			r.Serve.UploadSeconds, r.Serve.DownloadOpenSeconds)
	}
	if r.PostgresBuild.Seconds > 0 {
		fmt.Fprintf(w, "postgres full-text build: %.1fs, %.0f MiB\n", r.PostgresBuild.Seconds, r.PostgresBuild.IndexMiB)
	}
	if r.RumBuild != nil {
		fmt.Fprintf(w, "postgres rum build: %.1fs, %.0f MiB\n", r.RumBuild.Seconds, r.RumBuild.IndexMiB)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-16s %8s %8s %8s | %8s %8s %8s | %8s %8s | %7s %7s | %8s %8s\n", "class (ms)", "p50", "p95", "p99",
		"pg p50", "pg p95", "pg p99", "rum p50", "rum p99", "ratio", "vs best", "qps", "pg qps")
	for _, c := range classes {
		s, ok := r.Classes[c.name]
		if !ok {
			continue
		}
		fmt.Fprintf(w, "%-16s %8.2f %8.2f %8.2f | %8.2f %8.2f %8.2f | %8.2f %8.2f | %6.1fx %6.1fx | %8.0f %8.0f\n", c.name,
			s.P50, s.P95, s.P99, s.PostgresP50, s.PostgresP95, s.PostgresP99, s.RumP50, s.RumP99, s.Ratio, s.BestRatio,
			s.QPS, s.PostgresQPS)
	}
}

var errBadStatus = errors.New("unexpected status")

// writeAllocs writes what the process allocated so far to path ("": nowhere).
func writeAllocs(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("memory profile: %w", err)
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		return fmt.Errorf("memory profile: %w", err)
	}
	return f.Close()
}

// writeCollectedProfile writes the runtime's profile of kind after a
// collection (the heap and allocs profiles are as of the last one) to
// path+suffix; path "" writes nothing. "heap" is the heap in use;
// "allocs" what has been allocated since the process started, two of
// which taken apart in time are compared with pprof's -diff_base.
func writeCollectedProfile(kind, path, suffix string) error {
	if path == "" {
		return nil
	}
	runtime.GC()
	return writeProfile(kind, path+suffix)
}

// writeProfile writes the runtime's profile of kind (pprof.Lookup) to
// path.
func writeProfile(kind, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("%s profile: %w", kind, err)
	}
	if err := pprof.Lookup(kind).WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("%s profile: %w", kind, err)
	}
	return f.Close()
}

// profileTo writes a CPU profile to path ("": none) until the
// returned func is called.
func profileTo(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// contentionTo records who waited for whom (the mutex profile: the
// sync package's locks and, in the runtime's own, the runtime's) from now
// until the returned func is called, which writes it to path ("": none).
// Each wait is charged to the stack that let go of the lock: with
// GODEBUG=runtimecontentionstacks=1, the runtime's locks too.
func contentionTo(path string) func() error {
	if path == "" {
		return func() error { return nil }
	}
	runtime.SetMutexProfileFraction(1)
	return func() error {
		defer runtime.SetMutexProfileFraction(0)
		return writeProfile("mutex", path)
	}
}

// writeReport writes a bench's report to w: as indented JSON (--json), or
// as text.
func writeReport(w io.Writer, asJSON bool, rep any, text func(io.Writer)) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	text(w)
	return nil
}
