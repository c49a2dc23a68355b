// Package api is CareAtlas's HTTP interface: a route table over the search
// engine, parameter decoding, and one place where errors become responses.
package api

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/live"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
)

// Snapshots is what the API needs of the search engine: *live.Live is one.
// Each request acquires one snapshot and reads everything from it.
type Snapshots interface {
	Acquire() (*live.Snapshot, error)
}

// Options tune the server.
type Options struct {
	// SearchTimeout bounds the work of a request that is not a search (a
	// provider's report).
	SearchTimeout time.Duration
	// SearchBudget bounds the time one search, suggestion or post match may
	// spend in the engine (default DefaultSearchBudget). One that needs
	// more is stopped and answered 503 over_budget with Retry-After, so
	// that a hostile query cannot hold a core.
	SearchBudget time.Duration
	// Metrics is the registry the API registers its metrics in and
	// /metrics serves; nil makes one (NewRegistry). NoMetricsRoute leaves
	// /metrics off this handler, when serve exposes it on another address.
	Metrics        *prometheus.Registry
	NoMetricsRoute bool
	// NoAccessLog turns off the info-level line per request (a benchmark
	// that sends thousands a second measures the engine, not its logging).
	NoAccessLog bool
	// Health, when set, reports the parts beside the index that /readyz
	// shows (the database, the analytics queue), by name. It is called on
	// every probe, so it must answer from a cache or within a few
	// milliseconds. Keeping it a function keeps this package free of the
	// database driver.
	Health func(ctx context.Context) map[string]Part
	// NoPosts turns targeted posts off (the generation's posts are
	// matched to searches otherwise).
	NoPosts bool
	// Analytics, when set, records searches, post impressions and clicks,
	// and views of providers' pages, and answers provider reports; without
	// it those endpoints answer 503.
	Analytics Analytics
	// Auth sets up keys, origins and rate limits (package auth): its
	// AdminKey is the operator's bootstrap admin key, its Keys the stored
	// keys; PublicSearch lets keyless clients search.
	Auth auth.Config
	// KeyStore, when set, serves key management (/v1/keys) to admin keys.
	KeyStore auth.Store
	// PostsPerSession caps how often one session is shown a post (default
	// 3); SessionTTL and MaxSessions bound how long and how many sessions
	// are remembered (default 30 minutes and 100,000), for posts and for
	// page views (a session's views of one page count once).
	PostsPerSession int
	SessionTTL      time.Duration
	MaxSessions     int
	// Freshness, when set, says how far behind the database the served
	// index is; /readyz shows it.
	Freshness func() Freshness
}

// Freshness is how far the served index has applied the catalogue's
// change log, as /readyz shows it.
type Freshness struct {
	// Position is the change-log position applied ("xid/id").
	Position string `json:"position"`
	// LagSeconds is the age of the oldest change not yet applied (0 when
	// caught up), or longer while the log cannot be read.
	LagSeconds float64 `json:"lag_seconds"`
	// Applied counts the changes applied since the generation opened.
	Applied int64 `json:"applied"`
	// Changed and Deleted are the overlay's records and the generation's
	// documents it leaves out.
	Changed uint64 `json:"changed"`
	Deleted uint64 `json:"deleted"`
	// Listening says whether changes wake the server at once (else it
	// polls).
	Listening bool `json:"listening"`
	// Error is why reading or applying the log last failed.
	Error string `json:"error,omitempty"`
	// RebuildNeeded says only a new generation brings the index back to
	// the database: a bulk load replaced a table, or the change log was
	// trimmed past the served generation's position.
	RebuildNeeded bool `json:"rebuild_needed,omitempty"`
	// Fold is what the server did to fold its overlay into a new
	// generation (serve --fold-after); nil when it does not.
	Fold *FoldStatus `json:"fold,omitempty"`
}

// FoldStatus is the state of a server's folds: builds of a new generation
// from the database, started when the overlay grew, that the server then
// serves in place of the generation and its overlay.
type FoldStatus struct {
	// After is how many changed records start a fold.
	After uint64 `json:"after"`
	// Running says a build is under way.
	Running bool `json:"running"`
	// Folds counts the builds that succeeded, Failures those that failed.
	Folds    int `json:"folds"`
	Failures int `json:"failures"`
	// LastSeconds is how long the last build took.
	LastSeconds float64 `json:"last_seconds,omitempty"`
	// LastError is why the last build failed ("": it did not).
	LastError string `json:"last_error,omitempty"`
}

// New returns the HTTP handler serving the snapshots of s.
func New(s Snapshots, opts Options) *echo.Echo {
	if opts.SearchTimeout <= 0 {
		opts.SearchTimeout = 10 * time.Second
	}
	if opts.SearchBudget <= 0 {
		opts.SearchBudget = DefaultSearchBudget
	}
	if opts.Metrics == nil {
		opts.Metrics = NewRegistry()
	}
	if opts.PostsPerSession <= 0 {
		opts.PostsPerSession = 3
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 30 * time.Minute
	}
	if opts.MaxSessions <= 0 {
		opts.MaxSessions = 100_000
	}
	h := &handlers{s: s, timeout: opts.SearchTimeout, budget: opts.SearchBudget, postsOn: !opts.NoPosts,
		freshness: opts.Freshness, analytics: opts.Analytics,
		caps:   posts.NewCaps(opts.PostsPerSession, opts.MaxSessions, opts.SessionTTL),
		views:  posts.NewCaps(1, opts.MaxSessions, opts.SessionTTL),
		health: opts.Health, ids: newRequestIDs(), metrics: newMetrics(opts.Metrics), accessLog: !opts.NoAccessLog}
	opts.Metrics.MustRegister(newIndexCollector(s))
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler
	e.Use(h.observe)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableStackAll:   true,
		DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			slog.Error("panic serving request", "path", c.Request().URL.Path, "request_id", RequestID(c),
				"err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.BodyLimit("64K"))

	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	e.GET("/openapi.json", openAPIDocument)
	if !opts.NoMetricsRoute {
		e.GET("/metrics", metricsRoute(opts.Metrics))
	}
	// Everything under /v1 goes through keys, origins and limits; health
	// probes stay outside. Installed on the server rather than the group so
	// that preflights and wrong methods of /v1 routes pass through it too
	// (a group middleware makes Echo answer those 404).
	keys := auth.Middleware(opts.Auth)
	e.Use(func(next echo.HandlerFunc) echo.HandlerFunc {
		checked := keys(next)
		return func(c echo.Context) error {
			if strings.HasPrefix(c.Request().URL.Path, "/v1/") {
				return checked(c)
			}
			return next(c)
		}
	})
	v1 := e.Group("/v1")
	search := auth.Require(auth.Search)
	v1.GET("/search", h.search, search)
	v1.GET("/suggest", h.suggest, search)
	v1.GET("/facilities/:id", h.facility, search)
	v1.POST("/facilities/:id/view", h.view, search)
	v1.GET("/doctors/:id", h.doctor, search)
	v1.GET("/treatments/:id", h.treatment, search)
	v1.POST("/posts/match", h.matchPostsHandler, search)
	v1.POST("/posts/:id/click", h.click, search)
	v1.GET("/providers/:id/analytics", h.providerAnalytics, auth.RequireAnalytics("id"))
	if opts.KeyStore != nil {
		kh := &auth.KeyHandlers{Store: opts.KeyStore}
		admin := auth.Require(auth.Admin)
		v1.POST("/keys", kh.Create, admin)
		v1.GET("/keys", kh.List, admin)
		v1.DELETE("/keys/:id", kh.Revoke, admin)
	}
	h.metrics.routes = sync.OnceValue(func() map[string]bool {
		routes := map[string]bool{}
		for _, r := range e.Routes() {
			routes[r.Path] = true
		}
		return routes
	})
	return e
}

type handlers struct {
	s         Snapshots
	timeout   time.Duration
	budget    time.Duration
	postsOn   bool
	analytics Analytics
	caps      *posts.Caps
	views     *posts.Caps // a session's views of each page, counted once
	rotation  atomic.Uint64
	freshness func() Freshness // nil: no change log is followed
	health    func(ctx context.Context) map[string]Part
	ids       *requestIDs
	metrics   *metrics
	accessLog bool
}

func contextWithTimeout(c echo.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request().Context(), d)
}

// snapshot acquires the snapshot a request reads from, and the context
// bounding its work: the search budget, after which the engine stops with
// search.ErrOverBudget. Call the returned func when the request is done.
func (h *handlers) snapshot(c echo.Context) (*live.Snapshot, context.Context, func(), error) {
	snap, err := h.s.Acquire()
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeoutCause(c.Request().Context(), h.budget, search.ErrOverBudget)
	return snap, ctx, func() { cancel(); snap.Release() }, nil
}
