// Package indexer builds index generations: it turns catalogue rows into
// search records (the same code whichever source they come from), writes
// them with the generation's posts into a new generation directory, and
// publishes it. Sources are the catalogue files (the demo, FileSource) and
// PostgreSQL (package postgres); the indexer itself speaks no SQL.
package indexer

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/careatlas/careatlas/search"
)

// BuildStats describes a finished build.
type BuildStats struct {
	Path    string // the published generation
	Docs    int
	Elapsed time.Duration
}

// DocsPerSecond is the build's throughput.
func (s BuildStats) DocsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Docs) / s.Elapsed.Seconds()
}

// Progress is told how far a build has come; total is 0 when unknown.
type Progress func(done, total int)

// Build writes a new generation of the index in dir from src and publishes
// it. The live generation keeps serving throughout; if the build fails or
// ctx is cancelled, the new generation is deleted and the live one stays.
// If the process dies instead (kill -9, a crash, a power cut), the live one
// stays too, and the next Build in dir removes what the dead one left.
// One build runs in a directory at a time: a second fails at once with
// ErrBuildRunning.
//
// Each phase is logged at debug level ("build phase": reading, writing,
// merging, publishing), for an operator watching a long build, and for the
// tests that kill a build in each.
func Build(ctx context.Context, src Source, dir string, progress Progress) (BuildStats, error) {
	start := time.Now()
	if progress == nil {
		progress = func(int, int) {}
	}
	// One build at a time per directory; the one that holds the lock
	// clears away what killed builds left, so a crash costs one rerun.
	unlock, err := lockIndexDir(dir)
	if err != nil {
		return BuildStats{}, err
	}
	defer unlock()
	if canCleanUp {
		removed, err := search.RemoveAbandoned(dir)
		if err != nil {
			return BuildStats{}, err
		}
		if len(removed) > 0 {
			slog.InfoContext(ctx, "removed abandoned builds", "dir", dir, "removed", removed)
		}
	}
	phase := func(name string) { slog.DebugContext(ctx, "build phase", "phase", name, "dir", dir) }
	phase("reading")
	pos, err := changePosition(ctx, src)
	if err != nil {
		return BuildStats{}, err
	}
	rates, err := src.Rates(ctx)
	if err != nil {
		return BuildStats{}, err
	}
	total, err := src.Count(ctx)
	if err != nil {
		return BuildStats{}, err
	}
	path, err := search.NewGeneration(dir)
	if err != nil {
		return BuildStats{}, err
	}
	b, err := search.NewBuilder(path, rates)
	if err != nil {
		return BuildStats{}, err
	}
	phase("writing")
	progress(0, total)
	err = src.Records(ctx, rates, func(r *search.Record) error {
		if err := b.Add(r); err != nil {
			return err
		}
		if n := b.Count(); n%1000 == 0 {
			progress(n, total)
			return ctx.Err()
		}
		return nil
	})
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		b.Abort()
		return BuildStats{}, fmt.Errorf("build index: %w", err)
	}
	phase("merging")
	if err := b.Close(ctx); err != nil {
		// Not b.Abort: a failed Close has closed the index already, and
		// closing a scorch index twice panics (found by filling the disk).
		os.RemoveAll(path)
		return BuildStats{}, fmt.Errorf("build index: %w", err)
	}
	obsolete, err := liveOnly(path)
	if err != nil {
		os.RemoveAll(path)
		return BuildStats{}, fmt.Errorf("build index: %w", err)
	}
	if len(obsolete) > 0 {
		slog.DebugContext(ctx, "removed obsolete segments", "path", path, "files", obsolete)
	}
	nposts, err := writePosts(ctx, src, path)
	if err == nil {
		err = writePosition(path, pos)
	}
	if err != nil {
		os.RemoveAll(path)
		return BuildStats{}, fmt.Errorf("build index: %w", err)
	}
	progress(b.Count(), total)
	phase("publishing")
	published, err := search.Publish(dir, path)
	if err != nil {
		return BuildStats{}, err
	}
	stats := BuildStats{Path: published, Docs: b.Count(), Elapsed: time.Since(start)}
	slog.InfoContext(ctx, "index built", "path", published, "docs", stats.Docs,
		"posts", nposts, "seconds", stats.Elapsed.Seconds(), "docs_per_second", int(stats.DocsPerSecond()))
	return stats, nil
}
