package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/careatlas/careatlas/indexer/gen"
	"github.com/careatlas/careatlas/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
)

func genCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("gen", "gen [--database-url URL] [--offers N] [--seed S] [--base DIR]", stderr)
	dbURL := databaseFlag(fs)
	offers := fs.Int("offers", 1_000_000, "offers to generate (facilities, doctors follow: N/10, N/5)")
	seed := fs.Uint64("seed", 1, "seed: the same seed gives the same catalogue")
	base := fs.String("base", defaultCatalog, "catalogue whose shape the generated one follows"+catalogUsage)
	if err := parse(fs, args); err != nil {
		return err
	}
	pool, err := postgres.Connect(ctx, *dbURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	return generate(ctx, pool, *base, gen.Config{Offers: *offers, Seed: *seed}, stdout, stderr)
}

// generate migrates, writes a generated catalogue and analyses it, with a
// progress bar.
func generate(ctx context.Context, pool *pgxpool.Pool, base string, cfg gen.Config, stdout, stderr io.Writer) error {
	start := time.Now()
	if _, err := postgres.Migrate(ctx, pool); err != nil {
		return err
	}
	bar := newProgressBar(stderr, "generating")
	rows, err := gen.Generate(ctx, pool, base, cfg, bar.Update)
	bar.Finish()
	if err != nil {
		return err
	}
	// VACUUM as well as ANALYZE: it marks the freshly written pages
	// all-visible, so the change log's reads of a treatment's offer prices
	// are answered from the index alone from the start.
	if _, err := pool.Exec(ctx, "VACUUM ANALYZE"); err != nil {
		return fmt.Errorf("vacuum analyze: %w", err)
	}
	fmt.Fprintf(stdout, "generated %d offers, %d facilities, %d doctors, %d treatments, %d countries in %.1fs\n",
		rows["offers"], rows["facilities"], rows["doctors"], rows["treatments"], rows["countries"], time.Since(start).Seconds())
	return nil
}
