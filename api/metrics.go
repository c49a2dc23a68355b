package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are registered in a registry of the server's own, never in the
// process-wide default: tests build several servers in one process, and
// each must count only its own requests. The wiring (serve) adds what the
// API does not know of — the PostgreSQL pool, the analytics queue — to the
// same registry.

// NewRegistry returns a registry holding the Go runtime's and the process's
// collectors, for Options.Metrics.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// MetricsHandler serves reg in the Prometheus text format; serve mounts it
// on --metrics-addr when metrics are not to be public.
func MetricsHandler(reg *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
}

// Search kinds, the label of the search metrics: their costs differ by
// orders of magnitude, so one histogram for all would say little.
const (
	kindText    = "text"    // /v1/search with q
	kindFilters = "filters" // /v1/search without q
	kindSuggest = "suggest"
	kindPosts   = "posts" // /v1/posts/match
)

// unmatchedRoute labels requests no route matched, so that a scanner's
// paths cannot grow the number of series.
const unmatchedRoute = "unmatched"

// metrics are the API's own series.
type metrics struct {
	// routes are the route table's paths, the only route labels. Read on
	// the first request, not in New: serve adds the web front end's routes
	// to the Echo that New returns.
	routes     func() map[string]bool
	counters   sync.Map // requestKey → prometheus.Counter
	latencies  sync.Map // route → prometheus.Observer
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	search     *prometheus.HistogramVec
	hits       *prometheus.HistogramVec
	zero       *prometheus.CounterVec
	overBudget *prometheus.CounterVec
}

// Latency buckets in seconds. Searches answer in milliseconds; the top
// buckets are there to show a budget being hit.
var (
	requestBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	searchBuckets  = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1}
	hitsBuckets    = []float64{0, 1, 10, 100, 1000, 10_000, 100_000, 1_000_000}
)

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careatlas_http_requests_total",
			Help: "HTTP requests answered, by route (the route table's path), method and status code."},
			[]string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "careatlas_http_request_duration_seconds",
			Help: "Time from a request's arrival to its answer, by route.", Buckets: requestBuckets},
			[]string{"route"}),
		search: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "careatlas_search_duration_seconds",
			Help: "Time the engine spent on one search, by kind (text, filters, suggest, posts).", Buckets: searchBuckets},
			[]string{"kind"}),
		hits: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "careatlas_search_hits",
			Help: "What a search found, by kind: its total for text and filters, the suggestions given for suggest, the posts matched for posts.", Buckets: hitsBuckets}, []string{"kind"}),
		zero: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careatlas_search_zero_results_total",
			Help: "Searches that found nothing, by kind."}, []string{"kind"}),
		overBudget: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "careatlas_search_over_budget_total",
			Help: "Searches stopped for exceeding their time budget (answered 503 over_budget), by kind."}, []string{"kind"}),
	}
	reg.MustRegister(m.requests, m.latency, m.search, m.hits, m.zero, m.overBudget)
	return m
}

// route bounds the route label to the route table's paths.
func (m *metrics) route(path string) string {
	if m.routes()[path] {
		return path
	}
	return unmatchedRoute
}

// request counts one answered request. The series are looked up in a
// cache keyed by a small struct rather than through the vectors' label
// hashing, which allocates: this runs on every request.
func (m *metrics) request(route, method string, status int, took time.Duration) {
	k := requestKey{route: route, method: methodLabel(method), status: status}
	c, ok := m.counters.Load(k)
	if !ok {
		c, _ = m.counters.LoadOrStore(k, m.requests.WithLabelValues(k.route, k.method, strconv.Itoa(status)))
	}
	c.(prometheus.Counter).Inc()
	o, ok := m.latencies.Load(route)
	if !ok {
		o, _ = m.latencies.LoadOrStore(route, m.latency.WithLabelValues(route))
	}
	o.(prometheus.Observer).Observe(took.Seconds())
}

// requestKey names one series of careatlas_http_requests_total.
type requestKey struct {
	route, method string
	status        int
}

// searched records one search of a kind: its time and, when it found
// anything countable (total ≥ 0), its total.
func (m *metrics) searched(kind string, took time.Duration, total int64) {
	m.search.WithLabelValues(kind).Observe(took.Seconds())
	if total < 0 {
		return
	}
	m.hits.WithLabelValues(kind).Observe(float64(total))
	if total == 0 {
		m.zero.WithLabelValues(kind).Inc()
	}
}

// indexCollector reports, at each scrape, the generation being served: read
// then rather than kept up to date, since it changes a few times a day and
// is scraped every few seconds at most.
type indexCollector struct {
	s                                        Snapshots
	ready, info, age, docs                   *prometheus.Desc
	opens, swaps, openFailures, synonymLoads *prometheus.Desc
	sides                                    *prometheus.Desc
}

// liveStats is what a Snapshots may count of its generations (*live.Live
// does).
type liveStats interface {
	Stats() live.Stats
}

func newIndexCollector(s Snapshots) *indexCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &indexCollector{s: s,
		ready: d("careatlas_index_ready", "1 while an index generation is open and searches are served, else 0."),
		info:  d("careatlas_index_generation_info", "The generation served (its directory's name), always 1.", "generation"),
		age:   d("careatlas_index_generation_age_seconds", "How long ago the served generation's build started: how far search may lag the catalogue."),
		docs:  d("careatlas_index_documents", "Documents in the served generation, by type.", "type"),
		opens: d("careatlas_index_opens_total", "Index generations opened."),
		swaps: d("careatlas_index_swaps_total", "Times a newly published generation replaced the open one."),
		openFailures: d("careatlas_index_open_failures_total",
			"Published generations that failed to open (the open one kept serving)."),
		synonymLoads: d("careatlas_synonym_reloads_total", "Synonym graphs loaded and applied to searches."),
		sides: d("careatlas_overlay_segment_sides_total",
			"Segments of the changes on top of the served generation that searches reached, by whether the search's side of the segment was kept from an earlier search (found=\"kept\") or searched (found=\"searched\"); counted since the generation opened.",
			"found"),
	}
}

// Describe sends the descriptors of every metric the collector reports.
func (ic *indexCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{ic.ready, ic.info, ic.age, ic.docs, ic.opens, ic.swaps, ic.openFailures, ic.synonymLoads, ic.sides} {
		ch <- d
	}
}

// Collect reads the served generation and the live counters.
func (ic *indexCollector) Collect(ch chan<- prometheus.Metric) {
	if ls, ok := ic.s.(liveStats); ok {
		st := ls.Stats()
		ch <- prometheus.MustNewConstMetric(ic.opens, prometheus.CounterValue, float64(st.Opens))
		ch <- prometheus.MustNewConstMetric(ic.swaps, prometheus.CounterValue, float64(st.Swaps))
		ch <- prometheus.MustNewConstMetric(ic.openFailures, prometheus.CounterValue, float64(st.OpenFailures))
		ch <- prometheus.MustNewConstMetric(ic.synonymLoads, prometheus.CounterValue, float64(st.SynonymReloads))
	}
	snap, err := ic.s.Acquire()
	if err != nil {
		ch <- prometheus.MustNewConstMetric(ic.ready, prometheus.GaugeValue, 0)
		return
	}
	defer snap.Release()
	ch <- prometheus.MustNewConstMetric(ic.ready, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(ic.info, prometheus.GaugeValue, 1, snap.Generation())
	if built, ok := search.GenerationTime(snap.Index.Path()); ok {
		ch <- prometheus.MustNewConstMetric(ic.age, prometheus.GaugeValue, time.Since(built).Seconds())
	}
	for typ, n := range snap.Index.DocsByType() {
		ch <- prometheus.MustNewConstMetric(ic.docs, prometheus.GaugeValue, float64(n), typ)
	}
	kept, searched := snap.Index.SegmentSides()
	ch <- prometheus.MustNewConstMetric(ic.sides, prometheus.CounterValue, float64(kept), "kept")
	ch <- prometheus.MustNewConstMetric(ic.sides, prometheus.CounterValue, float64(searched), "searched")
}

// metricsRoute serves /metrics on the API's own listener.
func metricsRoute(reg *prometheus.Registry) echo.HandlerFunc {
	return echo.WrapHandler(MetricsHandler(reg))
}
