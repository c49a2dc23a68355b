package posts

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/careatlas/careatlas/search"
)

// QueryFor is the post query of a search: the request says who the patient
// is and what they filtered on, and about (read off the search's own
// matching) what the text was about. rates convert a price ceiling to
// dollars; rotation orders posts of equal score.
func QueryFor(r search.Request, about search.About, rates search.Rates, rotation uint64) Query {
	q := Query{
		Text: r.Query, Terms: about.Terms, TreatmentIDs: about.Treatments, Categories: about.Categories,
		PatientCountry: r.From, FacilityCountries: r.Filter(search.FilterCountry), Languages: languages(r),
		PriceMax: r.PriceMax, Currency: r.Currency, Rotation: rotation,
	}
	if r.PriceMax != nil {
		if r.Currency == "" || r.Currency == "USD" {
			q.PriceMaxUSD = r.PriceMax
		} else if usd, ok := rates.ToUSD(*r.PriceMax, r.Currency); ok {
			q.PriceMaxUSD = &usd
		}
	}
	for _, s := range r.Filter(search.FilterFacility) {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			q.Facilities = append(q.Facilities, id)
		}
	}
	return q
}

// languages are the languages a search asks for: its language filters and
// the language it is written in, when it says.
func languages(r search.Request) []string {
	out := slices.Clone(r.Filter(search.FilterLanguage))
	if l := strings.ToLower(r.Lang); l != "" && !slices.Contains(out, l) {
		out = append(out, l)
	}
	return out
}

// SearchEventFor is what a search records: its terms and categories, the
// patient's country, and the facilities and posts it surfaced.
func SearchEventFor(r search.Request, res *search.Result, ms []Match, at time.Time) SearchEvent {
	e := SearchEvent{At: at, Keywords: res.About.Terms, PatientCountry: r.From, Categories: res.About.Categories,
		Total: int(min(res.Total, 1<<31-1))}
	for _, hit := range res.Hits {
		id := hit.ID
		switch {
		case hit.Type == search.TypeFacility:
		case hit.Facility != nil:
			id = hit.Facility.ID
		default:
			continue
		}
		if !slices.Contains(e.FacilityIDs, id) {
			e.FacilityIDs = append(e.FacilityIDs, id)
		}
	}
	for _, m := range ms {
		e.PostIDs = append(e.PostIDs, m.Post.ID)
	}
	return e
}
