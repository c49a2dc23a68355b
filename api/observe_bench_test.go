package api

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkObserve measures what observe adds to every request (request
// id, metrics, access log), against the same route without it:
//
//	go test -run - -bench Observe ./api
func BenchmarkObserve(b *testing.B) {
	for _, c := range []struct {
		name    string
		observe bool
		log     slog.Level
	}{
		{"bare", false, slog.LevelInfo},
		{"observed_no_log", true, slog.LevelWarn},
		{"observed_json_log", true, slog.LevelInfo},
	} {
		b.Run(c.name, func(b *testing.B) {
			prev := slog.Default()
			slog.SetDefault(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: c.log})))
			defer slog.SetDefault(prev)
			h := &handlers{ids: newRequestIDs(), metrics: newMetrics(prometheus.NewRegistry())}
			e := echo.New()
			if c.observe {
				e.Use(h.observe)
			}
			e.GET("/v1/facilities/:id", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
			h.metrics.routes = func() map[string]bool { return map[string]bool{"/v1/facilities/:id": true} }
			req := httptest.NewRequest(http.MethodGet, "/v1/facilities/12", nil)
			b.ReportAllocs()
			for b.Loop() {
				e.ServeHTTP(httptest.NewRecorder(), req)
			}
		})
	}
}
