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
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/search"
	"github.com/jackc/pgx/v5/pgxpool"
)

// onListen, when set (by tests), is told the address the server listens on.
var onListen func(addr string)

func serveCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", "serve [--addr :8080] [--index-dir DIR] [--database-url URL] [--catalog DIR] [--admin-key KEY]", stderr)
	addr := fs.String("addr", ":8080", "address to listen on")
	dir := fs.String("index-dir", defaultIndexDir, "directory holding the index generations")
	dbURL := databaseFlag(fs)
	catalogDir := fs.String("catalog", defaultCatalog, "catalogue to build the demo index from when no database is configured"+catalogUsage)
	reload := fs.Duration("reload-every", 2*time.Second, "how often to look for a newly published index")
	adminKey := fs.String("admin-key", os.Getenv("CAREATLAS_ADMIN_KEY"),
		"secret that providers' analytics need as 'Authorization: Bearer KEY' (default $CAREATLAS_ADMIN_KEY; none: analytics refused)")
	perSession := fs.Int("posts-per-session", 3, "how many times one search session may be shown a post")
	synEvery := fs.Duration("synonyms-every", 10*time.Second, "how often to look for a changed synonym graph in PostgreSQL")
	if err := parse(fs, args); err != nil {
		return err
	}

	// With a database, searches, impressions and clicks are recorded there;
	// without one (the demo) analytics are off.
	var writer *postgres.EventWriter
	var pool *pgxpool.Pool
	opts := api.Options{AdminKey: *adminKey, PostsPerSession: *perSession}
	if *dbURL != "" {
		var err error
		if pool, err = postgres.Connect(ctx, *dbURL); err != nil {
			return err
		}
		defer pool.Close()
		if _, err := postgres.Migrate(ctx, pool); err != nil {
			return err
		}
		writer = postgres.NewEventWriter(pool, postgres.EventOptions{})
		defer writer.Close(context.WithoutCancel(ctx)) // on early returns; the shutdown below closes it first
		opts.Analytics = postgres.Analytics{EventWriter: writer, Reports: postgres.Reports{Pool: pool}}
	}

	live, err := search.NewLive(*dir)
	if err != nil {
		return err
	}
	defer live.Close()
	postsIx := &livePosts{live: live}
	opts.Posts = postsIx

	// The synonym graph is applied at query time: from PostgreSQL, watched
	// for changes, or from the bundled catalogue in the demo.
	if pool != nil {
		loadSynonyms(ctx, pool, live, "")
	} else {
		edges, err := indexer.FileSynonyms(*catalogDir)
		if err != nil {
			return fmt.Errorf("read synonyms: %w", err)
		}
		live.SetSynonyms(search.NewSynonyms(edges))
		slog.Info("synonyms loaded", "from", *catalogDir, "edges", live.Synonyms().Len())
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler:           api.New(live, opts),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
	}
	slog.Info("listening", "addr", ln.Addr().String(), "index_dir", *dir)
	if onListen != nil {
		onListen(ln.Addr().String())
	}

	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if !live.Ready() {
		// Build the first index in the background: the server answers
		// /healthz at once and /readyz turns 200 when the index opens.
		go func() {
			if err := firstIndex(ctx, pool, *catalogDir, *dir, stdout, stderr); err != nil {
				cancel(fmt.Errorf("build the first index: %w", err))
				return
			}
			if _, err := live.Reload(); err != nil {
				cancel(fmt.Errorf("open the first index: %w", err))
			}
		}()
	}
	go live.Watch(ctx, *reload)
	go postsIx.watch(ctx, *reload)
	if pool != nil {
		go watchSynonyms(ctx, pool, live, *synEvery)
	}

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	shutdownCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer done()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	// Every request has finished, so every event is queued: write them.
	if writer != nil {
		if err := writer.Close(shutdownCtx); err != nil {
			return fmt.Errorf("shut down: %w", err)
		}
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return nil
}

// firstIndex builds an index when the directory has none: from PostgreSQL
// when a database is configured, else from the bundled catalogue.
func firstIndex(ctx context.Context, pool *pgxpool.Pool, catalogDir, dir string, stdout, stderr io.Writer) error {
	if pool != nil {
		slog.Info("no index yet: building it from PostgreSQL")
		return build(ctx, postgres.Source{Pool: pool}, dir, stdout, stderr)
	}
	slog.Info("no index and no database: building the demo index from the bundled catalogue", "catalog", catalogDir)
	return build(ctx, &indexer.FileSource{Dir: catalogDir}, dir, stdout, stderr)
}

// watchSynonyms keeps the synonym graph in step with PostgreSQL: every tick
// it reads a cheap version stamp and reloads the graph when it changed. A
// failed check is logged and retried; searches go on with the graph they
// have.
func watchSynonyms(ctx context.Context, pool *pgxpool.Pool, live *search.Live, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	version := live.SynonymsVersion()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			version = loadSynonyms(ctx, pool, live, version)
		}
	}
}

// loadSynonyms loads the graph when its version differs from have, and
// returns the version now in use.
func loadSynonyms(ctx context.Context, pool *pgxpool.Pool, live *search.Live, have string) string {
	v, err := postgres.SynonymsVersion(ctx, pool)
	if err != nil {
		slog.Warn("check synonyms", "err", err)
		return have
	}
	if v == have {
		return have
	}
	edges, err := postgres.LoadSynonyms(ctx, pool)
	if err != nil {
		slog.Warn("load synonyms", "err", err)
		return have
	}
	g := search.NewSynonyms(edges)
	live.SetSynonymsVersion(g, v)
	slog.Info("synonyms loaded", "edges", g.Len(), "version", v)
	return v
}
