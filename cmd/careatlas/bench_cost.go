package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/careatlas/careatlas/replica"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
)

// What a generation costs beyond its build, for the cost curve
// (docs/scaling.md): the memory of serving it, the time to open it, and,
// with --publish, the time to ship it through object storage to a replica.

// serveReport is the serving side's cost: the bench process's resident
// memory once the build's memory went back to the OS, after opening the
// index and again after every class ran (caches warm).
type serveReport struct {
	OpenSeconds   float64 `json:"open_seconds"`
	RSSOpenMiB    float64 `json:"rss_open_mib"`
	RSSQueriedMiB float64 `json:"rss_queried_mib"`
	// With --publish: uploading the generation to the store, and a
	// replica's download, checksum verification and open of it.
	UploadSeconds       float64 `json:"upload_seconds,omitempty"`
	DownloadOpenSeconds float64 `json:"download_open_seconds,omitempty"`
	UploadedMiB         float64 `json:"uploaded_mib,omitempty"`
}

// openForBench opens indexDir for serving and measures it.
func openForBench(indexDir string) (*live.Live, serveReport, error) {
	runtime.GC()
	debug.FreeOSMemory()
	start := time.Now()
	lv, err := live.New(indexDir)
	if err != nil {
		return nil, serveReport{}, err
	}
	if !lv.Ready() {
		lv.Close()
		return nil, serveReport{}, fmt.Errorf("no generation to serve in %s", indexDir)
	}
	rep := serveReport{OpenSeconds: time.Since(start).Seconds()}
	runtime.GC()
	debug.FreeOSMemory()
	rep.RSSOpenMiB = rssMiB()
	return lv, rep, nil
}

// shipForBench publishes the served generation to the store and times a
// replica's side: download, verify, open.
func shipForBench(ctx context.Context, cfg replica.Config, indexDir string, rep *serveReport) error {
	path, err := search.Current(indexDir)
	if err != nil {
		return err
	}
	store, err := replica.Open(cfg)
	if err != nil {
		return err
	}
	slog.Info("uploading the generation", "to", store.URL())
	start := time.Now()
	m, err := replica.Publish(ctx, store, path, replica.Info{})
	if err != nil {
		return fmt.Errorf("publish for the bench: %w", err)
	}
	rep.UploadSeconds = time.Since(start).Seconds()
	rep.UploadedMiB = float64(m.Bytes()) / (1 << 20)
	dir, err := os.MkdirTemp("", "careatlas-bench-replica-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	slog.Info("downloading it as a replica would")
	start = time.Now()
	if _, err := replica.Download(ctx, store, m, dir); err != nil {
		return fmt.Errorf("download for the bench: %w", err)
	}
	lv, err := live.New(dir)
	if err != nil {
		return err
	}
	rep.DownloadOpenSeconds = time.Since(start).Seconds()
	lv.Close()
	return nil
}

// rssMiB is the process's resident memory now.
func rssMiB() float64 { return procStatusMiB("VmRSS") }
