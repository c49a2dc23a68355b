package api

import (
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/careatlas/careatlas/search"
	"github.com/labstack/echo/v4"
)

// Part is the state of one part of the server beside the index, as /readyz
// reports it (Options.Health).
type Part struct {
	// OK is false when the part is not working. Search goes on without it:
	// /readyz then says "degraded" and gives Reason, but stays 200, so that
	// a load balancer keeps sending searches to a server that can answer
	// them.
	OK     bool
	Reason string
	// Detail is reported beside the status as it is: a queue's depth, a
	// pool's size.
	Detail map[string]any
}

// Readiness states, /readyz's "status".
const (
	statusReady       = "ready"
	statusDegraded    = "degraded"
	statusUnavailable = "unavailable"
)

// readyz answers 200 while searches can be served — "ready", or "degraded"
// with the reasons when a part beside the index is down — and 503 only
// while no index is open, the one state in which a search cannot be
// answered. Each part is reported under its name.
func (h *handlers) readyz(c echo.Context) error {
	body := map[string]any{}
	var reasons []string
	if h.health != nil {
		parts := h.health(c.Request().Context())
		for _, name := range slices.Sorted(maps.Keys(parts)) {
			p := parts[name]
			body[name] = partJSON(p)
			if !p.OK {
				reasons = append(reasons, name+": "+p.Reason)
			}
		}
	}
	status, code := statusReady, http.StatusOK
	snap, err := h.s.Acquire()
	if err != nil {
		status, code = statusUnavailable, http.StatusServiceUnavailable
		reason := "no index is open yet; the first one is being built or published"
		body["index"] = partJSON(Part{Reason: reason})
		reasons = append([]string{"index: " + reason}, reasons...)
	} else {
		defer snap.Release()
		index := map[string]any{"generation": snap.Generation(), "documents": snap.Index.DocsByType()}
		if built, ok := search.GenerationTime(snap.Index.Path()); ok {
			index["built_at"] = built.UTC().Format(time.RFC3339)
			index["age_seconds"] = int64(time.Since(built).Seconds())
		}
		body["index"] = partJSON(Part{OK: true, Detail: index})
		if h.freshness != nil {
			// How far the served index has followed the catalogue's change
			// log: searches still work when it cannot be read, on a
			// generation that grows stale.
			f := h.freshness()
			body["freshness"] = f
			if f.Error != "" {
				reasons = append(reasons, "freshness: "+f.Error)
			}
		}
		if len(reasons) > 0 {
			status = statusDegraded
		}
	}
	body["status"] = status
	if len(reasons) > 0 {
		body["reasons"] = reasons
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(code, body)
}

// partJSON is a part as /readyz shows it: "status" ok or down, the reason
// when down, and its detail.
func partJSON(p Part) map[string]any {
	out := make(map[string]any, len(p.Detail)+2)
	for k, v := range p.Detail {
		out[k] = v
	}
	out["status"] = "ok"
	if !p.OK {
		out["status"] = "down"
		out["reason"] = p.Reason
	}
	return out
}

// healthz answers 200 while the process runs: a liveness probe, which must
// not depend on the index or the database, or a restart would be ordered
// for what a restart cannot fix.
func (h *handlers) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}
