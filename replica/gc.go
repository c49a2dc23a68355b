package replica

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/careatlas/careatlas/postgres"
	"github.com/jackc/pgx/v5/pgxpool"
)

// GCOptions tune garbage collection; zero values take the defaults.
type GCOptions struct {
	// Grace is how long a generation is kept after a newer one was
	// published, whatever the heartbeats say: a replica that is slow to
	// switch, or that has not reported yet, still finds it. Also the age
	// past which an unfinished upload counts as abandoned. Default 1 hour.
	Grace time.Duration
	// Live is how recent a heartbeat must be for its replica to hold the
	// generation it serves. Default 1 minute, six missed heartbeats.
	Live time.Duration
}

// forgetAfter is how long the row of a silent replica is kept: long past
// Live, so an operator can still see which replica went quiet and when.
const forgetAfter = 24 * time.Hour

// GC deletes from the store the generations that no live replica serves
// and that were replaced more than the grace period ago, then their rows;
// the newest generation is never deleted. It also deletes uploads that
// never got a manifest and are older than the grace period. It returns the
// generations it deleted. Run it from one place (the indexer, a cron job):
// two runs at once are safe but do the same work twice.
func GC(ctx context.Context, s *Store, pool *pgxpool.Pool, opts GCOptions) ([]string, error) {
	if opts.Grace <= 0 {
		opts.Grace = time.Hour
	}
	if opts.Live <= 0 {
		opts.Live = time.Minute
	}
	names, err := postgres.CollectableGenerations(ctx, pool, s.URL(), opts.Grace, opts.Live)
	if err != nil {
		return nil, fmt.Errorf("gc: %w", err)
	}
	var deleted []string
	for _, name := range names {
		// Objects first, then the row: a run that stops in between
		// leaves a row that the next run collects again.
		if err := s.deleteGeneration(ctx, name); err != nil {
			return deleted, fmt.Errorf("gc %s: %w", name, err)
		}
		if err := postgres.DeleteGeneration(ctx, pool, s.URL(), name); err != nil {
			return deleted, fmt.Errorf("gc: %w", err)
		}
		slog.InfoContext(ctx, "generation deleted from the store", "store", s.URL(), "generation", name)
		deleted = append(deleted, name)
	}
	orphans, err := abandonedUploads(ctx, s, pool, opts.Grace)
	if err != nil {
		return deleted, fmt.Errorf("gc: %w", err)
	}
	for _, name := range orphans {
		if err := s.deleteGeneration(ctx, name); err != nil {
			return deleted, fmt.Errorf("gc %s: %w", name, err)
		}
		slog.InfoContext(ctx, "abandoned upload deleted from the store", "store", s.URL(), "generation", name)
		deleted = append(deleted, name)
	}
	if _, err := postgres.ForgetReplicas(ctx, pool, forgetAfter); err != nil {
		return deleted, fmt.Errorf("gc: %w", err)
	}
	return deleted, nil
}

// abandonedUploads returns the generations in the store that have no
// manifest, are not recorded as published, and whose newest object is
// older than grace: uploads that failed and could not clean up after
// themselves. An upload under way writes objects constantly, so it is
// never older than grace.
func abandonedUploads(ctx context.Context, s *Store, pool *pgxpool.Pool, grace time.Duration) ([]string, error) {
	inStore, err := s.generationNames(ctx)
	if err != nil {
		return nil, err
	}
	recorded, err := postgres.GenerationNames(ctx, pool, s.URL())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, name := range inStore {
		if recorded[name] {
			continue
		}
		objs, err := s.objects(ctx, name)
		if err != nil {
			return nil, err
		}
		abandoned := true
		for _, o := range objs {
			if o.Key == s.manifestKey(name) || time.Since(o.LastModified) < grace {
				abandoned = false
				break
			}
		}
		if abandoned {
			out = append(out, name)
		}
	}
	return out, nil
}
