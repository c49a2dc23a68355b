package api

import (
	"context"
	"net/http"
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

func (h *handlers) search(c echo.Context) error {
	pp, v, err := takePostParams(c.QueryParams(), c.Request().Header, "posts", posts.DefaultLimit)
	if err != nil {
		return err
	}
	req, err := parseSearch(v)
	if err != nil {
		return err
	}
	res, err := h.run(c, req)
	if err != nil {
		return err
	}
	out := searchResponse{
		Total: res.Total, TookMS: ms(res.Took), Page: res.Page, PerPage: res.PerPage,
		Hits: res.Hits, Facets: res.Facets, Currency: res.Currency,
		Lang: res.Lang, Expansions: res.Expansions, DidYouMean: res.DidYouMean,
	}
	if res.RatesAsOf != nil {
		out.RatesAsOf = res.RatesAsOf.Format(time.DateOnly)
	}
	out.Posts = h.withPosts(c, req, res, pp)
	return c.JSON(http.StatusOK, out)
}

// run searches within the request's context and the server's time limit.
func (h *handlers) run(c echo.Context, req search.Request) (*search.Result, error) {
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.timeout)
	defer cancel()
	return h.s.Search(ctx, req)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// entityResponse is a record with, for facilities and treatments, its offers.
type entityResponse struct {
	*search.Record
	Offers []search.Hit `json:"offers,omitempty"`
}

// maxEntityOffers bounds the offers listed with a facility or treatment; the
// rest are a /v1/search away.
const maxEntityOffers = 100

func (h *handlers) facility(c echo.Context) error {
	return h.entity(c, search.TypeFacility, func(id int64) search.Request {
		return search.Request{Types: []string{search.TypeOffer}, FacilityID: id, Sort: search.SortPriceAsc, PerPage: maxEntityOffers}
	})
}

func (h *handlers) treatment(c echo.Context) error {
	return h.entity(c, search.TypeTreatment, func(id int64) search.Request {
		return search.Request{Types: []string{search.TypeOffer}, TreatmentID: id, Sort: search.SortPriceAsc, PerPage: 10}
	})
}

func (h *handlers) doctor(c echo.Context) error { return h.entity(c, search.TypeDoctor, nil) }

func (h *handlers) entity(c echo.Context, typ string, offers func(id int64) search.Request) error {
	id, err := parseID(c.Param("id"))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.timeout)
	defer cancel()
	rec, err := h.s.Get(ctx, typ, id)
	if err != nil {
		return err
	}
	out := entityResponse{Record: rec}
	if offers != nil {
		res, err := h.s.Search(ctx, offers(id))
		if err != nil {
			return err
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
	v := c.QueryParams()
	for name, vals := range v {
		if name != "q" && name != "limit" {
			return invalid(name, "unknown parameter")
		}
		if len(vals) > 1 {
			return invalid(name, "is given %d times; give it once", len(vals))
		}
	}
	limit, err := intParam(v, "limit")
	if err != nil {
		return err
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(c.Request().Context(), h.timeout)
	defer cancel()
	out, err := h.s.Suggest(ctx, v.Get("q"), limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, suggestResponse{TookMS: ms(time.Since(start)), Suggestions: out})
}
