package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/careatlas/careatlas/search"
	"github.com/labstack/echo/v4"
)

// Limits on an analytics report.
const (
	defaultReportDays = 30
	maxReportRange    = 366 * 24 * time.Hour
)

// errAnalyticsOff answers analytics requests on a server without a
// database: the demo serves search and posts but records nothing.
var errAnalyticsOff = errors.New("analytics are off: the server runs without a database")

// providerAnalytics answers GET /v1/providers/:id/analytics?from=&to=.
func (h *handlers) providerAnalytics(c echo.Context) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	v := c.QueryParams()
	for name, vals := range v {
		if name != "from" && name != "to" {
			return search.UnknownParameter(name)
		}
		if len(vals) > 1 {
			return invalid(name, "is given %d times; give it once", len(vals))
		}
	}
	now := time.Now().UTC()
	to, err := timeParam(v.Get("to"), "to", true)
	if err != nil {
		return err
	}
	if to.IsZero() {
		to = now
	}
	from, err := timeParam(v.Get("from"), "from", false)
	if err != nil {
		return err
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -defaultReportDays)
	}
	switch {
	case !from.Before(to):
		return invalid("from", "must be before to")
	case to.Sub(from) > maxReportRange:
		return invalid("from", "the period may not exceed 366 days")
	}
	if h.analytics == nil {
		return errAnalyticsOff
	}
	ctx, cancel := contextWithTimeout(c, h.timeout)
	defer cancel()
	rep, err := h.analytics.Report(ctx, id, from, to)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

// timeParam reads an RFC 3339 time or a date. A date as the end of a
// period includes that whole day.
func timeParam(s, name string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, invalid(name, "%q is not a date (YYYY-MM-DD) or time (RFC 3339)", s)
	}
	return t.UTC(), nil
}
