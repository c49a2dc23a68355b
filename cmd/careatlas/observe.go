package main

import (
	"context"
	"sync"
	"time"

	"github.com/careatlas/careatlas/api"
	"github.com/careatlas/careatlas/background"
	"github.com/careatlas/careatlas/postgres"
	"github.com/careatlas/careatlas/replica"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// What serve adds to the API's metrics and readiness: the parts the API
// does not know of — the PostgreSQL pool and the analytics queue — read
// from them at each scrape or probe.

// registerDatabaseMetrics adds the pool's statistics and the analytics
// queue to reg.
func registerDatabaseMetrics(reg prometheus.Registerer, pool *pgxpool.Pool, events *postgres.EventWriter) {
	reg.MustRegister(newPoolCollector(pool),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "careatlas_analytics_queue_depth",
			Help: "Analytics events waiting to be written to PostgreSQL."},
			func() float64 { return float64(events.Queued()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "careatlas_analytics_queue_capacity",
			Help: "Analytics events that may wait; when the queue is full, requests wait for room."},
			func() float64 { return float64(events.Capacity()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careatlas_analytics_events_written_total",
			Help: "Analytics events written to PostgreSQL."},
			func() float64 { return float64(events.Written()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careatlas_analytics_events_spilled_total",
			Help: "Analytics events spilled to the local file while PostgreSQL could not take them (written later)."},
			func() float64 { return float64(events.Spilled()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careatlas_analytics_events_dropped_total",
			Help: "Analytics events lost: beyond the spill file's bound, or not queued in time."},
			func() float64 { return float64(events.Lost()) }),
	)
}

// registerReplicaMetrics adds a replica's following of the store to reg:
// what /readyz's replica part says, as numbers an alert can watch (behind
// for long, failures rising, no download for a day).
func registerReplicaMetrics(reg prometheus.Registerer, f *replica.Follower) {
	status := func(read func(replica.Status) float64) func() float64 {
		return func() float64 { return read(f.Status()) }
	}
	boolean := func(b bool) float64 {
		if b {
			return 1
		}
		return 0
	}
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careatlas_replica_downloads_total",
			Help: "Generations downloaded from the store, verified and switched to."},
			status(func(s replica.Status) float64 { return float64(s.Downloads) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careatlas_replica_download_failures_total",
			Help: "Downloads or checksum checks that failed; the replica kept the generation it had."},
			status(func(s replica.Status) float64 { return float64(s.Failures) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careatlas_replica_downloaded_bytes_total",
			Help: "Bytes fetched by the downloads that succeeded."},
			status(func(s replica.Status) float64 { return float64(s.Bytes) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "careatlas_replica_last_download_seconds",
			Help: "How long the last successful download took, fetch to switch."},
			status(func(s replica.Status) float64 { return s.LastDownload.Seconds() })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "careatlas_replica_last_switch_timestamp_seconds",
			Help: "When the replica last switched to a downloaded generation (Unix time; 0: never)."},
			status(func(s replica.Status) float64 {
				if s.LastSwitch.IsZero() {
					return 0
				}
				return float64(s.LastSwitch.UnixNano()) / 1e9
			})),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "careatlas_replica_behind",
			Help: "1 while a newer generation is published than the one served."},
			status(func(s replica.Status) float64 { return boolean(s.Behind()) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "careatlas_replica_downloading",
			Help: "1 while a generation is being downloaded."},
			status(func(s replica.Status) float64 { return boolean(s.Downloading != "") })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "careatlas_replica_listening",
			Help: "1 while the replica is woken by NOTIFY; 0: it polls only."},
			status(func(s replica.Status) float64 { return boolean(s.Listening) })),
	)
}

// poolCollector reports pgxpool.Stat at each scrape.
type poolCollector struct {
	pool  *pgxpool.Pool
	descs map[string]*prometheus.Desc
}

// poolMetrics name and explain each statistic the collector reports.
var poolMetrics = []struct{ name, help string }{
	{"careatlas_pg_pool_connections_acquired", "Connections in use."},
	{"careatlas_pg_pool_connections_idle", "Idle connections."},
	{"careatlas_pg_pool_connections_constructing", "Connections being opened."},
	{"careatlas_pg_pool_connections_total", "Connections open or opening."},
	{"careatlas_pg_pool_connections_max", "The pool's maximum size."},
	{"careatlas_pg_pool_acquires_total", "Connections acquired from the pool."},
	{"careatlas_pg_pool_acquire_wait_seconds_total", "Time spent acquiring connections."},
	{"careatlas_pg_pool_empty_acquires_total", "Acquires that had to wait for a connection: the pool was too small."},
	{"careatlas_pg_pool_canceled_acquires_total", "Acquires canceled by their context."},
	{"careatlas_pg_pool_new_connections_total", "Connections opened."},
}

func newPoolCollector(pool *pgxpool.Pool) *poolCollector {
	pc := &poolCollector{pool: pool, descs: map[string]*prometheus.Desc{}}
	for _, m := range poolMetrics {
		pc.descs[m.name] = prometheus.NewDesc(m.name, m.help, nil, nil)
	}
	return pc
}

// Describe sends every statistic's descriptor.
func (pc *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range pc.descs {
		ch <- d
	}
}

// Collect reads the pool's statistics.
func (pc *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := pc.pool.Stat()
	gauge := func(name string, v float64) {
		ch <- prometheus.MustNewConstMetric(pc.descs[name], prometheus.GaugeValue, v)
	}
	counter := func(name string, v float64) {
		ch <- prometheus.MustNewConstMetric(pc.descs[name], prometheus.CounterValue, v)
	}
	gauge("careatlas_pg_pool_connections_acquired", float64(s.AcquiredConns()))
	gauge("careatlas_pg_pool_connections_idle", float64(s.IdleConns()))
	gauge("careatlas_pg_pool_connections_constructing", float64(s.ConstructingConns()))
	gauge("careatlas_pg_pool_connections_total", float64(s.TotalConns()))
	gauge("careatlas_pg_pool_connections_max", float64(s.MaxConns()))
	counter("careatlas_pg_pool_acquires_total", float64(s.AcquireCount()))
	counter("careatlas_pg_pool_acquire_wait_seconds_total", s.AcquireDuration().Seconds())
	counter("careatlas_pg_pool_empty_acquires_total", float64(s.EmptyAcquireCount()))
	counter("careatlas_pg_pool_canceled_acquires_total", float64(s.CanceledAcquireCount()))
	counter("careatlas_pg_pool_new_connections_total", float64(s.NewConnsCount()))
}

// How /readyz checks the database: a ping bounded by pingTimeout, its
// answer kept for pingEvery, so that probes from every load balancer, at
// any rate, cost the database at most one ping a second or so.
const (
	pingTimeout = 500 * time.Millisecond
	pingEvery   = 1500 * time.Millisecond
)

// databaseHealth is the cached state of the database for /readyz.
type databaseHealth struct {
	pool   *pgxpool.Pool
	events *postgres.EventWriter
	now    func() time.Time

	mu      sync.Mutex // held while pinging: concurrent probes wait for one ping
	checked time.Time
	err     error
	took    time.Duration
}

func newDatabaseHealth(pool *pgxpool.Pool, events *postgres.EventWriter) *databaseHealth {
	return &databaseHealth{pool: pool, events: events, now: time.Now}
}

// Parts reports the database and the analytics queue (api.Options.Health).
func (d *databaseHealth) Parts(ctx context.Context) map[string]api.Part {
	took, err := d.ping(ctx)
	db := api.Part{OK: err == nil, Detail: map[string]any{"ping_ms": float64(took.Microseconds()) / 1000}}
	if err != nil {
		db.Reason = "unreachable: " + err.Error() + "; searches are served from the open index"
	}
	parts := map[string]api.Part{"database": db}
	if d.events != nil {
		q, capacity := d.events.Queued(), d.events.Capacity()
		a := api.Part{OK: q < capacity, Detail: map[string]any{"queued": q, "capacity": capacity,
			"written": d.events.Written(), "spilled": d.events.Spilled(), "dropped": d.events.Lost()}}
		if !a.OK {
			a.Reason = "the queue is full: requests wait for room"
		}
		parts["analytics"] = a
	}
	return parts
}

// ping returns the last ping's result, pinging again when it is older than
// pingEvery.
func (d *databaseHealth) ping(ctx context.Context) (time.Duration, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if now := d.now(); now.Sub(d.checked) >= pingEvery {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pingTimeout)
		defer cancel()
		d.err = d.pool.Ping(ctx)
		d.took = d.now().Sub(now)
		d.checked = d.now()
	}
	return d.took, d.err
}

// registerFoldMetrics adds serve's folds (fold.go) to reg.
func registerFoldMetrics(reg prometheus.Registerer, f *folder) {
	status := func(read func(*api.FoldStatus) float64) func() float64 {
		return func() float64 { return read(f.Status()) }
	}
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careatlas_folds_total",
			Help: "Builds of a new generation that folded the changes on top of the served one (serve --fold-after)."},
			status(func(s *api.FoldStatus) float64 { return float64(s.Folds) })),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careatlas_fold_failures_total",
			Help: "Fold builds that failed; the server went on serving its generation and the changes on top."},
			status(func(s *api.FoldStatus) float64 { return float64(s.Failures) })),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "careatlas_fold_running",
			Help: "1 while a fold's build runs."},
			status(func(s *api.FoldStatus) float64 {
				if s.Running {
					return 1
				}
				return 0
			})),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "careatlas_fold_last_seconds",
			Help: "How long the last fold's build took."},
			status(func(s *api.FoldStatus) float64 { return s.LastSeconds })),
	)
}

// registerFreshnessMetrics adds how far the served index is behind the
// database (what /readyz shows under freshness) to reg.
func registerFreshnessMetrics(reg prometheus.Registerer, fresh func() api.Freshness) {
	gauge := func(name, help string, read func(api.Freshness) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 { return read(fresh()) })
	}
	reg.MustRegister(
		gauge("careatlas_changes_lag_seconds", "Age of the oldest change in the log not yet applied (0: caught up).",
			func(f api.Freshness) float64 { return f.LagSeconds }),
		gauge("careatlas_changes_applied", "Changes applied since the served generation opened.",
			func(f api.Freshness) float64 { return float64(f.Applied) }),
		gauge("careatlas_overlay_records", "Records changed since the served generation, held on top of it (serve --fold-after folds them).",
			func(f api.Freshness) float64 { return float64(f.Changed) }),
		gauge("careatlas_overlay_left_out", "Documents of the served generation that the changes on top of it leave out.",
			func(f api.Freshness) float64 { return float64(f.Deleted) }),
		gauge("careatlas_rebuild_needed", "1 when only a new generation brings the index back to the database.",
			func(f api.Freshness) float64 {
				if f.RebuildNeeded {
					return 1
				}
				return 0
			}),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "careatlas_background_lifted_total",
			Help: "Background work (a batch of changes, a merge, a sort order) lifted out of idle CPU time to its niceness after waiting " +
				background.LiftAfter.String() + " for a core: rising with the batches, the searches keep the cores too busy for idle work."},
			func() float64 { return float64(background.Lifted()) }),
	)
}
