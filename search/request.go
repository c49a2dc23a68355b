package search

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Limits on what a client controls.
const (
	MaxQueryLength   = 500
	MaxPerPage       = 100
	DefaultPerPage   = 10
	MaxResultWindow  = 10000 // page * per_page; deeper pages need a cursor
	MaxFacetSize     = 100
	DefaultFacetSize = 10
	MaxFilterValues  = 20
)

// Sort orders.
const (
	SortRelevance = "relevance"
	SortPriceAsc  = "price_asc"
	SortPriceDesc = "price_desc"
	SortRating    = "rating"
	SortDistance  = "distance"
)

// MaxRadiusKM is half the Earth's circumference: any larger radius is all of it.
const MaxRadiusKM = 20038

// Sorts lists the accepted sort orders.
var Sorts = []string{SortRelevance, SortPriceAsc, SortPriceDesc, SortRating, SortDistance}

// Facet names a request may ask for.
const FacetPrice = "price"

// Facets lists the accepted facet names: the filter fields and price bands.
var Facets = []string{"type", "country", "city", "category", "kind", "accreditation", "language", FacetPrice}

// Request is what a patient asks: text, filters, facets, order and page.
// Values within one filter are alternatives (country=TR,IN is Turkey or
// India); different filters must all hold.
type Request struct {
	Query string
	// Lang is the language the patient writes in (es, fr, de, tr, en): the
	// query is analysed in it and in English. Empty: in every language.
	Lang           string
	Types          []string
	Countries      []string
	Cities         []string
	Categories     []string
	Kinds          []string
	Accreditations []string
	Languages      []string
	FacilityID     int64
	TreatmentID    int64
	// PriceMin and PriceMax bound an offer's price in Currency.
	PriceMin *float64
	PriceMax *float64
	// Currency is the patient's currency: price filters and bands are in it,
	// and each priced hit carries its price converted to it. Empty means USD
	// for filters and bands, and no conversion.
	Currency string
	// Near is where the patient is; with it each hit that has a place says
	// how far it is, RadiusKM (when set) keeps only what lies within, and
	// sort=distance orders by it.
	Near     *GeoPoint
	RadiusKM float64
	// From is the patient's country: hits say whether they are abroad.
	From      string
	Facets    []string
	FacetSize int
	Sort      string
	Page      int
	PerPage   int
	// Explain adds to each hit how its score was made.
	Explain bool
	// Plain leaves out highlights and did-you-mean: for lookups whose hits
	// no patient sees (which treatments a search is about, for posts).
	Plain bool
}

// Normalize fills in defaults and checks every limit, returning an *Error
// that names the parameter at fault.
func (r *Request) Normalize(rates Rates) error {
	r.Query = strings.TrimSpace(r.Query)
	if len(r.Query) > MaxQueryLength {
		return invalid("q", "is %d bytes long; the limit is %d", len(r.Query), MaxQueryLength)
	}
	if r.Lang != "" {
		r.Lang = strings.ToLower(r.Lang)
		if !SupportedLanguage(r.Lang) {
			return invalid("lang", "unsupported language %q (one of %s)", r.Lang, strings.Join(Languages, ", "))
		}
	}
	for _, t := range r.Types {
		if !slices.Contains(Types, t) {
			return invalid("type", "unknown type %q (one of %s)", t, strings.Join(Types, ", "))
		}
	}
	for i, c := range r.Countries {
		r.Countries[i] = strings.ToUpper(c)
		if len(c) != 2 {
			return invalid("country", "%q is not an ISO 3166-1 alpha-2 country code", c)
		}
	}
	for name, vs := range map[string][]string{"type": r.Types, "country": r.Countries, "city": r.Cities,
		"category": r.Categories, "kind": r.Kinds, "accreditation": r.Accreditations, "language": r.Languages} {
		if len(vs) > MaxFilterValues {
			return invalid(name, "has %d values; the limit is %d", len(vs), MaxFilterValues)
		}
	}
	for name, p := range map[string]*float64{"price_min": r.PriceMin, "price_max": r.PriceMax} {
		if p != nil && (*p < 0 || math.IsNaN(*p) || math.IsInf(*p, 0)) {
			return invalid(name, "must be a non-negative number")
		}
	}
	if r.PriceMin != nil && r.PriceMax != nil && *r.PriceMin > *r.PriceMax {
		return invalid("price_max", "is below price_min")
	}
	if r.Currency != "" {
		r.Currency = strings.ToUpper(r.Currency)
		if _, ok := rates.Rates[r.Currency]; !ok {
			return invalid("currency", "no exchange rate for %q", r.Currency)
		}
	}
	if r.Near != nil && (r.Near.Lat < -90 || r.Near.Lat > 90 || r.Near.Lon < -180 || r.Near.Lon > 180 ||
		math.IsNaN(r.Near.Lat) || math.IsNaN(r.Near.Lon)) {
		return invalid("near", "latitude must be within ±90 and longitude within ±180")
	}
	switch {
	case r.RadiusKM < 0 || r.RadiusKM > MaxRadiusKM || math.IsNaN(r.RadiusKM):
		return invalid("radius_km", "must be between 0 and %d", MaxRadiusKM)
	case r.RadiusKM > 0 && r.Near == nil:
		return invalid("radius_km", "needs near=lat,lon")
	case r.Sort == SortDistance && r.Near == nil:
		return invalid("sort", "sort=distance needs near=lat,lon")
	}
	if r.From != "" {
		r.From = strings.ToUpper(r.From)
		if len(r.From) != 2 {
			return invalid("from", "%q is not an ISO 3166-1 alpha-2 country code", r.From)
		}
	}
	for _, f := range r.Facets {
		if !slices.Contains(Facets, f) {
			return invalid("facets", "unknown facet %q (one of %s)", f, strings.Join(Facets, ", "))
		}
	}
	if len(r.Facets) > len(Facets) {
		return invalid("facets", "lists %d facets; there are only %d", len(r.Facets), len(Facets))
	}
	switch {
	case r.FacetSize == 0:
		r.FacetSize = DefaultFacetSize
	case r.FacetSize < 1 || r.FacetSize > MaxFacetSize:
		return invalid("facet_size", "must be between 1 and %d", MaxFacetSize)
	}
	if r.Sort == "" {
		r.Sort = SortRelevance
	}
	if !slices.Contains(Sorts, r.Sort) {
		return invalid("sort", "unknown sort %q (one of %s)", r.Sort, strings.Join(Sorts, ", "))
	}
	switch {
	case r.PerPage == 0:
		r.PerPage = DefaultPerPage
	case r.PerPage < 1 || r.PerPage > MaxPerPage:
		return invalid("per_page", "must be between 1 and %d", MaxPerPage)
	}
	switch {
	case r.Page == 0:
		r.Page = 1
	case r.Page < 1:
		return invalid("page", "must be 1 or more")
	}
	if r.Page*r.PerPage > MaxResultWindow {
		return invalid("page", "page × per_page may not exceed %d; narrow the search instead", MaxResultWindow)
	}
	return nil
}

func sprintf(format string, args ...any) string { return fmt.Sprintf(format, args...) }
