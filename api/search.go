package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/careatlas/careatlas/search"
	"github.com/careatlas/careatlas/search/posts"
	"github.com/labstack/echo/v4"
)

// searchResponse is /v1/search's body.
type searchResponse struct {
	Total      uint64                         `json:"total"`
	TookMS     float64                        `json:"took_ms"`
	Page       int                            `json:"page"`
	PerPage    int                            `json:"per_page"`
	Hits       []search.Hit                   `json:"hits"`
	Facets     map[string][]search.FacetValue `json:"facets,omitempty"`
	Currency   string                         `json:"currency,omitempty"`
	RatesAsOf  string                         `json:"rates_as_of,omitempty"`
	Lang       string                         `json:"lang,omitempty"`
	Expansions []search.Expansion             `json:"expansions,omitempty"`
	DidYouMean *search.DidYouMean             `json:"did_you_mean,omitempty"`
	// Posts are providers' posts whose targeting matches the search.
	Posts []postHit `json:"posts"`
}

// search answers GET /v1/search: one snapshot, one search, and the posts
// and analytics event built from what that search was about.
func (h *handlers) search(c echo.Context) error {
	start := time.Now()
	pp, v, err := takePostParams(c.QueryParams(), c.Request().Header, "posts", posts.DefaultLimit)
	if err != nil {
		return err
	}
	record, v, err := takeRecord(v)
	if err != nil {
		return err
	}
	snap, ctx, done, err := h.snapshot(c)
	if err != nil {
		return err
	}
	defer done()
	withDefaults(c, v)
	req, err := search.ParseRequest(search.Params(v), snap.Rates())
	if err != nil {
		return err
	}
	req, ok, err := restrict(c, req)
	if err != nil {
		return err
	}
	if !ok {
		return c.JSON(http.StatusOK, searchResponse{Page: req.Page, PerPage: req.PerPage, Hits: []search.Hit{}, Posts: []postHit{}})
	}
	kind := kindFilters
	if req.Query != "" {
		kind = kindText
	}
	began := time.Now()
	res, err := snap.Search(ctx, req)
	if err != nil {
		return h.engineErr(ctx, kind, err)
	}
	h.metrics.searched(kind, time.Since(began), int64(res.Total))
	ms := h.matchPosts(ctx, snap, req, res.About, pp)
	if h.analytics != nil && record {
		h.record(ctx, func(ctx context.Context) error {
			return h.analytics.RecordSearch(ctx, posts.SearchEventFor(req, res, ms, start))
		})
	}
	out := searchResponse{
		Total: res.Total, TookMS: ms64(time.Since(start)), Page: res.Page, PerPage: res.PerPage,
		Hits: res.Hits, Facets: res.Facets, Currency: res.Currency,
		Lang: res.Lang, Expansions: res.Expansions, DidYouMean: res.DidYouMean, Posts: postHits(ms),
	}
	if res.RatesAsOf != nil {
		out.RatesAsOf = res.RatesAsOf.Format(time.DateOnly)
	}
	return c.JSON(http.StatusOK, out)
}

// takeRecord removes the record parameter from v and reads it. A client
// that searches as the patient types sends record=false with each
// keystroke's search and records only the search the patient settles on,
// so that half-typed words ("kne", "knee r") do not become analytics
// keywords. It leaves posts alone: a client that shows posts asks for them
// (and so counts their impressions) only with searches it shows.
func takeRecord(v url.Values) (bool, url.Values, error) {
	vs, ok := v["record"]
	if !ok {
		return true, v, nil
	}
	b, err := strconv.ParseBool(strings.TrimSpace(vs[0]))
	if len(vs) > 1 || err != nil {
		return false, nil, invalid("record", "must be true or false, given once")
	}
	rest := url.Values{}
	for k, x := range v {
		if k != "record" {
			rest[k] = x
		}
	}
	return b, rest, nil
}

func ms64(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// entityResponse is a record with, for facilities and treatments, its offers.
type entityResponse struct {
	*search.Record
	Offers []search.Hit `json:"offers,omitempty"`
}

// maxEntityOffers bounds the offers listed with a facility or treatment; the
// rest are a /v1/search away.
const maxEntityOffers = 100

func (h *handlers) facility(c echo.Context) error {
	return h.entity(c, search.TypeFacility, search.FilterFacility, maxEntityOffers)
}

func (h *handlers) treatment(c echo.Context) error {
	return h.entity(c, search.TypeTreatment, search.FilterTreatment, 10)
}

func (h *handlers) doctor(c echo.Context) error { return h.entity(c, search.TypeDoctor, "", 0) }

// entity answers an entity page: the record and, when offersBy names the
// filter that finds them, its cheapest offers.
func (h *handlers) entity(c echo.Context, typ, offersBy string, offers int) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	snap, ctx, done, err := h.snapshot(c)
	if err != nil {
		return err
	}
	defer done()
	// Prices in the patient's currency, as a search gives them: currency=,
	// or the key's default.
	cv := url.Values{}
	if v := c.QueryParams()["currency"]; len(v) > 0 {
		cv["currency"] = v
	}
	withDefaults(c, cv)
	byCurrency, err := search.ParseRequest(search.Params{"currency": cv["currency"]}, snap.Rates())
	if err != nil {
		return err
	}
	cur := byCurrency.Currency
	rec, err := snap.Get(ctx, typ, id)
	if err != nil {
		return err
	}
	if !allows(c, rec) {
		// As if it did not exist: a key does not learn what it may not see.
		return &search.Error{Code: search.NotFound, Message: fmt.Sprintf("no %s with id %d", typ, id)}
	}
	rec.ConvertTypicalPrices(cur, snap.Rates())
	out := entityResponse{Record: rec}
	if offersBy != "" {
		req := search.Request{Sort: search.SortPriceAsc, PerPage: offers, Currency: cur}.
			MustWhere(search.FilterType, search.TypeOffer).MustWhere(offersBy, strconv.FormatInt(id, 10))
		req, ok, err := restrict(c, req)
		if err != nil || !ok {
			return c.JSON(http.StatusOK, out)
		}
		res, err := snap.Search(ctx, req)
		if err != nil {
			return h.engineErr(ctx, "", err)
		}
		out.Offers = res.Hits
	}
	return c.JSON(http.StatusOK, out)
}

// suggestResponse is /v1/suggest's body.
type suggestResponse struct {
	TookMS      float64             `json:"took_ms"`
	Suggestions []search.Suggestion `json:"suggestions"`
}

func (h *handlers) suggest(c echo.Context) error {
	start := time.Now()
	v := c.QueryParams()
	for name, vals := range v {
		if name != "q" && name != "limit" {
			return search.UnknownParameter(name)
		}
		if len(vals) > 1 {
			return invalid(name, "is given %d times; give it once", len(vals))
		}
		if err := search.CheckText(name, vals[0]); err != nil {
			return err
		}
	}
	limit, err := intParam(v, "limit", 1, search.MaxSuggest, 0)
	if err != nil {
		return err
	}
	snap, ctx, done, err := h.snapshot(c)
	if err != nil {
		return err
	}
	defer done()
	ask := limit
	if scopeOf(c) != nil {
		ask = search.MaxSuggest // some may be out of the key's scope
	}
	began := time.Now()
	out, err := snap.Suggest(ctx, v.Get("q"), ask)
	if err != nil {
		return h.engineErr(ctx, kindSuggest, err)
	}
	h.metrics.searched(kindSuggest, time.Since(began), int64(len(out)))
	if limit == 0 {
		limit = search.DefaultSuggest
	}
	out = allowedSuggestions(ctx, c, snap, out, limit)
	return c.JSON(http.StatusOK, suggestResponse{TookMS: ms64(time.Since(start)), Suggestions: out})
}
