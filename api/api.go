// Package api is CareAtlas's HTTP interface: a route table over the search
// engine, parameter decoding, and one place where errors become responses.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

// Searcher is what the API needs of the search engine; *search.Live is one.
type Searcher interface {
	Search(ctx context.Context, r search.Request) (*search.Result, error)
	Get(ctx context.Context, typ string, id int64) (*search.Record, error)
	Suggest(ctx context.Context, q string, limit int) ([]search.Suggestion, error)
	Ready() bool
	// Path names the index generation being served.
	Path() string
}

// Options tune the server.
type Options struct {
	// SearchTimeout bounds the work one request may cost.
	SearchTimeout time.Duration
	// Posts, when set, are matched to searches.
	Posts PostSource
	// Analytics, when set, records searches, post impressions and clicks,
	// and answers provider reports; without it those endpoints answer 503.
	Analytics Analytics
	// AdminKey guards the analytics reports; without one they answer 403.
	AdminKey string
	// PostsPerSession caps how often one session is shown a post (default
	// 3); SessionTTL and MaxSessions bound how long and how many sessions
	// are remembered (default 30 minutes and 100,000).
	PostsPerSession int
	SessionTTL      time.Duration
	MaxSessions     int
}

// noPosts is the PostSource of a server without posts.
type noPosts struct{}

func (noPosts) Posts() *posts.Index { return nil }

// New returns the HTTP handler serving s.
func New(s Searcher, opts Options) *echo.Echo {
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
	h := &handlers{s: s, timeout: opts.SearchTimeout, posts: opts.Posts, postsOn: opts.Posts != nil,
		analytics: opts.Analytics, caps: posts.NewCaps(opts.PostsPerSession, opts.MaxSessions, opts.SessionTTL)}
	if h.posts == nil {
		h.posts = noPosts{}
	}
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
	v1 := e.Group("/v1")
	v1.GET("/search", h.search)
	v1.GET("/suggest", h.suggest)
	v1.GET("/facilities/:id", h.facility)
	v1.GET("/doctors/:id", h.doctor)
	v1.GET("/treatments/:id", h.treatment)
	v1.POST("/posts/match", h.matchPostsHandler)
	v1.POST("/posts/:id/click", h.click)
	v1.GET("/providers/:id/analytics", h.providerAnalytics, requireAdmin(opts.AdminKey))
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
	s         Searcher
	timeout   time.Duration
	posts     PostSource
	postsOn   bool
	analytics Analytics
	caps      *posts.Caps
	rotation  atomic.Uint64
}

func contextWithTimeout(c echo.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Request().Context(), d)
}

func (h *handlers) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

func (h *handlers) readyz(c echo.Context) error {
	if !h.s.Ready() {
		return c.JSON(http.StatusServiceUnavailable, map[string]string{"status": "no index open yet"})
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready", "index": filepath.Base(h.s.Path())})
}
