package api

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
)

// Every request is seen once, outermost, by observe: it gives the request
// an id, times it, counts it in the metrics, and writes the access log line.
// One middleware rather than three, so that the clock is read twice and the
// status decided once per request.

// HeaderRequestID carries a request's id both ways: a client (or a proxy in
// front) may send one, and every response carries the one used, so that a
// patient's bug report, the access log and an error's log line can be
// matched up.
const HeaderRequestID = "X-Request-Id"

// maxRequestIDBytes bounds a client's request id: long enough for a UUID or
// a proxy's trace id, short enough that it cannot bloat logs.
const maxRequestIDBytes = 128

// RequestID returns the id of the request c serves ("" outside the API's
// middleware). It is read back from the response's header, where observe
// puts it, rather than kept in the context too: one allocation less on
// every request.
func RequestID(c echo.Context) string {
	return c.Response().Header().Get(HeaderRequestID)
}

// saneRequestID reports whether a client's id may be used as it is: 1 to
// maxRequestIDBytes of letters, digits and -_.:/+= — what UUIDs, trace ids
// and base64 hold, and nothing that could forge a log line or a header.
func saneRequestID(id string) bool {
	if len(id) == 0 || len(id) > maxRequestIDBytes {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '.', c == ':', c == '/', c == '+', c == '=':
		default:
			return false
		}
	}
	return true
}

// requestIDs makes ids for requests that bring none: a random prefix drawn
// once per server and a counter. Unique without a syscall per request; an
// id is not a secret, so that it can be guessed does no harm.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var b [6]byte
	rand.Read(b[:])
	return &requestIDs{prefix: hex.EncodeToString(b[:]) + "-"}
}

func (g *requestIDs) next() string {
	return g.prefix + strconv.FormatUint(g.n.Add(1), 36)
}

// observe is the outermost middleware; see the top of this file. An error
// from the handler is answered here (through the error handler) so that
// the status logged and counted is the one the client got.
func (h *handlers) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		req := c.Request()
		id := req.Header.Get(HeaderRequestID)
		if !saneRequestID(id) {
			id = h.ids.next()
		}
		c.Response().Header().Set(HeaderRequestID, id)
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		took := time.Since(start)
		route := h.metrics.route(c.Path())
		status := c.Response().Status
		h.metrics.request(route, req.Method, status, took)
		// Neither the query string (it may hold key=, though the auth
		// middleware strips it) nor any header is logged: the route names
		// what was asked, the request id finds the rest.
		if h.accessLog && slog.Default().Enabled(req.Context(), slog.LevelInfo) {
			slog.LogAttrs(req.Context(), slog.LevelInfo, "request",
				slog.String("method", req.Method), slog.String("route", route), slog.String("path", truncate(req.URL.Path, maxLoggedPath)),
				slog.Int("status", status), slog.Float64("latency_ms", float64(took.Microseconds())/1000),
				slog.String("request_id", id))
		}
		return nil
	}
}

// knownMethods bound the method label of the request metrics: a client may
// send any token as a method.
var knownMethods = map[string]string{
	http.MethodGet: http.MethodGet, http.MethodHead: http.MethodHead, http.MethodPost: http.MethodPost,
	http.MethodPut: http.MethodPut, http.MethodPatch: http.MethodPatch, http.MethodDelete: http.MethodDelete,
	http.MethodOptions: http.MethodOptions,
}

func methodLabel(m string) string {
	if k, ok := knownMethods[m]; ok {
		return k
	}
	return "other"
}

// maxLoggedPath bounds the path an access log line repeats: a client
// chooses it, and a route is enough to know what was asked.
const maxLoggedPath = 200

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
