package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/careatlas/careatlas/auth"
	"github.com/careatlas/careatlas/search"
	"github.com/labstack/echo/v4"
)

// errorBody is every error response: a stable code for programs, a message
// for people, and the parameter at fault when there is one.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Param   string `json:"param,omitempty"`
}

// errorHandler maps every error to a status and a JSON body in one place.
// Errors the client caused say what to fix; anything else is logged with
// its detail and answered with a generic message, never a stack trace.
func errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, body := classify(err)
	switch {
	case body.Error.Code == codeOverBudget:
		// Not a failure of ours: the client asked for more than a search
		// may cost. Logged at warning so that a run of them shows.
		c.Response().Header().Set(echo.HeaderRetryAfter, retryAfterBudget)
		slog.Warn("search over budget", "method", c.Request().Method, "route", c.Path(),
			"request_id", RequestID(c), "err", err)
	case status >= 500 && !errors.Is(err, errAnalyticsOff): // analytics off is expected in the demo
		slog.Error("request failed", "method", c.Request().Method, "route", c.Path(), "path", c.Request().URL.Path,
			"request_id", RequestID(c), "err", err)
	}
	if c.Request().Method == http.MethodHead {
		err = c.NoContent(status)
	} else {
		err = c.JSON(status, body)
	}
	if err != nil {
		slog.Error("write error response", "err", err)
	}
}

func classify(err error) (int, errorBody) {
	var se *search.Error
	var ae *auth.Error
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ae):
		return ae.Status, errorBody{errorDetail{Code: ae.Code, Message: ae.Message, Param: ae.Param}}
	case errors.As(err, &se):
		status := http.StatusBadRequest
		if se.Code == search.NotFound {
			status = http.StatusNotFound
		}
		return status, errorBody{errorDetail{Code: string(se.Code), Message: se.Message, Param: se.Param}}
	case errors.Is(err, errAnalyticsOff):
		return http.StatusServiceUnavailable, errorBody{errorDetail{Code: "analytics_disabled", Message: err.Error()}}
	case errors.Is(err, search.ErrNoIndex):
		return http.StatusServiceUnavailable, errorBody{errorDetail{Code: "not_ready",
			Message: "the search index is still being built; try again shortly"}}
	case errors.Is(err, search.ErrOverBudget):
		return http.StatusServiceUnavailable, errorBody{errorDetail{Code: codeOverBudget,
			Message: "this search needs more work than one search may take; use fewer words, a nearer page or fewer facets, or retry later"}}
	case errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable, errorBody{errorDetail{Code: "timeout",
			Message: "the search took too long; narrow it and try again"}}
	case errors.Is(err, context.Canceled):
		return 499, errorBody{errorDetail{Code: "canceled", Message: "the request was canceled"}}
	case errors.As(err, &he):
		msg := http.StatusText(he.Code)
		if m, ok := he.Message.(string); ok && he.Code < 500 {
			msg = m
		}
		return he.Code, errorBody{errorDetail{Code: codeFor(he.Code), Message: msg}}
	}
	return http.StatusInternalServerError, errorBody{errorDetail{Code: "internal",
		Message: "something went wrong on our side; it has been logged"}}
}

// codeOverBudget answers a search stopped by its budget (Options.
// SearchBudget), with Retry-After: retryAfterBudget seconds. 503 rather
// than 4xx because the same search may pass on a less busy server.
const (
	codeOverBudget   = "over_budget"
	retryAfterBudget = "1"
)

func codeFor(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	}
	if status < 500 {
		return "bad_request"
	}
	return "internal"
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
