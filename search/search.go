package search

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
)

// Hit is one result: the record, its score, and its price in the patient's
// currency when one was asked for.
type Hit struct {
	Record
	Score          float64 `json:"score"`
	ConvertedPrice *Money  `json:"converted_price,omitempty"`
}

// FacetValue is one value of a facet and how many results have it.
type FacetValue struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Result is the answer to a Request.
type Result struct {
	Total   uint64                  `json:"total"`
	Page    int                     `json:"page"`
	PerPage int                     `json:"per_page"`
	Took    time.Duration           `json:"-"`
	Hits    []Hit                   `json:"hits"`
	Facets  map[string][]FacetValue `json:"facets,omitempty"`
	// Currency and RatesAsOf say which conversion was applied, if any.
	Currency  string     `json:"currency,omitempty"`
	RatesAsOf *time.Time `json:"rates_as_of,omitempty"`
}

// Search runs a request against the index. The request is normalised first;
// an invalid one returns an *Error.
func (ix *Index) Search(ctx context.Context, r Request) (*Result, error) {
	start := time.Now()
	if err := r.Normalize(ix.rates); err != nil {
		return nil, err
	}
	req := bleve.NewSearchRequestOptions(buildQuery(&r, ix.rates), r.PerPage, (r.Page-1)*r.PerPage, false)
	req.Fields = []string{fieldSource}
	req.SortByCustom(sortOrder(r.Sort))
	var bands []band
	for _, f := range r.Facets {
		if f == FacetPrice {
			fr := bleve.NewFacetRequest(fieldPriceUSD, len(priceBands)+1)
			bands = bandsFor(r.Currency, ix.rates)
			for _, b := range bands {
				fr.AddNumericRange(b.name, usdBound(b.min, r.Currency, ix.rates), usdBound(b.max, r.Currency, ix.rates))
			}
			req.AddFacet(f, fr)
			continue
		}
		req.AddFacet(f, bleve.NewFacetRequest(f, r.FacetSize))
	}

	res, err := ix.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("search %q: %w", r.Query, err)
	}
	out := &Result{Total: res.Total, Page: r.Page, PerPage: r.PerPage, Hits: make([]Hit, 0, len(res.Hits))}
	if r.Currency != "" {
		out.Currency = r.Currency
		asOf := ix.rates.AsOf
		out.RatesAsOf = &asOf
	}
	for _, h := range res.Hits {
		hit, err := decodeHit(h, r.Currency, ix.rates)
		if err != nil {
			return nil, err
		}
		out.Hits = append(out.Hits, hit)
	}
	if len(r.Facets) > 0 {
		out.Facets = make(map[string][]FacetValue, len(r.Facets))
		for _, name := range r.Facets {
			if name == FacetPrice {
				out.Facets[name] = facetValues(res.Facets[name], bands)
			} else {
				out.Facets[name] = facetValues(res.Facets[name], nil)
			}
		}
	}
	out.Took = time.Since(start)
	return out, nil
}

func decodeHit(h *bsearch.DocumentMatch, currency string, rates Rates) (Hit, error) {
	src, _ := h.Fields[fieldSource].(string)
	hit := Hit{Score: h.Score}
	if math.IsNaN(hit.Score) || math.IsInf(hit.Score, 0) {
		hit.Score = 0
	}
	if err := json.Unmarshal([]byte(src), &hit.Record); err != nil {
		return hit, fmt.Errorf("decode hit %s: %w", h.ID, err)
	}
	if currency != "" && hit.Price != nil {
		if usd, ok := rates.ToUSD(hit.Price.Amount, hit.Price.Currency); ok {
			v, _ := rates.FromUSD(usd, currency)
			hit.ConvertedPrice = &Money{Amount: math.Round(v*100) / 100, Currency: currency}
		}
	}
	return hit, nil
}

// facetValues lists a term facet by count, or the price bands in band
// order with every band present, so a price slider has all its stops.
func facetValues(fr *bsearch.FacetResult, bands []band) []FacetValue {
	out := []FacetValue{}
	if fr == nil {
		return out
	}
	if bands != nil {
		counts := map[string]int{}
		for _, nr := range fr.NumericRanges {
			counts[nr.Name] = nr.Count
		}
		for _, b := range bands {
			out = append(out, FacetValue{Value: b.name, Count: counts[b.name]})
		}
		return out
	}
	if fr.Terms != nil {
		for _, t := range fr.Terms.Terms() {
			out = append(out, FacetValue{Value: t.Term, Count: t.Count})
		}
	}
	slices.SortStableFunc(out, func(a, b FacetValue) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		if a.Value < b.Value {
			return -1
		}
		if a.Value > b.Value {
			return 1
		}
		return 0
	})
	return out
}
