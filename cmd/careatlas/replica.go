package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/careatlas/careatlas/replica"
	"github.com/jackc/pgx/v5/pgxpool"
)

// storeFlags adds the flags that name an object store of generations.
// Credentials and region are not flags: they come from the variables every
// S3 tool reads (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION), so
// they stay out of process listings.
func storeFlags(fs *flag.FlagSet, urlFlag, urlUsage string) (storeURL, endpoint *string) {
	storeURL = fs.String(urlFlag, "", urlUsage)
	endpoint = fs.String("s3-endpoint", "",
		"S3-compatible store to use instead of Amazon S3, e.g. http://127.0.0.1:7070 (default $AWS_ENDPOINT_URL)")
	return storeURL, endpoint
}

// publishGeneration uploads the generation just built at path to the store
// and then records it in PostgreSQL, which wakes the replicas; then it
// deletes from the store the generations no replica needs any more. The
// local build is already published when this runs, so a failed upload
// costs the replicas nothing: they keep the generation they have.
func publishGeneration(ctx context.Context, cfg replica.Config, pool *pgxpool.Pool, path string, docs int,
	gcGrace time.Duration, stdout io.Writer) error {
	store, err := replica.Open(cfg)
	if err != nil {
		return err
	}
	start := time.Now()
	m, err := replica.Publish(ctx, store, path, replica.Info{Docs: docs})
	if err != nil {
		return err
	}
	if err := replica.Record(ctx, pool, store, m); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "published %s to %s: %d files, %.1f MiB in %.1fs\n", m.Generation, store.URL(),
		len(m.Files), float64(m.Bytes())/(1<<20), time.Since(start).Seconds())
	if gcGrace <= 0 {
		return nil
	}
	deleted, err := replica.GC(ctx, store, pool, replica.GCOptions{Grace: gcGrace})
	if err != nil {
		// The new generation is out; old ones wait for the next run.
		slog.WarnContext(ctx, "delete old generations", "err", err)
	}
	if len(deleted) > 0 {
		fmt.Fprintf(stdout, "deleted %d old generation(s) from %s\n", len(deleted), store.URL())
	}
	return nil
}

// followConfig is what serve needs to follow a store of generations.
type followConfig struct {
	Store replica.Config
	// Serving returns the path of the generation searches use
	// (live.Live.Path), which the replica reports in its heartbeat.
	Serving func() string
}

// newFollower returns the follower serve runs; its Status is for /readyz
// and the metrics.
func newFollower(cfg followConfig, indexDir string, pool *pgxpool.Pool) (*replica.Follower, error) {
	store, err := replica.Open(cfg.Store)
	if err != nil {
		return nil, err
	}
	return replica.NewFollower(store, pool, indexDir, replica.FollowOptions{Serving: cfg.Serving}), nil
}
