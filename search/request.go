package search

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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
	// MaxParamBytes bounds one parameter value.
	MaxParamBytes = 1000
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

// FacetPrice is the facet of price bands.
const FacetPrice = "price"

// Request is what a patient asks: text, filters, facets, order and page.
// Values within one filter are alternatives (country=TR,IN is Turkey or
// India); different filters must all hold, and so must every restriction
// added with Where.
//
// A Request is a value: ParseRequest (or Validate) checks and normalises it
// once, and nothing after changes it; Where returns a new one.
type Request struct {
	Query string
	// Lang is the language the patient writes in (one of Languages): the
	// query is analysed in it and in English. Empty: in every language.
	Lang string
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
	// PerPage is the page size; a parsed per_page=0 asks for facets and the
	// total only.
	PerPage int
	// Explain adds to each hit how its score was made.
	Explain bool

	clauses []clause
	valid   bool
	// sortDefault: no sort was asked for, so a word may set it.
	sortDefault bool

	// What the query's intents made of it (readIntents, intent.go): the
	// text left to match, the boosts and exclusions, and their expansions.
	intentsRead bool
	text        string
	boosts      []clause
	excludes    []clause
	intents     []Expansion
}

// textQuery is the part of the query to match as text.
func (r *Request) textQuery() string {
	if r.intentsRead {
		return r.text
	}
	return r.Query
}

// clause is one keyword filter: any of its values must hold.
type clause struct {
	filter *Filter
	values []string
	// fromWords: a place the query's words named (intent.go).
	fromWords bool
}

// Where returns r restricted to records holding any of values in the
// filter param. It narrows and never widens: a request that already says
// country=TR, restricted to country DE, finds nothing. Values are read
// like a client's; an unknown filter or a bad value is an *Error.
func (r Request) Where(param string, values ...string) (Request, error) {
	f, ok := filterNamed(param)
	if !ok {
		return r, invalid(param, "unknown filter")
	}
	c := clause{filter: f}
	for _, v := range values {
		if f.Read != nil {
			var msg string
			if v, msg = f.Read(v); msg != "" {
				return r, invalid(param, "%s", msg)
			}
		}
		c.values = append(c.values, v)
	}
	r.clauses = append(slices.Clip(r.clauses), c)
	return r, nil
}

// MustWhere is Where for values the caller knows are valid.
func (r Request) MustWhere(param string, values ...string) Request {
	out, err := r.Where(param, values...)
	if err != nil {
		panic(err)
	}
	return out
}

// Filter returns the values the request gives for param (from its first
// clause on that filter: what the patient asked for), nil when none.
func (r Request) Filter(param string) []string {
	for _, c := range r.clauses {
		if c.filter.Param == param {
			return c.values
		}
	}
	return nil
}

// Params are a client's request parameters by name, as a query string or a
// form decodes them.
type Params map[string][]string

// scalarParams are the parameters that are not keyword filters.
var scalarParams = []string{"q", "price_min", "price_max", "currency", "facet_size", "sort", "page", "per_page",
	"near", "radius_km", "from", "lang", "explain", "facets"}

// ParseRequest reads a client's parameters into a validated Request; rates
// say which currencies exist. Every error is an *Error naming the parameter.
func ParseRequest(v Params, rates Rates) (Request, error) {
	var r Request
	for name, vals := range v {
		f, isFilter := filterNamed(name)
		switch {
		case isFilter:
			if len(vals) > MaxFilterValues {
				return r, invalid(name, "is given %d times; the limit is %d", len(vals), MaxFilterValues)
			}
		case slices.Contains(scalarParams, name):
			if len(vals) > 1 {
				return r, invalid(name, "is given %d times; give it once", len(vals))
			}
		default:
			return r, UnknownParameter(name)
		}
		for _, s := range vals {
			if err := CheckText(name, s); err != nil {
				return r, err
			}
		}
		if isFilter {
			var values []string
			for _, s := range vals {
				parts := []string{s}
				if f.Comma {
					parts = strings.Split(s, ",")
				}
				for _, p := range parts {
					if p = strings.TrimSpace(p); p != "" {
						values = append(values, p)
					}
				}
			}
			if len(values) == 0 {
				continue
			}
			if len(values) > MaxFilterValues {
				return r, invalid(name, "has %d values; the limit is %d", len(values), MaxFilterValues)
			}
			var err error
			if r, err = r.Where(name, values...); err != nil {
				return r, err
			}
		}
	}
	get := func(name string) string {
		if vs := v[name]; len(vs) > 0 {
			return strings.TrimSpace(vs[0])
		}
		return ""
	}
	r.Query = get("q")
	r.Currency, r.Sort, r.From, r.Lang = get("currency"), get("sort"), get("from"), get("lang")
	for _, f := range strings.Split(get("facets"), ",") {
		if f = strings.TrimSpace(f); f != "" {
			r.Facets = append(r.Facets, f)
		}
	}
	var err error
	if r.Explain, err = boolParam(get("explain"), "explain"); err != nil {
		return r, err
	}
	if r.Near, err = pointParam(get("near"), "near"); err != nil {
		return r, err
	}
	if radius, err := floatParam(get("radius_km"), "radius_km"); err != nil {
		return r, err
	} else if radius != nil {
		if *radius <= 0 {
			return r, invalid("radius_km", "must be more than 0")
		}
		r.RadiusKM = *radius
	}
	if r.PriceMin, err = floatParam(get("price_min"), "price_min"); err != nil {
		return r, err
	}
	if r.PriceMax, err = floatParam(get("price_max"), "price_max"); err != nil {
		return r, err
	}
	for _, p := range []struct {
		name string
		dst  *int
		min  int
	}{{"page", &r.Page, 1}, {"per_page", &r.PerPage, 0}, {"facet_size", &r.FacetSize, 1}} {
		if *p.dst, err = intParam(get(p.name), p.name, p.min); err != nil {
			return r, err
		}
	}
	facetsOnly := get("per_page") != "" && r.PerPage == 0
	if r, err = r.Validate(rates); err != nil {
		return r, err
	}
	if facetsOnly {
		r.PerPage = 0
	}
	return r, nil
}

// CheckText refuses what no parameter may hold: over-long values, invalid
// UTF-8 and control characters. ParseRequest applies it to every
// parameter; endpoints that read parameters of their own apply it too.
func CheckText(name, s string) error {
	switch {
	case len(s) > MaxParamBytes:
		return invalid(name, "is longer than %d bytes", MaxParamBytes)
	case !utf8.ValidString(s):
		return invalid(name, "is not valid UTF-8")
	case strings.ContainsFunc(s, unicode.IsControl):
		return invalid(name, "holds a control character")
	}
	return nil
}

// Validate fills in defaults and checks every limit, returning the
// normalised request, or an *Error that names the parameter at fault. A
// request from ParseRequest is already valid.
func (r Request) Validate(rates Rates) (Request, error) {
	if r.valid {
		return r, nil
	}
	r.Facets = slices.Clone(r.Facets)
	r.Query = strings.TrimSpace(r.Query)
	if len(r.Query) > MaxQueryLength {
		return r, invalid("q", "is %d bytes long; the limit is %d", len(r.Query), MaxQueryLength)
	}
	if err := CheckText("q", r.Query); err != nil {
		return r, err
	}
	if r.Lang != "" {
		r.Lang = strings.ToLower(r.Lang)
		if !SupportedLanguage(r.Lang) {
			return r, invalid("lang", "unsupported language %q (one of %s)", r.Lang, strings.Join(Languages, ", "))
		}
	}
	for name, p := range map[string]*float64{"price_min": r.PriceMin, "price_max": r.PriceMax} {
		if p != nil && (*p < 0 || math.IsNaN(*p) || math.IsInf(*p, 0)) {
			return r, invalid(name, "must be a non-negative number")
		}
	}
	if r.PriceMin != nil && r.PriceMax != nil && *r.PriceMin > *r.PriceMax {
		return r, invalid("price_max", "is below price_min")
	}
	if r.Currency != "" {
		r.Currency = strings.ToUpper(r.Currency)
		if _, ok := rates.Rates[r.Currency]; !ok {
			return r, invalid("currency", "no exchange rate for %q", r.Currency)
		}
	}
	if r.Near != nil && (r.Near.Lat < -90 || r.Near.Lat > 90 || r.Near.Lon < -180 || r.Near.Lon > 180 ||
		math.IsNaN(r.Near.Lat) || math.IsNaN(r.Near.Lon)) {
		return r, invalid("near", "latitude must be within ±90 and longitude within ±180")
	}
	switch {
	case r.RadiusKM < 0 || r.RadiusKM > MaxRadiusKM || math.IsNaN(r.RadiusKM):
		return r, invalid("radius_km", "must be between 0 and %d", MaxRadiusKM)
	case r.RadiusKM > 0 && r.Near == nil:
		return r, invalid("radius_km", "needs near=lat,lon")
	case r.Sort == SortDistance && r.Near == nil:
		return r, invalid("sort", "sort=distance needs near=lat,lon")
	}
	if r.From != "" {
		from, msg := countryCode(r.From)
		if msg != "" {
			return r, invalid("from", "%s", msg)
		}
		r.From = from
	}
	facets := FacetNames()
	for _, f := range r.Facets {
		if !slices.Contains(facets, f) {
			return r, invalid("facets", "unknown facet %q (one of %s)", f, strings.Join(facets, ", "))
		}
	}
	if len(r.Facets) > len(facets) {
		return r, invalid("facets", "lists %d facets; there are only %d", len(r.Facets), len(facets))
	}
	switch {
	case r.FacetSize == 0:
		r.FacetSize = DefaultFacetSize
	case r.FacetSize < 1 || r.FacetSize > MaxFacetSize:
		return r, invalid("facet_size", "must be between 1 and %d", MaxFacetSize)
	}
	if r.Sort == "" {
		r.Sort, r.sortDefault = SortRelevance, true
	}
	if !slices.Contains(Sorts, r.Sort) {
		return r, invalid("sort", "unknown sort %q (one of %s)", r.Sort, strings.Join(Sorts, ", "))
	}
	switch {
	case r.PerPage == 0:
		r.PerPage = DefaultPerPage
	case r.PerPage < 1 || r.PerPage > MaxPerPage:
		return r, invalid("per_page", "must be between 1 and %d", MaxPerPage)
	}
	switch {
	case r.Page == 0:
		r.Page = 1
	case r.Page < 1:
		return r, invalid("page", "must be 1 or more")
	}
	// Divided, not multiplied: page=922700000000000000 overflowed the
	// product past the check (found by FuzzQueryParams).
	if r.Page > MaxResultWindow/r.PerPage {
		return r, invalid("page", "page × per_page may not exceed %d; narrow the search instead", MaxResultWindow)
	}
	for _, c := range r.clauses {
		if len(c.values) > MaxFilterValues {
			return r, invalid(c.filter.Param, "has %d values; the limit is %d", len(c.values), MaxFilterValues)
		}
	}
	r.valid = true
	return r, nil
}

func floatParam(s, name string) (*float64, error) {
	if s == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, invalid(name, "%q is not a number", s)
	}
	return &f, nil
}

// boolParam reads true/false (or 1/0); absent is false.
func boolParam(s, name string) (bool, error) {
	if s == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, invalid(name, "%q is not true or false", s)
	}
	return b, nil
}

// pointParam reads "lat,lon".
func pointParam(s, name string) (*GeoPoint, error) {
	if s == "" {
		return nil, nil
	}
	lat, lon, ok := strings.Cut(s, ",")
	if !ok {
		return nil, invalid(name, "%q is not lat,lon", s)
	}
	la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
	lo, err2 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
	if err1 != nil || err2 != nil {
		return nil, invalid(name, "%q is not lat,lon in degrees", s)
	}
	return &GeoPoint{Lat: la, Lon: lo}, nil
}

// intParam reads a whole number of at least lo; absent is 0 (the default
// applies).
func intParam(s, name string, lo int) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo {
		return 0, invalid(name, "%q is not a whole number of %d or more", s, lo)
	}
	return n, nil
}

// types are the document types the request can find: those every type
// clause allows, nil when no clause limits them.
func (r Request) types() []string {
	var out []string
	limited := false
	for _, c := range r.clauses {
		if c.filter.Param != FilterType {
			continue
		}
		if !limited {
			out, limited = slices.Clone(c.values), true
			continue
		}
		out = slices.DeleteFunc(out, func(t string) bool { return !slices.Contains(c.values, t) })
	}
	if limited && len(out) == 0 {
		return []string{""} // nothing can match; an empty list would mean every type
	}
	return out
}
