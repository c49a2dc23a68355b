package api

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/labstack/echo/v4"
)

// Views of a provider's page are counted from a beacon the page sends when
// it is opened (POST /v1/facilities/:id/view), not from GET
// /v1/facilities/:id: that GET is also made by crawlers, prefetching, the
// API's own clients building their pages and the widget re-reading a page,
// none of which is a patient looking at the provider. The beacon carries
// what a view is recorded with: the search that led there (q, analysed as
// a search's terms are, never stored as typed) and the patient's country.

// viewParams are the parameters of a view beacon.
var viewParams = map[string]bool{"q": true, "from": true, "lang": true, "session": true}

// viewResponse is the beacon's answer: counted, or already counted for
// this session (a session's repeated opens of one page count once).
type viewResponse struct {
	Status     string `json:"status"`
	FacilityID int64  `json:"facility_id"`
}

// view counts a view of a facility's page.
func (h *handlers) view(c echo.Context) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	params, err := bodyParams(c)
	if err != nil {
		return err
	}
	session, rest, err := viewSession(params, c.Request().Header)
	if err != nil {
		return err
	}
	snap, ctx, done, err := h.snapshot(c)
	if err != nil {
		return err
	}
	defer done()
	withDefaults(c, rest)
	rest.Del("currency") // a key's default currency means nothing here
	// q, from and lang are read by the rules a search reads them by.
	req, err := search.ParseRequest(search.Params(rest), snap.Rates())
	if err != nil {
		return err
	}
	rec, err := snap.Get(ctx, search.TypeFacility, id)
	if err != nil {
		return err
	}
	if !allows(c, rec) {
		return &search.Error{Code: search.NotFound, Message: sprintf("no facility with id %d", id)}
	}
	if h.analytics == nil {
		return errAnalyticsOff
	}
	now := time.Now()
	if !h.views.Take(session, id, now) {
		return c.JSON(http.StatusOK, viewResponse{Status: "already_counted", FacilityID: id})
	}
	e := posts.ViewEvent{At: now, FacilityID: id, PatientCountry: req.From}
	if req.Query != "" {
		// The terms a search for q records, read off a search that
		// returns nothing.
		probe := req.MustWhere(search.FilterType, search.TypeTreatment)
		probe.PerPage, probe.Facets = 0, nil
		res, err := snap.Search(ctx, probe)
		if err != nil {
			return h.engineErr(ctx, "", err)
		}
		e.Keywords = res.About.Terms
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordWait)
	defer cancel()
	if err := h.analytics.RecordView(rctx, e); err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, viewResponse{Status: "counted", FacilityID: id})
}

// viewSession takes the session (parameter or X-Session-ID header) out of
// a beacon's parameters and refuses any parameter but viewParams.
func viewSession(v url.Values, header http.Header) (string, url.Values, error) {
	session := header.Get(sessionHeader)
	rest := url.Values{}
	for name, vs := range v {
		if !viewParams[name] {
			return "", nil, search.UnknownParameter(name)
		}
		if len(vs) > 1 {
			return "", nil, invalid(name, "is given %d times; give it once", len(vs))
		}
		if name == "session" {
			session = vs[0]
			continue
		}
		rest[name] = vs
	}
	if len(session) > maxSessionBytes {
		return "", nil, invalid("session", "is longer than %d bytes", maxSessionBytes)
	}
	if err := search.CheckText("session", session); err != nil {
		return "", nil, err
	}
	return session, rest, nil
}
