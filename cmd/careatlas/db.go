package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/careatlas/careatlas/background"
	"github.com/careatlas/careatlas/indexer"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/replica"
)

func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("migrate", "migrate [--database-url URL]", stderr)
	dbURL := databaseFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	pool, err := postgres.Connect(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	n, err := postgres.Migrate(ctx, pool)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "applied %d migration(s)\n", n)
	return nil
}

func loadCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("load", "load [--database-url URL] [PATH]\n\nPATH is a catalogue directory; without one, the demo catalogue built into the binary is loaded.", stderr)
	dbURL := databaseFlag(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	dir := defaultCatalog
	switch fs.NArg() {
	case 0:
	case 1:
		dir = fs.Arg(0)
	default:
		fs.Usage()
		return errUsage
	}
	pool, err := postgres.Connect(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	stats, err := postgres.Load(ctx, pool, dir)
	if err != nil {
		return err
	}
	var total int64
	for _, n := range stats.Rows {
		total += n
	}
	fmt.Fprintf(stdout, "loaded %d rows from %s in %.1fs:", total, indexer.CatalogueName(dir), stats.Elapsed.Seconds())
	for _, t := range []string{"countries", "exchange_rates", "treatments", "facilities", "doctors", "doctor_treatments", "offers", "posts"} {
		fmt.Fprintf(stdout, " %s %d,", t, stats.Rows[t])
	}
	fmt.Fprintln(stdout)
	return nil
}

func indexCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("index", "index [--database-url URL] [--index-dir DIR] [--nice N] [--idle] [--publish s3://BUCKET/PREFIX [--s3-endpoint URL]]", stderr)
	dbURL := databaseFlag(fs)
	dir := fs.String("index-dir", defaultIndexDir, "directory holding the index generations")
	nice := fs.Int("nice", 0, fmt.Sprintf(
		"run the build at this niceness (0 to %d), below the searches of a server on the same machine", background.MaxNice))
	idle := fs.Bool("idle", false,
		"run the build only on CPU time nothing else wants (Linux SCHED_IDLE): the searches of a server on the same machine go first, as serve's folds do")
	publishURL, endpoint := storeFlags(fs, "publish",
		"after the build, upload the generation to this object store and tell the replicas (s3://BUCKET/PREFIX)")
	gcGrace := fs.Duration("gc-grace", time.Hour,
		"with --publish, delete from the store generations replaced longer ago than this that no replica serves (0: keep all)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *nice < 0 || *nice > background.MaxNice {
		return fmt.Errorf("--nice %d: must be from 0 to %d", *nice, background.MaxNice)
	}
	if *nice > 0 {
		if err := background.LowerProcess(*nice); err != nil {
			return fmt.Errorf("--nice %d: %w", *nice, err)
		}
	}
	if *idle {
		if err := background.IdleProcess(); err != nil {
			return fmt.Errorf("--idle: %w", err)
		}
	}
	var cfg replica.Config
	if *publishURL != "" {
		cfg = replica.ConfigFromEnv(*publishURL, *endpoint)
		if _, err := replica.Open(cfg); err != nil { // a bad URL fails before a long build
			return err
		}
	}
	pool, err := postgres.Connect(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	if *publishURL != "" {
		if _, err := postgres.Migrate(ctx, pool); err != nil { // the generations table
			return err
		}
	}
	stats, err := buildIndex(ctx, postgres.Source{Pool: pool}, *dir, stdout, stderr)
	if err != nil || *publishURL == "" {
		return err
	}
	return publishGeneration(ctx, cfg, pool, stats.Path, stats.Docs, *gcGrace, stdout)
}

// build builds and publishes an index with a progress bar and a summary.
func build(ctx context.Context, src indexer.Source, dir string, stdout, stderr io.Writer) error {
	_, err := buildIndex(ctx, src, dir, stdout, stderr)
	return err
}

// buildIndex is build that also returns what it built.
func buildIndex(ctx context.Context, src indexer.Source, dir string, stdout, stderr io.Writer) (indexer.BuildStats, error) {
	bar := newProgressBar(stderr, "indexing")
	stats, err := indexer.Build(ctx, src, dir, bar.Update)
	bar.Finish()
	if err != nil {
		return stats, err
	}
	fmt.Fprintf(stdout, "indexed %d documents in %.1fs (%.0f docs/s) into %s\n",
		stats.Docs, stats.Elapsed.Seconds(), stats.DocsPerSecond(), stats.Path)
	return stats, nil
}
