// Package api is CareAtlas's HTTP interface: a route table over the search
// engine, parameter decoding, and one place where errors become responses.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/careatlas/careatlas/search"
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
}

// New returns the HTTP handler serving s.
func New(s Searcher, opts Options) *echo.Echo {
	if opts.SearchTimeout <= 0 {
		opts.SearchTimeout = 10 * time.Second
	}
	h := &handlers{s: s, timeout: opts.SearchTimeout}
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
	s       Searcher
	timeout time.Duration
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
