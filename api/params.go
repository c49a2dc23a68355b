package api

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/careatlas/careatlas/search"
)

// Parameters /v1/search accepts. Lists take comma-separated values (type,
// country, facets) or repeat the parameter (all list parameters, since city
// and category names may hold commas).
var (
	scalarParams = []string{"q", "price_min", "price_max", "currency", "facet_size", "sort", "page", "per_page",
		"near", "radius_km", "from", "lang", "explain", "facility"}
	listParams = []string{"type", "country", "city", "category", "kind", "accreditation", "language", "facets"}
	commaLists = []string{"type", "country", "facets"}
)

const maxParamBytes = 1000

func parseSearch(v url.Values) (search.Request, error) {
	var r search.Request
	for name, vals := range v {
		switch {
		case slices.Contains(scalarParams, name):
			if len(vals) > 1 {
				return r, invalid(name, "is given %d times; give it once", len(vals))
			}
		case slices.Contains(listParams, name):
			if len(vals) > search.MaxFilterValues {
				return r, invalid(name, "is given %d times; the limit is %d", len(vals), search.MaxFilterValues)
			}
		default:
			return r, invalid(name, "unknown parameter")
		}
		for _, s := range vals {
			if len(s) > maxParamBytes {
				return r, invalid(name, "is longer than %d bytes", maxParamBytes)
			}
		}
	}
	list := func(name string) []string {
		var out []string
		for _, s := range v[name] {
			parts := []string{s}
			if slices.Contains(commaLists, name) {
				parts = strings.Split(s, ",")
			}
			for _, p := range parts {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
		}
		return out
	}
	r.Query = v.Get("q")
	r.Types, r.Countries, r.Cities = list("type"), list("country"), list("city")
	r.Categories, r.Kinds, r.Accreditations = list("category"), list("kind"), list("accreditation")
	r.Languages, r.Facets = list("language"), list("facets")
	r.Currency = strings.TrimSpace(v.Get("currency"))
	r.Sort = strings.TrimSpace(v.Get("sort"))
	r.From = strings.TrimSpace(v.Get("from"))
	r.Lang = strings.TrimSpace(v.Get("lang"))
	var err error
	if r.Explain, err = boolParam(v, "explain"); err != nil {
		return r, err
	}
	if r.Near, err = pointParam(v, "near"); err != nil {
		return r, err
	}
	if radius, err := floatParam(v, "radius_km"); err != nil {
		return r, err
	} else if radius != nil {
		if *radius <= 0 {
			return r, invalid("radius_km", "must be more than 0")
		}
		r.RadiusKM = *radius
	}
	// facility limits a search to one provider: its offers, its doctors
	// and itself (a clinic's own search box).
	if s := strings.TrimSpace(v.Get("facility")); s != "" {
		if r.FacilityID, err = parseID(s); err != nil {
			return r, invalid("facility", "%q is not a facility id", s)
		}
	}
	if r.PriceMin, err = floatParam(v, "price_min"); err != nil {
		return r, err
	}
	if r.PriceMax, err = floatParam(v, "price_max"); err != nil {
		return r, err
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"page", &r.Page}, {"per_page", &r.PerPage}, {"facet_size", &r.FacetSize}} {
		if *p.dst, err = intParam(v, p.name); err != nil {
			return r, err
		}
	}
	return r, nil
}

func floatParam(v url.Values, name string) (*float64, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, invalid(name, "%q is not a number", s)
	}
	return &f, nil
}

// boolParam reads true/false (or 1/0); absent is false.
func boolParam(v url.Values, name string) (bool, error) {
	s := strings.TrimSpace(v.Get(name))
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
func pointParam(v url.Values, name string) (*search.GeoPoint, error) {
	s := strings.TrimSpace(v.Get(name))
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
	return &search.GeoPoint{Lat: la, Lon: lo}, nil
}

// intParam reads a positive integer; 0 means absent (the default applies).
func intParam(v url.Values, name string) (int, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, invalid(name, "%q is not a whole number of 1 or more", s)
	}
	return n, nil
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id < 1 {
		return 0, invalid("id", "%q is not a valid id", s)
	}
	return id, nil
}

func invalid(param, format string, args ...any) error {
	return &search.Error{Code: search.Invalid, Param: param, Message: sprintf(format, args...)}
}
