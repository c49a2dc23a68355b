package search

import (
	"strconv"
	"strings"
)

// Filter is one keyword filter: the request parameter a client gives it
// as, the index field that holds it, how a value is read, what each record
// holds, and whether it can be a facet. Filters is the one table of them:
// parsing, validation, the mapping, the columns built when an index opens,
// the offers' inherited values, query planning and facets all range over
// it, so a new filter is one entry here.
type Filter struct {
	// Param is the request parameter, which is also the facet's name.
	Param string
	// Field is the keyword field in the index.
	Field string
	// Comma: a value may list several separated by commas (country=TR,IN).
	// Off where values are names that may hold commas (cities, categories).
	Comma bool
	// Facet: the filter can be counted as a facet.
	Facet bool
	// Inherit names the record an offer takes this field's values from
	// (TypeTreatment or TypeFacility): offers do not index what a million
	// of them would repeat (see columns.inherit).
	Inherit string
	// Read checks and normalises one value a client gave; nil takes it as
	// it is. It returns an error message naming what is wrong.
	Read func(v string) (string, string)
	// Of lists the values a record holds, for the types that index the
	// field themselves.
	Of func(r *Record) []string
}

// Filter parameters used by name outside the table.
const (
	FilterType     = "type"
	FilterCountry  = "country"
	FilterCategory = "category"
	FilterLanguage = "language"
	// FilterFacility and FilterTreatment take ids: what a key limited to a
	// clinic adds to every search, and what entity pages list.
	FilterFacility  = "facility"
	FilterTreatment = "treatment"
)

// Filters is the table of keyword filters, in the order facets are listed.
var Filters = []Filter{
	{Param: FilterType, Field: fieldType, Comma: true, Facet: true, Read: oneOf(Types),
		Of: func(r *Record) []string { return []string{r.Type} }},
	{Param: FilterCountry, Field: fieldCountry, Comma: true, Facet: true, Inherit: TypeFacility, Read: countryCode,
		Of: func(r *Record) []string { return facilityValue(r, func(f *FacilityRef) string { return f.Country }) }},
	{Param: "city", Field: fieldCity, Facet: true, Inherit: TypeFacility,
		Of: func(r *Record) []string { return facilityValue(r, func(f *FacilityRef) string { return f.City }) }},
	{Param: FilterCategory, Field: fieldCategory, Facet: true, Inherit: TypeTreatment,
		Of: func(r *Record) []string {
			if r.Type == TypeTreatment {
				return nonEmpty(r.Category)
			}
			return r.Categories
		}},
	{Param: "kind", Field: fieldKind, Facet: true, Inherit: TypeFacility,
		Of: func(r *Record) []string { return facilityValue(r, func(f *FacilityRef) string { return f.Kind }) }},
	{Param: "accreditation", Field: fieldAccreditation, Facet: true, Inherit: TypeFacility,
		Of: func(r *Record) []string {
			if f := facilityOf(r); f != nil {
				return f.Accreditations
			}
			return nil
		}},
	{Param: FilterLanguage, Field: fieldLanguage, Facet: true, Inherit: TypeFacility, Read: lower,
		Of: func(r *Record) []string {
			if r.Type == TypeDoctor {
				return r.Languages // the doctor's own, not the facility's
			}
			if f := facilityOf(r); f != nil {
				return f.Languages
			}
			return nil
		}},
	{Param: FilterFacility, Field: fieldFacilityID, Comma: true, Read: id,
		Of: func(r *Record) []string {
			if f := facilityOf(r); f != nil {
				return []string{itoa(f.ID)}
			}
			return nil
		}},
	{Param: FilterTreatment, Field: fieldTreatmentID, Comma: true, Read: id,
		Of: func(r *Record) []string {
			switch r.Type {
			case TypeTreatment:
				return []string{itoa(r.ID)}
			case TypeOffer:
				if r.Treatment != nil {
					return []string{itoa(r.Treatment.ID)}
				}
				return nil
			}
			// Facilities and doctors carry the ids of their treatments, not
			// their text: a word matches them through their treatments'
			// documents (see match.go).
			out := make([]string, len(r.Treatments))
			for i, t := range r.Treatments {
				out[i] = itoa(t.ID)
			}
			return out
		}},
}

// filterNamed returns the table's entry for a parameter.
func filterNamed(param string) (*Filter, bool) {
	for i := range Filters {
		if Filters[i].Param == param {
			return &Filters[i], true
		}
	}
	return nil, false
}

// FacetNames lists the facets a request may ask for: the filters that facet,
// and price bands.
func FacetNames() []string {
	var out []string
	for _, f := range Filters {
		if f.Facet {
			out = append(out, f.Param)
		}
	}
	return append(out, FacetPrice)
}

// facilityOf is the facility a record is or belongs to: itself for a
// facility, its facility for a doctor; nil for offers (which inherit) and
// treatments.
func facilityOf(r *Record) *FacilityRef {
	switch r.Type {
	case TypeFacility:
		return &FacilityRef{ID: r.ID, Name: r.Name, Kind: r.Kind, City: r.City, Country: r.Country,
			CountryName: r.CountryName, Location: r.Location, Accreditations: r.Accreditations, Languages: r.Languages}
	case TypeDoctor:
		return r.Facility
	case TypeOffer:
		// Only the id: the rest is inherited from the facility's document.
		if r.Facility != nil {
			return &FacilityRef{ID: r.Facility.ID}
		}
	}
	return nil
}

func facilityValue(r *Record, v func(*FacilityRef) string) []string {
	if f := facilityOf(r); f != nil {
		return nonEmpty(v(f))
	}
	return nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// Readers of filter values.

func oneOf(allowed []string) func(string) (string, string) {
	return func(v string) (string, string) {
		for _, a := range allowed {
			if v == a {
				return v, ""
			}
		}
		return "", sprintf("unknown value %q (one of %s)", v, strings.Join(allowed, ", "))
	}
}

func countryCode(v string) (string, string) {
	if len(v) != 2 || !isLetters(v) {
		return "", sprintf("%q is not an ISO 3166-1 alpha-2 country code", v)
	}
	return strings.ToUpper(v), ""
}

func lower(v string) (string, string) { return strings.ToLower(v), "" }

func id(v string) (string, string) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return "", sprintf("%q is not a valid id", v)
	}
	return itoa(n), ""
}

func isLetters(s string) bool {
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}
