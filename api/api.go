// Package api is CareAtlas's HTTP interface: a route table over the search
// engine, parameter decoding, and one place where errors become responses.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/search/live"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Snapshots is what the API needs of the search engine: *live.Live is one.
// Each request acquires one snapshot and reads everything from it.
type Snapshots interface {
	Acquire() (*live.Snapshot, error)
}

// Options tune the server.
type Options struct {
	// SearchTimeout bounds the work one request may cost.
	SearchTimeout time.Duration
	// NoPosts turns targeted posts off (the generation's posts are
	// matched to searches otherwise).
	NoPosts bool
	// Analytics, when set, records searches, post impressions and clicks,
	// and answers provider reports; without it those endpoints answer 503.
	Analytics Analytics
	// Auth sets up keys, origins and rate limits (package auth): its
	// AdminKey is the operator's bootstrap admin key, its Keys the stored
	// keys; PublicSearch lets keyless clients search.
	Auth auth.Config
	// KeyStore, when set, serves key management (/v1/keys) to admin keys.
	KeyStore auth.Store
	// PostsPerSession caps how often one session is shown a post (default
	// 3); SessionTTL and MaxSessions bound how long and how many sessions
	// are remembered (default 30 minutes and 100,000).
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
	// RebuildNeeded says a bulk load replaced a table: only a new
	// generation brings the index back to the database.
	RebuildNeeded bool `json:"rebuild_needed,omitempty"`
}

// New returns the HTTP handler serving the snapshots of s.
func New(s Snapshots, opts Options) *echo.Echo {
	if opts.SearchTimeout <= 0 {
		opts.SearchTimeout = 10 * time.Second
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
	h := &handlers{s: s, timeout: opts.SearchTimeout, postsOn: !opts.NoPosts, freshness: opts.Freshness,
		analytics: opts.Analytics, caps: posts.NewCaps(opts.PostsPerSession, opts.MaxSessions, opts.SessionTTL)}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = errorHandler
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableStackAll:   true,
		DisablePrintStack: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			slog.Error("panic serving request", "path", c.Request().URL.Path, "err", err, "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.BodyLimit("64K"))
	e.Use(requestLogger())

	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
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
	return e
}

func requestLogger() echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURI: true, LogMethod: true, LogLatency: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			slog.Debug("request", "method", v.Method, "uri", v.URI, "status", v.Status, "latency_ms",
				float64(v.Latency.Microseconds())/1000)
			return nil
		},
	})
}

type handlers struct {
	s         Snapshots
	timeout   time.Duration
	postsOn   bool
	analytics Analytics
	caps      *posts.Caps
	rotation  atomic.Uint64
	freshness func() Freshness // nil: no change log is followed
}

func contextWithTimeout(c echo.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request().Context(), d)
}

func (h *handlers) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (h *handlers) readyz(c echo.Context) error {
	snap, err := h.s.Acquire()
	if err != nil {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "no index open yet"})
	}
	defer snap.Release()
	body := map[string]any{"status": "ready", "index": snap.Generation()}
	if h.freshness != nil {
		body["freshness"] = h.freshness()
	}
	return c.JSON(http.StatusOK, body)
}

// snapshot acquires the snapshot a request reads from, and the context
// bounding its work; call the returned func when the request is done.
func (h *handlers) snapshot(c echo.Context) (*live.Snapshot, context.Context, func(), error) {
	snap, err := h.s.Acquire()
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.timeout)
	return snap, ctx, func() { cancel(); snap.Release() }, nil
}
