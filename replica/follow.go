package replica

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/search"
	"github.com/jackc/pgx/v5/pgxpool"
)

// FollowOptions tune a Follower; zero values take the defaults.
type FollowOptions struct {
	// ID names this replica in the replicas table; default
	// HOSTNAME-PID-RANDOM, new for every process.
	ID string
	// Poll is how often the follower looks for a new generation without
	// being told: the fallback when a NOTIFY is lost, and the only way
	// without a database. Default 30 s with a database, 10 s without.
	Poll time.Duration
	// Heartbeat is how often the replica records what it serves.
	// Default 10 s.
	Heartbeat time.Duration
	// RetryCorrupt is how long a generation refused for a bad checksum
	// is left alone before it is downloaded again (someone may have
	// repaired the object). Default 5 minutes.
	RetryCorrupt time.Duration
	// Serving returns the path of the generation searches are answered
	// from (live.Live.Path). The follower reports that rather than the
	// local current link, which a server switches to a moment later.
	// Nil: the current link.
	Serving func() string
}

// Status is what a replica reports about following the store, for
// /readyz and the metrics. Serving the old generation while Behind, or
// with a LastError, is normal operation, not unreadiness: a replica is
// unready only when it has no index at all.
type Status struct {
	Store       string    `json:"store"`                 // s3://BUCKET/PREFIX
	Serving     string    `json:"serving"`               // generation served; "" before the first
	Latest      string    `json:"latest"`                // newest published generation seen
	Downloading string    `json:"downloading,omitempty"` // generation being fetched now
	LastSwitch  time.Time `json:"last_switch,omitzero"`  // when the last download was published locally
	LastError   string    `json:"last_error,omitempty"`  // the last failure, cleared by a success
	LastErrorAt time.Time `json:"last_error_at,omitzero"`
	Downloads   int64     `json:"downloads"` // generations downloaded and published
	// Bytes counts what the downloads that succeeded fetched.
	Bytes int64 `json:"bytes"`
	// LastDownload is how long the last successful download took, from
	// its first request to the local switch (fetch, verify, publish).
	LastDownload time.Duration `json:"last_download_ns,omitempty"`
	Failures     int64         `json:"failures"`  // downloads or checks that failed
	Listening    bool          `json:"listening"` // woken by NOTIFY (false: polling only)
}

// Behind reports whether a newer generation is published than the one
// served.
func (s Status) Behind() bool { return s.Latest != "" && s.Latest != s.Serving }

// Follower keeps a replica's index directory at the newest generation
// published to a store: it learns of one from the generations table (woken
// by NOTIFY, polling as a fallback) or, with no database, from the store's
// newest manifest; it downloads and verifies it with Download, which flips
// the local current link that the server already watches. A failure leaves
// the replica on the generation it has. With a database it also records a
// heartbeat saying what it serves, which GC reads.
type Follower struct {
	store *Store
	pool  *pgxpool.Pool
	dir   string
	opts  FollowOptions
	wake  chan struct{}

	mu      sync.Mutex
	status  Status
	refused map[string]time.Time // generation → when its checksum failed
}

// NewFollower returns a follower of store for indexDir. pool may be nil:
// the replica then follows the store alone and sends no heartbeat.
func NewFollower(store *Store, pool *pgxpool.Pool, indexDir string, opts FollowOptions) *Follower {
	if opts.ID == "" {
		opts.ID = defaultID()
	}
	if opts.Poll <= 0 {
		opts.Poll = 10 * time.Second
		if pool != nil {
			opts.Poll = 30 * time.Second
		}
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = 10 * time.Second
	}
	if opts.RetryCorrupt <= 0 {
		opts.RetryCorrupt = 5 * time.Minute
	}
	return &Follower{
		store: store, pool: pool, dir: indexDir, opts: opts,
		wake:    make(chan struct{}, 1),
		status:  Status{Store: store.URL()},
		refused: map[string]time.Time{},
	}
}

func defaultID() string {
	host, _ := os.Hostname()
	var b [3]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// ID is the replica's name in the replicas table.
func (f *Follower) ID() string { return f.opts.ID }

// Status returns the follower's state now.
func (f *Follower) Status() Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.status
	s.Serving = f.serving()
	return s
}

// Run follows the store until ctx is done, and returns only then (nil) or
// when the index directory cannot be used at all. Everything it starts
// has stopped when it returns.
func (f *Follower) Run(ctx context.Context) error {
	if err := CleanBuilding(f.dir); err != nil {
		return err
	}
	var wg sync.WaitGroup
	defer wg.Wait()
	if f.pool != nil {
		wg.Go(func() { f.listen(ctx) })
		wg.Go(func() { f.heartbeats(ctx) })
	}
	poll := time.NewTicker(f.opts.Poll)
	defer poll.Stop()
	for {
		f.check(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-f.wake:
		case <-poll.C:
		}
	}
}

// Wake makes the follower look for a new generation now.
func (f *Follower) Wake() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// check downloads the newest published generation if it is not the local
// one, unless it was refused as corrupt a moment ago.
func (f *Follower) check(ctx context.Context) {
	m, err := f.latest(ctx)
	if errors.Is(err, ErrNoGeneration) || ctx.Err() != nil {
		return
	}
	if err != nil {
		f.fail(ctx, "", err)
		return
	}
	f.mu.Lock()
	f.status.Latest = m.Generation
	refusedAt, refused := f.refused[m.Generation]
	f.mu.Unlock()
	if cur, err := search.Current(f.dir); err == nil && filepath.Base(cur) == m.Generation {
		return
	}
	if refused && time.Since(refusedAt) < f.opts.RetryCorrupt {
		return
	}

	f.setDownloading(m.Generation)
	f.beat(ctx)
	start := time.Now()
	slog.InfoContext(ctx, "downloading generation", "store", f.store.URL(), "generation", m.Generation,
		"files", len(m.Files), "bytes", m.Bytes())
	_, err = Download(ctx, f.store, m, f.dir)
	f.setDownloading("")
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		if errors.Is(err, ErrCorrupt) {
			f.mu.Lock()
			f.refused[m.Generation] = time.Now()
			f.mu.Unlock()
		}
		f.fail(ctx, m.Generation, err)
		return
	}
	f.mu.Lock()
	f.status.Downloads++
	f.status.Bytes += m.Bytes()
	f.status.LastSwitch = time.Now()
	f.status.LastDownload = time.Since(start)
	f.status.LastError, f.status.LastErrorAt = "", time.Time{}
	delete(f.refused, m.Generation)
	f.mu.Unlock()
	slog.InfoContext(ctx, "generation downloaded and published", "generation", m.Generation,
		"bytes", m.Bytes(), "seconds", time.Since(start).Seconds())
	f.beat(ctx)
}

// latest returns the newest published generation's manifest: from the
// generations table with a database, else from the store.
func (f *Follower) latest(ctx context.Context) (*Manifest, error) {
	if f.pool == nil {
		return Latest(ctx, f.store)
	}
	g, err := postgres.LatestGeneration(ctx, f.pool, f.store.URL())
	if errors.Is(err, postgres.ErrNoGeneration) {
		return nil, ErrNoGeneration
	}
	if err != nil {
		return nil, err
	}
	return ParseManifest(g.Manifest)
}

func (f *Follower) fail(ctx context.Context, gen string, err error) {
	f.mu.Lock()
	f.status.Failures++
	f.status.LastError, f.status.LastErrorAt = err.Error(), time.Now()
	f.mu.Unlock()
	slog.ErrorContext(ctx, "replica keeps its generation", "store", f.store.URL(), "refused", gen,
		"serving", f.serving(), "err", err)
	f.beat(ctx)
}

func (f *Follower) setDownloading(gen string) {
	f.mu.Lock()
	f.status.Downloading = gen
	f.mu.Unlock()
}

// serving is the name of the generation searches are answered from.
func (f *Follower) serving() string {
	if f.opts.Serving != nil {
		if p := f.opts.Serving(); p != "" {
			return filepath.Base(p)
		}
		return ""
	}
	if cur, err := search.Current(f.dir); err == nil {
		return filepath.Base(cur)
	}
	return ""
}

// listen keeps a LISTEN connection open, waking the follower on every
// publish to its store and each time listening (re)starts, since a
// notification sent while nobody listened is lost.
func (f *Follower) listen(ctx context.Context) {
	backoff := time.Second
	for ctx.Err() == nil {
		err := postgres.ListenGenerations(ctx, f.pool, func(prefix string) {
			if prefix == "" {
				f.setListening(true)
			}
			if prefix == "" || prefix == f.store.URL() {
				f.Wake()
			}
		})
		f.setListening(false)
		if ctx.Err() != nil {
			return
		}
		slog.WarnContext(ctx, "listening for generations failed; polling until it works again",
			"err", err, "retry_in", backoff)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (f *Follower) setListening(on bool) {
	f.mu.Lock()
	f.status.Listening = on
	f.mu.Unlock()
}

// heartbeats records the replica's state every Heartbeat, and removes its
// row on the way out so what it served stops holding generations back.
func (f *Follower) heartbeats(ctx context.Context) {
	t := time.NewTicker(f.opts.Heartbeat)
	defer t.Stop()
	for {
		f.beat(ctx)
		select {
		case <-ctx.Done():
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := postgres.RemoveReplica(ctx, f.pool, f.opts.ID); err != nil {
				slog.Warn("remove replica row", "err", err)
			}
			return
		case <-t.C:
		}
	}
}

// beat records one heartbeat; with no database it does nothing.
func (f *Follower) beat(ctx context.Context) {
	if f.pool == nil || ctx.Err() != nil {
		return
	}
	s := f.Status()
	err := postgres.Heartbeat(ctx, f.pool, postgres.ReplicaState{
		ID: f.opts.ID, Prefix: s.Store, Generation: s.Serving, Downloading: s.Downloading, LastError: s.LastError,
	})
	if err != nil && ctx.Err() == nil {
		slog.WarnContext(ctx, "heartbeat", "err", err)
	}
}
