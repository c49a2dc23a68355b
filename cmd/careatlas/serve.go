package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/replica"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
	"github.com/careatlas/careatlas/web"
	"github.com/jackc/pgx/v5/pgxpool"
)

// serveConfig is what 'careatlas serve' is told.
type serveConfig struct {
	addr, indexDir, dbURL, catalog string
	metricsAddr                    string
	searchBudget                   time.Duration
	reloadEvery, synonymsEvery     time.Duration
	trimGrace                      time.Duration
	refresh                        time.Duration
	backgroundNice                 int
	backgroundIdle                 bool
	foldAfter                      uint64
	adminKey                       string
	postsPerSession                int
	publicSearch                   bool
	trustedProxies                 string
	keylessRate                    string
	generations, s3Endpoint        string // a replica's object store of generations
	stdout, stderr                 io.Writer
}

func parseServe(args []string, stdout, stderr io.Writer) (serveConfig, error) {
	cfg := serveConfig{stdout: stdout, stderr: stderr}
	fs := newFlags("serve", "serve [--addr :8080] [--index-dir DIR] [--database-url URL] [--catalog DIR] [--admin-key KEY]", stderr)
	fs.StringVar(&cfg.addr, "addr", ":8080", "address to listen on")
	fs.StringVar(&cfg.indexDir, "index-dir", defaultIndexDir, "directory holding the index generations")
	dbURL := databaseFlag(fs)
	fs.StringVar(&cfg.catalog, "catalog", defaultCatalog, "catalogue to build the demo index from when no database is configured"+catalogUsage)
	fs.DurationVar(&cfg.reloadEvery, "reload-every", 2*time.Second, "how often to look for a newly published index")
	fs.StringVar(&cfg.adminKey, "admin-key", os.Getenv("CAREATLAS_ADMIN_KEY"),
		"secret that providers' analytics need as 'Authorization: Bearer KEY' (default $CAREATLAS_ADMIN_KEY; none: analytics refused)")
	fs.BoolVar(&cfg.publicSearch, "public-search", true,
		"with a database, let clients without a key search (under a per-address rate limit); without one, search is always public")
	fs.StringVar(&cfg.trustedProxies, "trusted-proxies", "",
		"comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For names the client")
	fs.StringVar(&cfg.keylessRate, "keyless-rate", "120/min",
		"rate limit of one client address searching without a key, as N/min (or N/s, N/h), with a burst of a quarter of it; 'off' for none")
	fs.IntVar(&cfg.postsPerSession, "posts-per-session", 3, "how many times one search session may be shown a post")
	fs.DurationVar(&cfg.synonymsEvery, "synonyms-every", 10*time.Second, "how often to look for a changed synonym graph in PostgreSQL")
	fs.StringVar(&cfg.metricsAddr, "metrics-addr", "",
		"serve /metrics on this address (e.g. 127.0.0.1:9090) instead of on --addr, so that it need not be public")
	fs.DurationVar(&cfg.searchBudget, "search-budget", api.DefaultSearchBudget,
		"how long one search may work before it is answered 503 over_budget")
	fs.DurationVar(&cfg.refresh, "refresh", changesGather,
		"how long committed changes gather before they are read and applied as one batch: a change is searchable about this much later (50ms–5s)")
	fs.DurationVar(&cfg.trimGrace, "trim-grace", 10*time.Minute,
		"with a database, trim the change log up to the served generation's position once it has been served this long, and every as long after, no further than another server on the database needs (0: never)")
	fs.Uint64Var(&cfg.foldAfter, "fold-after", defaultFoldAfter,
		"with a database, build a new generation in the background (careatlas index at --background-nice) once the changes on top "+
			"of the served one hold this many records or leave out as many of its documents, and serve it (0: never, the operator reindexes)")
	nice, idle := backgroundFlag(fs), backgroundIdleFlag(fs)
	generations, endpoint := storeFlags(fs, "generations",
		"follow the generations published to this object store (s3://BUCKET/PREFIX) instead of building any")
	if err := parse(fs, args); err != nil {
		return cfg, err
	}
	if cfg.refresh < minRefresh || cfg.refresh > maxRefresh {
		return cfg, fmt.Errorf("--refresh %s: must be from %s to %s", cfg.refresh, minRefresh, maxRefresh)
	}
	if err := checkBackgroundNice(*nice); err != nil {
		return cfg, err
	}
	cfg.dbURL, cfg.generations, cfg.s3Endpoint, cfg.backgroundNice, cfg.backgroundIdle = *dbURL, *generations, *endpoint, *nice, *idle
	return cfg, nil
}

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServe(args, stdout, stderr)
	if err != nil {
		return err
	}
	s, err := newServer(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	return s.Run(ctx)
}

// server is a running 'careatlas serve': the listener, the live index, and,
// with a database, its pool and the analytics writer. Every goroutine it
// starts is waited for before Run returns.
type server struct {
	cfg  serveConfig
	ln   net.Listener
	http *http.Server
	// metricsLn and metrics serve /metrics on --metrics-addr; nil when
	// /metrics is served on the API's address.
	metricsLn net.Listener
	metrics   *http.Server
	live      *live.Live
	pool      *pgxpool.Pool         // nil without a database
	events    *postgres.EventWriter // nil without a database
	keys      *auth.Cache           // nil without a database
	// follower downloads the generations an indexer publishes to object
	// storage; nil unless --generations is set.
	follower *replica.Follower
	// changes follows the catalogue's change log onto the served
	// generation (fresh.go); nil without a database.
	changes *changes
	fold    *folder // nil: the overlay is folded only by an operator's build
	// attached is closed once the database has been reached, migrated,
	// and the keys and synonyms read from it (attach); nil without a
	// database. What needs the database waits for it.
	attached   chan struct{}
	attachOnce sync.Once
}

// newServer connects what the server needs and starts listening; Run
// serves. Close releases what newServer acquired.
func newServer(ctx context.Context, cfg serveConfig) (_ *server, err error) {
	s := &server{cfg: cfg}
	defer func() {
		if err != nil {
			s.Close()
		}
	}()
	// With a database, searches, impressions and clicks are recorded there;
	// without one (the demo) analytics are off.
	trusted, err := auth.ParseTrustedProxies(cfg.trustedProxies)
	if err != nil {
		return nil, fmt.Errorf("--trusted-proxies: %w", err)
	}
	keyless, err := keylessRate(cfg.keylessRate)
	if err != nil {
		return nil, err
	}
	reg := api.NewRegistry()
	opts := api.Options{PostsPerSession: cfg.postsPerSession, SearchBudget: cfg.searchBudget,
		Metrics: reg, NoMetricsRoute: cfg.metricsAddr != "",
		Auth: auth.Config{AdminKey: cfg.adminKey, PublicSearch: true, TrustedProxies: trusted, AnonymousRate: keyless}}
	if s.live, err = live.New(cfg.indexDir); err != nil {
		return nil, err
	}
	if cfg.dbURL != "" {
		// The pool connects lazily: a database that is away at start is
		// retried in the background (attach) while the index is served.
		if s.pool, err = pgxpool.New(ctx, cfg.dbURL); err != nil {
			return nil, fmt.Errorf("connect to database: %w", err)
		}
		s.attached = make(chan struct{})
		s.events = postgres.NewEventWriter(s.pool, postgres.EventOptions{SpillDir: cfg.indexDir})
		opts.Analytics = postgres.Analytics{EventWriter: s.events, Reports: postgres.Reports{Pool: s.pool}}
		store := postgres.Keys{Pool: s.pool}
		s.keys = auth.NewCache(store)
		opts.Auth.Keys, opts.Auth.PublicSearch, opts.KeyStore = s.keys, cfg.publicSearch, store
		registerDatabaseMetrics(reg, s.pool, s.events)
		opts.Health = withKeys(newDatabaseHealth(s.pool, s.events).Parts, s.keys)
		// Only a server that follows the change log has background work.
		setupBackground(cfg.backgroundNice, cfg.backgroundIdle)
		s.changes = &changes{pool: s.pool, src: postgres.Source{Pool: s.pool}, live: s.live, grace: cfg.trimGrace, gather: cfg.refresh,
			synced: s.loadSynonyms, reader: readerName(cfg.indexDir)}
		opts.Freshness = s.changes.Freshness
		if cfg.foldAfter > 0 && cfg.generations == "" {
			// A replica serves what the indexer publishes: it builds nothing.
			s.fold = &folder{after: cfg.foldAfter, dir: cfg.indexDir, dbURL: cfg.dbURL, nice: cfg.backgroundNice,
				live: s.live, rebuild: s.changes.rebuildNeeded, st: api.FoldStatus{After: cfg.foldAfter}}
			opts.Freshness = func() api.Freshness {
				fr := s.changes.Freshness()
				fr.Fold = s.fold.Status()
				return fr
			}
			registerFoldMetrics(reg, s.fold)
		}
		registerFreshnessMetrics(reg, opts.Freshness)
		attachCtx, cancel := context.WithTimeout(ctx, attachTimeout)
		err := s.attach(attachCtx)
		cancel()
		if err != nil && !errors.Is(err, errUnreachable) {
			// Reached, but refused (a migration failed, the keys cannot
			// be read): the operator's to fix, so say it now.
			return nil, err
		}
		if err != nil {
			slog.Warn("database unreachable at start: serving the index without it, and retrying",
				"err", err, "every", attachEvery.String())
		}
	}
	// The synonym graph is applied at query time: from PostgreSQL, watched
	// for changes, or from the bundled catalogue in the demo.
	if s.pool == nil {
		edges, err := indexer.FileSynonyms(cfg.catalog)
		if err != nil {
			return nil, fmt.Errorf("read synonyms: %w", err)
		}
		g := search.NewSynonyms(edges)
		s.live.SetSynonyms(g, "")
		slog.Info("synonyms loaded", "from", cfg.catalog, "edges", g.Len())
	}
	if cfg.generations != "" {
		fc := followConfig{Store: replica.ConfigFromEnv(cfg.generations, cfg.s3Endpoint), Serving: s.live.Path}
		if s.follower, err = newFollower(fc, cfg.indexDir, s.pool); err != nil {
			return nil, fmt.Errorf("follow generations: %w", err)
		}
		opts.Health = withReplica(opts.Health, s.follower)
		registerReplicaMetrics(reg, s.follower)
	}
	if s.ln, err = net.Listen("tcp", cfg.addr); err != nil {
		return nil, fmt.Errorf("listen on %s: %w", cfg.addr, err)
	}
	handler := api.New(s.live, opts)
	web.Register(handler) // the search page at /, the widget and the InstantSearch adapter
	s.http = httpServer(handler)
	if cfg.metricsAddr != "" {
		if s.metricsLn, err = net.Listen("tcp", cfg.metricsAddr); err != nil {
			return nil, fmt.Errorf("listen on %s (--metrics-addr): %w", cfg.metricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", api.MetricsHandler(reg))
		s.metrics = httpServer(mux)
	}
	return s, nil
}

func httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
	}
}

// MetricsAddr is the address /metrics is served on apart from the API, ""
// when it is served on Addr.
func (s *server) MetricsAddr() string {
	if s.metricsLn == nil {
		return ""
	}
	return s.metricsLn.Addr().String()
}

// Addr is the address the server listens on.
func (s *server) Addr() string { return s.ln.Addr().String() }

// Run serves until ctx is done or something fails, then shuts down: the
// HTTP server first (requests in flight finish), then the watchers and a
// first build still running, then the analytics writer, so that every event
// of every answered request is written.
func (s *server) Run(ctx context.Context) error {
	slog.Info("listening", "addr", s.Addr(), "index_dir", s.cfg.indexDir, "search_page", pageURL(s.ln.Addr()))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	switch {
	case s.follower != nil:
		// A replica builds nothing: it downloads what the indexer
		// publishes, and is ready once the first download opens. Its last
		// act is to remove its heartbeat row, before the pool closes.
		wg.Go(func() {
			slog.InfoContext(ctx, "following generations", "store", s.cfg.generations, "replica", s.follower.ID())
			if err := s.follower.Run(ctx); err != nil && ctx.Err() == nil {
				cancel(fmt.Errorf("follow generations: %w", err))
			}
		})
	case !s.live.Ready():
		// Build the first index in the background: the server answers
		// /healthz at once and /readyz turns 200 when the index opens.
		wg.Go(func() {
			if err := s.firstIndex(ctx); err != nil {
				if ctx.Err() == nil {
					cancel(fmt.Errorf("build the first index: %w", err))
				}
				return
			}
			if _, err := s.live.Reload(); err != nil {
				cancel(fmt.Errorf("open the first index: %w", err))
			}
		})
	}
	wg.Go(func() { s.live.Watch(ctx, s.cfg.reloadEvery) })
	if s.pool != nil {
		wg.Go(func() { s.attachLoop(ctx) })
		wg.Go(func() {
			if s.waitDatabase(ctx) {
				s.watchSynonyms(ctx)
			}
		})
		wg.Go(func() {
			if s.waitDatabase(ctx) {
				s.changes.run(ctx)
			}
		})
		if s.fold != nil {
			wg.Go(func() {
				if s.waitDatabase(ctx) {
					s.fold.run(ctx)
				}
			})
		}
		// Revoked and expired keys are refused within seconds.
		wg.Go(func() {
			if s.waitDatabase(ctx) {
				s.keys.Run(ctx, auth.DefaultRefresh)
			}
		})
	}
	serveErr := make(chan error, 2)
	go func() { serveErr <- s.http.Serve(s.ln) }()
	if s.metrics != nil {
		slog.Info("serving metrics", "addr", s.MetricsAddr())
		go func() { serveErr <- s.metrics.Serve(s.metricsLn) }()
	}
	select {
	case err := <-serveErr:
		cancel(fmt.Errorf("serve: %w", err))
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	shutdownCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer done()
	err := s.http.Shutdown(shutdownCtx)
	if s.metrics != nil {
		// Scraped until the API has drained, so the last requests count.
		err = errors.Join(err, s.metrics.Shutdown(shutdownCtx))
	}
	cancel(nil)
	wg.Wait()
	if err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	// Every request has finished, so every event is queued: write them.
	if s.events != nil {
		if err := s.events.Close(shutdownCtx); err != nil {
			return fmt.Errorf("shut down: %w", err)
		}
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return nil
}

// Close releases the listener, the index, the analytics writer and the
// pool. After Run it only closes what is left.
func (s *server) Close() error {
	if s.ln != nil {
		s.ln.Close()
	}
	if s.metricsLn != nil {
		s.metricsLn.Close()
	}
	if s.live != nil {
		s.live.Close()
	}
	if s.events != nil {
		s.events.Close(context.Background())
	}
	if s.pool != nil {
		s.pool.Close()
	}
	return nil
}

// firstIndex builds an index when the directory has none: from PostgreSQL
// when a database is configured, else from the bundled catalogue.
func (s *server) firstIndex(ctx context.Context) error {
	if s.pool != nil {
		if !s.waitDatabase(ctx) {
			return ctx.Err()
		}
		slog.Info("no index yet: building it from PostgreSQL")
		return build(ctx, postgres.Source{Pool: s.pool}, s.cfg.indexDir, s.cfg.stdout, s.cfg.stderr)
	}
	slog.Info("no index and no database: building the demo index from the bundled catalogue", "catalog", s.cfg.catalog)
	return build(ctx, &indexer.FileSource{Dir: s.cfg.catalog}, s.cfg.indexDir, s.cfg.stdout, s.cfg.stderr)
}

// How serve reaches a database that is away: the first try at start waits
// at most attachTimeout (a refused connection fails at once; an address
// that does not answer would otherwise hold start-up), then attachLoop
// tries every attachEvery, logging at most every attachLogEvery.
const (
	attachTimeout  = 5 * time.Second
	attachEvery    = time.Second
	attachLogEvery = time.Minute
)

// errUnreachable is attach's error when the database does not answer.
var errUnreachable = errors.New("connect to database")

// attach reaches the database and reads what serve needs of it before it
// relies on it: the schema (migrated), the keys and the synonym graph.
// Once it succeeds, attached is closed and what waits for the database
// (waitDatabase) starts. Analytics need none of this: the event writer
// spills while the database is away and writes the spill when it answers.
func (s *server) attach(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("%w: %w", errUnreachable, err)
	}
	if _, err := postgres.Migrate(ctx, s.pool); err != nil {
		return err
	}
	if err := s.keys.Refresh(ctx); err != nil {
		return fmt.Errorf("load api keys: %w", err)
	}
	s.loadSynonyms(ctx)
	s.attachOnce.Do(func() { close(s.attached) })
	return nil
}

// attachLoop retries attach until it succeeds or ctx is done.
func (s *server) attachLoop(ctx context.Context) {
	t := time.NewTicker(attachEvery)
	defer t.Stop()
	var logged time.Time
	for {
		select {
		case <-s.attached:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		actx, cancel := context.WithTimeout(ctx, attachTimeout)
		err := s.attach(actx)
		cancel()
		switch {
		case err == nil:
			slog.Info("database reached: keys, synonyms, the change log and analytics resume", "keys", s.keys.Len())
			return
		case ctx.Err() == nil && time.Since(logged) >= attachLogEvery:
			slog.Warn("database still unreachable: serving the index without it", "err", err)
			logged = time.Now()
		}
	}
}

// waitDatabase waits until the database has been reached (attach), and
// reports whether it was, false when ctx ended first.
func (s *server) waitDatabase(ctx context.Context) bool {
	select {
	case <-s.attached:
		return true
	case <-ctx.Done():
		return false
	}
}

// watchSynonyms keeps the synonym graph in step with PostgreSQL: every tick
// it reads a cheap version stamp and reloads the graph when it changed. A
// failed check is logged and retried; searches go on with the graph they
// have.
func (s *server) watchSynonyms(ctx context.Context) {
	t := time.NewTicker(s.cfg.synonymsEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.loadSynonyms(ctx)
		}
	}
}

// loadSynonyms loads the graph when its version differs from the one in use.
func (s *server) loadSynonyms(ctx context.Context) {
	_, have := s.live.Synonyms()
	v, err := postgres.SynonymsVersion(ctx, s.pool)
	if err != nil {
		slog.Warn("check synonyms", "err", err)
		return
	}
	if v == have {
		return
	}
	edges, err := postgres.LoadSynonyms(ctx, s.pool)
	if err != nil {
		slog.Warn("load synonyms", "err", err)
		return
	}
	g := search.NewSynonyms(edges)
	s.live.SetSynonyms(g, v)
	slog.Info("synonyms loaded", "edges", g.Len(), "version", v)
}

// keylessRate reads --keyless-rate: N/min (or N/s, N/h), or off.
func keylessRate(s string) (auth.Rate, error) {
	if s == "off" {
		return auth.Rate{PerMinute: -1}, nil
	}
	n, err := parseRate(s)
	if err != nil {
		return auth.Rate{}, fmt.Errorf("--keyless-rate %q: want N/min (or N/s, N/h) or off", s)
	}
	return auth.Rate{PerMinute: n, Burst: max(1, n/4)}, nil
}

// pageURL is the address a person opens to search: a wildcard listen
// address is reached on localhost.
func pageURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String() + "/"
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}

// withKeys adds the key cache's state to /readyz's parts: until the keys
// have been read once (the database was away at start), a request with a
// key is answered 503 keys_unavailable, and the server is "degraded".
func withKeys(health func(context.Context) map[string]api.Part, keys *auth.Cache) func(context.Context) map[string]api.Part {
	return func(ctx context.Context) map[string]api.Part {
		parts := health(ctx)
		p := api.Part{OK: keys.Loaded(), Detail: map[string]any{"loaded": keys.Len()}}
		if !p.OK {
			p.Reason = "not read since start (the database is unreachable): requests with a key are answered 503 keys_unavailable; keyless searches are served where --public-search allows"
		}
		parts["keys"] = p
		return parts
	}
}

// withReplica adds a replica's state to /readyz's parts: a failed download
// makes the server "degraded" (still 200: it serves the generation it has)
// and says why.
func withReplica(health func(context.Context) map[string]api.Part, f *replica.Follower) func(context.Context) map[string]api.Part {
	return func(ctx context.Context) map[string]api.Part {
		parts := map[string]api.Part{}
		if health != nil {
			parts = health(ctx)
		}
		st := f.Status()
		p := api.Part{OK: st.LastError == "", Detail: map[string]any{"store": st.Store, "serving": st.Serving,
			"latest": st.Latest, "downloading": st.Downloading, "downloads": st.Downloads, "failures": st.Failures,
			"listening": st.Listening}}
		if !p.OK {
			p.Reason = "the last download failed (" + st.LastError + "); serving " + st.Serving
		}
		parts["replica"] = p
		return parts
	}
}
